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
from gui.background import BackgroundEventsHandler, BatchSummary
from gui.batch import QueueStatusSource
from gui.bridge import SessionBridge
from gui.notifications import NotificationLevel, Notifier
from gui.queue import UploadTableModel
from tests.conftest import make_file
from tests.gui.conftest import until
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


def batch(**counts: int) -> core.BatchStatus:
    """A finished batch as core's tracker hands it out."""
    values = {"completed": 0, "failed": 0, "cancelled": 0, "paused": 0, "held": 0, **counts}
    files = sum(values.values())
    return core.BatchStatus(
        files=files,
        active=0,
        queued=0,
        total_bytes=100 * files,
        done_bytes=100 * values["completed"],
        started_at=0.0,
        finished=True,
        **values,
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


def test_summary_words_paused_and_stopped_files() -> None:
    assert BatchSummary(uploaded=3, paused=2).text == "3 files uploaded, 2 paused"
    assert BatchSummary(held=4).text == "4 files waiting"


def test_hidden_window_gets_one_notification_for_the_batch(
    qapp: QApplication, notifier: RecordingNotifier
) -> None:
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    summary = handler.batch_finished(batch(completed=12, failed=1))
    assert summary == BatchSummary(uploaded=12, failed=1)
    assert notifier.shown == [
        ("Uploads finished with errors", "12 files uploaded, 1 failed", NotificationLevel.WARNING)
    ]
    assert status_bar == []


def test_visible_window_gets_the_status_bar_instead(qapp: QApplication, notifier: RecordingNotifier) -> None:
    handler, status_bar = make_handler(qapp, notifier, Window(visible=True))
    handler.batch_finished(batch(completed=2))
    assert status_bar == ["2 files uploaded"]
    assert notifier.shown == []


def test_no_tray_falls_back_to_the_status_bar(qapp: QApplication) -> None:
    notifier = RecordingNotifier(can_show=False)
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    handler.batch_finished(batch(completed=1))
    assert status_bar == ["1 file uploaded"]


@pytest.mark.parametrize("counts", [{"cancelled": 2}, {"paused": 1, "cancelled": 1}, {"held": 3}])
def test_a_batch_the_user_stopped_is_not_notified(
    qapp: QApplication, notifier: RecordingNotifier, counts: dict[str, int]
) -> None:
    handler, status_bar = make_handler(qapp, notifier, Window(visible=False))
    handler.batch_finished(batch(**counts))
    assert notifier.shown == []
    assert status_bar == [BatchSummary.of(batch(**counts)).text]


def test_one_drop_to_two_destinations_is_one_notification(
    qapp: QApplication, notifier: RecordingNotifier, tmp_path: Path, receiver: ReceiverServer
) -> None:
    """Two sessions (two destinations) fed by one drop, wired as build_app wires them: exactly one
    notification, and only once the slower destination has finished too; the next batch counts
    only its own file."""
    receiver.script("/slow/", read_delay=0.05)
    receiver.script("/bad", fail_with=[400])
    files = [make_file(tmp_path / f"file{n}.bin", 300_000 + n) for n in range(3)]
    handler, _ = make_handler(qapp, notifier, Window(visible=False))
    bridge = SessionBridge()
    summaries: list[core.BatchStatus] = []

    async def scenario() -> None:
        manager = core.SessionManager(tmp_path / "state")
        model = UploadTableModel()
        bridge.tasks_changed.connect(model.apply_snapshots)
        source = QueueStatusSource(manager.batch, model, lambda: set())
        source.batch_finished.connect(handler.batch_finished)
        source.batch_finished.connect(summaries.append)
        fast = await manager.open_session(core.SessionConfiguration(identifier="fast"), bridge)
        slow = await manager.open_session(core.SessionConfiguration(identifier="slow"), bridge)
        try:
            fast.upload_file(files[0], core.Destination(url=f"{receiver.url}/up"))
            fast.upload_file(files[2], core.Destination(url=f"{receiver.url}/bad"))
            slow.upload_file(files[1], core.Destination(url=f"{receiver.url}/slow/"))
            await until(lambda: bool(summaries), timeout=30, what="the batch to end")
            assert all(t.state.is_final for t in fast.tasks() + slow.tasks())
            assert len(notifier.shown) == 1
            fast.upload_file(files[0], core.Destination(url=f"{receiver.url}/again"))
            await until(lambda: len(summaries) == 2, timeout=30, what="the second batch to end")
        finally:
            await manager.close()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        runner.run(scenario())

    assert [message for _, message, _ in notifier.shown] == [
        "2 files uploaded, 1 failed",
        "1 file uploaded",
    ]
