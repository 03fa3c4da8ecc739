"""Real HTTP receivers on 127.0.0.1 for the tests, built on aiohttp.web.

Multipart bodies are parsed by aiohttp's own MultipartReader (a standard parser, not ours); every
received file is hashed so tests compare the server's sha256 with the local file's. Behaviour can be
scripted per path: fail with a status (and Retry-After) a number of times, stall, or drop the
connection after some bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["Received", "ReceiverServer", "Script", "running_receiver"]


@dataclass
class Received:
    """One upload as the server saw it."""

    path: str
    method: str
    headers: dict[str, str]
    # multipart: the file part's name and filename; raw: None.
    field_name: str | None = None
    filename: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    content_type: str | None = None


@dataclass
class Script:
    """What the server does for requests to one path, consumed front to back."""

    # Statuses to answer (before reading the body) for the next requests; then normal service.
    fail_with: list[int] = field(default_factory=list)
    retry_after: str | None = None
    body: str = "scripted failure"
    # Read this many bytes and then drop the connection, for the next ``drop_times`` requests.
    drop_after: int | None = None
    drop_times: int = 0
    # Seconds to wait before reading anything (simulates a stalled server).
    stall: float = 0.0
    # Seconds to sleep between 64 KiB reads (slows the upload so tests can act mid-transfer).
    read_delay: float = 0.0


class ReceiverServer:
    """An aiohttp app in its own thread and loop, so it works under any client loop (asyncio, qasync)."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self.scripts: dict[str, Script] = {}
        self.active = 0
        self.max_active = 0
        self.requests = 0
        self._ssl = ssl_context
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = 0
        self.done = threading.Condition()

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl else "http"
        host = "localhost" if self._ssl else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("receiver did not start")

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop_event.set)
        self._thread.join(10)

    def script(self, path: str, **behaviour: object) -> Script:
        script = Script(**behaviour)  # type: ignore[arg-type]
        self.scripts[path] = script
        return script

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self.done:
            if not self.done.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"server received {len(self.received)} of {count} uploads")
        return list(self.received)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._stop_event = asyncio.Event()
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        app = web.Application(client_max_size=0)
        app.router.add_route("GET", "/ping", _ping)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        await self._stop_event.wait()
        await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            return await self._respond(request)
        finally:
            self.active -= 1

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        script = self.scripts.get(request.path)
        if script and script.stall:
            await asyncio.sleep(script.stall)
        if script and script.fail_with:
            status = script.fail_with.pop(0)
            headers = {"Retry-After": script.retry_after} if script.retry_after else {}
            return web.Response(status=status, text=script.body, headers=headers)
        if script and script.drop_times and script.drop_after is not None:
            script.drop_times -= 1
            await request.content.readexactly(min(script.drop_after, request.content_length or 0))
            assert request.transport is not None
            request.transport.abort()
            raise asyncio.CancelledError
        record = Received(
            path=request.path,
            method=request.method,
            headers=dict(request.headers),
            content_type=request.content_type,
        )
        delay = script.read_delay if script else 0.0
        if request.content_type == "multipart/form-data":
            await self._read_multipart(request, record, delay)
        else:
            digest = hashlib.sha256()
            while chunk := await request.content.read(64 << 10):
                digest.update(chunk)
                record.size += len(chunk)
                if delay:
                    await asyncio.sleep(delay)
            record.sha256 = digest.hexdigest()
        with self.done:
            self.received.append(record)
            self.done.notify_all()
        return web.json_response(
            {"path": record.path, "filename": record.filename, "size": record.size, "sha256": record.sha256},
            status=201,
        )

    @staticmethod
    async def _read_multipart(request: web.Request, record: Received, delay: float) -> None:
        reader = await request.multipart()
        async for part in reader:
            if part.filename is None:
                record.form[part.name or ""] = (await part.read()).decode()  # type: ignore[union-attr]
                continue
            record.field_name, record.filename = part.name, part.filename
            digest = hashlib.sha256()
            while chunk := await part.read_chunk(1 << 20):  # type: ignore[union-attr]
                digest.update(chunk)
                record.size += len(chunk)
                if delay:
                    await asyncio.sleep(delay)
            record.sha256 = digest.hexdigest()


async def _ping(_: web.Request) -> web.Response:
    return web.Response(status=204)


@contextmanager
def running_receiver(*, ssl_context: ssl.SSLContext | None = None) -> Iterator[ReceiverServer]:
    server = ReceiverServer(ssl_context=ssl_context)
    server.start()
    try:
        yield server
    finally:
        server.stop()
