"""The window driving real uploads to the real loopback receiver: drops, toolbar buttons, row actions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import core
from core import TaskState
from gui.queue import Column
from tests.conftest import make_file, sha256_of
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    # The offscreen platform says so for every top-level window; not a problem of ours.
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]


def drop(widget: object, paths: list[Path]) -> bool:
    """What the desktop sends when files are dragged onto ``widget`` and released."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()  # type: ignore[attr-defined]
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(centre), actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(QPoint(centre), actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, move)
    if not move.isAccepted():
        return False
    release = QDropEvent(QPointF(centre), actions, mime, buttons, modifiers)
    QApplication.sendEvent(widget, release)
    return release.isAccepted()


async def test_dropped_files_upload_intact(tmp_path: Path, receiver: ReceiverServer) -> None:
    files = [make_file(tmp_path / "in" / f"clip-{n}.bin", 200_000 + n * 1000) for n in range(3)]
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        assert drop(app.window.view.viewport(), files)
        await until(lambda: app.model.rowCount() == 3, what="three rows")
        assert [t.relative_name for t in app.rows()] == [f.name for f in files]
        await until(lambda: app.states() == [TaskState.COMPLETED] * 3, what="uploads to complete")
        received = {r.filename: r.sha256 for r in receiver.received}
        assert received == {f.name: sha256_of(f) for f in files}
        status = app.window.status_bar.status_label.text()
        assert status == "3 files uploaded"
        assert app.model.data(app.model.index(0, Column.STATE)) == "done"


def slow_script(receiver: ReceiverServer, path: str) -> object:
    """Uploads to ``path`` stop mid-body until the script is released (the test acts meanwhile)."""
    return receiver.script(path, hold_after=256 << 10)


def big_files(folder: Path, count: int, size: int = 24 << 20) -> list[Path]:
    return [make_file(folder / f"video-{n}.bin", size + n) for n in range(count)]


def uploading(app: object, count: int) -> object:
    """``count`` uploads have sent bytes and are not done (the server holds their bodies)."""
    running = (TaskState.UPLOADING, TaskState.PROCESSING)
    return lambda: sum(1 for t in app.rows() if t.state in running and t.bytes_sent) >= count  # type: ignore[attr-defined]


def hashes(receiver: ReceiverServer) -> dict[str, str]:
    return {r.filename or r.path.rsplit("/", 1)[-1]: r.sha256 for r in receiver.received}


async def test_dropped_folder_keeps_relative_paths(tmp_path: Path, receiver: ReceiverServer) -> None:
    album = tmp_path / "in" / "Holiday 2025"
    files = [
        make_file(album / "2024" / "beach.jpg", 70_000),
        make_file(album / "notes.txt", 1_000),
        make_file(album / "2024" / "deep" / "clip.mov", 300_000),
    ]
    single = make_file(tmp_path / "in" / "report.pdf", 12_345)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/dav/", protocol="raw")
        app.window.reload_destinations()
        assert drop(app.window.view.viewport(), [album, single])
        await until(lambda: app.model.rowCount() == 4, what="four rows")
        names = [t.relative_name for t in app.rows()]
        # Each folder's files (by name), then its subfolders: the order a file manager lists them.
        assert names == [
            "Holiday 2025/notes.txt",
            "Holiday 2025/2024/beach.jpg",
            "Holiday 2025/2024/deep/clip.mov",
            "report.pdf",
        ]
        await until(lambda: app.states() == [TaskState.COMPLETED] * 4, what="uploads to complete")
        by_path = {r.path: r.sha256 for r in receiver.received}
        assert by_path == {
            "/dav/Holiday 2025/2024/beach.jpg": sha256_of(files[0]),
            "/dav/Holiday 2025/notes.txt": sha256_of(files[1]),
            "/dav/Holiday 2025/2024/deep/clip.mov": sha256_of(files[2]),
            "/dav/report.pdf": sha256_of(single),
        }


