"""One live session per identifier across processes: an advisory lock file per session.

The file exists only while a process holds it: ``release()`` deletes it before letting go, so the
folder does not fill with one file per command-line run. A process that opened the file just before
it was deleted would lock a file nobody else can see; ``acquire()`` therefore checks, once it holds
the lock, that the path still names the file it locked, and tries again if not.
"""

from __future__ import annotations

import contextlib
import os
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
        while True:
            handle = open(path, "a+b")  # noqa: SIM115 - held open for the session's life
            try:
                _lock(handle)
            except OSError:
                handle.close()
                raise SessionIdentifierInUse(identifier, where="by another Skylift process") from None
            if _still_named(handle, path):
                return cls(handle, path)
            handle.close()  # deleted by its last holder meanwhile: lock the new one

    @staticmethod
    def is_held(folder: Path, identifier: str) -> bool:
        """Whether a live process holds the session now. Creates and deletes nothing."""
        path = folder / f"{identifier}.lock"
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return False
        with handle:
            try:
                _lock(handle)
            except OSError:
                return True
        return False

    def release(self) -> None:
        if self._handle is not None:
            if _still_named(self._handle, self.path):
                with contextlib.suppress(OSError):  # Windows cannot delete an open file: it stays
                    self.path.unlink()
            self._handle.close()  # closing drops the lock
            self._handle = None


def _still_named(handle: IO[bytes], path: Path) -> bool:
    try:
        named = os.stat(path)
    except OSError:
        return False
    held = os.fstat(handle.fileno())
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
