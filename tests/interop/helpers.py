"""Shared by the interop tests: a recording delegate, waiting for conditions, file hashes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import core
from core import TaskSnapshot, UploadError, UploadSession
from tests.conftest import sha256_of
from tests.core.helpers import eventually

__all__ = ["Recorder", "eventually", "random_file", "sha256_of", "tus_destination"]


def random_file(path: Path, size: int, *, seed: int = 1) -> Path:
    """Bytes with no period: a resume from a wrong offset cannot produce the same hash (a file
    made of one repeated block could)."""
    generator = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        remaining = size
        while remaining:
            block = generator.randbytes(min(remaining, 1 << 20))
            file.write(block)
            remaining -= len(block)
    return path


def tus_destination(url: str, **options: object) -> core.Destination:
    return core.Destination(url=url, protocol=core.WireProtocol.TUS, **options)  # type: ignore[arg-type]


@dataclass
class Recorder(core.SessionDelegate):
    """Bytes sent and every state snapshot, in order."""

    sent: int = 0
    states: list[TaskSnapshot] = field(default_factory=list)
    completed: list[tuple[TaskSnapshot, UploadError | None]] = field(default_factory=list)

    def did_send_body_data(
        self, session: UploadSession, task: TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        self.sent += sent

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        self.states.append(task)

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        self.completed.append((task, error))

    def notices(self) -> list[str]:
        """Every distinct error/notice text the task showed on the way."""
        seen: list[str] = []
        for snapshot in self.states:
            if snapshot.error and snapshot.error not in seen:
                seen.append(snapshot.error)
        return seen
