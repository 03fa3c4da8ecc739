"""Secrets that were never stored (the command line's, a keyring entry that is gone): the tasks
that need them wait, queued, and the window is asked for them once per session until the user acts
on those uploads again (resume, retry, new files, *Enter credentials…*)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core import UploadSession

from ..credentials import CredentialsRequest, SuppliedCredentials
from ..destinations import DestinationSecrets, DestinationStore
from ..logging_setup import register_secret
from ..queue import TaskKey, UploadTableModel
from .sessions import DestinationSecretsCache, WindowSessions
from .targets import url_label

__all__ = ["CredentialsFlow"]


class CredentialsFlow:
    def __init__(
        self,
        sessions: WindowSessions,
        secrets: DestinationSecretsCache,
        destinations: DestinationStore,
        model: UploadTableModel,
        *,
        label_of: Callable[[str], str | None],
        ask: Callable[[CredentialsRequest], None],
    ) -> None:
        self._sessions = sessions
        self._secrets = secrets
        self._destinations = destinations
        self._model = model
        self._label_of = label_of
        self._ask = ask
        # Sessions whose request the user put off ("Not now").
        self._declined: set[str] = set()

    def check(self, session_id: str) -> None:
        """Mark the session's tasks that wait for secrets, and ask for them (unless put off)."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        missing = session.missing_secrets()
        self._model.set_waiting(session_id, {(session_id, i) for m in missing for i in m.task_ids})
        if not missing or session_id in self._declined:
            return
        destination = self._destinations.by_session(session_id)
        problem = self._secrets.problem(destination) if destination is not None else None
        label = self._label_of(session_id) or (destination.label if destination else None)
        for group in missing:
            self._ask(
                CredentialsRequest(
                    session_id=session_id,
                    label=label or url_label(group.url),
                    url=group.url,
                    names=group.names,
                    task_ids=group.task_ids,
                    destination=destination,
                    problem=problem,
                )
            )

    def ask_again(self, keys: Iterable[TaskKey]) -> None:
        """The user acted on these uploads: ask again for what they wait for."""
        for session_id in sorted({session_id for session_id, _ in keys}):
            self.renew(session_id)

    def renew(self, session_id: str) -> None:
        self._declined.discard(session_id)
        self.check(session_id)

    def decline(self, request: CredentialsRequest) -> None:
        """The user put the request off: its uploads stay queued, waiting."""
        self._declined.add(request.session_id)

    def giver(
        self, request: CredentialsRequest, supplied: SuppliedCredentials
    ) -> Callable[[UploadSession], None]:
        """What the user typed for a request, as a command for its session: the waiting tasks get
        it, and a saved or command-line destination keeps it in memory for this run (new uploads
        to it use it too)."""
        destination = request.destination or self._destinations.by_session(request.session_id)
        headers = dict(supplied.headers)
        if destination is not None and supplied.token:
            headers.update(destination.auth_headers(supplied.token))
        for value in DestinationSecrets(token=supplied.token, url=supplied.url, headers=headers).values():
            register_secret(value)
        if destination is not None:
            secrets = DestinationSecrets(token=supplied.token, url=supplied.url, headers=supplied.headers)
            self._destinations.remember_for_session(destination.id, secrets)
            self._secrets.forget(destination.id)
        self._declined.discard(request.session_id)
        urls = [supplied.url] if supplied.url else []

        def give(session: UploadSession) -> None:
            session.supply_secrets(headers=headers, urls=urls)
            self.check(session.identifier)

        return give