async def test_ten_thousand_file_drop_shows_every_row_in_a_few_inserts(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    folder = tmp_path / "in" / "many"
    for group in range(10):
        sub = folder / f"part-{group}"
        sub.mkdir(parents=True)
        for n in range(1000):
            (sub / f"file-{n:04}.txt").write_bytes(b"x" * 16)
    receiver.script("/many", hold_after=0)  # the uploads wait: the rows are what this test is about
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/many")
        app.window.reload_destinations()
        inserts: list[int] = []
        app.model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
        assert drop(app.window.view.viewport(), [folder])
        # How fast, and how smoothly, is bench/ui_stalls.py's measure; this checks the shape.
        await until(lambda: app.model.rowCount() == 10_000, timeout=30, what="10,000 rows")
        # Batched, never per file: one beginInsertRows per slice the controller queues in a loop turn.
        assert sum(inserts) == 10_000 and len(inserts) <= 10, inserts
        assert app.rows()[0].relative_name == "many/part-0/file-0000.txt"
        app.window.request_cancel_all()
        box = app.message_box("confirm_cancel_all")
        assert box is not None
        next(b for b in box.buttons() if b.text() == "Cancel uploads").click()
        await until(lambda: app.model.count(TaskState.CANCELLED) == 10_000, what="everything cancelled")
        receiver.scripts["/many"].release()


async def test_pause_all_and_resume_all(tmp_path: Path, receiver: ReceiverServer) -> None:
    files = big_files(tmp_path / "in", 2)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/slow")
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(uploading(app, 2), what="both uploads to be running")
        assert app.window.action("pause_all").isEnabled()
        app.window.action("pause_all").trigger()
        await until(lambda: app.states() == [TaskState.PAUSED] * 2, what="both paused")
        # Multipart cannot continue mid-file: the row says so.
        assert app.model.data(app.model.index(0, Column.STATE)) == "paused — restarts from 0"
        assert app.window.action("resume_all").isEnabled() and not app.window.action("pause_all").isEnabled()
        script.release()
        app.window.action("resume_all").trigger()
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="both uploaded")
        assert hashes(receiver) == {f.name: sha256_of(f) for f in files}
        assert app.window.status_bar.status_label.text() == "2 files uploaded"


async def test_cancel_all_asks_while_uploads_run(tmp_path: Path, receiver: ReceiverServer) -> None:
    files = big_files(tmp_path / "in", 2)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/slow")
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(uploading(app, 2), what="uploads to be running")
        app.window.action("cancel_all").trigger()
        box = app.message_box("confirm_cancel_all")
        assert box is not None and "2 uploads are running" in box.informativeText()
        next(b for b in box.buttons() if b.text() == "Keep uploading").click()
        await until(lambda: app.message_box("confirm_cancel_all") is None, what="the question to close")
        assert app.model.count(TaskState.CANCELLED) == 0
        app.window.action("cancel_all").trigger()
        box = app.message_box("confirm_cancel_all")
        assert box is not None
        next(b for b in box.buttons() if b.text() == "Cancel uploads").click()
        await until(lambda: app.states() == [TaskState.CANCELLED] * 2, what="both cancelled")
        script.release()
        assert receiver.received == []
        assert app.window.status_bar.status_label.text() == "2 files cancelled"


async def test_stop_after_running_uploads_holds_the_queue(tmp_path: Path, receiver: ReceiverServer) -> None:
    """Stop after running holds the session (no throw-away session): the running upload finishes,
    the queued ones wait; a row resumed by hand starts alone; Resume all runs the rest."""
    files = big_files(tmp_path / "in", 3, size=4 << 20)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/slow", concurrency=1)
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(uploading(app, 1), what="the first upload to run")
        session_id = app.rows()[0].session_id
        session = app.manager.sessions[session_id]
        app.window.action("stop_after").trigger()
        assert session.state is core.SessionState.HELD
        await until(
            lambda: app.model.data(app.model.index(1, Column.STATE)) == "queued (stopped)", what="stopped"
        )
        script.release()
        await until(lambda: app.states()[0] is TaskState.COMPLETED, what="the running upload to finish")
        assert app.states() == [TaskState.COMPLETED, TaskState.QUEUED, TaskState.QUEUED]
        assert app.manager.sessions[session_id] is session
        assert len(receiver.received) == 1
        assert app.window.action("resume_all").isEnabled()
        # The batch ended with two files waiting in the stopped queue: said so, no percentage left.
        await until(
            lambda: app.window.status_bar.status_label.text() == "1 file uploaded, 2 waiting",
            what=lambda: f"the summary, not {app.window.status_bar.status_label.text()!r}",
        )
        assert app.window.windowTitle() == "Skylift"
        # One row resumed by hand starts alone; the other stays queued in the held session.
        app.window.rows.select_rows([(session_id, app.rows()[1].task_id)])
        app.window.action("resume").trigger()
        await until(lambda: app.states()[1] is TaskState.COMPLETED, what="the resumed row to upload")
        assert app.states()[2] is TaskState.QUEUED and session.state is core.SessionState.HELD
        app.window.action("resume_all").trigger()
        await until(lambda: app.states() == [TaskState.COMPLETED] * 3, what="the rest to upload")
        assert session.state is core.SessionState.RUNNING
        assert hashes(receiver) == {f.name: sha256_of(f) for f in files}


