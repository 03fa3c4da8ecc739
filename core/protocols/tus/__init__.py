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

import logging

import httpx

from ...redaction import redact_url
from ...registry import ProtocolSpec, register
from ..base import AttemptContext, DiscardContext, UploadProtocol, UploadResponse, merge_headers, send_capped
from .attempt import TusAttempt
from .options import TusOptions
from .wire import (
    CHECKSUM_PART_SIZE,
    CREATION_WITH_UPLOAD_LIMIT,
    DISCARD_TIMEOUT,
    MIN_PART_SIZE,
    TUS_VERSION,
    TusServerFault,
    TusServerInfo,
    discover,
    encode_metadata,
    headers_for,
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

log = logging.getLogger("core.protocols.tus")


class TusProtocol(UploadProtocol):
    async def send(self, context: AttemptContext) -> UploadResponse:
        return await TusAttempt(context).run()

    async def discard(self, context: DiscardContext) -> None:
        """Termination: ``DELETE`` the upload of a cancelled task, when the server offers it."""
        data = context.task.resume_data or {}
        upload_url = data.get("upload_url")
        if not isinstance(upload_url, str):
            return
        headers = merge_headers(context.headers, {"Tus-Resumable": TUS_VERSION})
        timeout = httpx.Timeout(min(DISCARD_TIMEOUT, context.timeout.read or DISCARD_TIMEOUT))
        try:
            info = await discover(context.client, context.task.destination.url, headers, timeout)
            if not info.offers("termination"):
                return
            headers = dict(headers_for(upload_url, context.task.destination.url, headers))
            request = context.client.build_request("DELETE", upload_url, headers=headers, timeout=timeout)
            response = await send_capped(context.client, request)
        except httpx.HTTPError as error:
            log.info("could not terminate tus upload %s: %s", redact_url(upload_url), type(error).__name__)
            return
        log.info("terminated tus upload %s: HTTP %s", redact_url(upload_url), response.status)


register(
    ProtocolSpec(
        name=TusOptions.protocol,
        label="tus resumable upload",
        resumable=True,
        options=TusOptions,
        create=TusProtocol,
    )
)
