"""Secrets a task's destination had that were never stored: which tasks wait for them, and
giving them back."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from ..configuration import URL_CREDENTIALS, Destination
from ..redaction import redact_url
from .scheduling import TaskScheduling
from .state import MissingSecrets, with_secrets

__all__ = ["SessionSecrets"]


class SessionSecrets(TaskScheduling):
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
                renewed = with_secrets(destination, by_name, by_redacted)
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
