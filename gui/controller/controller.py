"""UploadController: the window's commands on the core's sessions, and the model that shows them.

A destination's concurrency, bandwidth limit, CA file and credentials are session settings in the
core, so there is one session per destination (``gui.controller.sessions``); the credentials
travel as the session's default headers, which the core never persists.

Sessions are held, not thrown away: "Stop after running uploads" holds every running session
(running uploads finish, nothing new starts, commands on held tasks work: a row resumed or retried
by hand starts alone), "Resume all" runs them again. A session that is not open (only finished
history of an earlier run) opens when a command needs it, off the loop.

Every command method returns at once; work that has to wait (a folder walk, the keyring, a session
being opened) runs in an asyncio task held in ``_jobs``, whose failures reach the user as a
``notice`` or, if unexpected, ``sys.excepthook``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from core import SessionManager, SkyliftError, TaskSnapshot, TaskState, UploadSession

from ..batch import QueueStatusSource
from ..bridge import SessionBridge
from ..credentials import CredentialsRequest, SuppliedCredentials
from ..destinations import DestinationStore, SavedDestination, SecretStoreUnavailable, is_gui_session
from ..queue import TaskKey, UploadTableModel
from ..walker import CollectedFiles, collect_files, skipped_notice
from .commands import each_known, grouped, has_task
from .credentials_flow import CredentialsFlow
from .sessions import DestinationSecretsCache, WindowSessions
from .targets import same_target, url_label

__all__ = ["UploadController"]

log = logging.getLogger(__name__)

# Files queued per loop turn when a big drop is added (about 10 ms of work on this machine).
_QUEUE_SLICE = 1000

SessionOp = Callable[[UploadSession], object]


class UploadController(QObject):
    # ("info" | "warning" | "error", text): something the user should read.
    notice = Signal(str, str)
    # Sessions were opened, held, run again or closed.
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
        self._secrets = DestinationSecretsCache(destinations)
        self.sessions = WindowSessions(
            manager, self.bridge, destinations, self._secrets, on_opened=self._opened
        )
        self.credentials = CredentialsFlow(
            self.sessions,
            self._secrets,
            destinations,
            self.model,
            label_of=self._labels.get,
            ask=self.credentials_needed.emit,
        )
        # The open batch and the queue's counts, for the status bar, the title and the tray.
        self.status = QueueStatusSource(manager.batch, self.model, self.sessions.held, parent=self)
        self._jobs: set[asyncio.Task[Any]] = set()
        self.bridge.tasks_changed.connect(self.model.apply_snapshots)
        self.bridge.progress_flushed.connect(self.model.apply_progress)
        self.bridge.progress_flushed.connect(self.status.refresh)
        self.bridge.session_state_changed.connect(self._session_state_changed)
        self.bridge.session_invalidated.connect(self._on_invalidated)
        self.refresh_destinations()

    # -- queries ----------------------------------------------------------------------------------

    @property
    def held_sessions(self) -> set[str]:
        """Sessions whose queued rows wait for "Resume all"."""
        return self.sessions.held()

    def has_running_uploads(self) -> bool:
        """Uploads are running or will start by themselves (queued in a running session)."""
        self.status.refresh()
        status = self.status.status
        return bool(status.active or status.waiting)

    def can_resume(self) -> bool:
        status = self.status.status
        return bool(status.paused or status.held)

    def can_stop_after_running(self) -> bool:
        status = self.status.status
        return bool(self.sessions.running()) and bool(status.active or status.waiting)

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
        unfinished = await asyncio.to_thread(store.unfinished_session_ids)
        # Each session's tasks are read once, in the store's thread: by opening the session (it
        # re-attaches the unfinished ones, which continue; those whose secrets cannot be found
        # again wait for them) or, for finished history, to show them.
        for session_id in sorted(filter(is_gui_session, session_ids)):
            if session_id in unfinished:
                await self.sessions.open(session_id)
            else:
                self.model.apply_snapshots(await asyncio.to_thread(store.load_session, session_id))
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
        self.sessions.closing = True
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
        queued: list[TaskSnapshot] = []
        secrets, _problem = await self._secrets.of(destination)
        target = destination.core_destination(secrets)
        # A huge drop is queued in slices, yielding to the loop between them, so that stat-ing and
        # recording 10,000 files never holds the window for longer than a frame or two. (A file
        # that became unreadable since the walk comes back as a failed task with its reason.)
        for start in range(0, len(collected.files), _QUEUE_SLICE):
            session = await self.sessions.open(destination.session_id, destination)
            # New files to a stopped queue start it again, as they did before holds existed.
            session.run()
            queued += session.upload_files(collected.files[start : start + _QUEUE_SLICE], target)
            await asyncio.sleep(0)
        self._report_problems(collected)
        self.files_queued.emit(destination.label, len(queued))
        self.credentials.renew(destination.session_id)
        return queued

    def _report_problems(self, collected: CollectedFiles) -> None:
        notice = skipped_notice(collected)
        if notice:
            self.notice.emit("warning", notice)

    # -- per-task commands (keys from the view's selection) ---------------------------------------

    def pause(self, keys: Iterable[TaskKey]) -> None:
        self._each(keys, UploadSession.pause)

    def resume(self, keys: Iterable[TaskKey]) -> None:
        """Paused rows queue again; queued rows of a held session start, alone."""
        keys = list(keys)
        self._each(keys, UploadSession.resume)
        self.credentials.ask_again(keys)

    def cancel(self, keys: Iterable[TaskKey]) -> None:
        self._each(keys, UploadSession.cancel)

    def retry(self, keys: Iterable[TaskKey]) -> None:
        """Try failed or cancelled tasks again as they were (same URL, headers, resume data)."""
        keys = list(keys)
        self._each(keys, UploadSession.retry)
        self.credentials.ask_again(keys)

    def retry_with_current_settings(self, keys: Iterable[TaskKey]) -> None:
        """Try failed or cancelled tasks again with their destination as it is now: a task whose
        destination changed since (URL, protocol, method, headers, credentials...) is removed and
        its file queued again under the same name; an unchanged one is retried as it is."""
        for session_id, ids in grouped(keys).items():
            self._spawn(self._retry_current(session_id, ids))

    async def _retry_current(self, session_id: str, ids: list[int]) -> None:
        destination = self.destinations.by_session(session_id)
        session = await self.sessions.open(session_id, destination)
        known = [i for i in ids if has_task(session, i)]
        if destination is None:
            # No destination to take settings from (a command-line one of an earlier run).
            for task_id in known:
                session.retry(task_id)
            return
        secrets, _problem = await self._secrets.of(destination)
        target = destination.core_destination(secrets)
        moved: list[TaskSnapshot] = []
        for task_id in known:
            task = session.task(task_id)
            if not task.state.is_retryable:
                continue
            if same_target(task.destination, target):
                session.retry(task_id)
            else:
                moved.append(task)
        if moved:
            self._forget(session, [t.task_id for t in moved])
            session.upload_files([(t.path, t.relative_name) for t in moved], target)
        self.credentials.renew(session_id)

    def remove(self, keys: Iterable[TaskKey]) -> None:
        """Forget tasks: running ones stop, and their rows leave the list."""
        for session_id, ids in grouped(keys).items():
            self._on_session(session_id, functools.partial(self._forget, ids=ids))

    def _forget(self, session: UploadSession, ids: list[int]) -> None:
        session.remove(ids)
        gone = [(session.identifier, i) for i in ids]
        self.bridge.forget(gone)
        self.model.remove(gone)
        self.tasks_removed.emit(gone)

    # -- whole-queue commands ---------------------------------------------------------------------

    def pause_all(self) -> None:
        for session_id in self._sessions_with(_moving):
            self._on_session(session_id, UploadSession.pause_all)

    def resume_all(self) -> None:
        """Resume paused uploads, and run the queues held by "Stop after running uploads".
        Uploads waiting for credentials are asked for again."""
        for session_id in set(self._sessions_with(_paused)) | self.sessions.held():
            self._on_session(session_id, UploadSession.resume_all)
        self.credentials.ask_again(self.model.waiting_keys())

    def cancel_all(self) -> None:
        for session_id in self._sessions_with(_unfinished):
            self._on_session(session_id, UploadSession.cancel_all)

    def retry_failed(self) -> None:
        """Every failed upload again, with its destination's current settings (see
        ``retry_with_current_settings``)."""
        failed = [(t.session_id, t.task_id) for t in self.model.snapshots() if t.state is TaskState.FAILED]
        self.retry_with_current_settings(failed)

    def stop_after_running(self) -> None:
        """Graceful stop: running uploads finish, nothing new starts, queued tasks stay queued (and
        persisted) until "Resume all"."""
        for session_id in self.sessions.running():
            session = self.sessions.get(session_id)
            if session is not None:
                session.hold()

    def clear_finished(self) -> None:
        """Remove uploaded and cancelled rows from the list (failed ones stay for attention)."""
        done = (TaskState.COMPLETED, TaskState.CANCELLED)
        self.remove([(t.session_id, t.task_id) for t in self.model.snapshots() if t.state in done])

    def refresh_destinations(self) -> None:
        """Destinations were edited: new labels; idle sessions whose settings changed close, so
        that their next use picks up the new ones (concurrency, bandwidth, credentials)."""
        self._labels.clear()
        self._labels.update({d.session_id: d.label for d in self.destinations.all()})
        self._secrets.forget()
        self.model.refresh_destination_labels()
        if self.sessions.closing:
            return
        for session_id in self.sessions.open_ids():
            self._spawn(self.sessions.close_if_outdated(session_id))

    # -- credentials ------------------------------------------------------------------------------

    def ask_for_credentials(self, keys: Iterable[TaskKey]) -> None:
        """Ask again for the secrets these tasks wait for (after "Not now")."""
        self.credentials.ask_again(keys)

    def decline_credentials(self, request: CredentialsRequest) -> None:
        self.credentials.decline(request)

    def supply_credentials(self, request: CredentialsRequest, supplied: SuppliedCredentials) -> None:
        self._on_session(request.session_id, self.credentials.giver(request, supplied))

    def adhoc_changed(self) -> None:
        """The command-line destination was given (again) by a second start: its secrets go to the
        uploads that wait for them, and its transfer settings (rate, concurrency, CA file,
        timeout) apply from now on, to an open session too."""
        destination = self.destinations.adhoc
        self.refresh_destinations()
        if destination is not None and not self.sessions.closing:
            self._spawn(self._apply_adhoc(destination))

    async def _apply_adhoc(self, destination: SavedDestination) -> None:
        session_id = destination.session_id
        if await self.sessions.apply_settings(destination) is not None:
            self.credentials.renew(session_id)
        elif any(t.session_id == session_id and not t.state.is_final for t in self.model.snapshots()):
            # Not open (closed meanwhile), with work left: opened with the settings just given.
            await self.sessions.open(session_id, destination)
            self.credentials.renew(session_id)

    # -- the machinery ----------------------------------------------------------------------------

    def _label(self, task: TaskSnapshot) -> str:
        return self._labels.get(task.session_id) or url_label(task.destination.url)

    def _sessions_with(self, predicate: Callable[[TaskState], bool]) -> list[str]:
        return sorted({t.session_id for t in self.model.snapshots() if predicate(t.state)})

    def _each(self, keys: Iterable[TaskKey], command: Callable[[UploadSession, int], object]) -> None:
        for session_id, ids in grouped(keys).items():
            self._on_session(session_id, functools.partial(each_known, command, ids))

    def _on_session(self, session_id: str, op: SessionOp) -> None:
        """Apply ``op`` now if the session is open (running or held), otherwise once it is open."""
        session = self.sessions.usable(session_id)
        if session is not None:
            op(session)
            return
        self._spawn(self._open_then(session_id, op))

    async def _open_then(self, session_id: str, op: SessionOp) -> None:
        op(await self.sessions.open(session_id))

    def _opened(self, session: UploadSession) -> None:
        self.model.apply_snapshots(session.tasks())
        self.sessions_changed.emit()
        self.credentials.check(session.identifier)

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

    def _session_state_changed(self, session_id: str, _state: str) -> None:
        self.model.set_held_sessions(self.sessions.held())
        self.status.schedule()
        self.sessions_changed.emit()

    def _on_invalidated(self, session_id: str, error: object) -> None:
        if error:
            text = self.tr("Upload session {session} stopped: {problem}")
            self.notice.emit("error", text.format(session=session_id, problem=error))
        self._session_state_changed(session_id, "closed")


def _moving(state: TaskState) -> bool:
    return state.is_active or state.is_runnable


def _paused(state: TaskState) -> bool:
    return state is TaskState.PAUSED


def _unfinished(state: TaskState) -> bool:
    return not state.is_final
