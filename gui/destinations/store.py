"""The saved destinations (the settings file) and their secrets (the keyring, or this run's memory).

The secrets reach the wire through the destination's *session*: its ``default_headers`` (never
persisted by the core) and the full URL given to ``core_destination``. A task names the secrets it
used (the core stores the names, never the values), so after a restart a task whose secrets cannot
be found waits for them (``UploadSession.missing_secrets``) instead of going without.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PySide6.QtCore import QCoreApplication

from ..logging_setup import register_secret
from ..settings import AppSettings
from .keyring_access import SecretStoreUnavailable, read_secrets, write_secrets
from .model import ADHOC_ID, SavedDestination
from .secrets import DestinationSecrets, SecretChange

__all__ = ["DestinationStore"]


class DestinationStore:
    """The saved destinations (settings file) and their secrets (keyring, or this run's memory).
    Secrets are read and written by the async methods only: the keyring is called in a worker
    thread (``keyring_access``), never on the GUI thread."""

    def __init__(self, settings: AppSettings) -> None:
        self._settings = settings
        self._adhoc: SavedDestination | None = None
        # Secrets kept for this run only, by destination id: no usable keyring (the user chose
        # so), the command line's, typed when uploads asked for them. Never written anywhere.
        self._session_secrets: dict[str, DestinationSecrets] = {}

    # -- destinations -------------------------------------------------------------------------------

    def saved(self) -> list[SavedDestination]:
        result = []
        for data in self._settings.destinations:
            try:
                destination = SavedDestination.from_json(data)
            except (KeyError, ValueError, TypeError):
                continue  # a hand-edited entry that makes no sense: skip it rather than fail start-up
            if destination.holds_plaintext_secrets:
                # Written by an older version: used sanitised; migrate_plaintext_secrets moves
                # the values to the keyring and rewrites the file.
                destination, found = destination.sanitized()
                self._session_secrets[destination.id] = self._session_secrets.get(
                    destination.id, DestinationSecrets()
                ).over(found)
            result.append(destination)
        return result

    def all(self) -> list[SavedDestination]:
        """The ad-hoc destination (if any) first, then the saved ones."""
        return ([self._adhoc] if self._adhoc else []) + self.saved()

    @property
    def adhoc(self) -> SavedDestination | None:
        return self._adhoc

    def set_adhoc(
        self, destination: SavedDestination | None, secrets: DestinationSecrets | None = None
    ) -> None:
        """The command line's destination (sanitised) and its secrets, kept for this run only."""
        if destination is not None and destination.holds_plaintext_secrets:
            destination, found = destination.sanitized()
            secrets = found.over(secrets or DestinationSecrets())
        self._adhoc = destination
        self._session_secrets.pop(ADHOC_ID, None)
        if destination is not None and secrets is not None and not secrets.is_empty:
            for value in secrets.values():
                register_secret(value)
            self._session_secrets[ADHOC_ID] = secrets

    def get(self, destination_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.id == destination_id), None)

    def by_session(self, session_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.session_id == session_id), None)

    def save(self, destinations: list[SavedDestination]) -> None:
        self._settings.destinations = [d.to_json() for d in destinations if not d.adhoc]
        self._settings.sync()

    @property
    def last_used(self) -> str | None:
        return self._settings.last_destination

    @last_used.setter
    def last_used(self, destination_id: str | None) -> None:
        self._settings.last_destination = destination_id

    # -- secrets ------------------------------------------------------------------------------------

    def has_session_secrets(self, destination_id: str) -> bool:
        return destination_id in self._session_secrets

    def remember_for_session(self, destination_id: str, secrets: DestinationSecrets) -> None:
        """Keep ``secrets`` (over what is kept already) in memory until the app quits."""
        for value in secrets.values():
            register_secret(value)
        kept = self._session_secrets.get(destination_id, DestinationSecrets())
        self._session_secrets[destination_id] = secrets.over(kept)

    async def load_secrets(self, destination: SavedDestination) -> tuple[DestinationSecrets, str | None]:
        """The destination's secrets (this run's memory over the keyring), and why the keyring
        could not be read, if it could not. Never raises for the keyring: what is missing shows
        as missing (``SavedDestination.missing_secrets``) and the uploads wait for it."""
        secrets = DestinationSecrets()
        problem = None
        if destination.in_keyring and not destination.adhoc:
            try:
                secrets = await read_secrets(destination.id)
            except SecretStoreUnavailable as error:
                problem = str(error)
        kept = self._session_secrets.get(destination.id)
        if kept is not None:
            secrets = kept.over(secrets)
        for value in secrets.values():
            register_secret(value)
        return secrets, problem

    async def store_secrets(
        self, changes: Mapping[str, SecretChange], *, session_only: bool = False
    ) -> dict[str, bool]:
        """Apply edits to destinations' secrets: in the keyring (raises ``SecretStoreUnavailable``
        if it cannot be used), or with ``session_only`` in memory for this run. Returns, by
        destination id, whether the keyring holds its secrets now."""
        in_keyring: dict[str, bool] = {}
        for destination_id, change in changes.items():
            stored = DestinationSecrets()
            try:
                stored = await read_secrets(destination_id)
            except SecretStoreUnavailable:
                if not session_only:
                    raise
            kept = self._session_secrets.get(destination_id)
            if kept is not None:
                stored = kept.over(stored)
            updated = change.apply(stored)
            for value in updated.values():
                register_secret(value)
            if session_only:
                if updated.is_empty:
                    self._session_secrets.pop(destination_id, None)
                else:
                    self._session_secrets[destination_id] = updated
                in_keyring[destination_id] = False
            else:
                await write_secrets(destination_id, updated)
                self._session_secrets.pop(destination_id, None)
                in_keyring[destination_id] = not updated.is_empty
        return in_keyring

    async def migrate_plaintext_secrets(self) -> str | None:
        """Settings written by an older version may hold credentials in plain text (a URL with a
        password, secret headers). Move them to the keyring (or, without one, keep them in memory
        for this run) and rewrite the settings file without them. Returns a notice, or None."""
        moved: list[str] = []
        for data in self._settings.destinations:
            try:
                if SavedDestination.from_json(data).holds_plaintext_secrets:
                    moved.append(str(data.get("name") or data.get("id")))
            except (KeyError, ValueError, TypeError):
                continue
        if not moved:
            return None
        destinations = self.saved()  # sanitised; the values found are in this run's memory
        changes = {}
        for destination in destinations:
            found = self._session_secrets.get(destination.id)
            if found is not None:
                changes[destination.id] = SecretChange(
                    url=found.url or None,
                    headers={**{n: None for n in destination.secret_headers}, **found.headers},
                )
        try:
            kept = await self.store_secrets(changes)
            where = QCoreApplication.translate("DestinationsDialog", "They are in the system keyring now.")
        except SecretStoreUnavailable as error:
            kept = {}  # what the keyring held before (a token) may still be read another time
            where = QCoreApplication.translate(
                "DestinationsDialog",
                "The keyring cannot be used ({problem}), so they are kept for this session only: "
                "after a restart, uploads that need them wait until you enter them again.",
            ).format(problem=error)
        self.save([replace(d, in_keyring=kept.get(d.id, d.in_keyring)) for d in destinations])
        text = QCoreApplication.translate(
            "DestinationsDialog",
            "The settings file held credentials in plain text (destinations: {names}); they were "
            "removed from it. {where}",
        )
        return text.format(names=", ".join(moved), where=where)
