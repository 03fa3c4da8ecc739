"""tus 1.0 resumable uploads (https://tus.io/protocols/resumable-upload).

One attempt: learn what the server offers (``OPTIONS``, cached per endpoint for the session's client),
find the server's offset for an upload begun earlier (``HEAD``) or create one (``POST``, with the first
bytes when creation-with-upload is offered), then ``PATCH`` the rest streamed from the file at that
offset: one long request by default, or parts of the destination's ``chunk_size``.

What a later attempt (or a later process) needs to continue is persisted through
``save_resume_data``, on disk before any byte that depends on it is sent: the upload URL, the file's
identity (``FileFingerprint.identity``: path, size, mtime, inode, change time, destination URL), the
last offset the server confirmed and the most bytes the upload may have been sent. A file that
changed since is never continued: it is uploaded again from zero, and the task's error text says why.
An offset the server could not truthfully hold (beyond what it was sent) fails the task
(``TusServerFault``); a lower offset than before is believed and those bytes are sent again.

Checksums (the ``checksum`` extension). ``Upload-Checksum`` is a request header, so the digest of a
PATCH's bytes must be known before its first byte is sent. Hashing the whole remaining file before
one long PATCH would read it twice, delay the start by the hashing time and, on a 460, force the whole
file to be sent again. So when the server offers a checksum algorithm, PATCHes are split into parts
(the destination's ``chunk_size``, else ``CHECKSUM_PART_SIZE``); each part is hashed in a worker
thread (hashlib releases the GIL, reads come from the page cache) while the previous part is on the
wire, so hashing overlaps sending, memory stays flat, and a 460 re-sends only that part.

Server answers: 409 -> ``HEAD`` and continue from the server's offset; 404/410 (and 403 on ``HEAD``)
-> a new upload; 413 -> fail with the server's limit; 412 -> fail (no common tus version); 423 ->
retried; anything else goes to the session, whose retry policy decides.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import email.utils
import hashlib
import http
import logging
import mimetypes
import os
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from ..configuration import WireProtocol
from ..errors import FileChanged, FileUnreadable, ServerStatusError, UploadError
from ..redaction import is_secret_header, redact_url
from ..registry import ProtocolOptions, ProtocolSpec, register
from ..retry import parse_retry_after
from ..streams import CHUNK_SIZE, FileFingerprint
from ..text import printable, wire_text
from ..units import format_size
from ..urls import resolve_location, same_origin
from .base import (
    AttemptContext,
    DiscardContext,
    UploadProtocol,
    UploadResponse,
    merge_headers,
    send_capped,
    send_file_request,
)

__all__ = [
    "CHECKSUM_PART_SIZE",
    "CREATION_WITH_UPLOAD_LIMIT",
    "MIN_PART_SIZE",
    "TUS_VERSION",
    "TusOptions",
    "TusProtocol",
    "TusServerFault",
    "TusServerInfo",
    "encode_metadata",
]

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
# creation-with-upload carries at most this much in the POST: a small file goes in one request,
# while a big one has its upload URL (and so its resumability) before the bulk of the bytes moves.
CREATION_WITH_UPLOAD_LIMIT = 4 << 20
# PATCH part size when the server verifies checksums and no chunk size is set: a 460 re-sends at
# most this much, and hashing one part overlaps sending the previous one.
CHECKSUM_PART_SIZE = 64 << 20
# Preferred first; sha1 is the one every checksum-capable tus server must support.
_CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
# The smallest PATCH that a 413 makes us try: below it, the server's limit is the file's.
MIN_PART_SIZE = 256 << 10
# Consecutive 460s for the same part before giving up.
_CHECKSUM_TRIES = 3
# 409s (offset mismatch) in a row without progress before giving up.
_CONFLICT_TRIES = 3
_DISCARD_TIMEOUT = 10.0
_GONE = (404, 410)


@dataclass(frozen=True)
class TusServerInfo:
    """What ``OPTIONS`` said about an endpoint. ``known`` is False when the server did not answer it
    (tus-js-client never asks): then only the core protocol and creation are assumed."""

    known: bool
    versions: tuple[str, ...] = (TUS_VERSION,)
    extensions: frozenset[str] = frozenset({"creation"})
    max_size: int | None = None
    checksum_algorithms: tuple[str, ...] = ()

    def offers(self, extension: str) -> bool:
        return extension in self.extensions

    @property
    def checksum_algorithm(self) -> str | None:
        if not self.offers("checksum"):
            return None
        return next((a for a in _CHECKSUM_ALGORITHMS if a in self.checksum_algorithms), None)


# Discovery results per session (one httpx client per session) and endpoint.
_discovered: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, TusServerInfo]] = (
    weakref.WeakKeyDictionary()
)


def encode_metadata(values: Mapping[str, str]) -> str:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; values are sent as UTF-8
    (an undecodable byte of a file name as U+FFFD: servers decode metadata as UTF-8)."""
    return ",".join(
        f"{key} {base64.b64encode(wire_text(value).encode('utf-8')).decode('ascii')}"
        for key, value in values.items()
    )


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _offset_header(response: UploadResponse) -> int | None:
    """``Upload-Offset``, or None when absent; a value that is not a non-negative integer is a
    server fault, not a missing header."""
    value = response.headers.get("upload-offset")
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise TusServerFault(f"the tus server sent an invalid Upload-Offset {printable(value)[:30]!r}")
    return int(text)


