"""UploadSession: tasks by id, started in order up to the concurrency limit, with retries,
timeouts, pause/resume/cancel, graceful stop and cancel-now. Modelled on URLSession background
sessions: the identifier keys the persisted tasks, so a relaunched process picks up its work.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import heapq
import http
import json
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .configuration import URL_CREDENTIALS, Destination, SessionConfiguration
from .delegate import SessionDelegate
from .errors import (
    FileUnreadable,
    ResourceTimeout,
    RetriesExhausted,
    ServerStatusError,
    SessionIdentifierInUse,
    SessionInvalidated,
    StateStoreError,
    UploadCancelled,
    UploadError,
)
from .locking import SessionLock
from .protocols import AttemptContext, DiscardContext, UploadProtocol
from .redaction import redact_url, scrub, secret_values
from .registry import spec_for
from .retry import describe_duration, parse_retry_after
from .store import StoredTasks, TaskStore
from .streams import FileFingerprint, RateLimiter
from .task import TaskSnapshot, TaskState
from .text import printable
from .transport import create_client, map_http_error

__all__ = ["MissingSecrets", "UploadSession"]

log = logging.getLogger(__name__)

# Progress is persisted at most this often per task; states are persisted at once.
_PROGRESS_SAVE_INTERVAL = 1.0


@dataclass(eq=False)
class _Record:
    snapshot: TaskSnapshot
    runner: asyncio.Task[None] | None = None
    # Consecutive failed attempts without progress (reset when an attempt gets further).
    failed_attempts: int = 0
    # The furthest into the file any attempt got.
    best_progress: int = 0
    attempt_sent: int = 0
    saved_at: float = 0.0
    # Set to end a retry wait early (retry_now).
    wake: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    # The error the last attempt failed with: named when the resource timeout ends the task.
    last_error: UploadError | None = None
    # The secret values of the current attempt (headers, URL credentials): never kept in text.
    secrets: frozenset[str] | set[str] = frozenset()


class UploadSession:
    """Create through ``SessionManager.create_session``; all methods must run on the event loop."""

    def __init__(
        self,
        configuration: SessionConfiguration,
        *,
        delegate: SessionDelegate | None,
        store: TaskStore,
        lock: SessionLock,
        on_invalidated: Callable[[UploadSession], None],
    ) -> None:
        self.configuration = configuration
        self.delegate = delegate or SessionDelegate()
        self._store = store
        self._lock = lock
        self._on_invalidated = on_invalidated
        self._client = create_client(
            max_connections=configuration.max_concurrent_uploads, ca_file=configuration.ca_file
        )
        self._timeout = httpx.Timeout(configuration.request_timeout)
        self._limiter = RateLimiter(configuration.bandwidth_limit) if configuration.bandwidth_limit else None
        self._records: dict[int, _Record] = {}
        # Tasks per state, kept current so that no state change costs a walk over 10,000 tasks.
        self._counts: Counter[TaskState] = Counter()
        self._runnable: list[int] = []  # a heap of task ids: tasks start in the order they came
        # Runnable tasks held back until supply_secrets() gives them their credentials.
        self._parked: set[int] = set()
        self._running = 0
        self._accepting = True
        self._starting = True
        self._invalid = False
        self._work_done = False
        self._quiet = asyncio.Event()
        self._invalidated = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self._discards: set[asyncio.Task[None]] = set()
        # Final states on their way to the disk; their events go out once they are there
        # (delivered in batches by _deliver_written, on the loop).
        self._unreported = 0
        self._written: collections.deque[tuple[_Record, TaskSnapshot, UploadError | None]] = (
            collections.deque()
        )
        self._delivery_scheduled = False
        self._all_reported = asyncio.Event()
        self._all_reported.set()
        self._loop = asyncio.get_running_loop()
        self._next_id = 1
        self._reattach(store.load(configuration.identifier))
        store.save_session_settings(configuration.identifier, configuration.transfer_settings())
        asyncio.get_running_loop().call_soon(self._pump)

    # -- queries ----------------------------------------------------------------------------------

    @property
    def identifier(self) -> str:
        return self.configuration.identifier

    @property
    def is_valid(self) -> bool:
        return not self._invalid

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
        folder neither stops the others nor disappears."""
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
            self._records[snapshot.task_id] = _Record(snapshot)
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
        """Continue an unfinished upload found by ``TaskStore.find_unfinished_upload`` instead of
        starting over: a task of this session is resumed (or retried, if it failed); a task of
        another session that no process has open moves into this one with its resume data (for tus
        the upload URL, so it continues from the server's offset). ``destination`` (same URL and
        protocol) supplies the secret headers that the store never holds. Returns the task that will
        carry the upload, or None if ``previous`` belongs to a session that is open elsewhere."""
        if previous.session_id == self.identifier and previous.task_id in self._records:
            record = self._records[previous.task_id]
            if record.snapshot.state in (TaskState.FAILED, TaskState.CANCELLED):
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
        record = self._records[task_id]
        if record.snapshot.state is not TaskState.PAUSED:
            return False
        self._queue(record)
        return True

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
        if record.snapshot.state not in (TaskState.FAILED, TaskState.CANCELLED):
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
            if record is not None:
                self._counts[record.snapshot.state] -= 1
                self._stop_runner(record)
                removed.append(task_id)
        self._store.delete(self.identifier, removed)
        self._after_change()

    # -- whole-session control --------------------------------------------------------------------

    def pause_all(self) -> None:
        for task_id in list(self._records):
            self.pause(task_id)

    def resume_all(self) -> None:
        for task_id in list(self._records):
            self.resume(task_id)

    def cancel_all(self) -> None:
        for task_id in list(self._records):
            self.cancel(task_id)

    def retry_failed(self) -> None:
        for task_id, record in list(self._records.items()):
            if record.snapshot.state is TaskState.FAILED:
                self.retry(task_id)

    def finish_tasks_and_invalidate(self) -> None:
        """Graceful stop: running uploads finish, nothing new starts, queued tasks stay queued
        (persisted for a later session with this identifier), then the session is invalidated."""
        self._accepting = self._starting = False
        self._after_change()

    def invalidate_and_cancel(self) -> None:
        """Cancel every unfinished task now, then invalidate."""
        self._accepting = self._starting = False
        self.cancel_all()
        self._after_change()

    async def wait_until_quiet(self) -> None:
        """Until no task is queued, running or waiting to retry (paused tasks don't count)."""
        self._check_quiet()
        await self._quiet.wait()

    async def wait_invalidated(self) -> None:
        await self._invalidated.wait()

    async def close(self) -> None:
        """Shut down for app exit: running uploads stop and are recorded as interrupted, to
        continue when a session with this identifier is created again."""
        self._accepting = self._starting = False
        runners = []
        for record in self._records.values():
            if record.runner is not None:
                runners.append(record.runner)
                self._stop_runner(record)
                self._update(record, state=TaskState.INTERRUPTED, **self._restart_fields(record))
        await asyncio.gather(*runners, return_exceptions=True)
        self._begin_invalidation()
        await self._invalidated.wait()

    # -- scheduling -------------------------------------------------------------------------------

    def _reattach(self, stored: StoredTasks) -> None:
        interrupted = []
        # Ids of rows set aside stay taken: a new task must never overwrite one.
        self._next_id = stored.highest_task_id + 1
        for snapshot in stored.tasks:
            record = _Record(snapshot)
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

    @staticmethod
    def _restart_fields(record: _Record) -> dict[str, object]:
        snapshot = record.snapshot
        if spec_for(snapshot.destination.protocol).resumable:
            return {}
        return {
            "bytes_sent": 0,
            "restarts_from_zero": snapshot.bytes_sent > 0 or snapshot.restarts_from_zero,
        }

    def _queue(self, record: _Record, **changes: object) -> None:
        self._update(record, state=TaskState.QUEUED, retry_at=None, **changes)
        heapq.heappush(self._runnable, record.snapshot.task_id)
        self._quiet.clear()
        self._pump()

    def _pump(self) -> None:
        limit = self.configuration.max_concurrent_uploads
        while self._starting and self._running < limit and self._runnable:
            task_id = heapq.heappop(self._runnable)
            record = self._records.get(task_id)
            # Stale heap entries (paused, cancelled or removed since) are skipped.
            if record is None or not record.snapshot.state.is_runnable or record.runner:
                continue
            if self._missing_secrets(record.snapshot.destination):
                # It would go without its credentials: it waits for supply_secrets().
                self._parked.add(task_id)
                continue
            self._start(record)
        self._after_change()

    # -- secrets that were not stored ---------------------------------------------------------------

    def _missing_secrets(self, destination: Destination) -> frozenset[str]:
        if not destination.unstored_secrets:
            return frozenset()
        given = {name.lower() for name in self.configuration.default_headers}
        return frozenset(
            name
            for name in destination.unstored_secrets
            if name == URL_CREDENTIALS or name.lower() not in given
        )

    def missing_secrets(self) -> list[MissingSecrets]:
        """What unfinished tasks wait for: secrets their destination had that were not stored
        (a relaunch, ``skylift-cli resume``). Such tasks are not started until
        ``supply_secrets`` gives them."""
        needed: dict[tuple[str, frozenset[str]], list[int]] = {}
        for task_id, record in self._records.items():
            snapshot = record.snapshot
            if snapshot.state.is_final:
                continue
            missing = self._missing_secrets(snapshot.destination)
            if missing:
                needed.setdefault((snapshot.destination.url, missing), []).append(task_id)
        return [
            MissingSecrets(url=redact_url(url), names=tuple(sorted(names)), task_ids=tuple(ids))
            for (url, names), ids in needed.items()
        ]

    def supply_secrets(self, *, headers: Mapping[str, str] | None = None, urls: Iterable[str] = ()) -> int:
        """Give back secrets that were not stored: header values by name, and destination URLs
        with their credentials (matched to a task's stored URL by their redacted form). Tasks
        that then lack nothing start. Returns how many tasks got something."""
        by_name = {name.lower(): (name, value) for name, value in (headers or {}).items()}
        by_redacted = {redact_url(url): url for url in urls}
        completed: dict[int, Destination] = {}
        changed = 0
        for task_id, record in self._records.items():
            destination = record.snapshot.destination
            if not destination.unstored_secrets:
                continue
            renewed = completed.get(id(destination))
            if renewed is None:
                renewed = _with_secrets(destination, by_name, by_redacted)
                completed[id(destination)] = renewed
            if renewed is destination:
                continue
            changed += 1
            record.snapshot = record.snapshot.evolve(destination=renewed)
            if task_id in self._parked and not self._missing_secrets(renewed):
                self._parked.discard(task_id)
                heapq.heappush(self._runnable, task_id)
        if changed:
            self._quiet.clear()
            self._pump()
        return changed

    def _start(self, record: _Record) -> None:
        self._running += 1
        self._work_done = True
        if record.snapshot.started_at is None:
            record.snapshot = record.snapshot.evolve(started_at=time.time())
        runner = asyncio.get_running_loop().create_task(
            self._run(record), name=f"skylift-upload-{self.identifier}-{record.snapshot.task_id}"
        )
        record.runner = runner
        runner.add_done_callback(lambda _: self._runner_done(record, runner))

    def _runner_done(self, record: _Record, runner: asyncio.Task[None]) -> None:
        self._running -= 1
        if record.runner is runner:
            record.runner = None
        if not runner.cancelled() and runner.exception() is not None:
            error = runner.exception()
            log.error("upload task crashed", exc_info=error)
            if record.snapshot.task_id in self._records and not record.snapshot.state.is_final:
                self._finish(record, TaskState.FAILED, UploadError(f"internal error: {error!r}"))
        # Resumed or retried while this runner was still winding down: _pump skipped (and dropped)
        # its heap entry then, so queue it again now that the slot is free.
        task_id = record.snapshot.task_id
        if record.runner is None and record.snapshot.state.is_runnable and task_id in self._records:
            heapq.heappush(self._runnable, task_id)
        self._pump()

    def _stop_runner(self, record: _Record) -> None:
        if record.runner is not None:
            record.runner.cancel()
            # The slot is freed in _runner_done once the attempt has closed its file and socket.

    def _after_change(self) -> None:
        self._check_quiet()
        if self._running or self._unreported:
            return
        unfinished = sum(n for state, n in self._counts.items() if not state.is_final)
        if self._work_done and unfinished == 0:
            self._work_done = False
            self._call_delegate(self.delegate.did_finish_events, self)
        if not self._starting:
            self._begin_invalidation()

    def _check_quiet(self) -> None:
        # Tasks parked for their secrets wait for nothing the session can do.
        waiting = self._counts[TaskState.QUEUED] + self._counts[TaskState.INTERRUPTED] - len(self._parked)
        if self._running == 0 and not self._unreported and not (self._starting and waiting):
            self._quiet.set()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _begin_invalidation(self) -> None:
        if not self._invalid:
            self._invalid = True
            self._spawn(self._invalidate(None))

    def _discard(self, task: TaskSnapshot) -> None:
        """Let a resumable protocol release the server's copy of a cancelled upload (tus: DELETE)."""
        if task.resume_data is None or self._client.is_closed:
            return
        discard = spec_for(task.destination.protocol).create().discard
        context = DiscardContext(
            client=self._client,
            task=task,
            headers={**self.configuration.default_headers, **task.destination.headers},
            timeout=self._timeout,
        )
        job = asyncio.get_running_loop().create_task(discard(context))
        self._discards.add(job)
        job.add_done_callback(self._discards.discard)

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
        self._call_delegate(self.delegate.did_become_invalid, self, error)

    # -- one task ---------------------------------------------------------------------------------

    async def _run(self, record: _Record) -> None:
        protocol = spec_for(record.snapshot.destination.protocol).create()
        started = record.snapshot.started_at or time.time()
        remaining = started + self.configuration.resource_timeout - time.time()
        try:
            async with asyncio.timeout(max(0.0, remaining)):
                await self._attempts(record, protocol)
        except TimeoutError:
            limit = describe_duration(self.configuration.resource_timeout)
            last = f"; last: {record.last_error}" if record.last_error is not None else ""
            self._finish(
                record,
                TaskState.FAILED,
                ResourceTimeout(f"not finished within the resource timeout ({limit}){last}"),
            )

    async def _attempts(self, record: _Record, protocol: UploadProtocol) -> None:
        policy = self.configuration.retry_policy
        while True:
            error = await self._attempt(record, protocol)
            if error is None:
                return
            # Progress is how far into the file this attempt got (from the server's offset, if resumable).
            reached = record.snapshot.bytes_sent
            progressed = reached > record.best_progress
            record.best_progress = max(record.best_progress, reached)
            record.failed_attempts = 1 if progressed else record.failed_attempts + 1
            delay = policy.delay_before_retry(error, record.failed_attempts)
            if delay is None:
                refused = policy.refused_wait(error)
                if refused is not None:
                    error = refused
                elif error.retryable and record.snapshot.attempts > 1:
                    error = RetriesExhausted(error, record.snapshot.attempts)
                self._finish(record, TaskState.FAILED, error)
                return
            reason = scrub(str(error), record.secrets)
            self._update(
                record,
                state=TaskState.RETRY_WAIT,
                retry_at=time.time() + delay,
                error=reason,
                **self._restart_fields(record),
            )
            record.last_error = error
            if delay >= 1:
                log.info(
                    "task %s/%s: %s; next try in %.0f s",
                    self.identifier,
                    record.snapshot.task_id,
                    reason,
                    delay,
                )
            record.wake.clear()
            with contextlib.suppress(TimeoutError):
                # retry_now() cuts the wait short.
                await asyncio.wait_for(record.wake.wait(), delay)

    async def _attempt(self, record: _Record, protocol: UploadProtocol) -> UploadError | None:
        """One attempt; returns the error to judge for a retry, or None when the task is done."""
        record.attempt_sent = 0
        resumable = spec_for(record.snapshot.destination.protocol).resumable
        try:
            fingerprint = FileFingerprint.of(record.snapshot.path)
        except FileUnreadable as error:
            self._finish(record, TaskState.FAILED, error)
            return None
        self._update(
            record,
            state=TaskState.UPLOADING,
            attempts=record.snapshot.attempts + 1,
            total_bytes=fingerprint.size,
            # A resumable protocol moves this to the server's offset (HEAD) before it sends; until
            # then the row keeps what it showed, instead of jumping back to an older offset.
            bytes_sent=record.snapshot.bytes_sent if resumable else 0,
            restarts_from_zero=False,
            retry_at=None,
        )
        headers = {**self.configuration.default_headers, **record.snapshot.destination.headers}
        # What a server might echo back, or an error might carry: scrubbed from all we keep.
        record.secrets = secret_values(headers, record.snapshot.destination.url)
        context = AttemptContext(
            client=self._client,
            task=record.snapshot,
            fingerprint=fingerprint,
            headers=headers,
            timeout=self._timeout,
            limiter=self._limiter,
            on_sent=lambda count: self._on_sent(record, count),
            set_confirmed_offset=lambda offset: self._set_confirmed(record, offset),
            save_resume_data=lambda data: self._save_resume_data(record, data),
            report=lambda text: self._update(record, error=text),
        )
        try:
            response = await protocol.send(context)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            mapped = map_http_error(
                error, bytes_sent=record.attempt_sent, timeout=self.configuration.request_timeout
            )
            if not mapped.retryable:
                self._finish(record, TaskState.FAILED, mapped)
                return None
            return mapped
        except UploadError as error:
            if not error.retryable:
                self._finish(record, TaskState.FAILED, error)
                return None
            return error
        text = scrub(response.text, record.secrets)
        if response.body_problem:
            log.info("task %s/%s: %s", self.identifier, record.snapshot.task_id, response.body_problem)
        if response.body:
            self._call_delegate(self.delegate.did_receive_data, self, record.snapshot, response.body)
        if response.ok:
            self._finish(
                record,
                TaskState.COMPLETED,
                None,
                http_status=response.status,
                response_text=text,
                bytes_confirmed=record.snapshot.total_bytes,
            )
            return None
        request_summary, response_summary = response.summaries()
        failure = ServerStatusError(
            response.status,
            _reason(response.status, response.reason),
            _server_message(text),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            request=request_summary,
            response=response_summary,
        )
        record.snapshot = record.snapshot.evolve(http_status=response.status, response_text=text)
        if not failure.retryable:
            self._finish(record, TaskState.FAILED, failure)
            return None
        return failure

    async def _save_resume_data(self, record: _Record, data: Mapping[str, Any] | None) -> None:
        self._update(record, resume_data=data)
        # On disk before the protocol sends what depends on it: a crash right after must not lose
        # the upload URL. If the disk refuses, the upload goes on (the store says what is wrong).
        with contextlib.suppress(StateStoreError):
            await asyncio.wrap_future(self._store.save_durable_future(record.snapshot))

    def _set_confirmed(self, record: _Record, offset: int) -> None:
        self._update(record, bytes_sent=offset, bytes_confirmed=offset)

    def _on_sent(self, record: _Record, count: int) -> None:
        record.attempt_sent += count
        snapshot = record.snapshot
        sent = snapshot.bytes_sent + count
        if sent >= snapshot.total_bytes:
            self._update(record, bytes_sent=sent, state=TaskState.PROCESSING)
        else:
            record.snapshot = snapshot.evolve(bytes_sent=sent)
            now = time.monotonic()
            if now - record.saved_at >= _PROGRESS_SAVE_INTERVAL:
                record.saved_at = now
                self._store.save(record.snapshot)
        self._call_delegate(
            self.delegate.did_send_body_data,
            self,
            record.snapshot,
            count,
            sent,
            snapshot.total_bytes,
        )

    # -- state changes ----------------------------------------------------------------------------

    def _update(self, record: _Record, **changes: object) -> None:
        before = record.snapshot.state
        record.snapshot = record.snapshot.evolve(**changes)
        if record.snapshot.state is not before and record.snapshot.task_id in self._records:
            self._counts[before] -= 1
            self._counts[record.snapshot.state] += 1
            if not record.snapshot.state.is_runnable:
                self._parked.discard(record.snapshot.task_id)
        if record.snapshot.task_id in self._records:
            self._store.save(record.snapshot)
        self._notify_state(record.snapshot)

    def _notify_state(self, snapshot: TaskSnapshot) -> None:
        self._call_delegate(self.delegate.task_did_change_state, self, snapshot)

    def _finish(
        self, record: _Record, state: TaskState, error: UploadError | None, **changes: object
    ) -> None:
        """A task reaches a final state. It is on disk before anyone hears of it: the state
        change and ``did_complete`` go out once the store has committed it (or failed to, which
        the store reports itself), so a crash can never undo a completion the user has seen."""
        before = record.snapshot.state
        record.snapshot = record.snapshot.evolve(
            state=state,
            error=None if error is None else scrub(str(error), record.secrets),
            finished_at=time.time(),
            retry_at=None,
            **changes,
        )
        snapshot = record.snapshot
        if snapshot.task_id in self._records and state is not before:
            self._counts[before] -= 1
            self._counts[state] += 1
            self._parked.discard(snapshot.task_id)
        if log.isEnabledFor(logging.INFO):
            cause = error.__cause__ if error is not None else None
            log.info(
                "task %s/%s %s: %s%s",
                self.identifier,
                snapshot.task_id,
                printable(snapshot.relative_name),
                state.value,
                f" ({snapshot.error})" if error else "",
                # The detail behind the one line, for the log only (its text scrubbed too).
                exc_info=cause if cause is not None and log.isEnabledFor(logging.DEBUG) else None,
            )
            if error is not None and log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "task %s/%s: %s", self.identifier, snapshot.task_id, scrub(error.detail(), record.secrets)
                )
        self._report_when_written(record, error)

    def _report_when_written(self, record: _Record, error: UploadError | None) -> None:
        snapshot = record.snapshot
        self._unreported += 1
        self._all_reported.clear()
        self._quiet.clear()

        def written(_problem: StateStoreError | None) -> None:
            # The writer thread. A failed write is the store's to report (and to retry); the
            # upload itself is over, so it is reported either way.
            self._written.append((record, snapshot, error))
            if not self._delivery_scheduled:
                self._delivery_scheduled = True
                with contextlib.suppress(RuntimeError):  # the loop is gone: nobody to tell
                    self._loop.call_soon_threadsafe(self._deliver_written)

        self._store.save_durable(snapshot, written)

    def _deliver_written(self) -> None:
        """On the loop: the events of every final state the store has committed since last time."""
        self._delivery_scheduled = False
        while self._written:
            record, snapshot, error = self._written.popleft()
            self._unreported -= 1
            # Removed meanwhile (a removed task has no completion event), or already retried
            # (its own events have told the rest): nothing to report.
            if self._records.get(snapshot.task_id) is record and record.snapshot is snapshot:
                self._notify_state(snapshot)
                self._call_delegate(self.delegate.did_complete, self, snapshot, error)
        if not self._unreported:
            self._all_reported.set()
        self._after_change()

    def _call_delegate(self, method: Callable[..., None], *args: object) -> None:
        try:
            method(*args)
        except Exception:
            # A broken delegate must not take the uploads down with it.
            log.exception("session delegate %s raised", getattr(method, "__name__", method))


