"""Servers for the security tests: one that echoes what it was sent (a careless or hostile server
that puts the client's credentials into its answers), and a tus server reachable on two origins
whose creation answer points the upload at the other one."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field

from aiohttp import web

from tests.servers import AiohttpServer, local_port

__all__ = ["EchoServer", "TwoOriginTus"]


@dataclass
class Seen:
    method: str
    url: str
    headers: dict[str, str]
    size: int


class EchoServer(AiohttpServer):
    """Answers every request with its method, URL, headers and query as JSON. ``fail_first`` makes
    the first answer a 500 whose text is that echo (so it lands in an error message)."""

    name = "echo server"

    def __init__(self, *, fail_first: bool = False) -> None:
        super().__init__()
        self.seen: list[Seen] = []
        self.fail_first = fail_first

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/{tail:.*}", self._echo)
        return app

    async def _echo(self, request: web.Request) -> web.Response:
        size = 0
        while chunk := await request.content.read(1 << 20):
            size += len(chunk)
        self.seen.append(Seen(request.method, str(request.url), dict(request.headers), size))
        echo = json.dumps(
            {"url": str(request.url), "headers": dict(request.headers), "query": dict(request.query)}
        )
        if self.fail_first and len(self.seen) == 1:
            return web.Response(status=500, text=f"upstream refused: {echo}")
        return web.Response(status=201, text=echo, content_type="application/json")


@dataclass
class Upload:
    length: int
    data: bytearray = field(default_factory=bytearray)


class TwoOriginTus(AiohttpServer):
    """A tus 1.0 server listening on two ports (two origins). Creation on the first answers with a
    Location on the second (or ``location`` if set: e.g. "javascript:alert(1)"). Every request's
    headers are kept, by port."""

    name = "two-origin tus"

    def __init__(self) -> None:
        super().__init__()
        self.location: str | None = None
        self.uploads: dict[str, Upload] = {}
        self.log: list[tuple[int, str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files/"

    sites = 2

    @property
    def second_port(self) -> int:
        return self.ports[1]

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/files/", self._collection)
        app.router.add_route("*", "/files/{id}", self._resource)
        return app

    def _record(self, request: web.Request) -> None:
        self.log.append((local_port(request), request.method, dict(request.headers)))

    async def _collection(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        base = {"Tus-Resumable": "1.0.0"}
        if request.method == "OPTIONS":
            return web.Response(
                status=204, headers={**base, "Tus-Version": "1.0.0", "Tus-Extension": "creation,termination"}
            )
        upload_id = uuid.uuid4().hex
        self.uploads[upload_id] = Upload(int(request.headers["Upload-Length"]))
        location = self.location or f"http://127.0.0.1:{self.second_port}/files/{upload_id}"
        return web.Response(status=201, headers={**base, "Location": location, "Upload-Offset": "0"})

    async def _resource(self, request: web.Request) -> web.StreamResponse:
        self._record(request)
        base = {"Tus-Resumable": "1.0.0"}
        upload = self.uploads.get(request.match_info["id"])
        if upload is None:
            return web.Response(status=404, headers=base)
        if request.method == "HEAD":
            return web.Response(
                status=200,
                headers={**base, "Upload-Offset": str(len(upload.data)), "Upload-Length": str(upload.length)},
            )
        if request.method == "DELETE":
            return web.Response(status=204, headers=base)
        if int(request.headers.get("Upload-Offset", "-1")) != len(upload.data):
            return web.Response(status=409, headers=base)
        while chunk := await request.content.read(1 << 20):
            upload.data += chunk
        return web.Response(status=204, headers={**base, "Upload-Offset": str(len(upload.data))})


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()
