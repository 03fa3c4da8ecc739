"""tus 1.0 (https://tus.io/protocols/resumable-upload) for the fault server: OPTIONS, creation,
creation-with-upload, HEAD, PATCH and termination under a path prefix.

Uploads live in memory or, given a folder, one file each. The server's own offset only moves when a
request's bytes are committed, so faults can drop a PATCH's bytes (``close_before_response``) or,
like @tus/server and tusd, keep the bytes of a PATCH cut short (``keep_partial``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tests.faults.receivers import Outcome, Reply, error
from tests.faults.records import Stored, StoredKind
from tests.faults.wire import BodyReader, ClientGone, RequestHead, ResetNow

__all__ = ["DEFAULT_EXTENSIONS", "TusService", "TusUploadInfo"]

TUS_VERSION = "1.0.0"
DEFAULT_EXTENSIONS = ("creation", "creation-with-upload", "termination")
OFFSET_STREAM = "application/offset+octet-stream"


class _UploadData(Protocol):
    def write_at(self, position: int, data: bytes) -> None: ...
    def truncate(self, size: int) -> None: ...
    def sha256(self, size: int) -> str: ...


class _MemoryData:
    def __init__(self) -> None:
        self._data = bytearray()

    def write_at(self, position: int, data: bytes) -> None:
        self._data[position : position + len(data)] = data

    def truncate(self, size: int) -> None:
        del self._data[size:]

    def sha256(self, size: int) -> str:
        return hashlib.sha256(memoryview(self._data)[:size]).hexdigest()


class _FileData:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.touch()

    def write_at(self, position: int, data: bytes) -> None:
        with open(self.path, "r+b") as file:
            file.seek(position)
            file.write(data)

    def truncate(self, size: int) -> None:
        with open(self.path, "r+b") as file:
            file.truncate(size)

    def sha256(self, size: int) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as file:
            while size and (block := file.read(min(size, 1 << 20))):
                digest.update(block)
                size -= len(block)
        return digest.hexdigest()


@dataclass
class _Upload:
    id: str
    length: int
    metadata: dict[str, str]
    raw_metadata: str | None
    data: _UploadData = field(repr=False)
    offset: int = 0
    # A request is writing into it: a second one gets 423 (tusd's lock) instead of interleaving.
    busy: bool = False
    # Its Stored record was made (once, when it completed).
    recorded: bool = False

    @property
    def complete(self) -> bool:
        return self.offset == self.length


@dataclass(frozen=True)
class TusUploadInfo:
    """A snapshot of one upload the server holds."""

    id: str
    path: str
    offset: int
    length: int
    metadata: dict[str, str]


def _decode_metadata(header: str) -> dict[str, str]:
    values = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
    return values


class TusService:
    """The tus endpoint at ``prefix`` (the collection) and ``prefix<id>`` (an upload)."""

    def __init__(
        self,
        *,
        location: Callable[[str], str],
        prefix: str = "/files/",
        directory: Path | None = None,
        extensions: Sequence[str] = DEFAULT_EXTENSIONS,
        max_size: int | None = None,
        keep_partial: bool = True,
    ) -> None:
        self.prefix = prefix
        self.extensions = tuple(extensions)
        self.max_size = max_size
        self.keep_partial = keep_partial
        self._location = location
        self._directory = directory
        self._uploads: dict[str, _Upload] = {}
        # Forgotten or terminated uploads and the status they get from now on.
        self._gone: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- for the server and the tests -------------------------------------------------------------

    def owns(self, path: str) -> bool:
        return path.startswith(self.prefix) or path == self.prefix.rstrip("/")

    def upload_id(self, path: str) -> str | None:
        """The upload a path (or full upload URL) names, or None for the collection."""
        path = path.split("?", 1)[0]
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        if not path.startswith(self.prefix):
            return None
        rest = path[len(self.prefix) :].strip("/")
        return rest or None

    def forget(self, upload_id: str, status: int = 404) -> None:
        with self._lock:
            self._uploads.pop(upload_id, None)
            self._gone[upload_id] = status

    def in_progress(self) -> list[TusUploadInfo]:
        with self._lock:
            uploads = [upload for upload in self._uploads.values() if not upload.complete]
        return [self._info(upload) for upload in uploads]

    def info(self, upload_id: str) -> TusUploadInfo | None:
        with self._lock:
            upload = self._uploads.get(upload_id)
        return self._info(upload) if upload else None

    def _info(self, upload: _Upload) -> TusUploadInfo:
        return TusUploadInfo(
            upload.id, self.prefix + upload.id, upload.offset, upload.length, dict(upload.metadata)
        )

    # -- requests ---------------------------------------------------------------------------------

    async def handle(self, head: RequestHead, body: BodyReader) -> Outcome:
        if head.method == "OPTIONS":
            return self._options()
        if head.header("tus-resumable") != TUS_VERSION:
            return self._error(412, "unsupported or missing Tus-Resumable", {"Tus-Version": TUS_VERSION})
        upload_id = self.upload_id(head.path)
        if upload_id is None:
            if head.method == "POST":
                return await self._create(head, body)
            return self._error(405, f"{head.method} on the upload collection")
        with self._lock:
            gone = self._gone.get(upload_id)
            upload = self._uploads.get(upload_id)
        if gone is not None:
            return self._error(gone, "upload forgotten")
        if upload is None:
            return self._error(404, "no such upload")
        if head.method == "HEAD":
            return self._head(upload)
        if head.method == "PATCH":
            return await self._patch(head, body, upload)
        if head.method == "DELETE" and "termination" in self.extensions:
            self.forget(upload.id)
            return self._answer(204)
        return self._error(405, f"{head.method} on an upload")

    def _answer(self, status: int, headers: dict[str, str] | None = None) -> Outcome:
        return Outcome(Reply(status, {"Tus-Resumable": TUS_VERSION, **(headers or {})}))

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Outcome:
        return error(status, message, {"Tus-Resumable": TUS_VERSION, **(headers or {})})

    def _options(self) -> Outcome:
        headers = {"Tus-Version": TUS_VERSION, "Tus-Extension": ",".join(self.extensions)}
        if self.max_size is not None:
            headers["Tus-Max-Size"] = str(self.max_size)
        return self._answer(204, headers)

    def _head(self, upload: _Upload) -> Outcome:
        headers = {
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.length),
            "Cache-Control": "no-store",
        }
        if upload.raw_metadata is not None:
            headers["Upload-Metadata"] = upload.raw_metadata
        return self._answer(200, headers)

    async def _create(self, head: RequestHead, body: BodyReader) -> Outcome:
        length_header = head.header("upload-length")
        if length_header is None or not length_header.isdigit():
            return self._error(400, "Upload-Length missing or not a number (deferred length is not offered)")
        length = int(length_header)
        if self.max_size is not None and length > self.max_size:
            return self._error(413, f"upload larger than Tus-Max-Size {self.max_size}")
        raw_metadata = head.header("upload-metadata")
        try:
            metadata = _decode_metadata(raw_metadata or "")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return self._error(400, "bad Upload-Metadata")
        with_data = body.length > 0
        if with_data and (
            head.header("content-type") != OFFSET_STREAM or "creation-with-upload" not in self.extensions
        ):
            return self._error(415, f"creation-with-upload needs Content-Type: {OFFSET_STREAM}")
        if body.length > length:
            return self._error(413, "body longer than Upload-Length")
        upload_id = uuid.uuid4().hex
        data = _FileData(self._directory / upload_id) if self._directory else _MemoryData()
        upload = _Upload(upload_id, length, metadata, raw_metadata, data)
        # Created before the body is read, as real servers do: a POST cut short leaves an upload
        # behind whose URL the client never learnt.
        with self._lock:
            self._uploads[upload_id] = upload
        location = {"Location": self._location(self.prefix + upload_id)}
        if not with_data:
            return Outcome(self._answer(201, location).reply, commit=lambda: self._completed(upload))
        outcome = await self._receive(body, upload, 201, location)
        drop_data = outcome.discard

        def discard() -> None:
            # "Store nothing" on a creation undoes the creation too.
            drop_data()
            with self._lock:
                self._uploads.pop(upload_id, None)

        outcome.discard = discard
        return outcome

    async def _patch(self, head: RequestHead, body: BodyReader, upload: _Upload) -> Outcome:
        if head.header("content-type") != OFFSET_STREAM:
            return self._error(415, f"PATCH needs Content-Type: {OFFSET_STREAM}")
        offset = head.header("upload-offset")
        if offset is None or not offset.isdigit():
            return self._error(400, "Upload-Offset missing or not a number")
        if int(offset) != upload.offset:
            return self._error(409, f"Upload-Offset {offset} but the server has {upload.offset}")
        if upload.offset + body.length > upload.length:
            return self._error(413, "body goes beyond Upload-Length")
        if upload.busy:
            return self._error(423, "another request is writing this upload")
        return await self._receive(body, upload, 204, {})

    async def _receive(
        self, body: BodyReader, upload: _Upload, status: int, headers: dict[str, str]
    ) -> Outcome:
        """Write the body at the upload's offset; the offset moves on commit (or, with
        ``keep_partial``, at once when the body is cut short)."""
        start = upload.offset
        upload.busy = True
        try:
            while chunk := await body.read(1 << 20):
                upload.data.write_at(start + body.received - len(chunk), chunk)
        except (ResetNow, ClientGone):
            if self.keep_partial:
                upload.offset = start + body.received
            else:
                upload.data.truncate(start)
            raise
        finally:
            upload.busy = False
        end = start + body.received

        def commit() -> list[Stored]:
            upload.offset = end
            return self._completed(upload)

        def discard() -> None:
            upload.data.truncate(start)

        reply = self._answer(status, {**headers, "Upload-Offset": str(end)}).reply
        return Outcome(reply, commit=commit, discard=discard, commit_on_cut=self.keep_partial)

    def _completed(self, upload: _Upload) -> list[Stored]:
        """The upload as stored, if this commit completed it (a creation of a 0-byte upload does)."""
        if not upload.complete or upload.recorded:
            return []
        upload.recorded = True
        path = self.prefix + upload.id
        return [
            Stored(
                kind=StoredKind.TUS,
                path=path,
                raw_path=path,
                size=upload.length,
                sha256=upload.data.sha256(upload.length),
                filename=upload.metadata.get("filename"),
                metadata=dict(upload.metadata),
            )
        ]
