"""The app-level handler for "a session's work finished" (URLSession's background-events-finished).

It collects the tasks that reach a final state in each session's current batch and, when the
session reports that all its events have finished, summarises that batch once: as **one** desktop
notification while the window is hidden, or as a status-bar message while it is visible.

Wiring in ``gui/app.py``, on ``gui.bridge.SessionBridge``'s signals (completions are flushed before
``events_finished`` goes out)::

    handler = BackgroundEventsHandler(tray.notifier, window.isVisible)
    bridge.tasks_completed.connect(handler.tasks_completed)   # [(TaskSnapshot, error text), ...]
    bridge.events_finished.connect(handler.session_finished)  # the session's identifier
    handler.summary_for_status_bar.connect(window.show_status_message)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core.task import TaskSnapshot, TaskState

from .formatting import summary_text
from .notifications import NotificationLevel, Notifier

__all__ = ["BackgroundEventsHandler", "BatchSummary"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class BatchSummary:
    """How one batch ended."""

    uploaded: int = 0
    failed: int = 0
    cancelled: int = 0

    @classmethod
    def of(cls, tasks: Mapping[int, TaskSnapshot] | list[TaskSnapshot]) -> BatchSummary:
        snapshots = tasks.values() if isinstance(tasks, Mapping) else tasks
        states = [task.state for task in snapshots]
        return cls(
            uploaded=states.count(TaskState.COMPLETED),
            failed=states.count(TaskState.FAILED),
            cancelled=states.count(TaskState.CANCELLED),
        )

    @property
    def total(self) -> int:
        return self.uploaded + self.failed + self.cancelled

    @property
    def title(self) -> str:
        if self.failed:
            return QCoreApplication.translate("BatchSummary", "Uploads finished with errors")
        if not self.uploaded:
            return QCoreApplication.translate("BatchSummary", "Uploads cancelled")
        return QCoreApplication.translate("BatchSummary", "Uploads finished")

    @property
    def text(self) -> str:
        """E.g. "12 files uploaded, 1 failed": the same words as the status bar's batch summary
        (``BatchStatus.summary``); both come from ``formatting.summary_text``."""
        return summary_text(self.uploaded, self.failed, self.cancelled)

    @property
    def worth_a_notification(self) -> bool:
        # A batch that was only cancelled ended by the user's own hand: nothing to tell them.
        return bool(self.uploaded or self.failed)


class BackgroundEventsHandler(QObject):
    """Summarises each finished batch once. ``is_window_visible`` is asked at the moment the batch
    finishes (pass ``window.isVisible``; a minimised window should count as hidden if you like)."""

    # The summary, for the status bar: the window is visible, or no notification could be shown.
    summary_for_status_bar = Signal(str)
    # The summary of every finished batch, however it was shown (for logs and tests).
    batch_finished = Signal(str)

    def __init__(
        self,
        notifier: Notifier,
        is_window_visible: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._is_window_visible = is_window_visible
        # Per session: the final snapshot of every task that ended in the current batch. A task
        # retried within the batch counts once, as it ended last.
        self._batches: dict[str, dict[int, TaskSnapshot]] = {}

    def task_completed(self, task: TaskSnapshot, *_: object) -> None:
        """A task reached a final state (extra arguments, such as the error, are ignored)."""
        if task.state.is_final:
            self._batches.setdefault(task.session_id, {})[task.task_id] = task

    def tasks_completed(self, completed: Iterable[TaskSnapshot | tuple[TaskSnapshot, object]]) -> None:
        """Many at once: snapshots, or ``(snapshot, error)`` pairs as ``SessionBridge.tasks_completed``
        carries them."""
        for item in completed:
            self.task_completed(item[0] if isinstance(item, tuple) else item)

    def forget(self, keys: Iterable[tuple[str, int]]) -> None:
        """Rows the user removed (``(session_id, task_id)`` keys) no longer count in their batch."""
        for session_id, task_id in keys:
            batch = self._batches.get(session_id)
            if batch:
                batch.pop(task_id, None)

    def session_finished(self, session_id: str) -> BatchSummary | None:
        """The session's work is done: summarise its batch (once) and start a new one."""
        batch = self._batches.pop(session_id, None)
        if not batch:
            return None
        summary = BatchSummary.of(batch)
        text = summary.text
        log.info("batch finished in session %s: %s", session_id, text)
        self.batch_finished.emit(text)
        if self._is_window_visible() or not summary.worth_a_notification:
            self.summary_for_status_bar.emit(text)
            return summary
        level = NotificationLevel.WARNING if summary.failed else NotificationLevel.INFORMATION
        if not self._notifier.notify(summary.title, text, level=level):
            # No tray to notify through: leave it where the user will see it when they come back.
            self.summary_for_status_bar.emit(text)
        return summary
