"""The seam between the session and a wire protocol.

A protocol performs one attempt of one task: it streams the file and returns the server's final
response. The session owns retries, timeouts, states and events; protocols own the bytes on the wire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ..streams import FileFingerprint, RateLimiter
from ..task import TaskSnapshot

__all__ = ["AttemptContext", "DiscardContext", "UploadProtocol", "UploadResponse"]


@dataclass(frozen=True)
class UploadResponse:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class AttemptContext:
    """Everything one attempt needs; built by the session."""

    client: httpx.AsyncClient
    task: TaskSnapshot
    fingerprint: FileFingerprint
    # Session default headers merged with the destination's.
    headers: Mapping[str, str]
    timeout: httpx.Timeout
    limiter: RateLimiter | None
    # Called with the number of file bytes just handed to the connection.
    on_sent: Callable[[int], None]
    # Resumable protocols: the server holds ``offset`` bytes; sending continues from there.
    # Sets the task's bytes_sent and bytes_confirmed to ``offset``.
    set_confirmed_offset: Callable[[int], None]
    # Resumable protocols: persist protocol state (e.g. the upload URL) at once; None clears it.
    save_resume_data: Callable[[Mapping[str, Any] | None], None]
    # Tells the user something about this attempt in the task's error text, e.g. why an interrupted
    # upload starts again from zero. The text stays until the task completes or fails otherwise.
    report: Callable[[str], None] = lambda _text: None


@dataclass(frozen=True)
class DiscardContext:
    """What a protocol's optional ``discard`` hook gets when a task is cancelled."""

    client: httpx.AsyncClient
    task: TaskSnapshot
    headers: Mapping[str, str]
    timeout: httpx.Timeout


class UploadProtocol(Protocol):
    """A protocol may also define ``async def discard(self, context: DiscardContext) -> None``:
    the session calls it (in the background) when a task with resume data is cancelled, so that a
    resumable protocol can release what the server holds (tus: ``DELETE``, termination)."""

    # Whether an interrupted attempt can continue from the server's offset.
    resumable: bool

    async def send(self, context: AttemptContext) -> UploadResponse:
        """Make one attempt. Raise ``UploadError`` (or let httpx errors through) on failure."""
        ...


async def send_file_request(
    context: AttemptContext,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    prefix: bytes = b"",
    suffix: bytes = b"",
) -> UploadResponse:
    """Stream ``prefix + file + suffix`` as one request with an exact Content-Length."""
    from ..streams import FileBody

    body = FileBody(
        context.fingerprint,
        on_sent=context.on_sent,
        prefix=prefix,
        suffix=suffix,
        limiter=context.limiter,
    )
    request_headers = dict(context.headers)
    request_headers.update(headers)
    # Without an explicit length httpx sends chunked, which many servers (S3, nginx PUT) refuse.
    request_headers["Content-Length"] = str(body.content_length)
    request = context.client.build_request(
        method, url, headers=request_headers, content=body, timeout=context.timeout
    )
    try:
        response = await context.client.send(request)
    finally:
        await body.close()
    return UploadResponse(response.status_code, response.reason_phrase, response.headers, response.content)
