"""The seam between the session and a wire protocol.

A protocol performs one attempt of one task: it streams the file and returns the server's final
response. The session owns retries, timeouts, states and events; protocols own the bytes on the wire.

Every response is read through ``send_capped``: the body is streamed, its first
``MAX_RESPONSE_KEPT`` bytes are kept (what the task records and shows), the rest is read and thrown
away up to ``MAX_RESPONSE_DRAINED`` so the connection can be reused, and beyond that the connection
is closed. A server cannot make the client hold more than that, however much it sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import RequestSummary, ResponseSummary, UploadError
from ..redaction import is_secret_header, redact_url
from ..streams import FileBody, FileFingerprint, RateLimiter
from ..task import TaskSnapshot
from ..text import printable
from ..urls import resolve_location, same_origin

__all__ = [
    "MAX_REDIRECTS",
    "MAX_RESPONSE_DRAINED",
    "MAX_RESPONSE_KEPT",
    "AttemptContext",
    "DiscardContext",
    "UploadProtocol",
    "UploadResponse",
    "merge_headers",
    "send_capped",
    "send_file_request",
]

# What is kept of a response body: enough for any JSON answer or error page.
MAX_RESPONSE_KEPT = 64 << 10
# Beyond what is kept, read and discard this much before closing the connection instead.
MAX_RESPONSE_DRAINED = 1 << 20


_NO_URL = httpx.URL("http://unknown/")


@dataclass(frozen=True)
class UploadResponse:
    status: int
    reason: str
    headers: httpx.Headers
    # At most MAX_RESPONSE_KEPT bytes of the body (decoded, if the server compressed it).
    body: bytes
    # Where the request went: a relative Location is resolved against it.
    url: httpx.URL = _NO_URL
    # The body was longer than what is kept.
    truncated: bool = False
    # Set when the body could not be read (a broken gzip stream ...): the status still stands.
    body_problem: str | None = None
    method: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def summaries(self) -> tuple[RequestSummary, ResponseSummary]:
        """What an error made of this answer carries: the request (URL redacted) and the answer."""
        excerpt = " ".join(self.text.split())[:300]
        return (
            RequestSummary(self.method, redact_url(str(self.url))),
            ResponseSummary(self.status, self.reason, excerpt),
        )


async def send_capped(client: httpx.AsyncClient, request: httpx.Request) -> UploadResponse:
    """Send ``request`` and read its response within the caps (see the module docstring)."""
    response = await client.send(request, stream=True)
    kept = bytearray()
    discarded = 0
    problem: str | None = None
    try:
        async for chunk in response.aiter_bytes():
            room = MAX_RESPONSE_KEPT - len(kept)
            if room > 0:
                kept += chunk[:room]
            discarded += max(0, len(chunk) - max(room, 0))
            if discarded > MAX_RESPONSE_DRAINED:
                break  # aclose() below drops the connection instead of reading on
    except httpx.DecodingError as error:
        problem = f"the server's response body could not be decoded ({error})"
    finally:
        await response.aclose()
    return UploadResponse(
        response.status_code,
        response.reason_phrase,
        response.headers,
        bytes(kept),
        url=response.url,
        truncated=discarded > 0,
        body_problem=problem,
        method=request.method,
    )


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
    # Resumable protocols: persist protocol state (e.g. the upload URL); returns once it is on
    # disk, so that bytes sent afterwards can always be found again after a crash. None clears it.
    save_resume_data: Callable[[Mapping[str, Any] | None], Awaitable[None]]
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


class UploadProtocol:
    """One wire protocol's attempts. The session owns retries, timeouts, states and events; a
    protocol sends the bytes. Registered with its options in ``core.registry``."""

    async def send(self, context: AttemptContext) -> UploadResponse:
        """Make one attempt. Raise ``UploadError`` (or let httpx errors through) on failure."""
        raise NotImplementedError

    async def discard(self, context: DiscardContext) -> None:
        """A task with resume data was cancelled: release what the server holds (tus: DELETE).
        Runs in the background; nothing to do by default."""


def merge_headers(*layers: Mapping[str, str]) -> dict[str, str]:
    """Header sets layered left to right, names compared without case: a later layer's
    ``content-type`` replaces an earlier ``Content-Type`` instead of being sent beside it."""
    merged: dict[str, str] = {}
    names: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.items():
            previous = names.get(name.lower())
            if previous is not None:
                del merged[previous]
            names[name.lower()] = name
            merged[name] = value
    return merged


async def send_file_request(
    context: AttemptContext,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    defaults: Mapping[str, str] | None = None,
    prefix: bytes = b"",
    suffix: bytes = b"",
    offset: int = 0,
    length: int | None = None,
) -> UploadResponse:
    """Stream ``prefix + file[offset:offset+length] + suffix`` as one request with an exact
    Content-Length (without one httpx sends chunked, which many servers, S3 and nginx among them,
    refuse). The user's headers (``context.headers``) win over ``defaults`` (a guessed
    Content-Type: a presigned URL may be signed with another); ``headers`` are the protocol's own
    and win over both.

    Redirects: a 307 or 308 is followed (at most ``MAX_REDIRECTS`` times), the body sent again from
    the file; secret headers go only to the destination's own origin. A 301, 302 or 303 would turn
    the upload into a GET: it fails, naming the new URL."""
    user_headers: Mapping[str, str] = context.headers
    for _ in range(MAX_REDIRECTS + 1):
        body = FileBody(
            context.fingerprint,
            on_sent=context.on_sent,
            offset=offset,
            length=length,
            prefix=prefix,
            suffix=suffix,
            limiter=context.limiter,
        )
        request_headers = merge_headers(
            defaults or {}, user_headers, headers, {"Content-Length": str(body.content_length)}
        )
        request = context.client.build_request(
            method, url, headers=request_headers, content=body, timeout=context.timeout
        )
        try:
            response = await send_capped(context.client, request)
        finally:
            await body.close()
        location = response.headers.get("location")
        if response.status not in _REDIRECTS or not location:
            return response
        target = _redirect_target(response, location)
        if response.status not in (307, 308):
            raise UploadError(
                f"HTTP {response.status}: the server moved the upload to {redact_url(target)}; "
                "set the destination to that URL"
            )
        url = target
        if not same_origin(url, context.task.destination.url):
            user_headers = {k: v for k, v in context.headers.items() if not is_secret_header(k)}
        # The body goes again, from the file: progress starts again where this request began.
        context.set_confirmed_offset(offset)
    raise UploadError(f"more than {MAX_REDIRECTS} redirects (last to {redact_url(url)})")


# Redirects followed for one request; a loop ends there.
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _redirect_target(response: UploadResponse, location: str) -> str:
    target = resolve_location(response.url, location)
    if target is None:
        shown = printable(redact_url(location))[:80]
        raise UploadError(f"the server redirected to an address that is not an http(s) URL: {shown}")
    return target
