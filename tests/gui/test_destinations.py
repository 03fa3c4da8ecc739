"""Named destinations: defined in the dialog, their secret in the keyring only, used for real uploads,
the last one remembered; and a clear message when there is no keyring."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import TaskState
from gui.destinations import KEYRING_SERVICE, AuthKind, DestinationsDialog
from tests.conftest import make_file, sha256_of
from tests.gui.conftest import BrokenKeyring, MemoryKeyring, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]

TOKEN = "s3cr3t-t0ken-4f9a2b71"


def fill(dialog: DestinationsDialog, *, name: str, url: str, token: str = "") -> None:
    dialog.name.setText(name)
    dialog.url.setText(url)
    dialog.headers.setPlainText("X-Client: skylift-tests")
    dialog.form_fields.setPlainText("album=holiday")
    dialog.concurrency.setValue(2)
    if token:
        dialog.auth.setCurrentIndex(dialog.auth.findData(AuthKind.BEARER))
        dialog.secret.setText(token)


async def test_destination_with_a_token_uploads_and_keeps_the_token_in_the_keyring(
    tmp_path: Path, receiver: ReceiverServer, memory_keyring: MemoryKeyring
) -> None:
    file = make_file(tmp_path / "in" / "contract.pdf", 123_456)
    state = tmp_path / "state"
    async with running_app(state) as app:
        window = app.window
        # No destination yet: a drop opens the dialog, and the files go once one is saved.
        window.add_paths([file])
        dialog = window.destinations_dialog
        assert dialog is not None and dialog.isVisible()
        fill(dialog, name="Client share", url=f"{receiver.url}/api/upload", token=TOKEN)
        dialog.accept()
        assert not dialog.isVisible()
        assert window.destination_combo.currentText() == "Client share"
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")

        [received] = receiver.received
        assert received.headers["Authorization"] == f"Bearer {TOKEN}"
        assert received.headers["X-Client"] == "skylift-tests"
        assert received.form == {"album": "holiday"}
        assert received.sha256 == sha256_of(file)
        [(service, account)] = memory_keyring.passwords
        assert service == KEYRING_SERVICE and memory_keyring.passwords[(service, account)] == TOKEN
        app.manager.store.flush()

    # The secret is nowhere on disk: not in the settings file, not in the state database.
    for path in state.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path

    async with running_app(state) as again:
        # The last destination used is chosen again, and its name labels the old rows.
        assert again.window.destination_combo.currentText() == "Client share"
        assert again.model.data(again.model.index(0, 6)) == "Client share"


async def test_without_a_keyring_the_dialog_says_so_and_keeps_nothing(
    tmp_path: Path, broken_keyring: BrokenKeyring
) -> None:
    async with running_app(tmp_path / "state") as app:
        window = app.window
        window.edit_destinations()
        dialog = window.destinations_dialog
        assert dialog is not None
        fill(dialog, name="Private", url="https://uploads.example/private", token=TOKEN)
        dialog.accept()
        boxes = [b for b in dialog.children() if b.objectName() == "destinations-warning"]
        assert boxes and boxes[-1].isVisible()
        text = boxes[-1].text()
        assert "keyring" in text and "NoKeyringError" in text
        assert dialog.isVisible()  # still open: the user can remove the token or fix the keyring
        assert app.destinations.saved() == []
        # Without a token the same destination can be saved.
        boxes[-1].close()
        dialog.auth.setCurrentIndex(dialog.auth.findData(AuthKind.NONE))
        dialog.accept()
        assert [d.name for d in app.destinations.saved()] == ["Private"]


async def test_credentials_in_plain_headers_are_refused(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    async with running_app(tmp_path / "state") as app:
        app.window.edit_destinations()
        dialog = app.window.destinations_dialog
        assert dialog is not None
        fill(dialog, name="Leaky", url="https://uploads.example/")
        dialog.headers.setPlainText(f"Authorization: Bearer {TOKEN}")
        dialog.accept()
        boxes = [b for b in dialog.children() if b.objectName() == "destinations-warning"]
        assert boxes and "looks like a credential" in boxes[-1].text()
        assert app.destinations.saved() == []
    settings = tmp_path / "state" / "skylift-gui.ini"
    assert not settings.exists() or TOKEN not in settings.read_text()
