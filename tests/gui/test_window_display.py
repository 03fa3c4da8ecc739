"""What the window shows: names that are not UTF-8 or hold control characters shown safely, URLs
without their credentials (rows, tooltips, details, what is copied), sizes and speeds in the one
unit policy (KiB, MiB), and Ctrl+D opening Destinations… while a row is selected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest

from core import TaskState
from gui.destinations import DestinationSecrets
from gui.queue import Column
from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]


async def test_names_that_are_not_utf8_or_hold_control_characters_display_safely(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9\x1b[31m.bin")  # an undecodable byte and a terminal escape
    file = folder / name
    file.write_bytes(b"x" * 5000)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        app.window.add_paths([file])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        model = app.model
        shown = model.data(model.index(0, Column.NAME))
        assert shown == "caf\\xe9\\x1b[31m.bin"
        tooltip = model.data(model.index(0, Column.NAME), Qt.ItemDataRole.ToolTipRole)
        assert "\\xe9" in tooltip and "\x1b" not in tooltip
        task = app.rows()[0]
        app.window.rows.select_rows([(task.session_id, task.task_id)])
        app.window.rows.show_details()
        details = app.window.rows.details_dialog
        assert details is not None and details.isVisible()
        assert "caf\\xe9\\x1b[31m.bin" in details.windowTitle()
        details.grab()  # painting the dialog must not trip over the name either
        details.close()
        app.window.view.grab()


async def test_urls_are_shown_and_copied_without_credentials(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    file = make_file(tmp_path / "in" / "doc.pdf", 5_000)
    async with running_app(tmp_path / "state") as app:
        full = f"http://alice:pw-0c4e2a@127.0.0.1:{receiver.port}/up"
        saved = add_destination(app.destinations, full)
        # Saved without its password (the settings file never holds it); this run keeps it in memory.
        app.destinations.remember_for_session(saved.id, DestinationSecrets(url=full))
        app.window.reload_destinations()
        combo = app.window.destinations.combo
        assert "pw-0c4e2a" not in str(combo.itemData(0, Qt.ItemDataRole.ToolTipRole))
        app.window.add_paths([file])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        task = app.rows()[0]
        tip = app.model.data(app.model.index(0, Column.DESTINATION), Qt.ItemDataRole.ToolTipRole)
        assert "pw-0c4e2a" not in tip and "<redacted>" in tip
        signed = "https://bucket.example/doc.pdf?X-Amz-Signature=abc123secret&X-Amz-Date=1"
        app.model.apply_snapshots([task.evolve(response_text=f'{{"url": "{signed}"}}')])
        app.window.rows.select_rows([(task.session_id, task.task_id)])
        app.window.action("copy_url").trigger()
        copied = QGuiApplication.clipboard().text()
        assert copied == "https://bucket.example/doc.pdf?X-Amz-Signature=<redacted>&X-Amz-Date=1"
        app.window.action("copy_response").trigger()
        assert "abc123secret" not in QGuiApplication.clipboard().text()
        app.window.rows.show_details()
        details = app.window.rows.details_dialog
        assert details is not None
        assert "abc123secret" not in details.response.toPlainText()
        assert "pw-0c4e2a" not in " ".join(
            label.text() for label in details.findChildren(type(details.error))
        )
        details.close()


async def test_sizes_and_speeds_use_binary_units(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "in" / "clip.bin", 3 << 20)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        app.window.add_paths([file])
        await until(lambda: app.model.rowCount() == 1, what="the row")
        assert app.model.data(app.model.index(0, Column.SIZE)) == "3 MiB"
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        progress = app.model.data(app.model.index(0, Column.PROGRESS), Qt.ItemDataRole.ToolTipRole)
        assert progress == "3 MiB of 3 MiB"
        from gui.formatting import format_bytes, format_speed

        assert (format_bytes(1), format_bytes(1536), format_speed(48.2 * (1 << 20))) == (
            "1 byte",
            "1.5 KiB",
            "48.2 MiB/s",
        )


async def test_ctrl_d_opens_destinations_while_a_row_is_selected(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    file = make_file(tmp_path / "in" / "a.bin", 1000)
    async with running_app(tmp_path / "state") as app:
        window = app.window
        add_destination(app.destinations, f"{receiver.url}/up")
        window.reload_destinations()
        window.add_paths([file])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        # Delete removes a row with the Delete key only: the platform's Delete sequence has Ctrl+D
        # on X11, which would take the key away from Destinations… whenever the table has focus.
        assert window.action("remove").shortcuts() == [QKeySequence(Qt.Key.Key_Delete)]
        assert window.action("destinations").shortcut() == QKeySequence("Ctrl+D")
        window.activateWindow()
        window.view.setFocus()
        task = app.rows()[0]
        window.rows.select_rows([(task.session_id, task.task_id)])
        QTest.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        await until(
            lambda: window.destinations.dialog is not None and window.destinations.dialog.isVisible(),
            what="the Destinations dialog",
        )
        assert app.model.rowCount() == 1  # and the row is still there
        window.destinations.dialog.reject()  # type: ignore[union-attr]
        # It is in the File menu, as the README says.
        file_menu = window.menuBar().actions()[0].menu()
        assert window.action("destinations") in file_menu.actions()  # type: ignore[union-attr]