async def test_row_actions_and_keys(tmp_path: Path, receiver: ReceiverServer) -> None:
    files = big_files(tmp_path / "in", 3)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        window = app.window
        add_destination(app.destinations, f"{receiver.url}/slow")
        window.reload_destinations()
        window.add_paths(files)
        await until(uploading(app, 3), what="three uploads to run")
        keys = [(t.session_id, t.task_id) for t in app.rows()]

        window.rows.select_rows([keys[0]])
        assert window.action("pause").isEnabled() and not window.action("resume").isEnabled()
        window.action("pause").trigger()
        await until(lambda: app.rows()[0].state is TaskState.PAUSED, what="row 1 paused")
        assert window.action("resume").isEnabled()
        window.action("resume").trigger()
        await until(lambda: app.rows()[0].state is not TaskState.PAUSED, what="row 1 running again")

        window.rows.select_rows([keys[1]])
        window.action("cancel").trigger()
        await until(lambda: app.rows()[1].state is TaskState.CANCELLED, what="row 2 cancelled")
        assert window.action("retry").isEnabled()
        window.action("retry").trigger()
        await until(lambda: app.rows()[1].state is not TaskState.CANCELLED, what="row 2 retried")

        # Keys act while the table has the focus: Delete removes the selected row from the list.
        window.activateWindow()
        window.view.setFocus()
        window.rows.select_rows([keys[2]])
        QTest.keyClick(window.view, Qt.Key.Key_Delete)
        await until(lambda: app.model.rowCount() == 2, what="row 3 removed")
        assert [(t.session_id, t.task_id) for t in app.rows()] == keys[:2]

        script.release()
        await until(
            lambda: app.states() == [TaskState.COMPLETED] * 2,
            what=lambda: f"the two left to upload: {[(t.state, t.bytes_sent, t.error) for t in app.rows()]}",
        )
        assert hashes(receiver) == {f.name: sha256_of(f) for f in files[:2]}
        # The removed task is gone for good: not in the list after a restart either.
    async with running_app(tmp_path / "state") as again:
        assert [t.relative_name for t in again.rows()] == [f.name for f in files[:2]]


async def test_failed_upload_shows_its_reason(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "in" / "huge.iso", 500_000)
    receiver.script(
        "/limited", fail_with=[413], reason="Payload Too Large", body="files over 1 GB are not accepted"
    )
    async with running_app(tmp_path / "state") as app:
        window = app.window
        add_destination(app.destinations, f"{receiver.url}/limited")
        window.reload_destinations()
        window.add_paths([file])
        await until(lambda: app.states() == [TaskState.FAILED], what="the upload to fail")
        reason = "HTTP 413 Payload Too Large: files over 1 GB are not accepted"
        state = app.model.index(0, Column.STATE)
        assert app.model.data(state) == f"failed: {reason}"
        assert reason in app.model.data(state, Qt.ItemDataRole.ToolTipRole)
        assert reason in app.model.data(app.model.index(0, Column.NAME), Qt.ItemDataRole.ToolTipRole)
        assert window.status_bar.status_label.text() == "1 file failed"

        window.rows.select_rows([(app.rows()[0].session_id, app.rows()[0].task_id)])
        window.action("details").trigger()
        details = window.rows.details_dialog
        assert details is not None and details.isVisible()
        assert details.error.text() == reason
        assert details.response.toPlainText() == "files over 1 GB are not accepted"
        details.close()

        assert window.action("retry_failed").isEnabled()
        window.action("retry_failed").trigger()
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the retry to upload")
        assert hashes(receiver) == {file.name: sha256_of(file)}
        # The retry was a batch of its own: its summary, and no percentage left in the title.
        await until(lambda: window.status_bar.status_label.text() == "1 file uploaded", what="the summary")
        assert window.windowTitle() == "Skylift"


