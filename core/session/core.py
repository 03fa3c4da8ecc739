"""The state a session shares with its attempts, and how state changes reach the disk and the
delegates. A final state is on disk before anyone hears of it; every event goes to the delegate
and to the observers (the manager's batch tracker), and a delegate that raises cannot take the
uploads down."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections import Counter
from typing import Any

import httpx

from ..configuration import SessionConfiguration
from ..delegate import SessionDelegate
from ..errors import StateStoreError, UploadError
from ..locking import SessionLock
from ..redaction import scrub
from ..registry import spec_for
from ..store import TaskStore
from ..streams import RateLimiter
from ..task import TaskSnapshot, TaskState
from ..text import printable
from ..transport import create_client
from .state import SessionState, TaskRecord

__all__ = ["SessionCore"]

log = logging.getLogger("core.session")


class SessionCore:
    """Fields and event plumbing of ``UploadSession`` (see there for the public side)."""

    def __init__(
        self,
        configuration: SessionConfiguration,
        *,
        delegate: SessionDelegate | None,
        store: TaskStore,
        lock: SessionLock,
    ) -> None:
        self.configuration = configuration
        self.delegate = delegate or SessionDelegate()
        # Delegates that hear every event too (the manager's batch tracker).
        self._observers: list[SessionDelegate] = []
        self._store = store
        self._lock = lock
        self._client = create_client(
            max_connections=configuration.max_concurrent_uploads, ca_file=configuration.ca_file
        )
        self._timeout = httpx.Timeout(configuration.request_timeout)
        self._limiter = RateLimiter(configuration.bandwidth_limit) if configuration.bandwidth_limit else None
        self._records: dict[int, TaskRecord] = {}
        # Tasks per state, kept current so that no state change costs a walk over 10,000 tasks.
        self._counts: Counter[TaskState] = Counter()
        # Runnable tasks held back until supply_secrets() gives them their credentials.
        self._parked: set[int] = set()
        self._state = SessionState.RUNNING
        self._quiet = asyncio.Event()
        # Final states on their way to the disk; their events go out once they are there
        # (delivered in batches by _deliver_written, on the loop).
        self._unreported = 0
        self._written: collections.deque[tuple[TaskRecord, TaskSnapshot, UploadError | None]] = (
            collections.deque()
        )
        self._delivery_scheduled = False
        self._all_reported = asyncio.Event()
        self._all_reported.set()
        self._loop = asyncio.get_running_loop()

    @property
    def identifier(self) -> str:
        return self.configuration.identifier

    # -- what the session part provides -------------------------------------------------------------

    def _after_change(self) -> None:
        raise NotImplementedError

    # -- events -----------------------------------------------------------------------------------

    def add_observer(self, observer: SessionDelegate) -> None:
        """Another delegate that hears every event after the session's own."""
        self._observers.append(observer)

    def _emit(self, event: str, *args: object) -> None:
        for target in (self.delegate, *self._observers):
            method = getattr(target, event)
            try:
                method(self, *args)
            except Exception:
                # A broken delegate must not take the uploads down with it.
                log.exception("session delegate %s.%s raised", type(target).__name__, event)

    def _notify_state(self, snapshot: TaskSnapshot) -> None:
        self._emit("task_did_change_state", snapshot)

    def _set_state(self, state: SessionState) -> None:
        if state is not self._state:
            self._state = state
            self._emit("session_did_change_state", state)

    # -- task state changes ---------------------------------------------------------------------------

    @staticmethod
    def _restart_fields(record: TaskRecord) -> dict[str, object]:
        """A non-resumable task that stops mid-way starts from 0 next time, and says so."""
        snapshot = record.snapshot
        if spec_for(snapshot.destination.protocol).resumable:
            return {}
        return {
            "bytes_sent": 0,
            "restarts_from_zero": snapshot.bytes_sent > 0 or snapshot.restarts_from_zero,
        }

    def _count(self, record: TaskRecord, before: TaskState) -> None:
        state = record.snapshot.state
        if state is not before and record.snapshot.task_id in self._records:
            self._counts[before] -= 1
            self._counts[state] += 1
            if not state.is_runnable:
                self._parked.discard(record.snapshot.task_id)

    def _update(self, record: TaskRecord, **changes: object) -> None:
        before = record.snapshot.state
        record.snapshot = record.snapshot.evolve(**changes)
        self._count(record, before)
        if record.snapshot.task_id in self._records:
            self._store.save(record.snapshot)
        self._notify_state(record.snapshot)

    def _finish(
        self, record: TaskRecord, state: TaskState, error: UploadError | None, **changes: object
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
        self._count(record, before)
        if log.isEnabledFor(logging.INFO):
            self._log_final(record, error)
        self._report_when_written(record, error)

    def _log_final(self, record: TaskRecord, error: UploadError | None) -> None:
        snapshot = record.snapshot
        detailed = log.isEnabledFor(logging.DEBUG)
        cause = error.__cause__ if error is not None else None
        log.info(
            "task %s/%s %s: %s%s",
            self.identifier,
            snapshot.task_id,
            printable(snapshot.relative_name),
            snapshot.state.value,
            f" ({snapshot.error})" if error else "",
            # The detail behind the one line, for the log only (its text scrubbed too).
            exc_info=cause if cause is not None and detailed else None,
        )
        if error is not None and detailed:
            log.debug(
                "task %s/%s: %s", self.identifier, snapshot.task_id, scrub(error.detail(), record.secrets)
            )

    def _report_when_written(self, record: TaskRecord, error: UploadError | None) -> None:
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
                self._emit("did_complete", snapshot, error)
        if not self._unreported:
            self._all_reported.set()
        self._after_change()

    def _spawn_tracked(self, jobs: set[asyncio.Task[Any]], coroutine: Any) -> None:
        job = asyncio.get_running_loop().create_task(coroutine)
        jobs.add(job)
        job.add_done_callback(jobs.discard)
