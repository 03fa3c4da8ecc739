"""The batch: what the user added while the queue was busy, across every session and destination.

A batch opens when a task starts to wait or run while none is open, and every task that joins
while it is open belongs to it. It ends when nothing of it will move by itself any more: each of
its tasks is final, paused by the user, or queued in a held session (``UploadSession.hold``). Then
listeners hear ``BatchStatus`` once ("12 files uploaded, 1 failed, 1 paused"), and the next batch
starts from nothing: finished history never counts again. The CLI's progress line, the window's
status bar, title and tray and the finished-batch notification all read this one tracker.

Counters are kept as events come (one state change costs O(1)), so a batch of 10,000 files costs
nothing per progress event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .delegate import SessionDelegate
from .errors import UploadError
from .task import TaskSnapshot, TaskState

if TYPE_CHECKING:
    from .session import SessionState, UploadSession

__all__ = ["BatchStatus", "BatchTracker"]

log = logging.getLogger(__name__)

TaskKey = tuple[str, int]


@dataclass(frozen=True)
class BatchStatus:
    """One moment of a batch (or the summary of one that ended)."""

    files: int
    completed: int
    failed: int
    cancelled: int
    paused: int
    # Uploading, waiting for the server, or waiting to retry.
    active: int
    # Queued: in a running session (they will start) or in a held one (they wait for run()).
    queued: int
    held: int
    total_bytes: int
    # Bytes of unfinished tasks sent so far, plus the whole of completed ones.
    done_bytes: int
    started_at: float
    finished: bool

    @property
    def unfinished(self) -> int:
        return self.files - self.completed - self.failed - self.cancelled

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else (1.0 if self.finished else 0.0)

    def summary(self) -> str:
        """One line, in English (the window words its own): "12 files uploaded, 1 failed"."""
        parts = [f"{self.completed} file{'s' if self.completed != 1 else ''} uploaded"]
        for count, word in ((self.failed, "failed"), (self.cancelled, "cancelled"), (self.paused, "paused")):
            if count:
                parts.append(f"{count} {word}")
        if self.held:
            parts.append(f"{self.held} waiting")
        return ", ".join(parts)


@dataclass
class _Entry:
    snapshot: TaskSnapshot
    held: bool


class BatchTracker(SessionDelegate):
    """Fed with every session's events (the manager makes it an observer of each session)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._entries: dict[TaskKey, _Entry] = {}
        self._states: Counter[TaskState] = Counter()
        self._held_queued = 0
        self._total = 0
        self._done = 0
        self._started_at = 0.0
        self._held_sessions: set[str] = set()
        self._changed: list[Callable[[BatchStatus | None], None]] = []
        self._finished: list[Callable[[BatchStatus], None]] = []
        self._change_pending = False
        self.last_finished: BatchStatus | None = None

    # -- listening --------------------------------------------------------------------------------

    def on_change(self, listener: Callable[[BatchStatus | None], None]) -> None:
        """``listener(status)`` after changes, once per turn of the event loop, with the status as
        it is then (``None`` between batches)."""
        self._changed.append(listener)

    def on_finished(self, listener: Callable[[BatchStatus], None]) -> None:
        """``listener(summary)`` exactly once per batch, when it ends."""
        self._finished.append(listener)

    def status(self) -> BatchStatus | None:
        """The open batch, or None."""
        if not self._entries:
            return None
        return self._status(finished=False)

    def _status(self, *, finished: bool) -> BatchStatus:
        states = self._states
        return BatchStatus(
            files=len(self._entries),
            completed=states[TaskState.COMPLETED],
            failed=states[TaskState.FAILED],
            cancelled=states[TaskState.CANCELLED],
            paused=states[TaskState.PAUSED],
            active=states[TaskState.UPLOADING] + states[TaskState.PROCESSING] + states[TaskState.RETRY_WAIT],
            queued=states[TaskState.QUEUED] + states[TaskState.INTERRUPTED] - self._held_queued,
            held=self._held_queued,
            total_bytes=self._total,
            done_bytes=self._done,
            started_at=self._started_at,
            finished=finished,
        )

    # -- feeding ----------------------------------------------------------------------------------

    def track(self, tasks: Iterable[TaskSnapshot]) -> None:
        """Tasks that will run without a new event (re-attached at start): they join the batch."""
        for task in tasks:
            if task.state.is_runnable or task.state.is_active:
                self._put(task)
        self._after()

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        self.record(task)

    def record(self, task: TaskSnapshot) -> None:
        """A task's new state, as a session reports it (also for snapshots with no session behind
        them: a picture of the window, a test)."""
        key = (task.session_id, task.task_id)
        if key in self._entries or task.state.is_runnable or task.state.is_active:
            self._put(task)
            self._after()

    def did_send_body_data(
        self, session: UploadSession, task: TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        if (task.session_id, task.task_id) in self._entries:
            self._put(task)
            self._notify_changed()

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        if (task.session_id, task.task_id) in self._entries:
            self._put(task)
            self._after()

    def did_remove_tasks(self, session: UploadSession, task_ids: list[int]) -> None:
        for task_id in task_ids:
            entry = self._entries.pop((session.identifier, task_id), None)
            if entry is not None:
                self._count(entry, -1)
        self._after()

    def session_did_change_state(self, session: UploadSession, state: SessionState) -> None:
        from .session import SessionState

        held = state is SessionState.HELD
        if held == (session.identifier in self._held_sessions):
            return
        if held:
            self._held_sessions.add(session.identifier)
        else:
            self._held_sessions.discard(session.identifier)
        for key, entry in list(self._entries.items()):
            if key[0] == session.identifier:
                self._count(entry, -1)
                entry.held = held
                self._count(entry, +1)
        self._after()

    # -- the counters -----------------------------------------------------------------------------

    def _put(self, task: TaskSnapshot) -> None:
        key = (task.session_id, task.task_id)
        entry = self._entries.get(key)
        if entry is None:
            if not self._entries:
                self._started_at = self._clock()
            entry = _Entry(task, task.session_id in self._held_sessions)
            self._entries[key] = entry
        else:
            self._count(entry, -1)
            entry.snapshot = task
        self._count(entry, +1)

    def _count(self, entry: _Entry, sign: int) -> None:
        task = entry.snapshot
        self._states[task.state] += sign
        if entry.held and task.state.is_runnable:
            self._held_queued += sign
        if task.state is not TaskState.CANCELLED:
            self._total += sign * task.total_bytes
            done = (
                task.total_bytes
                if task.state is TaskState.COMPLETED
                else min(task.bytes_sent, task.total_bytes)
            )
            self._done += sign * done

    def _moving(self) -> bool:
        """Anything of the batch running, or queued in a running session."""
        states = self._states
        active = states[TaskState.UPLOADING] + states[TaskState.PROCESSING] + states[TaskState.RETRY_WAIT]
        return bool(active or states[TaskState.QUEUED] + states[TaskState.INTERRUPTED] - self._held_queued)

    def _after(self) -> None:
        if not self._entries:
            return
        if self._moving():
            self._notify_changed()
            return
        # Nothing of it moves by itself any more: the batch is over.
        summary = self._status(finished=True)
        self._entries.clear()
        self._states.clear()
        self._held_queued = self._total = self._done = 0
        self.last_finished = summary
        for listener in list(self._finished):
            try:
                listener(summary)
            except Exception:
                log.exception("batch listener raised")
        self._notify_changed()

    def _notify_changed(self) -> None:
        """Change listeners hear the status once per turn of the event loop, as it is then: a
        drop of 10,000 files costs counter updates, not 10,000 calls (without a running loop,
        at once)."""
        if self._change_pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._deliver_change()
            return
        self._change_pending = True
        loop.call_soon(self._deliver_change)

    def _deliver_change(self) -> None:
        self._change_pending = False
        status = self.status()
        for listener in list(self._changed):
            try:
                listener(status)
            except Exception:
                log.exception("batch listener raised")
