"""Secrets that were never stored, after a restart: the uploads that need them wait (queued, never
failed with 401), the window asks for them, and what is typed — or given again on the command
line of a second start — lets them finish."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core import TaskState
from gui.app import adhoc_destination, apply_request, build_parser, request_options
from gui.credentials import CredentialsDialog
from gui.destinations import ADHOC_ID, AuthKind
from gui.single_instance import InstanceRequest
from tests.conftest import make_file, sha256_of
from tests.gui.auth_receiver import AuthReceiver, running_auth_receiver
from tests.gui.conftest import GuiApp, MemoryKeyring, logging_to, running_app, secrets_on_disk, until

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]

TOKEN = "cli-t0ken-77aa01be"
STATE_COLUMN = 5


def use_command_line(app: GuiApp, *argv: str) -> None:
    """As ``skylift --url ... --header ...`` starts the window."""
    given = adhoc_destination(build_parser().parse_args(list(argv)))
    assert given is not None
    app.destinations.set_adhoc(*given)
    app.controller.refresh_destinations()
    app.window.reload_destinations()
    app.window.select_destination(ADHOC_ID)


async def interrupted_upload(app: GuiApp, server: AuthReceiver, file: Path) -> None:
    """Queue ``file`` and leave while the server holds its body: it is recorded as interrupted."""
    app.window.add_paths([file])
    await until(
        lambda: (
            app.rows()
            and app.rows()[0].state in (TaskState.UPLOADING, TaskState.PROCESSING)
            and app.rows()[0].bytes_sent > 0
        ),
        what=lambda: f"the upload to run ({[(t.state, t.bytes_sent, t.error) for t in app.rows()]})",
    )


async def asked(app: GuiApp) -> CredentialsDialog:
    await until(lambda: app.window.credentials.dialog is not None, what="the window to ask for credentials")
    dialog = app.window.credentials.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def state_text(app: GuiApp, row: int = 0) -> str:
    return str(app.model.data(app.model.index(row, STATE_COLUMN)))


async def test_a_command_line_secret_header_is_asked_for_after_a_restart(tmp_path: Path) -> None:
    file = make_file(tmp_path / "in" / "clip.bin", 2 << 20)
    state = tmp_path / "state"
    state.mkdir()
    with running_auth_receiver(value=f"Bearer {TOKEN}") as server, logging_to(state):
        script = server.script("/up", hold_after=256 << 10)
        async with running_app(state) as app:
            use_command_line(app, "--url", f"{server.url}/up", "--header", f"Authorization: Bearer {TOKEN}")
            await interrupted_upload(app, server, file)
        script.release()

        # Started again without the command line: the task waits for its token instead of failing.
        async with running_app(state) as again:
            dialog = await asked(again)
            assert dialog.request.names == ("Authorization",)
            assert dialog.request.url == f"{server.url}/up"
            assert list(dialog.fields) == ["Authorization"]
            assert again.rows()[0].state in (TaskState.QUEUED, TaskState.INTERRUPTED)
            assert state_text(again) == "waiting for credentials"
            tip = again.model.data(again.model.index(0, STATE_COLUMN), Qt.ItemDataRole.ToolTipRole)
            assert "Enter credentials" in tip
            assert server.refused == []
            dialog.fields["Authorization"].setText(f"Bearer {TOKEN}")
            dialog.accept()
            await until(
                lambda: again.states() == [TaskState.COMPLETED],
                what=lambda: f"the upload ({[(t.state, t.error) for t in again.rows()]})",
            )
            assert server.refused == []
            assert [r.sha256 for r in server.received] == [sha256_of(file)]
            again.manager.store.flush()
    assert secrets_on_disk([state], [TOKEN]) == []


async def test_not_now_keeps_the_uploads_queued_and_a_second_start_supplies_them(tmp_path: Path) -> None:
    file = make_file(tmp_path / "in" / "clip.bin", 2 << 20)
    state = tmp_path / "state"
    with running_auth_receiver(value=f"Bearer {TOKEN}") as server:
        script = server.script("/up", hold_after=256 << 10)
        argv = ["--url", f"{server.url}/up", "--header", f"Authorization: Bearer {TOKEN}"]
        async with running_app(state) as app:
            use_command_line(app, *argv)
            await interrupted_upload(app, server, file)
        script.release()

        async with running_app(state) as again:
            dialog = await asked(again)
            dialog.reject()  # "Not now"
            await until(lambda: again.window.credentials.dialog is None, what="the dialog to close")
            await asyncio.sleep(0.3)  # nothing may happen meanwhile: no 401, no failure
            assert again.rows()[0].state in (TaskState.QUEUED, TaskState.INTERRUPTED)
            assert state_text(again) == "waiting for credentials"
            assert server.refused == [] and server.received == []
            # The row says how to go on: Enter credentials… asks again.
            task = again.rows()[0]
            again.window.rows.select_rows([(task.session_id, task.task_id)])
            assert again.window.action("credentials").isEnabled()
            again.window.action("credentials").trigger()
            (await asked(again)).reject()
            await until(lambda: again.window.credentials.dialog is None, what="the dialog to close")

            # `skylift --url ... --header ...` handed to the running window gives them back.
            options = request_options(build_parser().parse_args(argv))
            apply_request(InstanceRequest.from_command_line([], options), app=again.app)
            await until(
                lambda: again.states() == [TaskState.COMPLETED],
                what=lambda: f"the upload ({[(t.state, t.error) for t in again.rows()]})",
            )
            assert server.refused == []
            assert server.received[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_saved_destination_whose_keyring_entry_is_gone_asks_for_its_token(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    file = make_file(tmp_path / "in" / "big.bin", 2 << 20)
    state = tmp_path / "state"
    with running_auth_receiver(header="X-Upload-Token", value=TOKEN) as server:
        script = server.script("/up", hold_after=256 << 10)
        async with running_app(state) as app:
            app.window.edit_destinations()
            dialog = app.window.destinations.dialog
            assert dialog is not None
            editor = dialog.editor
            editor.name.setText("Vault")
            editor.url.setText(f"{server.url}/up")
            editor.auth.setCurrentIndex(editor.auth.findData(AuthKind.HEADER.value))
            editor.auth_header.setText("X-Upload-Token")
            editor.secret.setText(TOKEN)
            dialog.accept()
            await until(lambda: not dialog.isVisible(), what="the dialog to save")
            await interrupted_upload(app, server, file)
        script.release()
        memory_keyring.passwords.clear()  # the keyring lost it (another machine, a reset...)

        async with running_app(state) as again:
            asking = await asked(again)
            assert asking.request.label == "Vault"
            [field] = asking.fields.values()
            assert field.accessibleName() == "Token"
            field.setText(TOKEN)
            asking.accept()
            await until(lambda: again.states() == [TaskState.COMPLETED], what="the upload")
            assert server.refused == []
            # Kept for this run: a new file to it goes without asking.
            again.window.add_paths([make_file(tmp_path / "in" / "more.bin", 5000)])
            await until(lambda: again.states() == [TaskState.COMPLETED] * 2, what="the second upload")
            assert again.window.credentials.dialog is None
            # Typed when asked: for this session only, not written anywhere.
            assert memory_keyring.passwords == {}


async def test_url_credentials_of_a_command_line_destination_are_asked_for(tmp_path: Path) -> None:
    password = "url-pw-6b1f3c"
    file = make_file(tmp_path / "in" / "doc.bin", 2 << 20)
    state = tmp_path / "state"
    required = "Basic " + base64.b64encode(f"alice:{password}".encode()).decode()
    with running_auth_receiver(value=required) as server:
        script = server.script("/up", hold_after=256 << 10)
        url = f"http://alice:{password}@127.0.0.1:{server.port}/up"
        async with running_app(state) as app:
            use_command_line(app, "--url", url)
            await interrupted_upload(app, server, file)
        script.release()

        async with running_app(state) as again:
            dialog = await asked(again)
            assert dialog.request.url == f"http://alice:<redacted>@127.0.0.1:{server.port}/up"
            [field] = dialog.fields.values()
            field.setText(f"http://alice:{password}@127.0.0.1:{server.port}/other")
            dialog.accept()
            assert dialog.isVisible() and "not the URL the uploads wait for" in dialog.problem.text()
            assert "\n" not in dialog.problem.text() and password not in dialog.problem.text()
            field.setText(url)
            dialog.accept()
            await until(lambda: again.states() == [TaskState.COMPLETED], what="the upload")
            assert server.refused == []
            again.manager.store.flush()
    assert secrets_on_disk([state], [password]) == []
