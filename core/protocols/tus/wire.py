"""tus on the wire: constants, what OPTIONS said (``TusServerInfo``, cached per session and
endpoint), headers read and written, upload addresses, and the errors a tus server's answers become."""

from __future__ import annotations

import base64
import email.utils
import http
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ...errors import ServerStatusError, UploadError
from ...redaction import is_secret_header, redact_url
from ...retry import parse_retry_after
from ...text import printable, wire_text
from ...units import format_size
from ...urls import resolve_location, same_origin
from ..base import UploadResponse, send_capped

TUS_VERSION = "1.0.0"
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
# creation-with-upload carries at most this much in the POST: a small file goes in one request,
# while a big one has its upload URL (and so its resumability) before the bulk of the bytes moves.
CREATION_WITH_UPLOAD_LIMIT = 4 << 20
# PATCH part size when the server verifies checksums and no chunk size is set: a 460 re-sends at
# most this much, and hashing one part overlaps sending the previous one.
CHECKSUM_PART_SIZE = 64 << 20
# Preferred first; sha1 is the one every checksum-capable tus server must support.
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
# The smallest PATCH that a 413 makes us try: below it, the server's limit is the file's.
MIN_PART_SIZE = 256 << 10
# Consecutive 460s for the same part before giving up.
CHECKSUM_TRIES = 3
# 409s (offset mismatch) in a row without progress before giving up.
CONFLICT_TRIES = 3
DISCARD_TIMEOUT = 10.0
GONE = (404, 410)


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
        return next((a for a in CHECKSUM_ALGORITHMS if a in self.checksum_algorithms), None)


# Discovery results per session (one httpx client per session) and endpoint.
discovered: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, TusServerInfo]] = (
    weakref.WeakKeyDictionary()
)


def encode_metadata(values: Mapping[str, str]) -> str:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; values are sent as UTF-8
    (an undecodable byte of a file name as U+FFFD: servers decode metadata as UTF-8)."""
    return ",".join(
        f"{key} {base64.b64encode(wire_text(value).encode('utf-8')).decode('ascii')}"
        for key, value in values.items()
    )


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def offset_header(response: UploadResponse) -> int | None:
    """``Upload-Offset``, or None when absent; a value that is not a non-negative integer is a
    server fault, not a missing header."""
    value = response.headers.get("upload-offset")
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise TusServerFault(f"the tus server sent an invalid Upload-Offset {printable(value)[:30]!r}")
    return int(text)


def expired(expires: str | None) -> bool:
    if not expires:
        return False
    try:
        when = email.utils.parsedate_to_datetime(expires)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False
    return when.timestamp() < time.time()


def checked_location(base: httpx.URL, location: str) -> str:
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


class UploadGone(Exception):
    """The server no longer has the upload (404/410), or it is not this file's: start a new one."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Finished(Exception):
    def __init__(self, response: UploadResponse) -> None:
        super().__init__(response.status)
        self.response = response


async def discover(
    client: httpx.AsyncClient, endpoint: str, headers: Mapping[str, str], timeout: httpx.Timeout
) -> TusServerInfo:
    cache = discovered.setdefault(client, {})
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
            versions=split_list(headers_in.get("tus-version")),
            extensions=frozenset(split_list(headers_in.get("tus-extension"))),
            max_size=int_header(headers_in, "tus-max-size"),
            checksum_algorithms=tuple(
                a.lower() for a in split_list(headers_in.get("tus-checksum-algorithm"))
            ),
        )
        if TUS_VERSION not in info.versions:
            raise version_error(412, "Precondition Failed", info.versions)
    cache[endpoint] = info
    return info


def version_error(status: int, reason: str, versions: tuple[str, ...]) -> ServerStatusError:
    offered = ", ".join(versions) or "none named"
    return ServerStatusError(
        status, reason, f"the server does not speak tus {TUS_VERSION} (it offers: {offered})"
    )


def describe_mismatch(recorded: object, current: Mapping[str, Any]) -> str:
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


def status_error(response: UploadResponse, message: str = "", *, reason: str = "") -> ServerStatusError:
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


def too_large(size: int, limit: int | None, response: UploadResponse | str) -> ServerStatusError:
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


def raise_for_common(response: UploadResponse, client: httpx.AsyncClient, endpoint: str) -> None:
    """What any tus answer may say: 412 (no common version: forget what OPTIONS said) and 423
    (locked: the server still finishes an earlier request on the upload; retried)."""
    status = response.status
    if status == 412:
        discovered.get(client, {}).pop(endpoint, None)
        versions = split_list(response.headers.get("tus-version"))
        raise version_error(412, response.reason or "Precondition Failed", versions)
    if status == 423:
        error = status_error(response)
        error.retryable = True
        raise error
