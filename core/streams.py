"""File bodies as async byte chunks: read ahead in large chunks off the loop, counted, throttled,
and checked against the file's fingerprint so that a changing file is never sent half old, half new.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import FileChanged, FileUnreadable, FileVanished
from .text import printable

__all__ = ["CHUNK_SIZE", "FileBody", "FileFingerprint", "RateLimiter"]

# 1 MiB reads measured best; 64 KiB reads halve throughput.
CHUNK_SIZE = 1 << 20
# Below this a read from the page cache costs less than a hand-off to a worker thread.
_INLINE_READ_LIMIT = 256 << 10


@dataclass(frozen=True)
class FileFingerprint:
    """What identifies one version of a file: path, size, mtime, the inode behind the path, and the
    inode's change time. Size and mtime can be put back from user space (``touch -d``) after a
    rewrite in place; ``st_ctime_ns`` cannot: any write, truncation or ``utime`` moves it."""

    path: Path
    size: int
    mtime_ns: int
    inode: tuple[int, int]
    ctime_ns: int = 0

    @classmethod
    def of(cls, path: Path) -> FileFingerprint:
        absolute = os.path.abspath(path)
        # A task's path is absolute already: reuse it instead of parsing it again (hot with many files).
        path = path if isinstance(path, Path) and str(path) == absolute else Path(absolute)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise FileUnreadable(f"file not found: {printable(str(path))}") from None
        except OSError as error:
            raise FileUnreadable(f"cannot read {printable(str(path))}: {error.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            raise FileUnreadable(f"not a regular file: {printable(str(path))}")
        # stat() needs no read permission: without this a mode-000 file is queued and fails later.
        if not os.access(path, os.R_OK):
            raise FileUnreadable(f"cannot read {printable(str(path))}: Permission denied")
        return cls(path, st.st_size, st.st_mtime_ns, (st.st_dev, st.st_ino), st.st_ctime_ns)

    def matches(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns) == (self.size, self.mtime_ns, self.ctime_ns)

    def identity(self, destination_url: str) -> dict[str, Any]:
        """The persisted identity of this file version sent to one destination, compared across
        restarts before an upload is continued (tus-js-client's path + size + mtime + endpoint, plus
        the inode and its change time; no hashing). The device number is left out: it may change
        across reboots for the same disk."""
        return {
            "path": str(self.path),
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "ctime_ns": self.ctime_ns,
            "inode": self.inode[1],
            "destination": destination_url,
        }

    def check_path(self) -> None:
        """Raise if the path no longer names this exact file version."""
        try:
            st = os.stat(self.path)
        except OSError:
            raise FileVanished() from None
        if (st.st_dev, st.st_ino) != self.inode:
            raise FileVanished()
        if not self.matches(st):
            raise FileChanged(_describe_change(self, st))


def _describe_change(fingerprint: FileFingerprint, st: os.stat_result) -> str:
    if st.st_size != fingerprint.size:
        return f"size {fingerprint.size} -> {st.st_size} bytes"
    if st.st_mtime_ns != fingerprint.mtime_ns:
        return "modification time changed"
    return "rewritten in place"


def _pread(fd: int, size: int, position: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, position)
    # Windows has no pread; a FileBody never has two reads in flight, so seek+read is safe.
    os.lseek(fd, position, os.SEEK_SET)
    return os.read(fd, size)


class RateLimiter:
    """A token bucket shared by the uploads of one session."""

    def __init__(self, bytes_per_second: int) -> None:
        self.rate = float(bytes_per_second)
        self._available = 0.0
        self._updated = time.monotonic()

    @property
    def chunk_size(self) -> int:
        # About ten chunks a second keeps a limited upload smooth instead of bursty.
        return max(16 << 10, min(CHUNK_SIZE, int(self.rate / 10)))

    async def take(self, amount: int) -> None:
        now = time.monotonic()
        # At most a quarter second of burst after an idle spell.
        self._available = min(self.rate / 4, self._available + (now - self._updated) * self.rate)
        self._updated = now
        self._available -= amount
        if self._available < 0:
            await asyncio.sleep(-self._available / self.rate)


class FileBody:
    """An async iterable request body: ``prefix``, the file from ``offset`` for ``length`` bytes, ``suffix``.

    ``on_sent(n)`` is called after httpx has written a chunk of file bytes to the connection (the
    generator is resumed only then). Call ``close()`` when the request ends, however it ends.
    """

    def __init__(
        self,
        fingerprint: FileFingerprint,
        *,
        on_sent: Callable[[int], None],
        offset: int = 0,
        length: int | None = None,
        prefix: bytes = b"",
        suffix: bytes = b"",
        limiter: RateLimiter | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self.offset = offset
        self.length = fingerprint.size - offset if length is None else length
        self.prefix = prefix
        self.suffix = suffix
        self._on_sent = on_sent
        self._limiter = limiter
        self._fd: int | None = None
        self._pending: asyncio.Future[bytes] | None = None

    @property
    def content_length(self) -> int:
        return len(self.prefix) + self.length + len(self.suffix)

    def _open(self) -> int:
        try:
            fd = os.open(self.fingerprint.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise FileVanished() from None
        except OSError as error:
            raise FileUnreadable(
                f"cannot read {printable(str(self.fingerprint.path))}: {error.strerror}"
            ) from None
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != self.fingerprint.inode or not self.fingerprint.matches(st):
            os.close(fd)
            raise FileChanged(_describe_change(self.fingerprint, st))
        return fd

    def _read_at(self, position: int, size: int) -> asyncio.Future[bytes]:
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        if size <= _INLINE_READ_LIMIT:
            future: asyncio.Future[bytes] = loop.create_future()
            try:
                future.set_result(_pread(self._fd, size, position))
            except OSError as error:
                future.set_exception(error)
            return future
        return loop.run_in_executor(None, _pread, self._fd, size, position)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.prefix:
            yield self.prefix
        if self.length:
            async for chunk in self._file_chunks():
                yield chunk
                self._on_sent(len(chunk))
        if self.suffix:
            yield self.suffix

    async def _file_chunks(self) -> AsyncIterator[bytes]:
        self._fd = self._open()
        chunk_size = self._limiter.chunk_size if self._limiter else CHUNK_SIZE
        position, end = self.offset, self.offset + self.length
        # Read one chunk ahead so that the disk and the socket work at the same time.
        self._pending = self._read_at(position, min(chunk_size, end - position))
        while self._pending is not None:
            try:
                chunk = await self._pending
            except OSError as error:
                raise FileUnreadable(f"read error: {error.strerror}") from None
            self._pending = None
            # Checked after the read: a chunk that may hold new bytes is never sent. The path
            # first: unlinking or replacing the file also moves its inode's change time.
            self.fingerprint.check_path()
            st = os.fstat(self._fd)
            if not self.fingerprint.matches(st) or len(chunk) < min(chunk_size, end - position):
                raise FileChanged(_describe_change(self.fingerprint, st))
            position += len(chunk)
            if position < end:
                self._pending = self._read_at(position, min(chunk_size, end - position))
            if self._limiter:
                await self._limiter.take(len(chunk))
            yield chunk

    async def close(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            # The worker thread may still be reading from the descriptor: let it finish first.
            await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
