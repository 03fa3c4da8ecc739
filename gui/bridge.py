"""SessionBridge: the core's delegate calls turned into Qt signals.

qasync runs the sessions on the GUI thread, so delegate calls already arrive on the right thread;
what the bridge adds is coalescing. A 10,000-file drop makes 10,000 ``task_did_change_state`` calls
in one go and a fast upload reports progress hundreds of times a second: neither may reach the view
one by one. So:

- state changes and completions are collected and emitted together on the next turn of the event
  loop (a zero-delay single-shot timer): one ``tasks_changed`` per burst, in arrival order;
- progress only records the newest snapshot per task and goes out on a ``FLUSH_INTERVAL_MS`` tick
  (``progress_flushed``), which runs while any task is active so speeds and retry countdowns move;
- ``events_finished`` and ``session_invalidated`` flush everything pending first, then go at once.

A snapshot always carries the task's whole state, so the newest one wins: a state change drops any
older pending progress snapshot of the same task, and a flush sends pending state changes before
pending progress.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from core import SessionDelegate, SessionState, TaskSnapshot, UploadError, UploadSession

from .queue import TaskKey

__all__ = ["FLUSH_INTERVAL_MS", "SessionBridge"]

# Four view updates a second: smooth enough for a progress bar, cheap enough for 10,000 rows.
FLUSH_INTERVAL_MS = 250


class SessionBridge(QObject, SessionDelegate):
    """The delegate of every session the window drives (the session is in each call)."""

    # list[TaskSnapshot]: tasks added or changed state (including final states), newest snapshot each.
    tasks_changed = Signal(object)
    # list[TaskSnapshot]: newest progress per task since the last tick (may be empty: a speed tick).
    progress_flushed = Signal(object)
    # list[tuple[TaskSnapshot, str | None]]: tasks that reached a final state, with the error text.
    tasks_completed = Signal(object)
    # Session identifier: every task of that session reached a final state after work was done.
    events_finished = Signal(str)
    # Session identifier, error text or None.
    session_invalidated = Signal(str, object)
    # Session identifier, its new core.SessionState value ("running", "held", "closing", "closed").
    session_state_changed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._changed: dict[TaskKey, TaskSnapshot] = {}
        self._progress: dict[TaskKey, TaskSnapshot] = {}
        self._completed: list[tuple[TaskSnapshot, str | None]] = []
        self._ticking: set[TaskKey] = set()
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.flush_changes)
        self._tick = QTimer(self)
        self._tick.setInterval(FLUSH_INTERVAL_MS)
        self._tick.timeout.connect(self.flush_progress)

    # -- SessionDelegate (called by the core on the event loop) -----------------------------------

    def did_send_body_data(
        self,
        session: UploadSession,
        task: TaskSnapshot,
        bytes_sent: int,
        total_bytes_sent: int,
        total_bytes_expected: int,
    ) -> None:
        self._progress[(task.session_id, task.task_id)] = task
        if not self._tick.isActive():
            self._tick.start()

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        key = (task.session_id, task.task_id)
        self._progress.pop(key, None)
        # Re-inserting keeps arrival order for new tasks and moves a changed one to the end.
        self._changed.pop(key, None)
        self._changed[key] = task
        if task.state.is_active:
            self._ticking.add(key)
            if not self._tick.isActive():
                self._tick.start()
        else:
            self._ticking.discard(key)
        if not self._soon.isActive():
            self._soon.start()

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        self._completed.append((task, None if error is None else str(error)))
        if not self._soon.isActive():
            self._soon.start()

    def session_did_change_state(self, session: UploadSession, state: SessionState) -> None:
        self.flush_changes()
        self.session_state_changed.emit(session.identifier, state.value)

    def did_finish_events(self, session: UploadSession) -> None:
        self.flush_changes()
        self.events_finished.emit(session.identifier)

    def did_become_invalid(self, session: UploadSession, error: Exception | None) -> None:
        self.flush_changes()
        self.session_invalidated.emit(session.identifier, None if error is None else str(error))

    # -- flushing ---------------------------------------------------------------------------------

    def flush_changes(self) -> None:
        """Emit pending state changes and completions now."""
        self._soon.stop()
        if self._changed:
            changed, self._changed = list(self._changed.values()), {}
            self.tasks_changed.emit(changed)
        if self._completed:
            completed, self._completed = self._completed, []
            self.tasks_completed.emit(completed)

    def flush_progress(self) -> None:
        """The tick: pending state first (it is older), then the newest progress of each task."""
        self.flush_changes()
        progress, self._progress = list(self._progress.values()), {}
        self.progress_flushed.emit(progress)
        if not self._ticking and not self._progress:
            self._tick.stop()

    def forget(self, keys: Iterable[TaskKey]) -> None:
        """Drop pending events of tasks removed from the list, so that they cannot come back."""
        keys = set(keys)
        for key in keys:
            self._changed.pop(key, None)
            self._progress.pop(key, None)
            self._ticking.discard(key)
        self._completed = [(t, e) for t, e in self._completed if (t.session_id, t.task_id) not in keys]
