"""Named destinations: defined in the dialog (every authentication kind, URL credentials, secret
headers, a CA file), their secrets in the keyring only — or, without a keyring, for this session
only — real uploads to servers that require the credential, and every field checked in one line."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QLabel, QMessageBox

from core import TaskState, WireProtocol, protocol_names, spec_for
from core.protocols.multipart import MultipartOptions
from core.protocols.raw import RawOptions
from core.protocols.tus import TusOptions
from gui.destinations import KEYRING_SERVICE, AuthKind, DestinationsDialog, DestinationStore, SavedDestination
from gui.destinations.forms import ProtocolForm, form_for
from gui.destinations.forms.multipart import MultipartForm
from gui.destinations.forms.tus import TusForm
from gui.settings import AppSettings
from tests.conftest import make_file, sha256_of
from tests.gui.auth_receiver import running_auth_receiver
from tests.gui.conftest import (
    BrokenKeyring,
    GuiApp,
    MemoryKeyring,
    logging_to,
    running_app,
    secrets_on_disk,
    until,
)
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]

TOKEN = "s3cr3t-t0ken-4f9a2b71"
PASSWORD = "pa55-w0rd-e81c0d"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def open_dialog(app: GuiApp) -> DestinationsDialog:
    app.window.edit_destinations()
    dialog = app.window.destinations.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def multipart(dialog: DestinationsDialog) -> MultipartForm:
    form = dialog.editor.forms["multipart"]
    assert isinstance(form, MultipartForm)
    return form


def fill(
    dialog: DestinationsDialog,
    *,
    name: str,
    url: str,
    auth: AuthKind = AuthKind.NONE,
    token: str = "",
    user: str = "",
    header: str = "",
    headers: str = "X-Client: skylift-tests",
    form: str = "album=holiday",
    ca_file: str = "",
) -> None:
    editor = dialog.editor
    editor.name.setText(name)
    editor.url.setText(url)
    editor.headers.setPlainText(headers)
    multipart(dialog).form_fields.setPlainText(form)
    editor.concurrency.setValue(2)
    editor.ca_file.setText(ca_file)
    editor.auth.setCurrentIndex(editor.auth.findData(auth.value))
    editor.username.setText(user)
    editor.auth_header.setText(header)
    editor.secret.setText(token)


async def save(dialog: DestinationsDialog) -> None:
    """OK, and the keyring written (in a worker thread) before the dialog closes."""
    dialog.accept()
    await until(lambda: not dialog.isVisible(), what=lambda: f"the dialog to close ({dialog.problem_text!r})")


def settings_text(state: Path) -> str:
    path = state / "skylift-gui.ini"
    return path.read_text() if path.exists() else ""


# -- every authentication kind, against a server that requires it --------------------------------

KINDS = {
    # kind: (header the server checks, the value it requires, dialog fields)
    "bearer": ("Authorization", f"Bearer {TOKEN}", {"auth": AuthKind.BEARER, "token": TOKEN}),
    "basic": (
        "Authorization",
        basic("alice", PASSWORD),
        {"auth": AuthKind.BASIC, "user": "alice", "token": PASSWORD},
    ),
    "header": (
        "X-Upload-Token",
        TOKEN,
        {"auth": AuthKind.HEADER, "header": "X-Upload-Token", "token": TOKEN},
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_each_authentication_kind_uploads_to_a_server_that_requires_it(
    tmp_path: Path, memory_keyring: MemoryKeyring, kind: str
) -> None:
    header, required, fields = KINDS[kind]
    secret = str(fields["token"])
    file = make_file(tmp_path / "in" / "contract.pdf", 123_456)
    state = tmp_path / "state"
    state.mkdir()
    with running_auth_receiver(header=header, value=required) as server, logging_to(state):
        async with running_app(state) as app:
            window = app.window
            # No destination yet: a drop opens the dialog, and the files go once one is saved.
            window.add_paths([file])
            dialog = window.destinations.dialog
            assert dialog is not None and dialog.isVisible()
            fill(dialog, name="Client share", url=f"{server.url}/api/upload", **fields)  # type: ignore[arg-type]
            # The fields of this kind are the ones that can be typed in (compared by value).
            assert dialog.editor.secret.isEnabled()
            assert dialog.editor.username.isEnabled() == (kind == "basic")
            assert dialog.editor.auth_header.isEnabled() == (kind == "header")
            assert multipart(dialog).field_name.isVisibleTo(dialog)
            assert multipart(dialog).form_fields.isVisibleTo(dialog)
            await save(dialog)
            assert window.destinations.combo.currentText() == "Client share"
            await until(
                lambda: app.states() == [TaskState.COMPLETED],
                what=lambda: f"the upload ({[(t.state, t.error) for t in app.rows()]})",
            )
            [received] = server.received
            assert received.headers[header] == required
            assert received.headers["X-Client"] == "skylift-tests"
            assert received.form == {"album": "holiday"}
            assert received.sha256 == sha256_of(file)
            assert server.refused == []
            # The server echoed the credential: the echo is neither shown nor kept.
            task = app.rows()[0]
            assert '"you_sent": "<redacted>"' in (task.response_text or "")
            window.rows.select_rows([(task.session_id, task.task_id)])
            window.rows.show_details()
            assert window.rows.details_dialog is not None
            assert secret not in window.rows.details_dialog.response.toPlainText()
            window.rows.details_dialog.close()
            [(service, _account)] = memory_keyring.passwords
            assert service == KEYRING_SERVICE
            assert memory_keyring.passwords[(service, _account)] == secret
            app.manager.store.flush()

    # Nothing of the secret on disk: settings, state database, logs (filtered and raw).
    assert (state / "logs" / "skylift.log").stat().st_size > 0
    assert secrets_on_disk([state], [secret, required, required.split()[-1]]) == []

    async with running_app(state) as again:
        # The last destination used is chosen again, and its name labels the old rows.
        assert again.window.destinations.combo.currentText() == "Client share"
        assert again.model.data(again.model.index(0, 6)) == "Client share"


async def test_url_credentials_and_secret_headers_are_kept_like_tokens(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    password, signature, key = "url-p4ssw0rd-91c2", "sig-5f1e0c9a77d2b3", "hdr-k3y-0a9b8c7d6e"
    files = [make_file(tmp_path / "in" / f"part-{n}.bin", 40_000 + n) for n in range(2)]
    state = tmp_path / "state"
    state.mkdir()
    with (
        running_auth_receiver(value=basic("alice", password), query=("X-Amz-Signature", signature)) as server,
        logging_to(state),
    ):
        url = f"http://alice:{password}@127.0.0.1:{server.port}/up?X-Amz-Signature={signature}&part=1"
        async with running_app(state) as app:
            dialog = open_dialog(app)
            fill(dialog, name="Signed", url=url, headers=f"X-Upload-Key: {key}\nX-Client: tests", form="")
            await save(dialog)
            text = settings_text(state)
            assert "alice:<redacted>@127.0.0.1" in text and "X-Amz-Signature=<redacted>" in text
            assert "X-Upload-Key" in text and key not in text and password not in text
            [(_service, _account)] = memory_keyring.passwords
            stored = json.loads(memory_keyring.passwords[(_service, _account)])
            assert stored["url"] == url and stored["headers"] == {"X-Upload-Key": key}
            app.window.add_paths([files[0]])
            await until(lambda: app.states() == [TaskState.COMPLETED], what="the first upload")
            app.manager.store.flush()

        async with running_app(state) as again:
            # The dialog shows what is stored without showing the secrets; OK changes nothing.
            dialog = open_dialog(again)
            assert (
                dialog.editor.url.text()
                == f"http://alice:<redacted>@127.0.0.1:{server.port}/up?X-Amz-Signature=<redacted>&part=1"
            )
            assert "X-Upload-Key: <redacted>" in dialog.editor.headers.toPlainText()
            await save(dialog)
            assert json.loads(memory_keyring.passwords[(_service, _account)])["url"] == url
            # Everything comes back from the keyring for the next upload.
            again.window.add_paths([files[1]])
            await until(
                lambda: [t.state for t in again.rows()] == [TaskState.COMPLETED] * 2,
                what=lambda: f"the second upload ({[(t.state, t.error) for t in again.rows()]})",
            )
            assert server.refused == []
            assert all(r.headers["X-Upload-Key"] == key for r in server.received)
            again.manager.store.flush()
    assert secrets_on_disk([state], [password, signature, key]) == []


async def test_plain_text_secrets_of_an_older_version_are_moved_to_the_keyring(
    tmp_path: Path, memory_keyring: MemoryKeyring, receiver: ReceiverServer
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    settings = AppSettings(state)
    old = {
        "id": "old1",
        "name": "Old",
        "url": f"http://127.0.0.1:{receiver.port}/up?sig=old-sig-5d2e1",
        "headers": {"X-Api-Key": "old-key-2b8c6e", "X-Client": "tests"},
        "auth": "bearer",
        "has_secret": True,
    }
    settings.destinations = [old]
    settings.sync()
    memory_keyring.passwords[(KEYRING_SERVICE, "destination:old1")] = TOKEN  # a plain token, as before
    async with running_app(state) as app:
        await until(lambda: app.message_box("notice_warning") is not None, what="the notice")
        notice = app.message_box("notice_warning")
        assert notice is not None and "plain text" in notice.text()
        text = settings_text(state)
        assert "old-sig-5d2e1" not in text and "old-key-2b8c6e" not in text
        stored = json.loads(memory_keyring.passwords[(KEYRING_SERVICE, "destination:old1")])
        assert stored["token"] == TOKEN and stored["headers"] == {"X-Api-Key": "old-key-2b8c6e"}
        assert stored["url"] == old["url"]
        app.window.reload_destinations()
        app.window.add_paths([make_file(tmp_path / "in" / "a.bin", 1000)])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        [received] = receiver.received
        assert received.headers["Authorization"] == f"Bearer {TOKEN}"
        assert received.headers["X-Api-Key"] == "old-key-2b8c6e"
        assert "sig=old-sig-5d2e1" in received.raw_path


# -- no usable keyring ------------------------------------------------------------------------------


def button(box: QMessageBox, text: str) -> object:
    return next(b for b in box.buttons() if b.text().replace("&", "") == text)


async def test_without_a_keyring_secrets_are_kept_for_this_session_only(
    tmp_path: Path, broken_keyring: BrokenKeyring
) -> None:
    files = [make_file(tmp_path / "in" / f"f{n}.bin", 20_000) for n in range(2)]
    state = tmp_path / "state"
    with running_auth_receiver(value=f"Bearer {TOKEN}") as server:
        async with running_app(state) as app:
            dialog = open_dialog(app)
            fill(dialog, name="Private", url=f"{server.url}/private", auth=AuthKind.BEARER, token=TOKEN)
            dialog.accept()
            await until(lambda: dialog.keyring_box is not None, what="the keyring question")
            box = dialog.keyring_box
            assert box is not None and box.isVisible()
            assert "nothing was saved" in box.text()
            assert "NoKeyringError" in box.informativeText() and "session only" in box.informativeText()
            # Cancel: back to the dialog, nothing saved, and it says so.
            box.button(QMessageBox.StandardButton.Cancel).click()  # type: ignore[union-attr]
            await until(lambda: dialog.keyring_box is None, what="the question to close")
            assert dialog.isVisible() and "Nothing was saved" in dialog.problem_text
            assert app.destinations.saved() == []
            # OK again asks once more (a choice, not a loop); keep for this session only.
            dialog.accept()
            await until(lambda: dialog.keyring_box is not None, what="the keyring question again")
            button(dialog.keyring_box, "Keep for this session only").click()  # type: ignore[arg-type, attr-defined]
            await until(lambda: not dialog.isVisible(), what="the dialog to close")
            [saved] = app.destinations.saved()
            assert saved.has_token and not saved.in_keyring
            assert "session only" in app.window.statusBar().currentMessage()
            # It never claims the keyring has it.
            again = open_dialog(app)
            assert again.editor.secret.placeholderText() == "unchanged (kept for this session only)"
            assert "keyring" not in again.editor.secret.placeholderText()
            again.reject()
            app.window.add_paths([files[0]])
            await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
            app.manager.store.flush()
        assert secrets_on_disk([state], [TOKEN]) == []

        # The next run has no token (it was never written): a new upload waits and asks for it.
        async with running_app(state) as later:
            later.window.add_paths([files[1]])
            await until(lambda: later.window.credentials.dialog is not None, what="the question")
            asked = later.window.credentials.dialog
            assert asked is not None
            await until(lambda: len(later.rows()) == 2, what="the second row")
            assert later.model.data(later.model.index(1, 5)) == "waiting for credentials"
            assert later.rows()[1].state is TaskState.QUEUED
            labels = [w.text() for w in asked.findChildren(QLabel)]
            assert "Token:" in [t.replace("&", "") for t in labels]
            [field] = asked.fields.values()
            field.setText(TOKEN)
            asked.accept()
            await until(lambda: later.states()[1] is TaskState.COMPLETED, what="the second upload")
            assert server.refused == []
    assert secrets_on_disk([state], [TOKEN]) == []


# -- every field checked, one line each --------------------------------------------------------------


def set_auth(kind: AuthKind, **fields: str) -> Callable[[DestinationsDialog], None]:
    def apply(dialog: DestinationsDialog) -> None:
        editor = dialog.editor
        editor.auth.setCurrentIndex(editor.auth.findData(kind.value))
        editor.username.setText(fields.get("user", ""))
        editor.auth_header.setText(fields.get("header", ""))
        editor.secret.setText(fields.get("token", ""))

    return apply


def set_protocol(protocol: str, **fields: str) -> Callable[[DestinationsDialog], None]:
    def apply(dialog: DestinationsDialog) -> None:
        dialog.editor.protocol.setCurrentIndex(dialog.editor.protocol.findData(protocol))
        tus = dialog.editor.forms["tus"]
        assert isinstance(tus, TusForm)
        tus.chunk_size.setText(fields.get("chunk", ""))

    return apply


INVALID: dict[str, tuple[Callable[[DestinationsDialog], None], str]] = {
    "no name": (lambda d: d.editor.name.setText(" "), "Give the destination a name"),
    "scheme": (lambda d: d.editor.url.setText("ftp://files.example/"), "must start with http:// or https://"),
    "port": (lambda d: d.editor.url.setText("https://files.example:99999/up"), "port 99999 is not"),
    "port word": (lambda d: d.editor.url.setText("https://files.example:http/up"), "is not a number"),
    "space": (lambda d: d.editor.url.setText("https://files.example/my folder/"), "contains a space"),
    "no host": (lambda d: d.editor.url.setText("https:///up"), "has no host"),
    "bracket": (lambda d: d.editor.url.setText("https://[::1/up"), "not a valid URL"),
    "hidden password typed over": (
        lambda d: d.editor.url.setText("https://u:<redacted>@files.example/other"),
        "type the URL again in full",
    ),
    "method": (lambda d: multipart(d).method.setCurrentText("P OST"), "Method: not an HTTP method"),
    "field name": (lambda d: multipart(d).field_name.setText('my"file'), "Field name: not a form field name"),
    "form line": (
        lambda d: multipart(d).form_fields.setPlainText("album"),
        "Form fields: line 1: not a form field",
    ),
    "secret form field": (
        lambda d: multipart(d).form_fields.setPlainText("api_key=123"),
        "looks like a credential",
    ),
    "path field": (
        lambda d: multipart(d).path_field.setText('relative"Path'),
        "Relative path field: not a form field name",
    ),
    "header line": (
        lambda d: d.editor.headers.setPlainText("X-A: 1\nnot a header"),
        "Headers: line 2: not a header",
    ),
    "framing header": (lambda d: d.editor.headers.setPlainText("Content-Length: 5"), "set by Skylift itself"),
    "non-ASCII header": (lambda d: d.editor.headers.setPlainText("X-Title: café"), "outside printable ASCII"),
    "header name": (lambda d: d.editor.headers.setPlainText("X Bad: 1"), "not a header name"),
    "unknown hidden header": (
        lambda d: d.editor.headers.setPlainText("X-Api-Key: <redacted>"),
        "no stored value",
    ),
    "auth header twice": (
        lambda d: (
            set_auth(AuthKind.BEARER, token="t0ken-abc")(d),
            d.editor.headers.setPlainText("Authorization: x"),
        ),
        "sent by the Authentication setting",
    ),
    "bandwidth": (lambda d: d.editor.bandwidth.setText("fast"), "Bandwidth limit: not a bandwidth limit"),
    "bandwidth zero": (lambda d: d.editor.bandwidth.setText("0"), "more than zero"),
    "chunk size": (set_protocol("tus", chunk="12Q"), "Chunk size (tus): not a chunk size"),
    "ca missing": (lambda d: d.editor.ca_file.setText("/nonexistent/ca.pem"), "CA file not found"),
    "ca not pem": (lambda d: d.editor.ca_file.setText(__file__), "holds no PEM certificate"),
    "no header name": (set_auth(AuthKind.HEADER, token="t0ken-abc"), "enter the name of the header"),
    "bad header name": (set_auth(AuthKind.HEADER, header="X Token", token="t0ken-abc"), "not a header name"),
    "header not secret": (
        set_auth(AuthKind.HEADER, header="X-Upload", token="t0ken-abc"),
        "not a name Skylift",
    ),
    "no user": (set_auth(AuthKind.BASIC, token="pw-12345"), "enter the user name"),
    "colon in user": (set_auth(AuthKind.BASIC, user="a:b", token="pw-12345"), "cannot contain ':'"),
    "no token": (set_auth(AuthKind.BEARER), "enter the token"),
    "no password": (set_auth(AuthKind.BASIC, user="alice"), "enter the password"),
    "non-ASCII token": (set_auth(AuthKind.BEARER, token="tökén-123"), "outside printable ASCII"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
async def test_every_invalid_field_is_one_line_and_nothing_is_saved(
    tmp_path: Path, memory_keyring: MemoryKeyring, case: str
) -> None:
    change, expected = INVALID[case]
    async with running_app(tmp_path / "state") as app:
        dialog = open_dialog(app)
        fill(dialog, name="Target", url="https://files.example/up")
        change(dialog)
        dialog.accept()
        problem = dialog.problem_text
        assert expected in problem, problem
        assert "\n" not in problem and "Traceback" not in problem and "Error" not in problem
        assert dialog.isVisible() and dialog.problem.isVisible()
        assert app.destinations.saved() == [] and memory_keyring.passwords == {}
        # Put right, it saves.
        fill(dialog, name="Target", url="https://files.example/up")
        dialog.editor.protocol.setCurrentIndex(0)
        multipart(dialog).method.setCurrentIndex(0)
        multipart(dialog).field_name.clear()
        multipart(dialog).path_field.clear()
        dialog.editor.bandwidth.clear()
        await save(dialog)
        assert [d.name for d in app.destinations.saved()] == ["Target"]


async def test_fields_follow_the_protocol_and_the_authentication(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async with running_app(tmp_path / "state") as app:
        dialog = open_dialog(app)
        editor = dialog.editor
        # The protocols are the core's, in its order, each labelled by its spec (translated).
        assert [editor.protocol.itemData(i) for i in range(editor.protocol.count())] == protocol_names()
        assert editor.protocol.itemText(0) == spec_for("multipart").label
        # Only the rows of the protocol chosen are shown.
        for protocol in protocol_names():
            editor.protocol.setCurrentIndex(editor.protocol.findData(protocol))
            for name, form in editor.forms.items():
                for _label, field in form.rows:
                    assert field.isVisibleTo(dialog) == (name == protocol), (protocol, name, _label)
            assert editor.current_form is editor.forms[protocol]
        form = multipart(dialog)
        labels = [label for label, _field in form.rows]
        assert labels == ["&Method:", "&Field name:", "F&orm fields:", "&Relative path field:", ""]
        assert form.filename_star.text() == "Also sen&d the name as RFC 8187 filename*"
        rows = {
            AuthKind.NONE: (False, False, False),
            AuthKind.BEARER: (False, False, True),
            AuthKind.BASIC: (True, False, True),
            AuthKind.HEADER: (False, True, True),
        }
        for kind, enabled in rows.items():
            editor.auth.setCurrentIndex(editor.auth.findData(kind.value))
            fields3 = (editor.username, editor.auth_header, editor.secret)
            assert tuple(f.isEnabled() for f in fields3) == enabled, kind
        label = dialog.form.labelForField(editor.secret)
        editor.auth.setCurrentIndex(editor.auth.findData(AuthKind.BASIC.value))
        assert isinstance(label, QLabel) and label.text() == "Pass&word:"
        dialog.reject()


async def test_every_protocol_of_the_core_has_its_form() -> None:
    for name in protocol_names():
        form = form_for(name)
        assert type(form) is not ProtocolForm and type(form).label == spec_for(name).label, name
        assert form.rows and isinstance(form.options(), spec_for(name).options)
    with pytest.raises(ValueError, match="unknown protocol"):
        form_for("gopher")


# -- the multipart options for servers that keep only the base name or read names as latin1 ---------


async def test_multipart_path_field_and_filename_star_are_saved_and_sent(
    tmp_path: Path, memory_keyring: MemoryKeyring, receiver: ReceiverServer
) -> None:
    state = tmp_path / "state"
    folder = tmp_path / "in" / "album"
    file = make_file(folder / "2026" / "a.jpg", 5000)
    async with running_app(state) as app:
        dialog = open_dialog(app)
        fill(dialog, name="Django", url=f"{receiver.url}/up", form="")
        form = multipart(dialog)
        assert form.path_field.text() == "" and not form.filename_star.isChecked()
        form.path_field.setText(" relativePath ")
        form.filename_star.setChecked(True)
        await save(dialog)
        [saved] = app.destinations.saved()
        assert isinstance(saved.options, MultipartOptions)
        assert (saved.options.path_field, saved.options.filename_star) == ("relativePath", True)
        app.window.add_paths([folder])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        [received] = receiver.received
        assert received.form == {"relativePath": "album/2026/a.jpg"} and received.sha256 == sha256_of(file)
        # Shown again as saved; unchecked and emptied, both are off again.
        dialog = open_dialog(app)
        form = multipart(dialog)
        assert form.path_field.text() == "relativePath" and form.filename_star.isChecked()
        form.path_field.clear()
        form.filename_star.setChecked(False)
        await save(dialog)
        [saved] = app.destinations.saved()
        assert saved.options == MultipartOptions()


async def test_multipart_options_round_trip_through_the_settings(tmp_path: Path) -> None:
    options = MultipartOptions(
        method="PUT",
        field_name="media",
        form_fields={"album": "2026"},
        path_field="fullPath",
        filename_star=True,
    )
    store = DestinationStore(AppSettings(tmp_path))
    store.save([SavedDestination(id="m", name="M", url="https://h.example/up", options=options)])
    [back] = DestinationStore(AppSettings(tmp_path)).saved()  # the settings file read again
    assert back.options == options and back.protocol == "multipart"


async def test_options_of_other_protocols_are_kept_but_defaults_are_not() -> None:
    destination = SavedDestination(id="s", name="S", url="https://h.example/up", field_name="media")
    # Switched to raw: the multipart field name stays for a switch back; raw's method is its own.
    raw = destination.with_options(RawOptions())
    assert raw.protocol is WireProtocol.RAW and raw.options == RawOptions(method="PUT")
    back = raw.with_options(replace(destination.options, method="POST"))
    assert back.options == MultipartOptions(field_name="media")
    assert "method" not in back.option_values  # POST is multipart's default: no choice to keep
    assert back.with_options(RawOptions()).options.method == "PUT"
    # Settings of older versions: the options flat beside the URL.
    old = {"id": "o", "url": "https://h.example/", "protocol": "tus", "chunk_size": 1 << 20, "method": ""}
    assert SavedDestination.from_json(old).options == TusOptions(chunk_size=1 << 20)


# -- the keyring is only ever called from a worker thread ---------------------------------------------


class ThreadRecordingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.append(threading.current_thread())
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.append(threading.current_thread())
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self.threads.append(threading.current_thread())
        super().delete_password(service, username)


async def test_keyring_reads_and_writes_never_run_on_the_gui_thread(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    backend = ThreadRecordingKeyring()
    keyring.set_keyring(backend)
    try:
        async with running_app(tmp_path / "state") as app:
            dialog = open_dialog(app)
            fill(dialog, name="Vault", url="https://files.example/up", auth=AuthKind.BEARER, token=TOKEN)
            await save(dialog)
            [saved] = app.destinations.saved()
            assert saved.in_keyring and list(backend.passwords.values()) == [TOKEN]
            secrets, problem = await app.destinations.load_secrets(saved)
            assert secrets.token == TOKEN and problem is None
            # Removed: the entry is deleted, from a worker thread too.
            dialog = open_dialog(app)
            dialog.remove_destination()
            await save(dialog)
            assert backend.passwords == {}
    finally:
        keyring.set_keyring(previous)
    assert backend.threads, "the keyring was never called"
    assert threading.main_thread() not in backend.threads, backend.threads


# -- CA file, and retry with the destination's current settings ---------------------------------------


async def test_ca_file_field_and_retry_with_current_settings(
    tmp_path: Path, tls_receiver: ReceiverServer, ca_file: Path, memory_keyring: MemoryKeyring
) -> None:
    file = make_file(tmp_path / "in" / "video.bin", 300_000)
    async with running_app(tmp_path / "state") as app:
        window = app.window
        dialog = open_dialog(app)
        fill(dialog, name="TLS", url=f"{tls_receiver.url}/old-path")
        await save(dialog)
        window.add_paths([file])
        await until(lambda: app.states() == [TaskState.FAILED], what="the upload to fail")
        assert "certificate" in (app.rows()[0].error or "")
        # Fix the destination: its CA file and a new path; then retry with its current settings.
        dialog = open_dialog(app)
        dialog.editor.ca_file.setText(str(ca_file))
        dialog.editor.url.setText(f"{tls_receiver.url}/new-path")
        await save(dialog)
        [saved] = app.destinations.saved()
        assert saved.ca_file == str(ca_file)
        task = app.rows()[0]
        window.rows.select_rows([(task.session_id, task.task_id)])
        assert window.action("retry_current").isEnabled()
        window.action("retry_current").trigger()
        await until(
            lambda: app.states() == [TaskState.COMPLETED],
            what=lambda: f"the retry ({[(t.state, t.error) for t in app.rows()]})",
        )
        [received] = tls_receiver.received
        assert received.path == "/new-path" and received.sha256 == sha256_of(file)
        assert app.rows()[0].relative_name == "video.bin"
        live = app.manager.sessions[saved.session_id]
        assert live.configuration.ca_file == ca_file


async def test_retry_failed_uses_the_destination_as_it_is_now(
    tmp_path: Path, receiver: ReceiverServer, memory_keyring: MemoryKeyring
) -> None:
    files = [make_file(tmp_path / "in" / f"r{n}.bin", 10_000 + n) for n in range(2)]
    receiver.script("/wrong", fail_with=[404, 404], body="no such folder")
    async with running_app(tmp_path / "state") as app:
        dialog = open_dialog(app)
        fill(dialog, name="Fixable", url=f"{receiver.url}/wrong")
        await save(dialog)
        app.window.add_paths(files)
        await until(lambda: app.states() == [TaskState.FAILED] * 2, what="the uploads to fail")
        dialog = open_dialog(app)
        dialog.editor.url.setText(f"{receiver.url}/right")
        await save(dialog)
        app.window.action("retry_failed").trigger()
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="the retries")
        assert sorted(r.path for r in receiver.received) == ["/right", "/right"]
        assert sorted(t.relative_name for t in app.rows()) == ["r0.bin", "r1.bin"]


async def test_store_round_trip_keeps_secrets_out_of_the_settings(tmp_path: Path) -> None:
    store = DestinationStore(AppSettings(tmp_path))
    full = SavedDestination(
        id="x",
        name="X",
        url="https://u:pw-secret-1@h.example/p?sig=sig-secret-2",
        headers={"Cookie": "c-secret-3", "Accept": "*/*"},
    )
    store.save([full])
    text = (tmp_path / "skylift-gui.ini").read_text()
    assert not [s for s in ("pw-secret-1", "sig-secret-2", "c-secret-3") if s in text]
    [back] = store.saved()
    assert back.url == "https://u:<redacted>@h.example/p?sig=<redacted>" and back.url_secrets
    assert dict(back.headers) == {"Accept": "*/*"} and back.secret_headers == ("Cookie",)
