"""One live session per identifier across processes: an advisory lock file per session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from .errors import SessionIdentifierInUse

__all__ = ["SessionLock"]


class SessionLock:
    def __init__(self, handle: IO[bytes], path: Path) -> None:
        self._handle: IO[bytes] | None = handle
        self.path = path

    @classmethod
    def acquire(cls, folder: Path, identifier: str) -> SessionLock:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{identifier}.lock"
        handle = open(path, "a+b")  # noqa: SIM115 - held open for the session's life
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise SessionIdentifierInUse(identifier, where="by another Skylift process") from None
        return cls(handle, path)

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
