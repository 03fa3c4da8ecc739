"""The window's upload sessions, as the core's manager holds them.

One session per destination (identifier ``gui-<destination id>``; ``gui-cli-<digest>`` per URL for
command-line destinations; ``gui`` for older runs' ad-hoc uploads). The manager is the only
registry: this module keeps no list of sessions, only a lock per identifier so that two commands
never open the same one at once, and the secrets read for each destination.

A session is opened when a command needs it (off the loop: ``SessionManager.open_session`` reads
its tasks in the store's thread) and stays open, running or held, until the app quits. An idle
session whose destination was edited (CA file, limits, credentials) is closed and opened again with
the new settings; a held one opens held again.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable

from core import SessionConfiguration, SessionManager, SessionState, UploadSession

from ..bridge import SessionBridge
from ..destinations import DestinationSecrets, DestinationStore, SavedDestination

__all__ = ["DestinationSecretsCache", "WindowSessions"]


class DestinationSecretsCache:
    """Each destination's secrets (keyring or this run's memory, read in a worker thread) and why
    the keyring could not be read, if so; read once per destination until it is edited."""

    def __init__(self, destinations: DestinationStore) -> None:
        self._destinations = destinations
        self._known: dict[str, tuple[DestinationSecrets, str | None]] = {}

    async def of(self, destination: SavedDestination) -> tuple[DestinationSecrets, str | None]:
        known = self._known.get(destination.id)
        if known is None:
            known = await self._destinations.load_secrets(destination)
            self._known[destination.id] = known
        return known

    def problem(self, destination: SavedDestination) -> str | None:
        known = self._known.get(destination.id)
        return known[1] if known else None

    def forget(self, destination_id: str | None = None) -> None:
        if destination_id is None:
            self._known.clear()
        else:
            self._known.pop(destination_id, None)


class WindowSessions:
    """Opens, re-opens and looks up the window's sessions in the manager."""

    def __init__(
        self,
        manager: SessionManager,
        bridge: SessionBridge,
        destinations: DestinationStore,
        secrets: DestinationSecretsCache,
        *,
        on_opened: Callable[[UploadSession], None],
    ) -> None:
        self._manager = manager
        self._bridge = bridge
        self._destinations = destinations
        self._secrets = secrets
        self._on_opened = on_opened
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.closing = False

    def get(self, session_id: str) -> UploadSession | None:
        """The open session (running or held), if any."""
        session = self._manager.sessions.get(session_id)
        if session is None or session.state not in (SessionState.RUNNING, SessionState.HELD):
            return None
        return session

    def usable(self, session_id: str) -> UploadSession | None:
        """``get``, unless a command is opening or re-opening it right now."""
        return None if self._locks[session_id].locked() else self.get(session_id)

    def open_ids(self) -> set[str]:
        return {sid for sid in self._manager.sessions if self.get(sid) is not None}

    def held(self) -> set[str]:
        return {sid for sid, s in self._manager.sessions.items() if s.state is SessionState.HELD}

    def running(self) -> set[str]:
        return {sid for sid, s in self._manager.sessions.items() if s.state is SessionState.RUNNING}

    async def open(
        self, session_id: str, destination: SavedDestination | None = None, *, held: bool = False
    ) -> UploadSession:
        """The open session for ``session_id`` (its tasks re-attached): as it is if its settings
        are current, otherwise opened anew with its destination's settings (``held`` for a new one
        that must not start anything it re-attaches)."""
        async with self._locks[session_id]:
            destination = destination or self._destinations.by_session(session_id)
            session = self.get(session_id)
            if session is not None:
                if not await self._outdated(session, destination):
                    return session
                held = session.state is SessionState.HELD
                await session.close()
            await self._released(session_id)
            if self.closing:
                raise asyncio.CancelledError
            return await self._open(session_id, destination, held=held)

    async def apply_settings(self, destination: SavedDestination) -> UploadSession | None:
        """A destination given again (a second start's command line): its transfer settings apply
        from now on, to an open session too, which is re-opened with them (running uploads go on
        from where the server is); its secrets go to the tasks that wait for them."""
        session_id = destination.session_id
        secrets, _problem = await self._secrets.of(destination)
        wanted = destination.session_configuration(secrets)
        async with self._locks[session_id]:
            session = self.get(session_id)
            if session is None:
                return None
            if session.configuration.transfer_settings() == wanted.transfer_settings():
                headers = destination.secret_header_values(secrets)
                session.supply_secrets(headers=headers, urls=[secrets.url] if secrets.url else [])
                return session
            held = session.state is SessionState.HELD
            await session.close()
            await self._released(session_id)
            return await self._open(session_id, destination, held=held)

    async def close_if_outdated(self, session_id: str) -> None:
        """After an edit: a session with nothing left to do whose settings changed closes (it opens
        again, with the new ones, when a command needs it). One with queued or paused tasks stays
        open; the next command that needs it re-opens it with the new settings (``open``)."""
        async with self._locks[session_id]:
            session = self.get(session_id)
            destination = self._destinations.by_session(session_id)
            if session is None or any(not task.state.is_final for task in session.tasks()):
                return
            if await self._outdated(session, destination):
                await session.close()

    async def _open(
        self, session_id: str, destination: SavedDestination | None, *, held: bool
    ) -> UploadSession:
        secrets: DestinationSecrets | None = None
        if destination is None:
            configuration = SessionConfiguration(identifier=session_id)
        else:
            secrets, _problem = await self._secrets.of(destination)
            configuration = destination.session_configuration(secrets)
        session = await self._manager.open_session(configuration, self._bridge, held=held)
        if secrets is not None and secrets.url:
            # Re-attached tasks have the URL without its credentials: these give them back.
            session.supply_secrets(urls=[secrets.url])
        self._on_opened(session)
        return session

    async def _outdated(self, session: UploadSession, destination: SavedDestination | None) -> bool:
        """Whether an idle session runs with settings its destination no longer has."""
        if destination is None or any(task.state.is_active for task in session.tasks()):
            return False
        secrets, _problem = await self._secrets.of(destination)
        wanted = destination.session_configuration(secrets)
        current = session.configuration
        return current.transfer_settings() != wanted.transfer_settings() or dict(
            current.default_headers
        ) != dict(wanted.default_headers)

    async def _released(self, session_id: str) -> None:
        old = self._manager.sessions.get(session_id)
        if old is not None:
            await old.wait_invalidated()
