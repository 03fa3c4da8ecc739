"""The background-events-finished handler: one summary per batch, to the notifier when the window is
hidden, to the status bar when it is visible. The notifier is a seam here (what reaches a real
notification daemon is tests/desktop's job); the sessions and the server are real."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QApplication

import core
from core.task import TaskSnapshot, TaskState
from gui.background import BackgroundEventsHandler, BatchSummary
from gui.bridge import SessionBridge
from gui.notifications import NotificationLevel, Notifier
from tests.conftest import make_file
from tests.servers import ReceiverServer


@dataclass
class RecordingNotifier:
    shown: list[tuple[str, str, NotificationLevel]] = field(default_factory=list)
    can_show: bool = True

    def notify(
        self, title: str, message: str, *, level: NotificationLevel = NotificationLevel.INFORMATION
    ) -> bool:
        if self.can_show:
            self.shown.append((title, message, level))
        return self.can_show


def snapshot(task_id: int, state: TaskState, session_id: str = "main") -> TaskSnapshot:
    return TaskSnapshot(
        task_id=task_id,
        session_id=session_id,
        path=Path(f"/data/{task_id}.bin"),
        relative_name=f"{task_id}.bin",
        destination=core.Destination(url="http://127.0.0.1:9/up"),
        state=state,
        total_bytes=100,
    )


class Window:
    def __init__(self, visible: bool) -> None:
        self.visible = visible

    def is_visible(self) -> bool:
        return self.visible


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


def make_handler(
    qapp: QApplication, notifier: RecordingNotifier, window: Window
) -> tuple[BackgroundEventsHandler, list[str]]:
    handler = BackgroundEventsHandler(notifier, window.is_visible)
    status_bar: list[str] = []
    handler.summary_for_status_bar.connect(status_bar.append)
    return handler, status_bar


def test_recording_notifier_fits_the_protocol() -> None:
    assert isinstance(RecordingNotifier(), Notifier)


@pytest.mark.parametrize(
    ("uploaded", "failed", "cancelled", "text"),
    [
        (12, 1, 0, "12 files uploaded, 1 failed"),
        (1, 0, 0, "1 file uploaded"),
        (2, 0, 0, "2 files uploaded"),
        (1, 2, 1, "1 file uploaded, 2 failed, 1 cancelled"),
        (0, 1, 0, "1 file failed"),
        (0, 3, 2, "3 files failed, 2 cancelled"),
        (0, 0, 1, "1 file cancelled"),
        (5, 0, 2, "5 files uploaded, 2 cancelled"),
        (0, 0, 0, "No files uploaded"),
    ],
)
def test_summary_text(uploaded: int, failed: int, cancelled: int, text: str) -> None:
    assert BatchSummary(uploaded=uploaded, failed=failed, cancelled=cancelled).text == text


def test_hidden_window_gets_one_notification_for_the_batch(
    qapp: QApplication, notifier: RecordingNotifier
) -> None:
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    for task_id in range(1, 13):
        handler.task_completed(snapshot(task_id, TaskState.COMPLETED))
    # Task 13 failed, was retried within the batch and failed again: it counts once.
    handler.task_completed(snapshot(13, TaskState.FAILED), None)
    handler.tasks_completed([(snapshot(13, TaskState.FAILED), "400 Bad Request")])
    # Not final: ignored.
    handler.task_completed(snapshot(14, TaskState.UPLOADING))

    summary = handler.session_finished("main")

    assert summary == BatchSummary(uploaded=12, failed=1)
    assert notifier.shown == [
        ("Uploads finished with errors", "12 files uploaded, 1 failed", NotificationLevel.WARNING)
    ]
    assert status_bar == []
    # The batch is over: a repeated finish reports nothing.
    assert handler.session_finished("main") is None
    assert len(notifier.shown) == 1


def test_next_batch_counts_only_its_own_tasks(qapp: QApplication, notifier: RecordingNotifier) -> None:
    handler, _ = make_handler(qapp, notifier, Window(visible=False))
    for task_id in (1, 2, 3):
        handler.task_completed(snapshot(task_id, TaskState.COMPLETED))
    handler.session_finished("main")
    # A failed task of the first batch is retried later and completes: a batch of one.
    handler.task_completed(snapshot(2, TaskState.COMPLETED))
    handler.session_finished("main")
    assert [message for _, message, _ in notifier.shown] == ["3 files uploaded", "1 file uploaded"]
    assert notifier.shown[1][0] == "Uploads finished"


def test_visible_window_gets_the_status_bar_instead(qapp: QApplication, notifier: RecordingNotifier) -> None:
    window = Window(visible=True)
    handler, status_bar = make_handler(qapp, notifier, window)
    handler.task_completed(snapshot(1, TaskState.COMPLETED))
    handler.task_completed(snapshot(2, TaskState.COMPLETED))
    handler.session_finished("main")
    assert status_bar == ["2 files uploaded"]
    assert notifier.shown == []


def test_sessions_have_separate_batches(qapp: QApplication, notifier: RecordingNotifier) -> None:
    handler, _ = make_handler(qapp, notifier, Window(visible=False))
    handler.task_completed(snapshot(1, TaskState.COMPLETED, session_id="a"))
    handler.task_completed(snapshot(1, TaskState.FAILED, session_id="b"))
    handler.task_completed(snapshot(2, TaskState.FAILED, session_id="b"))
    handler.session_finished("a")
    assert [message for _, message, _ in notifier.shown] == ["1 file uploaded"]
    handler.session_finished("b")
    assert [message for _, message, _ in notifier.shown] == ["1 file uploaded", "2 files failed"]


def test_removed_rows_leave_the_batch(qapp: QApplication, notifier: RecordingNotifier) -> None:
    handler, _ = make_handler(qapp, notifier, Window(visible=False))
    for task_id in (1, 2, 3):
        handler.task_completed(snapshot(task_id, TaskState.COMPLETED))
    handler.forget([("main", 1), ("main", 3)])
    handler.session_finished("main")
    assert [message for _, message, _ in notifier.shown] == ["1 file uploaded"]


def test_no_tray_falls_back_to_the_status_bar(qapp: QApplication) -> None:
    notifier = RecordingNotifier(can_show=False)
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    handler.task_completed(snapshot(1, TaskState.COMPLETED))
    handler.session_finished("main")
    assert status_bar == ["1 file uploaded"]


def test_a_batch_the_user_cancelled_is_not_notified(qapp: QApplication, notifier: RecordingNotifier) -> None:
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    handler.task_completed(snapshot(1, TaskState.CANCELLED))
    handler.task_completed(snapshot(2, TaskState.CANCELLED))
    handler.session_finished("main")
    assert notifier.shown == []
    assert status_bar == ["2 files cancelled"]


def test_real_session_batches(
    qapp: QApplication, notifier: RecordingNotifier, tmp_path: Path, receiver: ReceiverServer
) -> None:
    """Two batches through a real session, the GUI's bridge and a real server, wired as in app.py:
    the second summary counts only its own file, though the session still holds the first batch."""
    receiver.script("/bad", fail_with=[400])
    files = [make_file(tmp_path / f"file{n}.bin", 50_000 + n) for n in range(3)]
    handler, _ = make_handler(qapp, notifier, Window(visible=False))
    bridge = SessionBridge()
    bridge.tasks_completed.connect(handler.tasks_completed)
    bridge.events_finished.connect(handler.session_finished)

    async def scenario() -> None:
        finished = asyncio.Event()
        bridge.events_finished.connect(lambda _: finished.set())
        manager = core.SessionManager(tmp_path / "state")
        session = manager.create_session(core.SessionConfiguration(identifier="main"), bridge)
        try:
            session.upload_file(files[0], core.Destination(url=f"{receiver.url}/up"))
            session.upload_file(files[1], core.Destination(url=f"{receiver.url}/up"))
            session.upload_file(files[2], core.Destination(url=f"{receiver.url}/bad"))
            await asyncio.wait_for(finished.wait(), 30)
            finished.clear()
            session.upload_file(files[0], core.Destination(url=f"{receiver.url}/again"))
            await asyncio.wait_for(finished.wait(), 30)
        finally:
            await manager.close()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        runner.run(scenario())

    assert [message for _, message, _ in notifier.shown] == [
        "2 files uploaded, 1 failed",
        "1 file uploaded",
    ]
