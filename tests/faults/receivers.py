"""The plain upload receivers of the fault server: multipart/form-data and raw PUT/POST.

A receiver reads the body through a ``BodyReader`` (so faults can cut it at any byte) and returns an
``Outcome``: the success answer plus ``commit``/``discard``. The server, not the receiver, decides
whether the upload is stored and whether the answer is sent: that is where the faults sit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from tests.faults.records import Stored, StoredKind
from tests.faults.wire import BodyReader, RequestHead

__all__ = ["MultipartReceiver", "Outcome", "RawReceiver", "Reply"]

# Non-file form fields longer than this are cut (they are names and tags, not data).
_FIELD_LIMIT = 1 << 20


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _nothing_stored() -> list[Stored]:
    return []


def _nothing_to_discard() -> None:
    pass


@dataclass
class Outcome:
    """A handled request: the answer, and what storing or dropping its upload means.

    ``commit`` makes the upload durable and returns the uploads now complete (their times are filled
    in by the server); ``discard`` forgets what the body brought (a fault said "store nothing").
    ``commit_on_cut``: when a reset comes after the whole body was read, are its bytes kept? (tus
    servers keep what they read; a form handler that never returned stored nothing.)"""

    reply: Reply
    commit: Callable[[], list[Stored]] = _nothing_stored
    discard: Callable[[], None] = _nothing_to_discard
    commit_on_cut: bool = False


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Outcome:
    return Outcome(
        Reply(status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, message.encode())
    )


def _json_reply(status: int, value: object) -> Reply:
    return Reply(status, {"Content-Type": "application/json"}, json.dumps(value).encode())


def _decode(value: bytes) -> str:
    """Header parameters as a server reads them: UTF-8 where it is valid, else latin-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


class RawReceiver:
    """A PUT or POST body is the file: hash it, store it under the request path."""

    async def handle(self, head: RequestHead, body: BodyReader) -> Outcome:
        digest = hashlib.sha256()
        while chunk := await body.read(1 << 20):
            digest.update(chunk)
        stored = Stored(
            kind=StoredKind.RAW,
            path=head.path,
            raw_path=head.raw_path,
            size=body.received,
            sha256=digest.hexdigest(),
        )
        reply = _json_reply(201, {"path": stored.path, "size": stored.size, "sha256": stored.sha256})
        return Outcome(reply, commit=lambda: [stored])


@dataclass
class _Part:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    name: str | None = None
    filename: str | None = None
    raw_disposition: bytes | None = None
    size: int = 0
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    value: bytearray = field(default_factory=bytearray)

    @property
    def is_file(self) -> bool:
        return self.filename is not None


class _MultipartCollector:
    """Streams a multipart body through python-multipart's parser: file parts are hashed as they
    pass, never kept; other fields are kept (up to 1 MiB each)."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[_Part] = []
        self._field = bytearray()
        self._value = bytearray()
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
            },
        )

    def feed(self, data: bytes) -> None:
        self._parser.write(data)

    @property
    def complete(self) -> bool:
        return self._parser.state == MultipartState.END

    def _part_begin(self) -> None:
        self.parts.append(_Part())

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self.parts[-1].headers.append((bytes(self._field).lower(), bytes(self._value)))
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        part = self.parts[-1]
        for name, value in part.headers:
            if name == b"content-disposition":
                part.raw_disposition = value
                _, options = parse_options_header(value)
                if b"name" in options:
                    part.name = _decode(options[b"name"])
                if b"filename" in options:
                    part.filename = _decode(options[b"filename"])

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.parts[-1]
        piece = data[start:end]
        part.size += len(piece)
        if part.is_file:
            part.digest.update(piece)
        elif len(part.value) < _FIELD_LIMIT:
            part.value += piece[: _FIELD_LIMIT - len(part.value)]


class MultipartReceiver:
    """multipart/form-data: every part with a filename is an upload; the others are form fields."""

    async def handle(self, head: RequestHead, body: BodyReader) -> Outcome:
        _, options = parse_options_header(head.header("content-type") or "")
        boundary = options.get(b"boundary")
        if not boundary:
            return error(400, "multipart/form-data without a boundary")
        collector = _MultipartCollector(boundary)
        try:
            while chunk := await body.read(1 << 20):
                collector.feed(chunk)
        except FormParserError as problem:
            return error(400, f"malformed multipart body: {problem}")
        if not collector.complete:
            return error(400, "multipart body ended before its closing boundary")
        files = [part for part in collector.parts if part.is_file]
        if not files:
            return error(400, "multipart body without a file part")
        form = {part.name or "": _decode(bytes(part.value)) for part in collector.parts if not part.is_file}
        stored = [
            Stored(
                kind=StoredKind.MULTIPART,
                path=head.path,
                raw_path=head.raw_path,
                size=part.size,
                sha256=part.digest.hexdigest(),
                filename=part.filename,
                field_name=part.name,
                form=form,
                raw_disposition=part.raw_disposition,
            )
            for part in files
        ]
        first = stored[0]
        reply = _json_reply(
            201,
            {
                "path": first.path,
                "filename": first.filename,
                "size": first.size,
                "sha256": first.sha256,
                "files": len(stored),
            },
        )
        return Outcome(reply, commit=lambda: stored)
