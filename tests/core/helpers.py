"""What the core tests share: a delegate that records every call, and waiting for conditions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import core
from core import TaskSnapshot, TaskState, UploadError, UploadSession

__all__ = ["Event", "Recorder", "eventually", "fast_retries"]


async def eventually(predicate: Callable[[], object], *, timeout: float = 30.0, what: str = "") -> None:
    """Wait until ``predicate()`` is true: a condition, polled on the loop, never a fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        await asyncio.sleep(0.002)


def fast_retries(count: int = 3) -> core.RetryPolicy:
    """``count`` retries with no delay between attempts."""
    return core.RetryPolicy(delays=(0.0,) * count)


@dataclass
class Event:
    kind: str
    task: TaskSnapshot | None = None
    args: tuple[Any, ...] = ()


@dataclass
class Recorder(core.SessionDelegate):
    """Every delegate call in order, with the snapshot it carried."""

    events: list[Event] = field(default_factory=list)
    invalidated: list[Exception | None] = field(default_factory=list)
    finished_batches: int = 0

    def did_send_body_data(
        self, session: UploadSession, task: TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        self.events.append(Event("sent", task, (sent, total, expected)))

    def did_receive_data(self, session: UploadSession, task: TaskSnapshot, data: bytes) -> None:
        self.events.append(Event("received", task, (data,)))

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        self.events.append(Event("state", task, (task.state,)))

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        self.events.append(Event("complete", task, (error,)))

    def did_finish_events(self, session: UploadSession) -> None:
        self.finished_batches += 1
        self.events.append(Event("finished"))

    def did_become_invalid(self, session: UploadSession, error: Exception | None) -> None:
        self.invalidated.append(error)
        self.events.append(Event("invalid", None, (error,)))

    # -- queries ----------------------------------------------------------------------------------

    def of(self, task_id: int) -> list[Event]:
        return [e for e in self.events if e.task is not None and e.task.task_id == task_id]

    def states(self, task_id: int) -> list[TaskState]:
        return [e.args[0] for e in self.of(task_id) if e.kind == "state"]

    def sent_totals(self, task_id: int) -> list[int]:
        return [e.args[1] for e in self.of(task_id) if e.kind == "sent"]

    def bytes_sent(self, task_id: int) -> int:
        totals = self.sent_totals(task_id)
        return totals[-1] if totals else 0

    def completions(self, task_id: int | None = None) -> list[Event]:
        return [
            e
            for e in self.events
            if e.kind == "complete"
            and (task_id is None or (e.task is not None and e.task.task_id == task_id))
        ]

    def error_of(self, task_id: int) -> UploadError | None:
        (completion,) = self.completions(task_id)
        error = completion.args[0]
        assert error is None or isinstance(error, UploadError)
        return error
