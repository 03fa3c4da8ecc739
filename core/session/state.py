"""What a session keeps per task, the session's own state, and what tasks wait for."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass

from ..configuration import URL_CREDENTIALS, Destination
from ..errors import UploadError
from ..task import TaskSnapshot

__all__ = ["MissingSecrets", "SessionState", "TaskRecord", "with_secrets"]


class SessionState(enum.StrEnum):
    """URLSession's suspend/resume applied to the queue, and its invalidation."""

    # Tasks start as slots free up.
    RUNNING = "running"
    # Running tasks go on; nothing new starts, except tasks the user resumes or retries one by one.
    # Every command on held tasks works. ``run()`` continues.
    HELD = "held"
    # Finishing what it must (graceful stop, cancel-now, app exit) before it closes.
    CLOSING = "closing"
    # Its connections and identifier are released; it takes no more work.
    CLOSED = "closed"


@dataclass(eq=False)
class TaskRecord:
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


@dataclass(frozen=True)
class MissingSecrets:
    """Tasks that wait for secrets their destination had but that were not stored."""

    # The destination URL, redacted.
    url: str
    # Secret header names, and URL_CREDENTIALS when the URL's own credentials are missing.
    names: tuple[str, ...]
    task_ids: tuple[int, ...]


def with_secrets(
    destination: Destination, headers: Mapping[str, tuple[str, str]], urls: Mapping[str, str]
) -> Destination:
    """``destination`` with what ``headers`` (lower-case name -> (name, value)) and ``urls``
    (redacted -> full) give back; the same object if they give nothing."""
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
    return destination.replace(url=url, headers=new_headers, unstored_secrets=frozenset(remaining))
