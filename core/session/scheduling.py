"""When tasks start: in the order they came, up to the concurrency limit; in a held session only
what was resumed or retried by hand; never a task that lacks its secrets. And when the session is
quiet, done with a batch of work, or ready to close."""

from __future__ import annotations

import asyncio
import heapq
import time
from typing import Any

from ..configuration import Destination, SessionConfiguration
from ..delegate import SessionDelegate
from ..errors import UploadError
from ..locking import SessionLock
from ..protocols import DiscardContext
from ..registry import spec_for
from ..store import StoredTasks, TaskStore
from ..task import TaskSnapshot, TaskState
from .attempts import TaskAttempts
from .core import log
from .state import SessionState, TaskRecord

__all__ = ["TaskScheduling"]


class TaskScheduling(TaskAttempts):
    def __init__(
        self,
        configuration: SessionConfiguration,
        *,
        delegate: SessionDelegate | None,
        store: TaskStore,
        lock: SessionLock,
    ) -> None:
        super().__init__(configuration, delegate=delegate, store=store, lock=lock)
        self._runnable: list[int] = []  # a heap of task ids: tasks start in the order they came
        # Tasks resumed or retried one by one while the session is held: they may start.
        self._released: set[int] = set()
        self._running = 0
        self._work_done = False
        self._invalidating = False
        self._invalidated = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self._discards: set[asyncio.Task[Any]] = set()
        self._next_id = 1

    def _missing_secrets(self, destination: Destination) -> frozenset[str]:
        raise NotImplementedError

    async def _invalidate(self, error: Exception | None) -> None:
        raise NotImplementedError

    def _reattach(self, stored: StoredTasks) -> None:
        interrupted = []
        # Ids of rows set aside stay taken: a new task must never overwrite one.
        self._next_id = stored.highest_task_id + 1
        for snapshot in stored.tasks:
            record = TaskRecord(snapshot)
            self._records[snapshot.task_id] = record
            if snapshot.state.is_active:
                # Found running: the process that owned it died or quit mid-upload.
                record.snapshot = snapshot.evolve(
                    state=TaskState.INTERRUPTED, retry_at=None, **self._restart_fields(record)
                )
                interrupted.append(record.snapshot)
            self._counts[record.snapshot.state] += 1
            if record.snapshot.state.is_runnable:
                heapq.heappush(self._runnable, snapshot.task_id)
        self._store.save_many(interrupted)
        if self._runnable:
            self._quiet.clear()

    def _queue(self, record: TaskRecord, *, pump: bool = True, **changes: object) -> None:
        self._update(record, state=TaskState.QUEUED, retry_at=None, **changes)
        heapq.heappush(self._runnable, record.snapshot.task_id)
        if self._state is SessionState.HELD:
            self._released.add(record.snapshot.task_id)
        self._quiet.clear()
        if pump:
            self._pump()

    def _release(self, record: TaskRecord) -> None:
        self._released.add(record.snapshot.task_id)
        self._quiet.clear()
        self._pump()

    def _startable(self, task_id: int) -> TaskRecord | None:
        record = self._records.get(task_id)
        # Stale heap entries (paused, cancelled or removed since) are skipped.
        if record is None or not record.snapshot.state.is_runnable or record.runner:
            return None
        if self._missing_secrets(record.snapshot.destination):
            # It would go without its credentials: it waits for supply_secrets().
            self._parked.add(task_id)
            return None
        return record

    def _pump(self) -> None:
        limit = self.configuration.max_concurrent_uploads
        if self._state is SessionState.RUNNING:
            while self._running < limit and self._runnable:
                record = self._startable(heapq.heappop(self._runnable))
                if record is not None:
                    self._start(record)
        elif self._state is SessionState.HELD:
            for task_id in sorted(self._released):
                if self._running >= limit:
                    break
                record = self._startable(task_id)
                self._released.discard(task_id)
                if record is not None:
                    self._start(record)
        self._after_change()

    def _start(self, record: TaskRecord) -> None:
        self._running += 1
        self._work_done = True
        if record.snapshot.started_at is None:
            record.snapshot = record.snapshot.evolve(started_at=time.time())
        runner = self._loop.create_task(
            self._run(record), name=f"skylift-upload-{self.identifier}-{record.snapshot.task_id}"
        )
        record.runner = runner
        runner.add_done_callback(lambda _: self._runner_done(record, runner))

    def _runner_done(self, record: TaskRecord, runner: asyncio.Task[None]) -> None:
        self._running -= 1
        if record.runner is runner:
            record.runner = None
        if not runner.cancelled() and runner.exception() is not None:
            error = runner.exception()
            log.error("upload task crashed", exc_info=error)
            if record.snapshot.task_id in self._records and not record.snapshot.state.is_final:
                self._finish(record, TaskState.FAILED, UploadError(f"internal error: {error!r}", cause=error))
        # Resumed or retried while this runner was still winding down: _pump skipped (and dropped)
        # its heap entry then, so queue it again now that the slot is free.
        task_id = record.snapshot.task_id
        if record.runner is None and record.snapshot.state.is_runnable and task_id in self._records:
            heapq.heappush(self._runnable, task_id)
        self._pump()

    def _stop_runner(self, record: TaskRecord) -> None:
        if record.runner is not None:
            record.runner.cancel()
            # The slot is freed in _runner_done once the attempt has closed its file and socket.

    def _waiting(self) -> int:
        """Tasks that will start by themselves when a slot frees up."""
        if self._state is SessionState.RUNNING:
            # Tasks parked for their secrets wait for nothing the session can do.
            return self._counts[TaskState.QUEUED] + self._counts[TaskState.INTERRUPTED] - len(self._parked)
        if self._state is SessionState.HELD:
            return sum(1 for task_id in self._released if task_id not in self._parked)
        return 0

    def _check_quiet(self) -> None:
        if self._running == 0 and not self._unreported and not self._waiting():
            self._quiet.set()

    def _after_change(self) -> None:
        self._check_quiet()
        if self._running or self._unreported:
            return
        unfinished = sum(n for state, n in self._counts.items() if not state.is_final)
        if self._work_done and unfinished == 0:
            self._work_done = False
            self._emit("did_finish_events")
        if self._state is SessionState.CLOSING:
            self._begin_invalidation()

    def _begin_invalidation(self) -> None:
        if not self._invalidating:
            self._invalidating = True
            self._spawn_tracked(self._background, self._invalidate(None))

    def _discard(self, task: TaskSnapshot) -> None:
        """Let a resumable protocol release the server's copy of a cancelled upload (tus: DELETE)."""
        if task.resume_data is None or self._client.is_closed:
            return
        context = DiscardContext(
            client=self._client,
            task=task,
            headers={**self.configuration.default_headers, **task.destination.headers},
            timeout=self._timeout,
        )
        self._spawn_tracked(self._discards, spec_for(task.destination.protocol).create().discard(context))