def _expired(expires: str | None) -> bool:
    if not expires:
        return False
    try:
        when = email.utils.parsedate_to_datetime(expires)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False
    return when.timestamp() < time.time()


def _hash_slice(fingerprint: FileFingerprint, algorithm: str, offset: int, length: int) -> str:
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


def _checked_location(base: httpx.URL, location: str) -> str:
    """The upload URL a creation answer names. Anything but http(s) fails at once: it is never
    requested, retried or stored."""
    url = resolve_location(base, location)
    if url is None:
        shown = printable(redact_url(location))[:80]
        raise TusServerFault(f"the tus server named an upload address that is not an http(s) URL: {shown}")
    return url


def headers_for(url: str, endpoint: str, headers: Mapping[str, str]) -> Mapping[str, str]:
    """Secret headers go only to the destination's own origin. An upload URL on another origin is
    followed without them (as browsers do across origins); a server there that needs credentials
    answers 401, and the task fails saying so."""
    if same_origin(url, endpoint):
        return headers
    return {name: value for name, value in headers.items() if not is_secret_header(name)}


class TusServerFault(UploadError):
    """The tus server answered something that cannot be true (an offset beyond the bytes it was
    sent, an invalid header). Not retried: the bytes it claims to hold cannot be trusted."""


class _UploadGone(Exception):
    """The server no longer has the upload (404/410), or it is not this file's: start a new one."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True, kw_only=True)
class TusOptions(ProtocolOptions):
    protocol: ClassVar[str] = WireProtocol.TUS
    # tus sends its own media type (application/offset+octet-stream).
    fixed_headers: ClassVar[frozenset[str]] = frozenset({"content-type"})

    # Bytes per PATCH, for servers or proxies that limit request bodies; None sends the rest of the
    # file in one PATCH (fastest). Memory stays flat either way.
    chunk_size: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("the chunk size must be positive")


class TusProtocol(UploadProtocol):
    async def send(self, context: AttemptContext) -> UploadResponse:
        return await _TusAttempt(context).run()

    async def discard(self, context: DiscardContext) -> None:
        """Termination: ``DELETE`` the upload of a cancelled task, when the server offers it."""
        data = context.task.resume_data or {}
        upload_url = data.get("upload_url")
        if not isinstance(upload_url, str):
            return
        headers = merge_headers(context.headers, {"Tus-Resumable": TUS_VERSION})
        timeout = httpx.Timeout(min(_DISCARD_TIMEOUT, context.timeout.read or _DISCARD_TIMEOUT))
        try:
            info = await _discover(context.client, context.task.destination.url, headers, timeout)
            if not info.offers("termination"):
                return
            headers = dict(headers_for(upload_url, context.task.destination.url, headers))
            request = context.client.build_request("DELETE", upload_url, headers=headers, timeout=timeout)
            response = await send_capped(context.client, request)
        except httpx.HTTPError as error:
            log.info("could not terminate tus upload %s: %s", redact_url(upload_url), type(error).__name__)
            return
        log.info("terminated tus upload %s: HTTP %s", redact_url(upload_url), response.status)


async def _discover(
    client: httpx.AsyncClient, endpoint: str, headers: Mapping[str, str], timeout: httpx.Timeout
) -> TusServerInfo:
    cache = _discovered.setdefault(client, {})
    cached = cache.get(endpoint)
    if cached is not None:
        return cached
    request = client.build_request("OPTIONS", endpoint, headers=headers, timeout=timeout)
    response = await send_capped(client, request)
    if not response.ok or "tus-version" not in response.headers:
        # A server that ignores OPTIONS can still speak the core protocol and creation.
        info = TusServerInfo(known=False)
    else:
        headers_in = response.headers
        info = TusServerInfo(
            known=True,
            versions=_split_list(headers_in.get("tus-version")),
            extensions=frozenset(_split_list(headers_in.get("tus-extension"))),
            max_size=_int_header(headers_in, "tus-max-size"),
            checksum_algorithms=tuple(
                a.lower() for a in _split_list(headers_in.get("tus-checksum-algorithm"))
            ),
        )
        if TUS_VERSION not in info.versions:
            raise _version_error(412, "Precondition Failed", info.versions)
    cache[endpoint] = info
    return info


def _version_error(status: int, reason: str, versions: tuple[str, ...]) -> ServerStatusError:
    offered = ", ".join(versions) or "none named"
    return ServerStatusError(
        status, reason, f"the server does not speak tus {TUS_VERSION} (it offers: {offered})"
    )


class _TusAttempt:
    """The state of one attempt; ``run()`` returns the response that completed the upload.

    What the server says it holds is believed only as far as it can be true: ``offered`` is the
    most this upload can have been sent (in this attempt or any before, persisted before the bytes
    go out), so an offset beyond it is a server fault, never progress. An offset lower than before
    is believed: those bytes are sent again.
    """

    def __init__(self, context: AttemptContext) -> None:
        self.context = context
        self.task = context.task
        self.fingerprint = context.fingerprint
        self.endpoint = context.task.destination.url
        self.headers = merge_headers(context.headers, {"Tus-Resumable": TUS_VERSION})
        options = context.task.destination.options
        assert isinstance(options, TusOptions)
        self.chunk_size = options.chunk_size
        self.info = TusServerInfo(known=False)
        self.upload_url: str | None = None
        self.expires: str | None = None
        # The most bytes any request may have delivered to upload_url.
        self.offered = 0
        self.recreated = False
        # A 413 answered data in the creation request: later creations go without.
        self.creation_refused_data = False
        # The upload of an older version of the file, terminated before a new one is created.
        self.stale_upload: str | None = None

    # -- the attempt ------------------------------------------------------------------------------

    async def run(self) -> UploadResponse:
        client, timeout = self.context.client, self.context.timeout
        self.info = await _discover(client, self.endpoint, self.headers, timeout)
        self._check_size_limit()
        offset: int | None = None
        if self._continue_previous():
            try:
                offset = await self._head()
            except _UploadGone as gone:
                self._notice(f"{gone.why}; uploading again from the start")
                self.upload_url = None
        if self.upload_url is None or offset is None:
            await self._terminate_stale()
            created = await self._create()
            if isinstance(created, UploadResponse):
                return created
            offset = created
        try:
            return await self._patch_from(offset)
        except _Finished as finished:
            return finished.response

    def _continue_previous(self) -> bool:
        """Take up the upload an earlier attempt (or process) left, if it may be continued; else
        False (with a notice saying why it starts again)."""
        data = self.task.resume_data
        if not data or not isinstance(data.get("upload_url"), str):
            return False
        if data.get("upload_url_secrets"):
            # Read back from the state database, which never holds credentials.
            self._notice(
                "the server's upload address held credentials, which are not stored; "
                "uploading again from the start"
            )
            return False
        recorded = data.get("fingerprint")
        current = self.fingerprint.identity(self.endpoint)
        if recorded != current:
            reason = _describe_mismatch(recorded, current)
            self._notice(f"{reason} since the upload was interrupted; uploading again from the start")
            self.stale_upload = str(data["upload_url"])
            return False
        if _expired(data.get("expires")):
            self._notice(
                f"the server's partial upload expired ({data.get('expires')}); uploading again from the start"
            )
            return False
        self.upload_url = str(data["upload_url"])
        self.expires = data.get("expires")
        offered = data.get("offered")
        # Resume data written before "offered" was recorded: anything up to the file's size.
        self.offered = offered if isinstance(offered, int) else self.fingerprint.size
        return True

    def _check_size_limit(self) -> None:
        limit = self.info.max_size
        if limit is not None and self.fingerprint.size > limit:
            raise _too_large(self.fingerprint.size, limit, "")

    # -- requests ---------------------------------------------------------------------------------

    async def _head(self) -> int:
        """The server's offset for ``upload_url``; raises ``_UploadGone`` if it has forgotten it
        or holds what cannot be this file's bytes."""
        assert self.upload_url is not None
        response = await self._request("HEAD", self.upload_url, self._headers_for(self.upload_url))
        status = response.status
        if status in _GONE or status == 403:
            raise _UploadGone(f"the server no longer has the upload (HTTP {status})")
        self._raise_for_common(response)
        if not response.ok:
            raise _status_error(response)
        offset = _offset_header(response)
        length = _int_header(response.headers, "upload-length")
        if offset is None:
            raise TusServerFault(
                f"the tus server's HEAD response for {redact_url(self.upload_url)} has no Upload-Offset"
            )
        size = self.fingerprint.size
        if length is not None and length != size:
            # Not the upload of this file version: never append to it.
            raise _UploadGone(f"the server's upload is {length} bytes long, not {size}")
        if offset > min(size, self.offered):
            raise _UploadGone(
                f"the server claims {offset} bytes of an upload that was sent at most {self.offered}"
            )
        await self._confirm(offset, response)
        return offset

    async def _create(self) -> int | UploadResponse:
        """A new upload; returns the server's offset, or the final response if that finished it."""
        # Nothing of a new upload is on the server yet: progress starts again from zero.
        self.context.set_confirmed_offset(0)
        size = self.fingerprint.size
        name = self.task.relative_name
        headers = merge_headers(
            self.headers,
            {
                "Upload-Length": str(size),
                "Upload-Metadata": encode_metadata(
                    {
                        "filename": name.rsplit("/", 1)[-1],
                        "filetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
                        "relativePath": name,
                    }
                ),
            },
        )
        first = 0
        if (
            self.info.offers("creation-with-upload")
            and self.info.checksum_algorithm is None
            and size
            and not self.creation_refused_data
        ):
            first = min(size, self.chunk_size or CREATION_WITH_UPLOAD_LIMIT, CREATION_WITH_UPLOAD_LIMIT)
        if first:
            response = await self._send_body(
                "POST", self.endpoint, merge_headers(headers, {"Content-Type": OFFSET_OCTET_STREAM}), 0, first
            )
            if response.status == 413:
                # A proxy in front limits request bodies: create the upload without data; the
                # PATCHes find a part size that passes.
                self.creation_refused_data = True
                self._notice("the server refused data in the creation request (HTTP 413); sending it apart")
                self.context.set_confirmed_offset(0)
                response = await self._request("POST", self.endpoint, headers)
                first = 0
        else:
            response = await self._request("POST", self.endpoint, headers)
        status = response.status
        if status == 413:
            raise _too_large(
                size, _int_header(response.headers, "tus-max-size") or self.info.max_size, response
            )
        self._raise_for_common(response)
        location = response.headers.get("location")
        if not response.ok or not location:
            if response.ok:
                raise UploadError(f"the tus server created an upload but sent no Location (HTTP {status})")
            return response
        # A relative Location is resolved against the URL the POST went to.
        self.upload_url = _checked_location(response.url, location)
        self.expires = response.headers.get("upload-expires") or self.expires
        self.offered = first
        offset = _offset_header(response)
        if offset is not None and offset > first:
            raise TusServerFault(
                f"the tus server claimed {offset} bytes of a new upload that was sent {first}"
            )
        # On disk before anything else is sent: a crash from here on finds this upload again.
        await self._save(0)
        if offset is None:
            offset = await self._head() if first else 0
        await self._confirm(offset, response)
        if offset >= size:
            return response
        return offset

    async def _patch_from(self, offset: int) -> UploadResponse:
        assert self.upload_url is not None
        size = self.fingerprint.size
        algorithm = self.info.checksum_algorithm
        part_size = self.chunk_size or (CHECKSUM_PART_SIZE if algorithm else None)
        conflicts = checksum_failures = 0
        hasher = _PartHasher(self.fingerprint, algorithm)
        try:
            while True:
                length = size - offset if part_size is None else min(part_size, size - offset)
                headers = merge_headers(
                    self._headers_for(self.upload_url),
                    {"Upload-Offset": str(offset), "Content-Type": OFFSET_OCTET_STREAM},
                )
                digest = await hasher.digest(offset, length)
                if digest is not None:
                    headers["Upload-Checksum"] = f"{algorithm} {digest}"
                    # Hash the next part while this one is on the wire.
                    if offset + length < size and part_size is not None:
                        hasher.prefetch(offset + length, min(part_size, size - offset - length))
                if offset + length > self.offered:
                    # Recorded before the bytes go: after a crash, what the server then claims to
                    # hold is checked against it.
                    self.offered = offset + length
                    await self._save(offset)
                response = await self._send_body("PATCH", self.upload_url, headers, offset, length)
                status = response.status
                if status == 409:
                    conflicts += 1
                    if conflicts > _CONFLICT_TRIES:
                        raise _status_error(response, "the server's offset keeps disagreeing with ours")
                    offset = await self._head_or_restart()
                    continue
                if status in _GONE:
                    offset = await self._restart(f"the server no longer has the upload (HTTP {status})")
                    continue
                if status == 460:
                    checksum_failures += 1
                    if checksum_failures >= _CHECKSUM_TRIES:
                        raise _status_error(
                            response,
                            f"the server received different bytes than were sent at offset {offset}, "
                            f"{checksum_failures} times in a row",
                            reason="Checksum Mismatch",
                        )
                    # Nothing of that part was kept: send it again.
                    await self._confirm(offset, response)
                    continue
                if status == 413:
                    if length <= MIN_PART_SIZE:
                        raise _too_large(size, self.info.max_size, response)
                    # A proxy's body limit, not the file's size: smaller parts, from the offset
                    # the server really has.
                    part_size = max(MIN_PART_SIZE, length // 4)
                    self._notice(
                        f"the server refused a {format_size(length)} request (HTTP 413); "
                        f"sending parts of {format_size(part_size)}"
                    )
                    offset = await self._head_or_restart()
                    continue
                self._raise_for_common(response)
                if not response.ok:
                    return response
                new_offset = _offset_header(response)
                if new_offset is None:
                    new_offset = await self._head()
                elif new_offset > offset + length:
                    raise TusServerFault(
                        f"the tus server reported offset {new_offset} after being sent {length} bytes "
                        f"at offset {offset}"
                    )
                elif new_offset < offset:
                    # It holds less than before: believe it, and send those bytes again.
                    conflicts += 1
                    if conflicts > _CONFLICT_TRIES:
                        raise TusServerFault(
                            f"the tus server's offset went back from {offset} to {new_offset} "
                            f"{conflicts} times"
                        )
                    self._notice(f"the server's offset went back from {offset} to {new_offset}; resending")
                    offset = await self._head_or_restart()
                    continue
                if new_offset > offset:
                    conflicts = checksum_failures = 0
                offset = new_offset
                await self._confirm(offset, response)
                if offset >= size:
                    return response
        finally:
            await hasher.close()

    async def _head_or_restart(self) -> int:
        try:
            return await self._head()
        except _UploadGone as gone:
            return await self._restart(gone.why)

    async def _restart(self, why: str) -> int:
        """The server forgot the upload mid-way: a new one from the start (once per attempt)."""
        if self.recreated:
            raise UploadError(f"{why}, again after a new upload was created")
        self.recreated = True
        self._notice(f"{why}; uploading again from the start")
        self.upload_url = None
        created = await self._create()
        if isinstance(created, UploadResponse):
            raise _Finished(created)
        return created

    async def _request(self, method: str, url: str, headers: Mapping[str, str]) -> UploadResponse:
        client = self.context.client
        request = client.build_request(method, url, headers=headers, timeout=self.context.timeout)
        return await send_capped(client, request)

    async def _send_body(
        self, method: str, url: str, headers: Mapping[str, str], offset: int, length: int
    ) -> UploadResponse:
        # The attempt's headers for this URL only: no secrets to another origin.
        context = dataclasses.replace(self.context, headers=self._headers_for(url))
        return await send_file_request(
            context, method=method, url=url, headers=headers, offset=offset, length=length
        )

    # -- bookkeeping ------------------------------------------------------------------------------

    def _raise_for_common(self, response: UploadResponse) -> None:
        status = response.status
        if status == 412:
            _discovered.get(self.context.client, {}).pop(self.endpoint, None)
            versions = _split_list(response.headers.get("tus-version"))
            raise _version_error(412, response.reason or "Precondition Failed", versions)
        if status == 423:
            # Locked: the server is still finishing an earlier request on this upload.
            error = _status_error(response)
            error.retryable = True
            raise error

    async def _confirm(self, offset: int, response: UploadResponse) -> None:
        self.expires = response.headers.get("upload-expires") or self.expires
        self.context.set_confirmed_offset(offset)
        await self._save(offset)

    async def _save(self, offset: int) -> None:
        await self.context.save_resume_data(
            {
                "upload_url": self.upload_url,
                "fingerprint": self.fingerprint.identity(self.endpoint),
                "offset": offset,
                "offered": self.offered,
                "expires": self.expires,
            }
        )

    def _headers_for(self, url: str) -> Mapping[str, str]:
        return headers_for(url, self.endpoint, self.headers)

    def _notice(self, text: str) -> None:
        log.info("task %s: %s", self.task.task_id, text)
        self.context.report(text)

    async def _terminate_stale(self) -> None:
        """Best effort: the server's copy of an older file version will never be continued."""
        stale, self.stale_upload = self.stale_upload, None
        if stale is None or not self.info.offers("termination"):
            return
        try:
            await self._request("DELETE", stale, self._headers_for(stale))
        except httpx.HTTPError as error:
            log.info("could not terminate stale tus upload %s: %s", redact_url(stale), type(error).__name__)


class _Finished(Exception):
    def __init__(self, response: UploadResponse) -> None:
        super().__init__(response.status)
        self.response = response


class _PartHasher:
    """Digests of file parts computed in a worker thread, one part ahead of the sender."""

    def __init__(self, fingerprint: FileFingerprint, algorithm: str | None) -> None:
        self.fingerprint = fingerprint
        self.algorithm = algorithm
        self._ahead: tuple[int, int, asyncio.Future[str]] | None = None

    def prefetch(self, offset: int, length: int) -> None:
        if self.algorithm is None or length <= 0:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, _hash_slice, self.fingerprint, self.algorithm, offset, length)
        self._ahead = (offset, length, future)

    async def digest(self, offset: int, length: int) -> str | None:
        if self.algorithm is None:
            return None
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            if ahead[:2] == (offset, length):
                return await ahead[2]
            await asyncio.wait([ahead[2]])
        return await asyncio.to_thread(_hash_slice, self.fingerprint, self.algorithm, offset, length)

    async def close(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await asyncio.wait([ahead[2]])
            if not ahead[2].cancelled():
                ahead[2].exception()


def _describe_mismatch(recorded: object, current: Mapping[str, Any]) -> str:
    if not isinstance(recorded, Mapping):
        return "the upload's record is incomplete"
    if recorded.get("destination") != current["destination"]:
        return "the destination changed"
    if recorded.get("path") != current["path"]:
        return "the file's path changed"
    if recorded.get("size") != current["size"]:
        return f"the file changed (size {recorded.get('size')} -> {current['size']} bytes)"
    if "ctime_ns" not in recorded:
        return "the upload was recorded by an older Skylift"
    if recorded.get("mtime_ns") != current["mtime_ns"]:
        return "the file changed (modification time)"
    if recorded.get("inode") != current["inode"]:
        return "the file was replaced"
    return "the file changed (rewritten in place)"


def _status_error(response: UploadResponse, message: str = "", *, reason: str = "") -> ServerStatusError:
    status = response.status
    if not reason:
        reason = response.reason
    if not reason:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    if not message:
        message = " ".join(response.text.split())[:300]
    request_summary, response_summary = response.summaries()
    return ServerStatusError(
        status,
        reason,
        message,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        request=request_summary,
        response=response_summary,
    )


def _too_large(size: int, limit: int | None, response: UploadResponse | str) -> ServerStatusError:
    if limit is not None:
        message = (
            f"the server accepts at most {format_size(limit)} ({limit} bytes); "
            f"this file is {format_size(size)} ({size} bytes)"
        )
    elif isinstance(response, UploadResponse) and response.text.strip():
        message = " ".join(response.text.split())[:300]
    else:
        message = f"the server refused a {format_size(size)} upload"
    return ServerStatusError(413, "Payload Too Large", message)


register(
    ProtocolSpec(
        name=TusOptions.protocol,
        label="tus resumable upload",
        resumable=True,
        options=TusOptions,
        create=TusProtocol,
    )
)
