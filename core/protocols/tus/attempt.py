"""One tus attempt: discover, continue an earlier upload (HEAD) or create one, then PATCH the
rest; what the server says it holds is believed only as far as it can be true."""

from __future__ import annotations

import dataclasses
import logging
import mimetypes
from collections.abc import Mapping

import httpx

from ...errors import UploadError
from ...redaction import redact_url
from ...units import format_size
from ..base import AttemptContext, UploadResponse, merge_headers, send_capped, send_file_request
from .options import TusOptions
from .parts import PartHasher
from .wire import (
    CHECKSUM_PART_SIZE,
    CHECKSUM_TRIES,
    CONFLICT_TRIES,
    CREATION_WITH_UPLOAD_LIMIT,
    GONE,
    MIN_PART_SIZE,
    OFFSET_OCTET_STREAM,
    TUS_VERSION,
    Finished,
    TusServerFault,
    TusServerInfo,
    UploadGone,
    checked_location,
    describe_mismatch,
    discover,
    encode_metadata,
    expired,
    headers_for,
    int_header,
    offset_header,
    raise_for_common,
    status_error,
    too_large,
)

log = logging.getLogger("core.protocols.tus")


class TusAttempt:
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
        self.info = await discover(client, self.endpoint, self.headers, timeout)
        self._check_size_limit()
        offset: int | None = None
        if self._continue_previous():
            try:
                offset = await self._head()
            except UploadGone as gone:
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
        except Finished as finished:
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
            reason = describe_mismatch(recorded, current)
            self._notice(f"{reason} since the upload was interrupted; uploading again from the start")
            self.stale_upload = str(data["upload_url"])
            return False
        if expired(data.get("expires")):
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
            raise too_large(self.fingerprint.size, limit, "")

    # -- requests ---------------------------------------------------------------------------------

    async def _head(self) -> int:
        """The server's offset for ``upload_url``; raises ``UploadGone`` if it has forgotten it
        or holds what cannot be this file's bytes."""
        assert self.upload_url is not None
        response = await self._request("HEAD", self.upload_url, self._headers_for(self.upload_url))
        status = response.status
        if status in GONE or status == 403:
            raise UploadGone(f"the server no longer has the upload (HTTP {status})")
        raise_for_common(response, self.context.client, self.endpoint)
        if not response.ok:
            raise status_error(response)
        offset = offset_header(response)
        length = int_header(response.headers, "upload-length")
        if offset is None:
            raise TusServerFault(
                f"the tus server's HEAD response for {redact_url(self.upload_url)} has no Upload-Offset"
            )
        size = self.fingerprint.size
        if length is not None and length != size:
            # Not the upload of this file version: never append to it.
            raise UploadGone(f"the server's upload is {length} bytes long, not {size}")
        if offset > min(size, self.offered):
            raise UploadGone(
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
            raise too_large(
                size, int_header(response.headers, "tus-max-size") or self.info.max_size, response
            )
        raise_for_common(response, self.context.client, self.endpoint)
        location = response.headers.get("location")
        if not response.ok or not location:
            if response.ok:
                raise UploadError(f"the tus server created an upload but sent no Location (HTTP {status})")
            return response
        # A relative Location is resolved against the URL the POST went to.
        self.upload_url = checked_location(response.url, location)
        self.expires = response.headers.get("upload-expires") or self.expires
        self.offered = first
        offset = offset_header(response)
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
        hasher = PartHasher(self.fingerprint, algorithm)
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
                    if conflicts > CONFLICT_TRIES:
                        raise status_error(response, "the server's offset keeps disagreeing with ours")
                    offset = await self._head_or_restart()
                    continue
                if status in GONE:
                    offset = await self._restart(f"the server no longer has the upload (HTTP {status})")
                    continue
                if status == 460:
                    checksum_failures += 1
                    if checksum_failures >= CHECKSUM_TRIES:
                        raise status_error(
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
                        raise too_large(size, self.info.max_size, response)
                    # A proxy's body limit, not the file's size: smaller parts, from the offset
                    # the server really has.
                    part_size = max(MIN_PART_SIZE, length // 4)
                    self._notice(
                        f"the server refused a {format_size(length)} request (HTTP 413); "
                        f"sending parts of {format_size(part_size)}"
                    )
                    offset = await self._head_or_restart()
                    continue
                raise_for_common(response, self.context.client, self.endpoint)
                if not response.ok:
                    return response
                new_offset = offset_header(response)
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
                    if conflicts > CONFLICT_TRIES:
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
        except UploadGone as gone:
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
            raise Finished(created)
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
