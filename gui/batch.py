"""The queue's status for the window, the tray and the notification: core's batch, seen from Qt.

The batch itself is counted in one place, ``core.batch.BatchTracker`` (``manager.batch``): what
the user added while the queue was busy, across every destination, ending once when nothing of it
moves by itself any more. ``QueueStatusSource`` adds what only the window knows (the rows' rolling
speed, queue-wide counts that enable the commands) and hands both out as one frozen
``QueueStatus``, coalesced: a state change goes out on the next loop turn, progress on the bridge's
tick, never once per byte event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from core import BatchStatus, BatchTracker, TaskSnapshot, TaskState

from .formatting import summary_text
from .queue import UploadTableModel

__all__ = ["BatchStatus", "QueueStatus", "QueueStatusSource", "batch_summary_text"]

# The states TaskState.is_runnable names, for counting rows of some sessions.
_RUNNABLE = tuple(state for state in TaskState if state.is_runnable)


@dataclass(frozen=True, kw_only=True)
class QueueStatus:
    """One moment of the queue: the open batch, how the last one ended, and the whole list."""

    # The open batch, or None between batches.
    batch: BatchStatus | None = None
    # How the last batch ended; kept until the next one opens or the list is emptied.
    last: BatchStatus | None = None
    # Bytes per second over every running upload (the rows' rolling averages).
    speed: float = 0.0
    # Queue-wide, every row (old batches too): what the commands can act on.
    rows: int = 0
    active: int = 0
    # Queued in a running session (will start), or in a held one (waits for Resume all).
    waiting: int = 0
    held: int = 0
    paused: int = 0
    failed: int = 0

    @classmethod
    def from_tasks(cls, tasks: Iterable[TaskSnapshot], *, speed: float = 0.0) -> QueueStatus:
        """The status of a queue whose rows are ``tasks``, all of one batch (open while any of them
        runs or waits to run, otherwise ended), counted by core's tracker: for the tray's tests
        and one-off callers."""
        tasks = list(tasks)
        tracker = BatchTracker()
        # All of them joined the batch queued, then reached the state they are in.
        for task in tasks:
            tracker.record(task.evolve(state=TaskState.QUEUED))
        for task in tasks:
            tracker.record(task)
        states = Counter(task.state for task in tasks)
        return cls(
            batch=tracker.status(),
            last=tracker.last_finished,
            speed=speed,
            rows=len(tasks),
            active=sum(count for state, count in states.items() if state.is_active),
            waiting=sum(count for state, count in states.items() if state.is_runnable),
            paused=states[TaskState.PAUSED],
            failed=states[TaskState.FAILED],
        )

    @property
    def unfinished(self) -> int:
        return self.active + self.waiting + self.held + self.paused

    @property
    def percent(self) -> int | None:
        """The open batch's bytes, in whole percent (floor: 100 means every byte is there)."""
        if self.batch is None:
            return None
        return min(100, int(self.batch.fraction * 100))

    @property
    def eta(self) -> float | None:
        batch = self.batch
        if batch is None or self.speed <= 0:
            return None
        return max(0, batch.total_bytes - batch.done_bytes) / self.speed


def batch_summary_text(status: BatchStatus) -> str:
    """How a batch ended, in the window's words: "12 files uploaded, 1 failed"."""
    return summary_text(status.completed, status.failed, status.cancelled, status.paused, status.held)


class QueueStatusSource(QObject):
    """Feeds on the core's batch tracker and the queue model; emits ``changed`` with a new
    ``QueueStatus`` when it differs, and ``batch_finished`` once per batch."""

    changed = Signal(object)
    # core.BatchStatus of the batch that just ended (every task final, paused or held).
    batch_finished = Signal(object)

    def __init__(
        self,
        tracker: BatchTracker,
        model: UploadTableModel,
        held_sessions: Callable[[], set[str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tracker = tracker
        self._model = model
        self._held_sessions = held_sessions
        self._batch = tracker.status()
        self._last: BatchStatus | None = None
        self._status = QueueStatus()
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.refresh)
        tracker.on_change(self._batch_changed)
        tracker.on_finished(self._batch_ended)
        model.counts_changed.connect(self.schedule)
        model.rowsRemoved.connect(self.schedule)
        model.modelReset.connect(self.schedule)

    @property
    def status(self) -> QueueStatus:
        return self._status

    def schedule(self) -> None:
        """Something structural changed: a new status on the next turn of the loop."""
        if not self._soon.isActive():
            self._soon.start()

    def refresh(self) -> None:
        """Compute the status now (the bridge's progress tick calls this for speeds and bytes)."""
        self._soon.stop()
        model = self._model
        held = self._held_sessions()
        queued = model.count_where(lambda state: state.is_runnable)
        held_queued = model.count_in_sessions(held, *_RUNNABLE) if held else 0
        rows = model.rowCount()
        if not rows:
            self._last = None
        status = QueueStatus(
            batch=self._batch,
            last=self._last,
            speed=model.total_speed() if self._batch is not None else 0.0,
            rows=rows,
            active=model.count_where(lambda state: state.is_active),
            waiting=queued - held_queued,
            held=held_queued,
            paused=model.count(TaskState.PAUSED),
            failed=model.count(TaskState.FAILED),
        )
        if status != self._status:
            self._status = status
            self.changed.emit(status)

    def _batch_changed(self, status: BatchStatus | None) -> None:
        previous, self._batch = self._batch, status
        if status is not None and self._last is not None and previous is None:
            self._last = None
        # Bytes alone wait for the progress tick; files changing state go out at once.
        if previous is None or status is None or _counts(previous) != _counts(status):
            self.schedule()

    def _batch_ended(self, summary: BatchStatus) -> None:
        self._last = summary
        self._batch = None
        self.refresh()
        self.batch_finished.emit(summary)


def _counts(status: BatchStatus) -> tuple[int, ...]:
    return (
        status.files,
        status.completed,
        status.failed,
        status.cancelled,
        status.paused,
        status.active,
        status.queued,
        status.held,
    )