@dataclass(frozen=True)
class MissingSecrets:
    """Tasks that wait for secrets their destination had but that were not stored."""

    # The destination URL, redacted.
    url: str
    # Secret header names, and URL_CREDENTIALS when the URL's own credentials are missing.
    names: tuple[str, ...]
    task_ids: tuple[int, ...]


def _with_secrets(
    destination: Destination, headers: Mapping[str, tuple[str, str]], urls: Mapping[str, str]
) -> Destination:
    """``destination`` with what ``headers`` (lower-case name -> (name, value)) and ``urls`` (redacted
    -> full) give back; the same object if they give nothing."""
    remaining = set(destination.unstored_secrets)
    new_headers = dict(destination.headers)
    url = destination.url
    for name in destination.unstored_secrets:
        if name == URL_CREDENTIALS:
            if destination.url in urls:
                url = urls[destination.url]
                remaining.discard(name)
        elif name.lower() in headers:
            given_name, value = headers[name.lower()]
            new_headers[given_name] = value
            remaining.discard(name)
    if remaining == destination.unstored_secrets:
        return destination
    return dataclasses.replace(
        destination, url=url, headers=new_headers, unstored_secrets=frozenset(remaining)
    )


def _reason(status: int, reason: str) -> str:
    if reason:
        return reason
    with contextlib.suppress(ValueError):
        return http.HTTPStatus(status).phrase
    return ""


def _server_message(text: str, limit: int = 300) -> str:
    """The gist of an error body: a JSON message field, or the text without HTML tags."""
    text = text.strip()
    if not text:
        return ""
    with contextlib.suppress(ValueError, AttributeError):
        data = json.loads(text)
        for key in ("message", "error", "detail", "msg"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, str) and value:
                return value[:limit]
    if "<" in text:
        text = re.sub(r"(?is)<(script|style|title).*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
