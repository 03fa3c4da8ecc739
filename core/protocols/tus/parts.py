"""Checksummed PATCH parts: each part's digest computed in a worker thread, one part ahead of the
sender, so hashing overlaps sending and memory stays flat."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os

from ...errors import FileChanged, FileUnreadable
from ...streams import CHUNK_SIZE, FileFingerprint
from ...text import printable


def hash_slice(fingerprint: FileFingerprint, algorithm: str, offset: int, length: int) -> str:
    """Base64 digest of ``length`` bytes at ``offset``; runs in a worker thread."""
    digest = hashlib.new(algorithm)
    try:
        file = open(fingerprint.path, "rb")  # noqa: SIM115 - closed below, also on errors
    except FileNotFoundError:
        raise FileChanged("deleted") from None
    except OSError as error:
        raise FileUnreadable(f"cannot read {printable(str(fingerprint.path))}: {error.strerror}") from None
    with file:
        file.seek(offset)
        remaining = length
        while remaining:
            block = file.read(min(CHUNK_SIZE, remaining))
            if not block:
                raise FileChanged("shorter than expected")
            digest.update(block)
            remaining -= len(block)
        if not fingerprint.matches(os.fstat(file.fileno())):
            raise FileChanged()
    return base64.b64encode(digest.digest()).decode("ascii")


class PartHasher:
    """Digests of file parts computed in a worker thread, one part ahead of the sender."""

    def __init__(self, fingerprint: FileFingerprint, algorithm: str | None) -> None:
        self.fingerprint = fingerprint
        self.algorithm = algorithm
        self._ahead: tuple[int, int, asyncio.Future[str]] | None = None

    def prefetch(self, offset: int, length: int) -> None:
        if self.algorithm is None or length <= 0:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, hash_slice, self.fingerprint, self.algorithm, offset, length)
        self._ahead = (offset, length, future)

    async def digest(self, offset: int, length: int) -> str | None:
        if self.algorithm is None:
            return None
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            if ahead[:2] == (offset, length):
                return await ahead[2]
            await asyncio.wait([ahead[2]])
        return await asyncio.to_thread(hash_slice, self.fingerprint, self.algorithm, offset, length)

    async def close(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await asyncio.wait([ahead[2]])
            if not ahead[2].cancelled():
                ahead[2].exception()
