"""Upload tasks: their states and the immutable snapshots handed to delegates and views."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .configuration import Destination

__all__ = ["TaskSnapshot", "TaskState"]


class TaskState(enum.StrEnum):
    QUEUED = "queued"
    # Found running at start-up (the app was killed or quit mid-upload); queued again.
    INTERRUPTED = "interrupted"
    UPLOADING = "uploading"
    # Every byte is sent; waiting for the server's response.
    PROCESSING = "processing"
    RETRY_WAIT = "retrying"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL

    @property
    def is_runnable(self) -> bool:
        """Waiting for a free slot."""
        return self in (TaskState.QUEUED, TaskState.INTERRUPTED)

    @property
    def is_active(self) -> bool:
        """Holding a slot: an attempt is running or about to."""
        return self in (TaskState.UPLOADING, TaskState.PROCESSING, TaskState.RETRY_WAIT)

    @property
    def is_retryable(self) -> bool:
        """Ended without the file arriving: ``retry`` queues it again."""
        return self in (TaskState.FAILED, TaskState.CANCELLED)


_FINAL = frozenset({TaskState.COMPLETED, TaskState.FAILED, TaskState.CANCELLED})


@dataclass(frozen=True, kw_only=True)
class TaskSnapshot:
    """What a task looks like at one moment; cheap to copy, safe to keep."""

    task_id: int
    session_id: str
    path: Path
    # Name on the server: the path relative to a dropped folder, or the file name.
    relative_name: str
    destination: Destination
    state: TaskState
    total_bytes: int
    bytes_sent: int = 0
    # Bytes the server is known to hold (resumable protocols); 0 for multipart/raw until done.
    bytes_confirmed: int = 0
    attempts: int = 0
    # Wall-clock time of the next attempt while state is RETRY_WAIT.
    retry_at: float | None = None
    # The next attempt sends from byte 0 (a paused or interrupted non-resumable upload).
    restarts_from_zero: bool = False
    http_status: int | None = None
    response_text: str | None = None
    error: str | None = None
    # A resumable protocol's own state (e.g. the tus upload URL), persisted with the task.
    resume_data: Mapping[str, Any] | None = None
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None

    def evolve(self, **changes: object) -> TaskSnapshot:
        # Not dataclasses.replace(): it re-runs __init__ field by field, 5x slower, and a task evolves
        # several times per upload. There is no __post_init__, so copying the fields is exact.
        if not changes.keys() <= _FIELD_NAMES:
            unknown = ", ".join(sorted(changes.keys() - _FIELD_NAMES))
            raise TypeError(f"TaskSnapshot has no field {unknown}")
        snapshot = object.__new__(type(self))
        values = snapshot.__dict__
        values.update(self.__dict__)
        values.update(changes)
        return snapshot


_FIELD_NAMES = frozenset(field.name for field in fields(TaskSnapshot))
