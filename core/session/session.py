"""UploadSession: tasks by id, started in order up to the concurrency limit, with retries,
timeouts, pause/resume/cancel, hold/run, graceful stop and cancel-now. Modelled on URLSession
background sessions: the identifier keys the persisted tasks, so a relaunched process picks up its
work; ``hold()``/``run()`` are URLSession's suspend/resume, applied to the whole queue."""

from __future__ import annotations

import asyncio
import heapq
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..configuration import Destination, SessionConfiguration
from ..delegate import SessionDelegate
from ..errors import FileUnreadable, SessionIdentifierInUse, SessionInvalidated, UploadCancelled
from ..locking import SessionLock
from ..registry import spec_for
from ..store import StoredTasks, TaskStore
from ..streams import FileFingerprint
from ..task import TaskSnapshot, TaskState
from .secrets import SessionSecrets
from .state import SessionState, TaskRecord

__all__ = ["UploadSession"]


class UploadSession(SessionSecrets):
    """Open through ``SessionManager.open_session`` (or ``create_session``); all methods run on
    the event loop and return at once."""

    def __init__(
        self,
        configuration: SessionConfiguration,
        *,
        delegate: SessionDelegate | None,
        store: TaskStore,
        lock: SessionLock,
        on_invalidated: Callable[[UploadSession], None],
        stored: StoredTasks | None = None,
    ) -> None:
        super().__init__(configuration, delegate=delegate, store=store, lock=lock)
        self._on_invalidated = on_invalidated
        self._reattach(stored if stored is not None else store.load(configuration.identifier))
        store.save_session_settings(configuration.identifier, configuration.transfer_settings())
        self._loop.call_soon(self._pump)

    # -- queries ----------------------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def is_valid(self) -> bool:
        """Until invalidation begins (a closing session finishes its running tasks first)."""
        return not self._invalidating

    @property
    def _accepting(self) -> bool:
        return self._state in (SessionState.RUNNING, SessionState.HELD)

    def tasks(self) -> list[TaskSnapshot]:
        return [record.snapshot for record in self._records.values()]

    def task(self, task_id: int) -> TaskSnapshot:
        return self._records[task_id].snapshot

    # -- adding work ------------------------------------------------------------------------------

    def upload_file(
        self, path: Path, destination: Destination, *, relative_name: str | None = None
    ) -> TaskSnapshot:
        """Queue one file. Raises ``FileUnreadable`` if it cannot be read now."""
        FileFingerprint.of(path)
        return self.upload_files([(path, relative_name)], destination)[0]

    def upload_files(
        self, files: Iterable[tuple[Path, str | None]], destination: Destination
    ) -> list[TaskSnapshot]:
        """Queue many files at once (one store write). A file that cannot be read becomes a failed
        task with the reason (reported through ``did_complete``), so one bad file in a dropped
        folder neither stops the others nor disappears. Files that would overwrite each other
        are refused whole (``BatchRefused``). In a held session the files wait for ``run()``."""
        if not self._accepting:
            raise SessionInvalidated(self.identifier)
        files = list(files)
        destination.options.check_batch(destination.url, [name or Path(path).name for path, name in files])
        now = time.time()
        snapshots: list[TaskSnapshot] = []
        unreadable: list[tuple[TaskSnapshot, FileUnreadable]] = []
        for path, relative_name in files:
            task = TaskSnapshot(
                task_id=self._next_id,
                session_id=self.identifier,
                path=Path(os.path.abspath(path)),
                relative_name=relative_name or Path(path).name,
                destination=destination,
                state=TaskState.QUEUED,
                total_bytes=0,
                created_at=now,
            )
            self._next_id += 1
            try:
                task = task.evolve(total_bytes=FileFingerprint.of(path).size)
            except FileUnreadable as problem:
                task = task.evolve(state=TaskState.FAILED, error=str(problem), finished_at=now)
                unreadable.append((task, problem))
            snapshots.append(task)
        for snapshot in snapshots:
            self._records[snapshot.task_id] = TaskRecord(snapshot)
            self._counts[snapshot.state] += 1
            if snapshot.state.is_runnable:
                heapq.heappush(self._runnable, snapshot.task_id)
                self._notify_state(snapshot)
        self._store.save_many(snapshots)
        for failed, reason in unreadable:
            self._work_done = True
            self._report_when_written(self._records[failed.task_id], reason)
        self._quiet.clear()
        self._pump()
        return snapshots

    def adopt(self, previous: TaskSnapshot, destination: Destination | None = None) -> TaskSnapshot | None:
        """Continue an unfinished upload found by ``TaskStore.find_unfinished_uploads`` instead of
        starting over: a task of this session is resumed (or retried, if it failed); a task of
        another session that no process has open moves into this one with its resume data (for tus
        the upload URL, so it continues from the server's offset). ``destination`` (same URL and
        protocol) supplies the secret headers that the store never holds. Returns the task that will
        carry the upload, or None if ``previous`` belongs to a session that is open elsewhere."""
        if previous.session_id == self.identifier and previous.task_id in self._records:
            record = self._records[previous.task_id]
            if record.snapshot.state.is_retryable:
                self.retry(previous.task_id)
            else:
                self.resume(previous.task_id)
            return record.snapshot
        if previous.session_id == self.identifier:
            return None
        try:
            SessionLock.acquire(self._lock.path.parent, previous.session_id).release()
        except SessionIdentifierInUse:
            return None
        task = self.upload_file(
            previous.path, destination or previous.destination, relative_name=previous.relative_name
        )
        record = self._records[task.task_id]
        # The runner, if one was started, has not run yet: its first attempt sees the resume data.
        if task.state is TaskState.QUEUED:
            self._update(record, resume_data=previous.resume_data, bytes_confirmed=previous.bytes_confirmed)
        self._store.delete(previous.session_id, [previous.task_id])
        return record.snapshot

    # -- per-task control -------------------------------------------------------------------------

    def pause(self, task_id: int) -> bool:
        record = self._records[task_id]
        state = record.snapshot.state
        if not (state.is_runnable or state.is_active):
            return False
        self._stop_runner(record)
        sent = record.snapshot.bytes_sent
        resumable = spec_for(record.snapshot.destination.protocol).resumable
        self._update(
            record,
            state=TaskState.PAUSED,
            retry_at=None,
            bytes_sent=sent if resumable else 0,
            restarts_from_zero=record.snapshot.restarts_from_zero or (sent > 0 and not resumable),
        )
        self._after_change()
        return True

    def resume(self, task_id: int) -> bool:
        """A paused task queues again; in a held session it may start (the others still wait)."""
        record = self._records[task_id]
        if record.snapshot.state is TaskState.PAUSED:
            self._queue(record)
            return True
        if self._state is SessionState.HELD and record.snapshot.state.is_runnable:
            self._release(record)
            return True
        return False

    def retry_now(self, task_id: int) -> bool:
        """A task waiting to retry (an outage, a 503) tries again at once."""
        record = self._records[task_id]
        if record.snapshot.state is not TaskState.RETRY_WAIT:
            return False
        record.wake.set()
        return True

    def cancel(self, task_id: int) -> bool:
        record = self._records[task_id]
        if record.snapshot.state.is_final:
            return False
        self._stop_runner(record)
        self._finish(record, TaskState.CANCELLED, UploadCancelled())
        self._discard(record.snapshot)
        return True

    def retry(self, task_id: int) -> bool:
        """Queue a failed or cancelled task again, with a fresh attempt budget."""
        record = self._records[task_id]
        if not record.snapshot.state.is_retryable:
            return self.resume(task_id)
        if not self._accepting:
            raise SessionInvalidated(self.identifier)
        record.failed_attempts = record.best_progress = 0
        self._queue(
            record,
            bytes_sent=0,
            attempts=0,
            started_at=None,
            finished_at=None,
            error=None,
            http_status=None,
            response_text=None,
        )
        return True

    def remove(self, task_ids: Iterable[int]) -> None:
        """Forget tasks: running ones stop without a completion event; their rows are deleted."""
        removed = []
        for task_id in task_ids:
            record = self._records.pop(task_id, None)
            self._parked.discard(task_id)
            self._released.discard(task_id)
            if record is not None:
                self._counts[record.snapshot.state] -= 1
                self._stop_runner(record)
                removed.append(task_id)
        self._store.delete(self.identifier, removed)
        if removed:
            self._emit("did_remove_tasks", removed)
        self._after_change()

    # -- whole-session control --------------------------------------------------------------------

    def pause_all(self) -> None:
        for task_id in list(self._records):
            self.pause(task_id)

    def resume_all(self) -> None:
        """Paused tasks queue again, and a held session runs."""
        for record in list(self._records.values()):
            if record.snapshot.state is TaskState.PAUSED:
                self._queue(record, pump=False)
        self.run()
        self._pump()

    def cancel_all(self) -> None:
        for task_id in list(self._records):
            self.cancel(task_id)

    def retry_failed(self) -> None:
        for task_id, record in list(self._records.items()):
            if record.snapshot.state is TaskState.FAILED:
                self.retry(task_id)

    def hold(self) -> None:
        """Running tasks finish; nothing new starts (but what is resumed or retried by hand);
        queued tasks wait, persisted, for ``run()``."""
        if self._state is SessionState.RUNNING:
            self._set_state(SessionState.HELD)
            self._after_change()

    def run(self) -> None:
        """A held session starts its queued tasks again."""
        if self._state is SessionState.HELD:
            self._released.clear()
            self._set_state(SessionState.RUNNING)
            self._quiet.clear()
            self._pump()

    def finish_tasks_and_invalidate(self) -> None:
        """Graceful stop: running uploads finish, nothing new starts, queued tasks stay queued
        (persisted for a later session with this identifier), then the session is invalidated."""
        if self._accepting:
            self._set_state(SessionState.CLOSING)
        self._after_change()

    def invalidate_and_cancel(self) -> None:
        """Cancel every unfinished task now, then invalidate."""
        if self._accepting:
            self._set_state(SessionState.CLOSING)
        self.cancel_all()
        self._after_change()

    async def wait_until_quiet(self) -> None:
        """Until nothing runs, waits to retry, or waits for a free slot (paused tasks, held queues
        and tasks that wait for their secrets don't count)."""
        self._check_quiet()
        await self._quiet.wait()

    async def wait_invalidated(self) -> None:
        await self._invalidated.wait()

    async def close(self) -> None:
        """Shut down for app exit: running uploads stop and are recorded as interrupted, to
        continue when a session with this identifier is opened again."""
        if self._accepting:
            self._set_state(SessionState.CLOSING)
        runners = []
        for record in self._records.values():
            if record.runner is not None:
                runners.append(record.runner)
                self._stop_runner(record)
                self._update(record, state=TaskState.INTERRUPTED, **self._restart_fields(record))
        await asyncio.gather(*runners, return_exceptions=True)
        self._begin_invalidation()
        await self._invalidated.wait()

    # -- ending -------------------------------------------------------------------------------------

    async def _invalidate(self, error: Exception | None) -> None:
        # Completions still on their way to the disk are reported before the session ends.
        await self._all_reported.wait()
        self._quiet.set()
        if self._discards:
            # Termination requests of cancelled uploads go out before the client closes.
            await asyncio.wait(set(self._discards))
        await self._client.aclose()
        self._lock.release()
        self._on_invalidated(self)
        self._invalidated.set()
        self._set_state(SessionState.CLOSED)
        self._emit("did_become_invalid", error)
