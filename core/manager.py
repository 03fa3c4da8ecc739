"""SessionManager: the sessions of one process, side by side, keyed by identifier."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from .batch import BatchTracker
from .configuration import SessionConfiguration
from .delegate import SessionDelegate
from .errors import SessionIdentifierInUse
from .locking import SessionLock
from .paths import default_state_dir
from .session import UploadSession
from .store import StoredTasks, TaskStore

__all__ = ["SessionManager"]


class SessionManager:
    """Owns the state database and the live sessions. Create sessions on the running event loop."""

    def __init__(self, state_dir: Path | None = None, *, busy_timeout: float = 10.0) -> None:
        """``busy_timeout``: how long a write waits for a database locked by another program
        before it counts as failed (and is retried)."""
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.store = TaskStore(self.state_dir, busy_timeout=busy_timeout)
        # The only registry of live sessions (by identifier), and those being opened.
        self._sessions: dict[str, UploadSession] = {}
        self._opening: set[str] = set()
        # The batch across every session (see core.batch).
        self.batch = BatchTracker()

    @property
    def recovery_notice(self) -> str | None:
        """Set when a corrupt state database was moved aside at start-up, or when it was written
        by a newer Skylift."""
        return self.store.recovery_notice

    def watch_store(self, callback: Callable[[str | None], None]) -> None:
        """``callback(problem)`` on the running loop whenever saving the queue fails (the store
        keeps retrying), and ``callback(None)`` when it works again."""
        loop = asyncio.get_running_loop()

        def forward(problem: str | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody to tell
                loop.call_soon_threadsafe(callback, problem)

        self.store.add_problem_listener(forward)

    @property
    def sessions(self) -> dict[str, UploadSession]:
        return dict(self._sessions)

    def stored_configuration(self, identifier: str, **given: object) -> SessionConfiguration:
        """The configuration a session last ran with (its transfer settings, never its headers),
        with ``given`` values that are not None winning: what ``resume`` continues with."""
        return SessionConfiguration.from_settings(
            identifier, self.store.session_settings(identifier), **given
        )

    def persisted_session_ids(self) -> list[str]:
        return self.store.session_ids()

    async def open_session(
        self,
        configuration: SessionConfiguration,
        delegate: SessionDelegate | None = None,
        *,
        held: bool = False,
    ) -> UploadSession:
        """A new live session; with the identifier of an earlier run it re-attaches to that run's
        unfinished tasks, which continue at once (or, ``held``, wait for ``run()``). The tasks are
        read in a worker thread: a queue of 10,000 never stalls the loop. Raises
        ``SessionIdentifierInUse``."""
        with self._claimed(configuration.identifier) as lock:
            stored = await asyncio.to_thread(self.store.load, configuration.identifier)
            return self._register(configuration, delegate, lock, stored, held=held)

    def create_session(
        self, configuration: SessionConfiguration, delegate: SessionDelegate | None = None
    ) -> UploadSession:
        """``open_session`` for scripts and tests: the same, but the tasks are read right here,
        on the loop."""
        with self._claimed(configuration.identifier) as lock:
            return self._register(configuration, delegate, lock, None)

    @contextlib.contextmanager
    def _claimed(self, identifier: str) -> Iterator[SessionLock]:
        """The identifier, held in this process (and its lock file across processes) while a
        session is made; given back if making it fails."""
        if identifier in self._sessions or identifier in self._opening:
            raise SessionIdentifierInUse(identifier)
        self._opening.add(identifier)
        try:
            lock = SessionLock.acquire(self.state_dir / "sessions", identifier)
            try:
                yield lock
            except BaseException:
                lock.release()
                raise
        finally:
            self._opening.discard(identifier)

    def _register(
        self,
        configuration: SessionConfiguration,
        delegate: SessionDelegate | None,
        lock: SessionLock,
        stored: StoredTasks | None,
        *,
        held: bool = False,
    ) -> UploadSession:
        session = UploadSession(
            configuration,
            delegate=delegate,
            store=self.store,
            lock=lock,
            on_invalidated=self._forget,
            stored=stored,
        )
        self._sessions[session.identifier] = session
        session.add_observer(self.batch)
        if held:
            # Before the loop runs the session's first pump: nothing re-attached starts.
            session.hold()
        self.batch.track(session.tasks())
        return session

    def _forget(self, session: UploadSession) -> None:
        if self._sessions.get(session.identifier) is session:
            del self._sessions[session.identifier]

    async def close(self) -> str | None:
        """Stop every session (running uploads are recorded as interrupted) and close the store.
        Returns None, or a line saying what could not be saved."""
        await asyncio.gather(*(s.close() for s in list(self._sessions.values())))
        return await asyncio.to_thread(self.store.close)
