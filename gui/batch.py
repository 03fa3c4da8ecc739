"""The batch status: one value that the status bar, the tray and the batch-finished handlers read.

``UploadTableModel.batch_status()`` keeps it up to date incrementally; ``BatchStatus.from_tasks``
computes it from a list of snapshots (the tray's tests, one-off callers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core import TaskSnapshot, TaskState

from .formatting import summary_text

__all__ = ["BatchStatus"]


@dataclass(frozen=True, kw_only=True)
class BatchStatus:
    """The current batch (everything queued since the queue was last idle), and what the queue is
    doing now."""

    # Files of the batch; ``files_total`` counts the cancelled ones too.
    files_total: int = 0
    files_completed: int = 0
    files_failed: int = 0
    files_cancelled: int = 0
    bytes_total: int = 0
    bytes_sent: int = 0
    # Bytes per second over every running upload.
    speed: float = 0.0
    # Tasks holding a slot: uploading, waiting for the server, waiting to retry.
    active: int = 0
    # Queued or interrupted: will start when a slot frees.
    waiting: int = 0
    paused: int = 0

    @classmethod
    def from_tasks(cls, tasks: Iterable[TaskSnapshot]) -> BatchStatus:
        """Counts over ``tasks``; cancelled ones count as files but not as bytes."""
        total = completed = failed = cancelled = active = waiting = paused = 0
        bytes_total = bytes_sent = 0
        for task in tasks:
            state = task.state
            total += 1
            if state is TaskState.CANCELLED:
                cancelled += 1
                continue
            bytes_total += task.total_bytes
            if state is TaskState.COMPLETED:
                completed += 1
                bytes_sent += task.total_bytes
                continue
            bytes_sent += task.bytes_sent
            if state is TaskState.FAILED:
                failed += 1
            elif state.is_active:
                active += 1
            elif state.is_runnable:
                waiting += 1
            elif state is TaskState.PAUSED:
                paused += 1
        return cls(
            files_total=total,
            files_completed=completed,
            files_failed=failed,
            files_cancelled=cancelled,
            bytes_total=bytes_total,
            bytes_sent=bytes_sent,
            active=active,
            waiting=waiting,
            paused=paused,
        )

    @property
    def running(self) -> int:
        """Tasks holding a slot (the same as ``active``)."""
        return self.active

    @property
    def files_counted(self) -> int:
        """The batch's files without the cancelled ones: "3 of 12 files"."""
        return self.files_total - self.files_cancelled

    @property
    def files_unfinished(self) -> int:
        return self.files_total - self.files_completed - self.files_failed - self.files_cancelled

    @property
    def queue_unfinished(self) -> int:
        """Tasks anywhere in the queue that are not final: running, waiting or paused."""
        return self.active + self.waiting + self.paused

    @property
    def percent(self) -> int:
        """Bytes sent, in whole percent (floor, so that 100% means every byte is there)."""
        if self.bytes_total <= 0:
            return 100 if self.files_counted and not self.queue_unfinished else 0
        return min(100, self.bytes_sent * 100 // self.bytes_total)

    @property
    def eta(self) -> float | None:
        if self.speed <= 0:
            return None
        return max(0, self.bytes_total - self.bytes_sent) / self.speed

    @property
    def summary(self) -> str:
        """How the batch ended: "12 files uploaded, 1 failed"."""
        return summary_text(self.files_completed, self.files_failed, self.files_cancelled)
