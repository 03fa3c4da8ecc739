"""A small tus 1.0 server on aiohttp.web whose answers the tests script: 409, 404/410, 412, 413,
460 (checksum), expiration, relative Location, dropped connections. It logs every request so the
tests can check what went over the wire. It runs in its own thread and loop, like tests/servers.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from dataclasses import dataclass, field

from aiohttp import web

from tests.servers import LoopThreadServer

__all__ = ["LoggedRequest", "ScriptedTusServer", "StoredUpload"]


@dataclass
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class StoredUpload:
    length: int
    metadata: dict[str, str]
    data: bytearray = field(default_factory=bytearray)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _decode_metadata(header: str) -> dict[str, str]:
    values = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        values[key] = base64.b64decode(encoded).decode("utf-8") if encoded else ""
    return values


class ScriptedTusServer(LoopThreadServer):
    name = "scripted tus server"

    def __init__(self) -> None:
        super().__init__()
        # What OPTIONS advertises.
        self.extensions = ["creation", "creation-with-upload", "termination", "expiration"]
        self.checksum_algorithms: list[str] = []
        self.max_size: int | None = None
        # Answer every request but OPTIONS with 412, advertising only this version.
        self.only_version: str | None = None
        self.relative_location = False
        # Statuses answered once each (front first) instead of serving, per method.
        self.fail_next: dict[str, list[int]] = {}
        # Read this many bytes of the next PATCH (keeping them), then drop the connection.
        self.drop_patch_after: int | None = None
        # After such a drop, forget the upload: later requests for it get this status (404/410).
        self.forget_after_drop: int | None = None
        # Answer the next N PATCHes that carry a checksum with 460, keeping nothing.
        self.checksum_failures = 0
        # Upload-Expires sent with POST and PATCH answers.
        self.expires: str | None = None
        # A 413 on POST (no Tus-Max-Size advertised) with this body.
        self.refuse_creation_with: str | None = None

        self.uploads: dict[str, StoredUpload] = {}
        self.gone: dict[str, int] = {}
        self.log: list[LoggedRequest] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files/"

    def requests(self, method: str) -> list[LoggedRequest]:
        return [entry for entry in self.log if entry.method == method]

    def only_upload(self) -> StoredUpload:
        assert len(self.uploads) == 1, f"expected one upload, server holds {len(self.uploads)}"
        return next(iter(self.uploads.values()))

    # -- running ----------------------------------------------------------------------------------

    async def _main(self) -> None:
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/files/", self._collection)
        app.router.add_route("*", "/files/{id}", self._resource)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()

    # -- handlers ---------------------------------------------------------------------------------

    def _answer(
        self, entry: LoggedRequest, status: int, headers: dict[str, str] | None = None, text: str = ""
    ) -> web.Response:
        entry.status = status
        answer = {"Tus-Resumable": "1.0.0", **(headers or {})}
        return web.Response(status=status, headers=answer, text=text or None)

    def _scripted(self, request: web.Request, entry: LoggedRequest) -> web.Response | None:
        if self.only_version is not None and request.method != "OPTIONS":
            return self._answer(entry, 412, {"Tus-Version": self.only_version}, "unsupported version")
        pending = self.fail_next.get(request.method)
        if pending:
            return self._answer(entry, pending.pop(0), text="scripted failure")
        return None

    async def _collection(self, request: web.Request) -> web.StreamResponse:
        entry = LoggedRequest(request.method, request.path, dict(request.headers))
        self.log.append(entry)
        if request.method == "OPTIONS":
            headers = {
                "Tus-Version": self.only_version or "1.0.0",
                "Tus-Extension": ",".join(self.extensions),
            }
            if self.max_size is not None:
                headers["Tus-Max-Size"] = str(self.max_size)
            if self.checksum_algorithms:
                headers["Tus-Checksum-Algorithm"] = ",".join(self.checksum_algorithms)
            return self._answer(entry, 204, headers)
        scripted = self._scripted(request, entry)
        if scripted is not None:
            return scripted
        if request.method != "POST":
            return self._answer(entry, 405)
        length = int(request.headers["Upload-Length"])
        if self.refuse_creation_with is not None:
            return self._answer(entry, 413, text=self.refuse_creation_with)
        if self.max_size is not None and length > self.max_size:
            return self._answer(entry, 413, text="too big")
        upload_id = uuid.uuid4().hex
        upload = StoredUpload(length, _decode_metadata(request.headers.get("Upload-Metadata", "")))
        self.uploads[upload_id] = upload
        headers = {"Location": upload_id if self.relative_location else f"{self.url}{upload_id}"}
        if self.expires:
            headers["Upload-Expires"] = self.expires
        if request.content_length:
            upload.data += await request.read()
            headers["Upload-Offset"] = str(len(upload.data))
        return self._answer(entry, 201, headers)

    async def _resource(self, request: web.Request) -> web.StreamResponse:
        entry = LoggedRequest(request.method, request.path, dict(request.headers))
        self.log.append(entry)
        scripted = self._scripted(request, entry)
        if scripted is not None:
            return scripted
        upload_id = request.match_info["id"]
        if upload_id in self.gone:
            return self._answer(entry, self.gone[upload_id])
        upload = self.uploads.get(upload_id)
        if upload is None:
            return self._answer(entry, 404)
        if request.method == "HEAD":
            headers = {
                "Upload-Offset": str(len(upload.data)),
                "Upload-Length": str(upload.length),
                "Cache-Control": "no-store",
            }
            return self._answer(entry, 200, headers)
        if request.method == "DELETE":
            del self.uploads[upload_id]
            self.gone[upload_id] = 404
            return self._answer(entry, 204)
        if request.method != "PATCH":
            return self._answer(entry, 405)
        if request.headers.get("Content-Type") != "application/offset+octet-stream":
            return self._answer(entry, 415)
        if int(request.headers["Upload-Offset"]) != len(upload.data):
            return self._answer(entry, 409, text="offset mismatch")
        checksum = request.headers.get("Upload-Checksum")
        if self.drop_patch_after is not None:
            cut, self.drop_patch_after = self.drop_patch_after, None
            upload.data += await request.content.readexactly(cut)
            if self.forget_after_drop is not None:
                del self.uploads[upload_id]
                self.gone[upload_id] = self.forget_after_drop
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        body = await request.read()
        if checksum is not None:
            algorithm, _, expected = checksum.partition(" ")
            actual = base64.b64encode(hashlib.new(algorithm, body).digest()).decode()
            if self.checksum_failures or actual != expected:
                self.checksum_failures = max(0, self.checksum_failures - 1)
                return self._answer(entry, 460, text="checksum mismatch")
        upload.data += body
        headers = {"Upload-Offset": str(len(upload.data))}
        if self.expires:
            headers["Upload-Expires"] = self.expires
        return self._answer(entry, 204, headers)
