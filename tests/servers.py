"""Real HTTP receivers on 127.0.0.1 for the tests, built on aiohttp.web.

Multipart bodies are parsed by aiohttp's own MultipartReader (a standard parser, not ours); every
received file is hashed so tests compare the server's sha256 with the local file's. Behaviour can be
scripted per path (or per folder: a script registered for a path ending in ``/`` applies to every
path under it): fail with a status (and Retry-After) a number of times, stall, drop the connection
after some bytes, read slowly, hold the body after some bytes until the test releases it, or keep
the exact bytes of the body.

Only complete bodies land in ``received``; a body that ended early (the client gave up, was
cancelled or was killed) is listed in ``aborted`` with the number of bytes that did arrive.
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

__all__ = [
    "Aborted",
    "AiohttpServer",
    "Received",
    "ReceiverServer",
    "Script",
    "local_port",
    "running_receiver",
]

# How often a held or stalled handler looks at its release and stop flags.
_POLL = 0.005


@dataclass
class Received:
    """One upload as the server saw it."""

    path: str
    method: str
    headers: dict[str, str]
    # The path as it came on the request line (still percent-encoded).
    raw_path: str = ""
    # multipart: the file part's name and filename; raw: None.
    field_name: str | None = None
    filename: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    # How many parts had a filename (multipart).
    file_parts: int = 0
    size: int = 0
    sha256: str = ""
    content_type: str | None = None
    # The request body exactly as it arrived, when the script asked to capture it.
    body: bytes | None = None


@dataclass
class Aborted:
    """A request whose body never arrived in full."""

    path: str
    bytes_read: int
    error: str


@dataclass
class Script:
    """What the server does for requests to one path, consumed front to back."""

    # Statuses to answer (before reading the body) for the next requests; then normal service.
    fail_with: list[int] = field(default_factory=list)
    retry_after: str | None = None
    # The status line's reason phrase for ``fail_with`` answers (None: aiohttp's own).
    reason: str | None = None
    body: str = "scripted failure"
    # Read this many bytes and then drop the connection, for the next ``drop_times`` requests.
    drop_after: int | None = None
    drop_times: int = 0
    # Seconds to wait before reading anything (simulates a stalled server).
    stall: float = 0.0
    # Seconds to sleep between 64 KiB reads (slows the upload so tests can act mid-transfer).
    read_delay: float = 0.0
    # Stop reading once this many body bytes arrived, until ``release()`` (the client's socket
    # buffers fill up and its upload sits mid-transfer for as long as the test needs). A client
    # that gives up meanwhile is noticed only when reading goes on (its close queues behind the
    # unread bytes): release before waiting for ``aborted``.
    hold_after: int | None = None
    # Keep the raw body bytes in ``Received.body`` instead of parsing multipart.
    capture: bool = False
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


class LoopThreadServer:
    """A loopback server on its own asyncio loop in a daemon thread, so that tests on any loop
    (asyncio, qasync) can use it. Subclasses write ``_main()``: listen on 127.0.0.1, set ``port``,
    call ``self._ready.set()``, then ``await self._stop.wait()`` and clean up."""

    name = "loopback server"

    def __init__(self) -> None:
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=self.name)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._stop = asyncio.Event()
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        raise NotImplementedError


class AiohttpServer(LoopThreadServer):
    """A ``LoopThreadServer`` serving the aiohttp app of ``make_app()`` on ``sites`` ports of
    127.0.0.1 (two ports are two origins): ``port`` is the first, ``ports`` all of them."""

    sites = 1

    def __init__(self) -> None:
        super().__init__()
        self.ports: list[int] = []

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def _main(self) -> None:
        runner = web.AppRunner(self.make_app(), handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        for _ in range(self.sites):
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        self.port = self.ports[0]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()


def local_port(request: web.Request) -> int:
    """The port a request came in on (which origin it was sent to)."""
    return int(request.transport.get_extra_info("sockname")[1]) if request.transport else 0


class ReceiverServer(LoopThreadServer):
    """An aiohttp app that receives uploads and hashes what it gets."""

    name = "receiver"

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.aborted: list[Aborted] = []
        # Paths of MKCOL requests (folders made before a tree PUT).
        self.collections: list[str] = []
        self.scripts: dict[str, Script] = {}
        self.active = 0
        self.max_active = 0
        self.requests = 0
        # Handlers sitting in a ``hold_after`` pause right now.
        self.holding = 0
        self._ssl = ssl_context
        self._stopping = threading.Event()
        self.done = threading.Condition()

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl else "http"
        host = "localhost" if self._ssl else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}"

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def script(self, path: str, **behaviour: object) -> Script:
        script = Script(**behaviour)  # type: ignore[arg-type]
        self.scripts[path] = script
        return script

    def script_for(self, path: str) -> Script | None:
        if path in self.scripts:
            return self.scripts[path]
        folders = [key for key in self.scripts if key.endswith("/") and path.startswith(key)]
        return self.scripts[max(folders, key=len)] if folders else None

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self.done:
            if not self.done.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"server received {len(self.received)} of {count} uploads")
        return list(self.received)

    def received_at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def _main(self) -> None:
        app = web.Application(client_max_size=0)
        app.router.add_route("GET", "/ping", _ping)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Held and stalled handlers end on stop; a short shutdown keeps a failing test from hanging.
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        await self._stop.wait()
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
        if request.method == "MKCOL":
            # A folder, as a WebDAV server would make it: not an upload.
            self.collections.append(request.path)
            return web.Response(status=201)
        script = self.script_for(request.path)
        if script and script.stall:
            await self._sleep(script.stall)
        if script and script.fail_with:
            status = script.fail_with.pop(0)
            headers = {"Retry-After": script.retry_after} if script.retry_after else {}
            return web.Response(status=status, reason=script.reason, text=script.body, headers=headers)
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
            raw_path=request.raw_path,
            content_type=request.content_type,
        )
        try:
            if request.content_type == "multipart/form-data" and not (script and script.capture):
                await self._read_multipart(request, record, script)
            else:
                await self._read_raw(request, record, script)
        except Exception as error:
            # The client went away mid-body (cancelled, failed, killed): nothing was received.
            self.aborted.append(Aborted(request.path, record.size, f"{type(error).__name__}: {error}"))
            return web.Response(status=400, text="incomplete body")
        with self.done:
            self.received.append(record)
            self.done.notify_all()
        return web.json_response(
            {"path": record.path, "filename": record.filename, "size": record.size, "sha256": record.sha256},
            status=201,
        )

    async def _read_raw(self, request: web.Request, record: Received, script: Script | None) -> None:
        digest = hashlib.sha256()
        captured = bytearray()
        while chunk := await request.content.read(64 << 10):
            digest.update(chunk)
            record.size += len(chunk)
            if script and script.capture:
                captured += chunk
            await self._pace(request, record, script)
        expected = request.content_length
        if expected is not None and record.size != expected:
            raise ConnectionError(f"body ended after {record.size} of {expected} bytes")
        record.sha256 = digest.hexdigest()
        if script and script.capture:
            record.body = bytes(captured)

    async def _read_multipart(self, request: web.Request, record: Received, script: Script | None) -> None:
        reader = await request.multipart()
        async for part in reader:
            if part.filename is None:
                # read_chunk, not read(): read() applies client_max_size, and 0 ("no limit") refuses all.
                value = bytearray()
                while chunk := await part.read_chunk(1 << 16):  # type: ignore[union-attr]
                    value += chunk
                record.form[part.name or ""] = value.decode()
                continue
            record.file_parts += 1
            record.field_name, record.filename = part.name, part.filename
            digest = hashlib.sha256()
            while chunk := await part.read_chunk(1 << 20):  # type: ignore[union-attr]
                digest.update(chunk)
                record.size += len(chunk)
                await self._pace(request, record, script)
            record.sha256 = digest.hexdigest()

    async def _pace(self, request: web.Request, record: Received, script: Script | None) -> None:
        if script is None:
            return
        if script.read_delay:
            await self._sleep(script.read_delay)
        if (
            script.hold_after is not None
            and record.size >= script.hold_after
            and not script.released.is_set()
        ):
            self.holding += 1
            try:
                while not (script.released.is_set() or self._stopping.is_set() or request.transport is None):
                    await asyncio.sleep(_POLL)
            finally:
                self.holding -= 1

    async def _sleep(self, seconds: float) -> None:
        """A sleep that ends early when the server stops."""
        deadline = self._loop.time() + seconds
        while not self._stopping.is_set() and self._loop.time() < deadline:
            await asyncio.sleep(min(_POLL * 10, max(0.0, deadline - self._loop.time())))


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
