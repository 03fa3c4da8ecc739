"""UploadController: the window's commands on the core's sessions, and the model that shows them.

One upload session per destination (identifier ``gui-<destination id>``; ``gui-cli-<digest>`` per
URL for ad-hoc destinations given on the command line; ``gui`` for older runs' ad-hoc uploads). A
destination's concurrency, bandwidth limit, CA file and credentials are session settings in the
core, so a session per destination is the natural fit: the credentials travel as the session's
default headers, which the core never persists, and a relaunch re-creates the session with the
secrets read again from the keyring (``DestinationStore.load_secrets``, in a worker thread).

Secrets that cannot be found again (the command line's, a keyring entry that is gone) leave the
tasks that need them waiting, queued: ``credentials_needed`` asks the window for them, and
``supply_credentials`` hands them to the session (``UploadSession.supply_secrets``).

A session that is not live (stopped with "Stop after running uploads", or holding only finished
history) keeps its rows in the model. Commands that *start* work on it ("Resume", "Retry", adding
files) create the session again, which re-attaches its queued tasks and lets them run. Commands
that *stop* work (pause, cancel, remove) must not start anything, so they open the session already
stopped: ``finish_tasks_and_invalidate()`` right after creation means nothing is started, the
command changes the persisted tasks, and the session invalidates again at once.

Every command method returns at once; work that has to wait (a folder walk, the keyring, a session
that is still finishing) runs in an asyncio task held in ``_jobs``, whose failures reach the user as
a ``notice`` or, if unexpected, ``sys.excepthook``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import (
    Destination,
    SessionConfiguration,
    SessionManager,
    SkyliftError,
    TaskSnapshot,
    TaskState,
    UploadSession,
)
from core.configuration import URL_CREDENTIALS
from core.redaction import is_secret_header, redact_url

from .batch import BatchStatus
from .bridge import SessionBridge
from .credentials import CredentialsRequest, SuppliedCredentials
from .destinations import (
    SESSION_PREFIX,
    DestinationSecrets,
    DestinationStore,
    SavedDestination,
    SecretStoreUnavailable,
    describe_url,
)
from .logging_setup import register_secret
from .queue import TaskKey, UploadTableModel
from .walker import CollectedFiles, collect_files, problem_text

__all__ = ["UploadController"]

log = logging.getLogger(__name__)

# Files queued per loop turn when a big drop is added (about 10 ms of work on this machine).
_QUEUE_SLICE = 1000
_ACTIVE = (TaskState.UPLOADING, TaskState.PROCESSING, TaskState.RETRY_WAIT)
_RUNNABLE = (TaskState.QUEUED, TaskState.INTERRUPTED)
_UNFINISHED = (*_ACTIVE, *_RUNNABLE, TaskState.PAUSED)

SessionOp = Callable[[UploadSession], object]


def is_gui_session(session_id: str) -> bool:
    return session_id == SESSION_PREFIX or session_id.startswith(SESSION_PREFIX + "-")


class UploadController(QObject):
    # The batch ended (every task in it reached a final state): BatchStatus, whose .summary reads
    # "12 files uploaded, 1 failed". Emitted once per batch, whether the window is shown or not.
    batch_finished = Signal(object)
    # True while an upload runs or waits to run in a live session; False when the queue is idle.
    activity_changed = Signal(bool)
    # ("info" | "warning" | "error", text): something the user should read.
    notice = Signal(str, str)
    # Sessions were created, stopped or invalidated.
    sessions_changed = Signal()
    # A batch of files was queued: (destination label, number of files).
    files_queued = Signal(str, int)
    # list[TaskKey]: tasks removed from the list (and forgotten by their session).
    tasks_removed = Signal(object)
    # str | None: the queue cannot be saved right now (the store keeps retrying), or it can again.
    store_problem = Signal(object)
    # CredentialsRequest: uploads wait for secrets that were never stored; ask the user for them.
    credentials_needed = Signal(object)

    def __init__(
        self, manager: SessionManager, destinations: DestinationStore, *, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.manager = manager
        self.destinations = destinations
        self.bridge = SessionBridge(self)
        self._labels: dict[str, str] = {}
        self.model = UploadTableModel(destination_label=self._label, parent=self)
        self._sessions: dict[str, UploadSession] = {}
        self._stopping: set[str] = set()
        # Session ids with rows in the model, live or not.
        self._known: set[str] = set()
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._jobs: set[asyncio.Task[Any]] = set()
        self._active = False
        self._closing = False
        # Destination id -> its secrets as last read (keyring and this run's memory).
        self._resolved: dict[str, tuple[DestinationSecrets, str | None]] = {}
        # Sessions whose request for credentials the user put off ("Not now"): not asked again
        # until they act on those uploads (resume, retry, new files, Enter credentials).
        self._declined: set[str] = set()
        self.bridge.tasks_changed.connect(self.model.apply_snapshots)
        self.bridge.progress_flushed.connect(self.model.apply_progress)
        self.bridge.events_finished.connect(self._on_events_finished)
        self.bridge.session_invalidated.connect(self._on_invalidated)
        self.model.counts_changed.connect(self._update_activity)
        self.refresh_destinations()

    # -- queries ----------------------------------------------------------------------------------

    @property
    def live_sessions(self) -> dict[str, UploadSession]:
        return {sid: s for sid, s in self._sessions.items() if s.is_valid}

    @property
    def stopped_sessions(self) -> set[str]:
        """Sessions whose queued rows will not start until resumed."""
        running = {sid for sid, s in self._sessions.items() if s.is_valid and sid not in self._stopping}
        return self._known - running

    def has_running_uploads(self) -> bool:
        """Uploads are running or will start by themselves (queued in a running session)."""
        if self.model.count(*_ACTIVE):
            return True
        if not self.model.count(*_RUNNABLE):
            return False
        stopped = self.stopped_sessions
        if not stopped:
            return True
        return self.model.count_in_sessions(self._known - stopped, *_RUNNABLE) > 0

    def can_resume(self) -> bool:
        if self.model.count(TaskState.PAUSED):
            return True
        stopped = self.stopped_sessions
        return bool(stopped) and self.model.count_in_sessions(stopped, *_RUNNABLE) > 0

    def can_stop_after_running(self) -> bool:
        running = set(self._sessions) - self._stopping
        return bool(running) and self.model.count(*_ACTIVE, *_RUNNABLE) > 0

    # -- start and shutdown -----------------------------------------------------------------------

    async def start(self) -> None:
        """Show the tasks of earlier runs; re-attach sessions with unfinished work (it continues)."""
        store = self.manager.store
        self.manager.watch_store(self.store_problem.emit)
        migrated = await self.destinations.migrate_plaintext_secrets()
        if migrated:
            self.refresh_destinations()
            self.notice.emit("warning", migrated)
        session_ids = await asyncio.to_thread(self.manager.persisted_session_ids)
        for session_id in sorted(filter(is_gui_session, session_ids)):
            tasks = await asyncio.to_thread(store.load_session, session_id)
            if any(not task.state.is_final for task in tasks):
                # Tasks whose secrets cannot be found again wait for them (credentials_needed).
                await self._live(session_id, None)
                continue
            self._known.add(session_id)
            self.model.apply_snapshots(tasks)
        self._refresh_stopped()
        set_aside = store.set_aside
        if set_aside:
            text = self.tr(
                "{count} upload(s) in the state database could not be read and were set aside "
                "(they are kept in the database, untouched): {rows}"
            )
            rows = ", ".join(str(row) for row in set_aside[:5]) + (" …" if len(set_aside) > 5 else "")
            self.notice.emit("warning", text.format(count=len(set_aside), rows=rows))

    async def shutdown(self) -> None:
        """Stop command jobs and close every session: running uploads are recorded as interrupted
        and continue on the next start. Then close the state store."""
        self._closing = True
        for job in list(self._jobs):
            job.cancel()
        await asyncio.gather(*list(self._jobs), return_exceptions=True)
        await self.manager.close()

    # -- adding files -----------------------------------------------------------------------------

    def add_paths(
        self, paths: Sequence[Path], destination: SavedDestination
    ) -> asyncio.Task[list[TaskSnapshot]]:
        """Queue files and whole folders (walked in a worker thread) to ``destination``."""
        return self._spawn(self._add_paths(list(paths), destination))

    async def _add_paths(self, paths: list[Path], destination: SavedDestination) -> list[TaskSnapshot]:
        collected = await asyncio.to_thread(collect_files, paths)
        if not collected.files:
            self._report_problems(collected)
            return []
        session_id = destination.session_id
        queued: list[TaskSnapshot] = []
        target: Destination | None = None
        # A huge drop is queued in slices, yielding to the loop between them, so that stat-ing and
        # recording 10,000 files never holds the window for longer than a frame or two. (A file
        # that became unreadable since the walk comes back as a failed task with its reason.)
        for start in range(0, len(collected.files), _QUEUE_SLICE):
            session = await self._live(session_id, destination)
            if target is None:
                secrets, _problem = await self._secrets_of(destination)
                target = destination.core_destination(secrets)
            queued += session.upload_files(collected.files[start : start + _QUEUE_SLICE], target)
            await asyncio.sleep(0)
        self._report_problems(collected)
        self.files_queued.emit(destination.label, len(queued))
        self._declined.discard(session_id)
        self._check_credentials(session_id)
        return queued

    def _report_problems(self, collected: CollectedFiles) -> None:
        if collected.problems:
            count = len(collected.problems)
            text = (
                self.tr("{count} item was skipped:\n{problems}")
                if count == 1
                else self.tr("{count} items were skipped:\n{problems}")
            )
            self.notice.emit("warning", text.format(count=count, problems=problem_text(collected)))

    # -- per-task commands (keys from the view's selection) ---------------------------------------

    def pause(self, keys: Iterable[TaskKey]) -> None:
        self._per_session(keys, lambda s, ids: [s.pause(i) for i in ids], starts_work=False)

    def resume(self, keys: Iterable[TaskKey]) -> None:
        keys = list(keys)
        self._per_session(keys, lambda s, ids: [s.resume(i) for i in ids], starts_work=True)
        self.ask_for_credentials(keys)

    def cancel(self, keys: Iterable[TaskKey]) -> None:
        self._per_session(keys, lambda s, ids: [s.cancel(i) for i in ids], starts_work=False)

    def retry(self, keys: Iterable[TaskKey]) -> None:
        """Try failed or cancelled tasks again as they were (same URL, headers, resume data)."""
        keys = list(keys)
        self._per_session(keys, lambda s, ids: [s.retry(i) for i in ids], starts_work=True)
        self.ask_for_credentials(keys)

    def retry_with_current_settings(self, keys: Iterable[TaskKey]) -> None:
        """Try failed or cancelled tasks again with their destination as it is now: a task whose
        destination changed since (URL, protocol, method, headers, credentials...) is removed and
        its file queued again under the same name; an unchanged one is retried as it is."""
        grouped: defaultdict[str, list[int]] = defaultdict(list)
        for session_id, task_id in keys:
            grouped[session_id].append(task_id)
        for session_id, ids in grouped.items():
            self._spawn(self._retry_current(session_id, ids))

    async def _retry_current(self, session_id: str, ids: list[int]) -> None:
        destination = self.destinations.by_session(session_id)
        session = await self._live(session_id, destination)
        if destination is None:
            # No destination to take settings from (a command-line one of an earlier run).
            for task_id in ids:
                if _has_task(session, task_id):
                    session.retry(task_id)
            return
        secrets, _problem = await self._secrets_of(destination)
        target = destination.core_destination(secrets)
        moved: list[TaskSnapshot] = []
        for task_id in ids:
            if not _has_task(session, task_id):
                continue
            task = session.task(task_id)
            if task.state not in (TaskState.FAILED, TaskState.CANCELLED):
                continue
            if same_target(task.destination, target):
                session.retry(task_id)
            else:
                moved.append(task)
        if moved:
            gone = [(session_id, t.task_id) for t in moved]
            session.remove([t.task_id for t in moved])
            self.bridge.forget(gone)
            self.model.remove(gone)
            self.tasks_removed.emit(gone)
            session.upload_files([(t.path, t.relative_name) for t in moved], target)
        self._declined.discard(session_id)
        self._check_credentials(session_id)

    def remove(self, keys: Iterable[TaskKey]) -> None:
        """Forget tasks: running ones stop, and their rows leave the list."""

        def forget(session: UploadSession, ids: list[int]) -> None:
            session.remove(ids)
            gone = [(session.identifier, i) for i in ids]
            self.bridge.forget(gone)
            self.model.remove(gone)
            self.tasks_removed.emit(gone)

        self._per_session(keys, forget, starts_work=False, check_known=False)

    # -- whole-queue commands ---------------------------------------------------------------------

    def pause_all(self) -> None:
        for session_id in self._sessions_with(*_ACTIVE, *_RUNNABLE):
            self._run(session_id, UploadSession.pause_all, starts_work=False)

    def resume_all(self) -> None:
        """Resume paused uploads, and continue the queue of sessions stopped after running uploads.
        Uploads waiting for credentials are asked for again."""
        stopped = self.stopped_sessions
        for session_id in self._sessions_with(TaskState.PAUSED, *_RUNNABLE):
            if session_id in stopped or self.model.count_in_sessions([session_id], TaskState.PAUSED):
                self._run(session_id, UploadSession.resume_all, starts_work=True)
        self.ask_for_credentials(self.model.waiting_keys())

    def cancel_all(self) -> None:
        for session_id in self._sessions_with(*_UNFINISHED):
            self._run(session_id, UploadSession.cancel_all, starts_work=False)

    def retry_failed(self) -> None:
        """Every failed upload again, with its destination's current settings (see
        ``retry_with_current_settings``)."""
        failed = [(t.session_id, t.task_id) for t in self.model.snapshots() if t.state is TaskState.FAILED]
        self.retry_with_current_settings(failed)

    def stop_after_running(self) -> None:
        """Graceful stop: running uploads finish, nothing new starts, queued tasks stay queued (and
        persisted) for a later session with the same identifier."""
        for session_id, session in self.live_sessions.items():
            if session_id not in self._stopping:
                self._stopping.add(session_id)
                session.finish_tasks_and_invalidate()
        self._refresh_stopped()

    def clear_finished(self) -> None:
        """Remove uploaded and cancelled rows from the list (failed ones stay for attention)."""
        done = (TaskState.COMPLETED, TaskState.CANCELLED)
        self.remove([(t.session_id, t.task_id) for t in self.model.snapshots() if t.state in done])

    def refresh_destinations(self) -> None:
        """Destinations were edited: new labels; idle sessions close so their next use picks up
        new settings (concurrency, bandwidth, credentials)."""
        self._labels = {d.session_id: d.label for d in self.destinations.all()}
        self._resolved.clear()
        self.model.refresh_destination_labels()
        if self._closing:
            return
        for session_id, session in self.live_sessions.items():
            idle = not self.model.count_in_sessions([session_id], *_UNFINISHED)
            if idle and session_id not in self._stopping:
                self._spawn(self._close_idle(session_id, session))

    async def _close_idle(self, session_id: str, session: UploadSession) -> None:
        async with self._locks[session_id]:
            if self._sessions.get(session_id) is session:
                del self._sessions[session_id]
                await session.close()

    # -- the machinery ----------------------------------------------------------------------------

    def _label(self, task: TaskSnapshot) -> str:
        return self._labels.get(task.session_id) or _url_label(task.destination.url)

    def _sessions_with(self, *states: TaskState) -> list[str]:
        wanted = set(states)
        return sorted({t.session_id for t in self.model.snapshots() if t.state in wanted})

    def _per_session(
        self,
        keys: Iterable[TaskKey],
        op: Callable[[UploadSession, list[int]], object],
        *,
        starts_work: bool,
        check_known: bool = True,
    ) -> None:
        grouped: defaultdict[str, list[int]] = defaultdict(list)
        for session_id, task_id in keys:
            grouped[session_id].append(task_id)

        def bound(ids: list[int]) -> SessionOp:
            def run(session: UploadSession) -> None:
                known = [i for i in ids if _has_task(session, i)] if check_known else ids
                op(session, known)

            return run

        for session_id, ids in grouped.items():
            self._run(session_id, bound(ids), starts_work=starts_work)

    def _run(self, session_id: str, op: SessionOp, *, starts_work: bool) -> None:
        """Apply ``op`` to the session now if it is live (and, for work-starting commands, not
        stopping); otherwise in a job that first (re-)creates it, live or already stopped."""
        session = self._sessions.get(session_id)
        usable = session is not None and session.is_valid and not self._locks[session_id].locked()
        if usable and (not starts_work or session_id not in self._stopping):
            assert session is not None
            op(session)
            return
        if starts_work:
            self._spawn(self._run_live(session_id, op))
        else:
            self._spawn(self._run_stopped(session_id, op))

    async def _run_live(self, session_id: str, op: SessionOp) -> None:
        op(await self._live(session_id, None))

    async def _run_stopped(self, session_id: str, op: SessionOp) -> None:
        async with self._locks[session_id]:
            session = self._sessions.get(session_id)
            if session is not None and session.is_valid:
                op(session)
                return
            await self._released(session_id)
            session = self.manager.create_session(SessionConfiguration(identifier=session_id), self.bridge)
            # Nothing starts: the session only records what the command changes, then invalidates.
            session.finish_tasks_and_invalidate()
            try:
                op(session)
            finally:
                await session.wait_invalidated()
        self._check_batch()

    async def _live(self, session_id: str, destination: SavedDestination | None) -> UploadSession:
        """The running session for ``session_id``, created (re-attaching its tasks) if need be."""
        async with self._locks[session_id]:
            destination = destination or self.destinations.by_session(session_id)
            session = self._sessions.get(session_id)
            if session is not None and session.is_valid and session_id not in self._stopping:
                if not await self._outdated(session, destination):
                    return session
                # The destination was edited (CA file, limits, credentials) and nothing runs: a
                # new session with the new settings takes over its tasks.
                del self._sessions[session_id]
                await session.close()
            # Stopping after its running uploads, or invalidating: only a new session can start
            # work again, and only once the old one has released the identifier.
            await self._released(session_id)
            if self._closing:
                raise asyncio.CancelledError
            secrets: DestinationSecrets | None = None
            if destination is None:
                configuration = SessionConfiguration(identifier=session_id)
            else:
                secrets, _problem = await self._secrets_of(destination)
                configuration = destination.session_configuration(secrets)
            session = self.manager.create_session(configuration, self.bridge)
            if secrets is not None and secrets.url:
                # Re-attached tasks have the URL without its credentials: these give them back.
                session.supply_secrets(urls=[secrets.url])
            self._sessions[session_id] = session
            self._stopping.discard(session_id)
            self._known.add(session_id)
            self.model.apply_snapshots(session.tasks())
            self._refresh_stopped()
            self.sessions_changed.emit()
            self._check_credentials(session_id)
            return session

    async def _outdated(self, session: UploadSession, destination: SavedDestination | None) -> bool:
        """Whether an idle live session runs with settings its destination no longer has."""
        if destination is None or any(task.state.is_active for task in session.tasks()):
            return False
        secrets, _problem = await self._secrets_of(destination)
        wanted = destination.session_configuration(secrets)
        current = session.configuration
        return current.transfer_settings() != wanted.transfer_settings() or dict(
            current.default_headers
        ) != dict(wanted.default_headers)

    # -- secrets ----------------------------------------------------------------------------------

    async def _secrets_of(self, destination: SavedDestination) -> tuple[DestinationSecrets, str | None]:
        """The destination's secrets (keyring or this run's memory, read in a worker thread) and
        why the keyring could not be read, if so; read once per destination until it is edited."""
        known = self._resolved.get(destination.id)
        if known is None:
            known = await self.destinations.load_secrets(destination)
            self._resolved[destination.id] = known
        return known

    def _check_credentials(self, session_id: str) -> None:
        """Mark the session's tasks that wait for secrets, and ask for them (unless put off)."""
        session = self._sessions.get(session_id)
        if session is None or not session.is_valid:
            return
        missing = session.missing_secrets()
        self.model.set_waiting(session_id, {(session_id, i) for m in missing for i in m.task_ids})
        if not missing or session_id in self._declined:
            return
        destination = self.destinations.by_session(session_id)
        problem = None
        if destination is not None:
            problem = (self._resolved.get(destination.id) or (None, None))[1]
        label = self._labels.get(session_id) or (destination.label if destination else None)
        for group in missing:
            self.credentials_needed.emit(
                CredentialsRequest(
                    session_id=session_id,
                    label=label or _url_label(group.url),
                    url=group.url,
                    names=group.names,
                    task_ids=group.task_ids,
                    destination=destination,
                    problem=problem,
                )
            )

    def ask_for_credentials(self, keys: Iterable[TaskKey]) -> None:
        """Ask again for the secrets these tasks wait for (after "Not now")."""
        sessions = {session_id for session_id, _ in keys}
        for session_id in sorted(sessions):
            self._declined.discard(session_id)
            self._check_credentials(session_id)

    def decline_credentials(self, request: CredentialsRequest) -> None:
        """The user put the request off: its uploads stay queued, waiting."""
        self._declined.add(request.session_id)

    def supply_credentials(self, request: CredentialsRequest, supplied: SuppliedCredentials) -> None:
        """What the user typed for a request: to the waiting tasks now, and, for a saved or
        command-line destination, kept in memory for this run (new uploads to it use them)."""
        destination = request.destination or self.destinations.by_session(request.session_id)
        headers = dict(supplied.headers)
        if destination is not None and supplied.token:
            headers.update(destination.auth_headers(supplied.token))
        for value in DestinationSecrets(token=supplied.token, url=supplied.url, headers=headers).values():
            register_secret(value)
        if destination is not None:
            secrets = DestinationSecrets(token=supplied.token, url=supplied.url, headers=supplied.headers)
            self.destinations.remember_for_session(destination.id, secrets)
            self._resolved.pop(destination.id, None)
        self._declined.discard(request.session_id)
        urls = [supplied.url] if supplied.url else []

        def give(session: UploadSession) -> None:
            session.supply_secrets(headers=headers, urls=urls)
            self._check_credentials(session.identifier)

        self._run(request.session_id, give, starts_work=True)

    def adhoc_changed(self) -> None:
        """The command-line destination was given (again) by a second start: its secrets go to the
        uploads that wait for them, and its transfer settings (rate, concurrency, CA file,
        timeout) apply from now on, to a live session too."""
        destination = self.destinations.adhoc
        self.refresh_destinations()
        if destination is not None and not self._closing:
            self._spawn(self._apply_adhoc(destination))

    async def _apply_adhoc(self, destination: SavedDestination) -> None:
        session_id = destination.session_id
        secrets, _problem = await self._secrets_of(destination)
        wanted = destination.session_configuration(secrets)
        async with self._locks[session_id]:
            session = self._sessions.get(session_id)
            live = session is not None and session.is_valid
            if live and session is not None:
                current = session.configuration
                if current.transfer_settings() != wanted.transfer_settings():
                    # The core applies these when a session is made: a new one takes over the
                    # tasks (running ones continue from where the server is, or start again).
                    del self._sessions[session_id]
                    await session.close()
                    live = False
                else:
                    headers = destination.secret_header_values(secrets)
                    session.supply_secrets(headers=headers, urls=[secrets.url] if secrets.url else [])
        if live:
            self._declined.discard(session_id)
            self._check_credentials(session_id)
        elif session_id in self._known or session is not None:
            await self._live(session_id, destination)

    async def _released(self, session_id: str) -> None:
        old = self.manager.sessions.get(session_id)
        if old is not None:
            await old.wait_invalidated()

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        job = asyncio.ensure_future(coroutine)
        self._jobs.add(job)
        job.add_done_callback(self._job_done)
        return job

    def _job_done(self, job: asyncio.Task[Any]) -> None:
        self._jobs.discard(job)
        if job.cancelled():
            return
        error = job.exception()
        if error is None:
            return
        if isinstance(error, (SkyliftError, SecretStoreUnavailable)):
            self.notice.emit("error", str(error))
        else:
            sys.excepthook(type(error), error, error.__traceback__)

    # -- core events ------------------------------------------------------------------------------

    def _on_events_finished(self, session_id: str) -> None:
        self._check_batch()

    def _check_batch(self) -> None:
        status: BatchStatus | None = self.model.close_batch()
        if status is not None:
            self.batch_finished.emit(status)

    def _on_invalidated(self, session_id: str, error: object) -> None:
        session = self._sessions.get(session_id)
        if session is not None and not session.is_valid:
            del self._sessions[session_id]
        self._stopping.discard(session_id)
        if error:
            text = self.tr("Upload session {session} stopped: {problem}")
            self.notice.emit("error", text.format(session=session_id, problem=error))
        self._refresh_stopped()
        self.sessions_changed.emit()

    def _refresh_stopped(self) -> None:
        self.model.set_stopped_sessions(self.stopped_sessions)
        self._update_activity()

    def _update_activity(self) -> None:
        active = self.has_running_uploads()
        if active != self._active:
            self._active = active
            self.activity_changed.emit(active)


def _secret_names(destination: Destination) -> set[str]:
    names = {k.lower() for k in destination.headers if is_secret_header(k)}
    return names | {n.lower() for n in destination.unstored_secrets if n != URL_CREDENTIALS}


def same_target(task: Destination, current: Destination) -> bool:
    """Whether a task's destination is still the destination's current one: same URL (its
    credentials included, where the task still has them), protocol, method, form, headers."""
    if redact_url(task.url) != redact_url(current.url) or task.options != current.options:
        return False
    if task.url != current.url and URL_CREDENTIALS not in task.unstored_secrets:
        return False
    plain = {k: v for k, v in task.headers.items() if not is_secret_header(k)}
    if plain != {k: v for k, v in current.headers.items() if not is_secret_header(k)}:
        return False
    if _secret_names(task) != _secret_names(current):
        return False
    given = {k.lower(): v for k, v in current.headers.items()}
    return all(given.get(k.lower()) == v for k, v in task.headers.items() if is_secret_header(k))


def _has_task(session: UploadSession, task_id: int) -> bool:
    try:
        session.task(task_id)
    except KeyError:
        return False
    return True


@functools.lru_cache(maxsize=256)
def _url_label(url: str) -> str:
    return describe_url(url)