async def test_an_emptied_list_says_ready(tmp_path: Path, receiver: ReceiverServer) -> None:
    """Not "1 file failed" over an empty list: the summary goes with the rows it summed up."""
    receiver.script("/refuse", fail_with=[400])
    async with running_app(tmp_path / "state") as app:
        window = app.window
        add_destination(app.destinations, f"{receiver.url}/refuse")
        window.reload_destinations()
        window.add_paths([make_file(tmp_path / "in" / "a.bin", 1000)])
        await until(lambda: window.status_bar.status_label.text() == "1 file failed", what="the failure")
        window.rows.select_rows([(t.session_id, t.task_id) for t in app.rows()])
        window.action("remove").trigger()
        await until(lambda: window.status_bar.status_label.text() == "Ready", what="Ready")
        assert app.model.rowCount() == 0 and window.windowTitle() == "Skylift"


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


async def test_copy_response_and_open_containing_folder(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "in" / "photo.jpg", 80_000)
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        async with running_app(tmp_path / "state") as app:
            window = app.window
            add_destination(app.destinations, f"{receiver.url}/up")
            window.reload_destinations()
            window.add_paths([file])
            await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
            window.rows.select_rows([(app.rows()[0].session_id, app.rows()[0].task_id)])
            window.action("copy_response").trigger()
            response = json.loads(QGuiApplication.clipboard().text())
            assert response["sha256"] == sha256_of(file)
            window.action("open_folder").trigger()
            assert [Path(u.toLocalFile()) for u in catcher.urls] == [file.parent]
    finally:
        QDesktopServices.unsetUrlHandler("file")


async def test_returned_url_is_copied(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "in" / "doc.pdf", 5_000)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        app.window.add_paths([file])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        # A server that answers with the file's public URL (as a JSON field).
        task = app.rows()[0]
        app.model.apply_snapshots([task.evolve(response_text='{"url": "https://cdn.example/f/doc.pdf"}')])
        app.window.rows.select_rows([(task.session_id, task.task_id)])
        app.window.action("copy_url").trigger()
        assert QGuiApplication.clipboard().text() == "https://cdn.example/f/doc.pdf"


async def test_window_geometry_and_columns_persist(tmp_path: Path) -> None:
    async with running_app(tmp_path / "state") as first:
        window = first.window
        window.resize(700, 455)  # within the offscreen screen (800x600)
        header = window.view.horizontalHeader()
        header.resizeSection(Column.SIZE, 141)
        header.moveSection(header.visualIndex(Column.DESTINATION), 1)
        header.setSectionHidden(Column.ETA, True)
        await until(lambda: window.size().width() == 700, what="the resize")
        window.close()  # no tray, nothing running: closing quits, and saves the layout first
    async with running_app(tmp_path / "state") as second:
        window = second.window
        header = window.view.horizontalHeader()
        assert (window.width(), window.height()) == (700, 455)
        assert header.sectionSize(Column.SIZE) == 141
        assert header.visualIndex(Column.DESTINATION) == 1
        assert header.isSectionHidden(Column.ETA)
    assert (tmp_path / "state" / "skylift-gui.ini").is_file()


async def test_closing_without_a_tray_minimises_and_quit_asks(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    files = big_files(tmp_path / "in", 1)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        window = app.window
        quits: list[bool] = []
        window.quit_requested.connect(lambda: quits.append(True))
        add_destination(app.destinations, f"{receiver.url}/slow")
        window.reload_destinations()
        window.add_paths(files)
        await until(uploading(app, 1), what="the upload to run")
        window.close()
        await until(window.isMinimized, what="the window to minimise")
        assert window.isVisible() and quits == []
        window.show_and_raise()
        window.action("quit").trigger()
        box = app.message_box("confirm_quit")
        assert box is not None and "continue the next time" in box.informativeText()
        next(b for b in box.buttons() if b.text() == "Quit").click()
        await until(lambda: quits == [True], what="the quit request")
        script.release()


async def test_relaunch_continues_interrupted_uploads(tmp_path: Path, receiver: ReceiverServer) -> None:
    files = big_files(tmp_path / "in", 2, size=8 << 20)
    script = slow_script(receiver, "/slow")
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/slow")
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(uploading(app, 2), what="uploads to run")
    # Quit mid-upload: the tasks were recorded as interrupted.
    script.release()
    async with running_app(tmp_path / "state") as again:
        await until(lambda: again.model.rowCount() == 2, what="the rows of the last run")
        await until(
            lambda: again.states() == [TaskState.COMPLETED] * 2, what="the interrupted uploads to finish"
        )
        assert hashes(receiver) == {f.name: sha256_of(f) for f in files}
