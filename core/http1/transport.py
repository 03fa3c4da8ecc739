"""The pool of connections and one request's exchange (see the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator

import h11
import httpx

from .connection import Connection

__all__ = ["Http1Transport"]


class ResponseStream(httpx.AsyncByteStream):
    """The response body, as h11 reads it from the connection; the connection returns to the pool
    when the body was read to its end and h11 says it can carry another request, else it is closed."""

    def __init__(self, pool: Http1Transport, connection: Connection, *, read_timeout: float | None) -> None:
        self._pool = pool
        self._connection: Connection | None = connection
        self._timeout = read_timeout
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        while True:
            event = await connection.next_event(self._timeout)
            if type(event) is h11.Data:
                # h11 hands out slices of its buffer (bytearrays).
                yield bytes(event.data)
            elif type(event) is h11.EndOfMessage:
                break
            else:
                raise httpx.RemoteProtocolError(f"unexpected {event!r} inside a response body")
        self._complete = True

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if not (self._complete and connection.finish_cycle()):
            connection.close()
        self._pool.release(connection)


class Http1Transport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over keep-alive connections, at most ``max_connections`` at once."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        max_connections: int,
        keepalive_expiry: float = 30.0,
    ) -> None:
        self._ssl = ssl_context
        self._max = max_connections
        self._expiry = keepalive_expiry
        self._idle: dict[tuple[bytes, bytes, int], deque[Connection]] = {}
        self._active = 0
        self._slot_waiters: deque[asyncio.Future[None]] = deque()
        self._closed = False

    # -- pool -------------------------------------------------------------------------------------

    async def _acquire_slot(self, timeout: float | None) -> None:
        if self._active < self._max and not self._slot_waiters:
            self._active += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._slot_waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            raise httpx.PoolTimeout("timed out waiting for a free connection") from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # The slot was handed to us just as we gave up: pass it on.
                self._release_slot()
            else:
                with contextlib.suppress(ValueError):
                    self._slot_waiters.remove(waiter)
            raise

    def _release_slot(self) -> None:
        while self._slot_waiters:
            waiter = self._slot_waiters.popleft()
            if not waiter.done():
                # The slot moves to the waiter: _active stays the same.
                waiter.set_result(None)
                return
        self._active -= 1

    def _idle_connection(self, key: tuple[bytes, bytes, int]) -> Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable and now - connection.idle_since < self._expiry:
                return connection
            connection.close()
        return None

    def release(self, connection: Connection) -> None:
        """Called once per request when its response is closed."""
        if self._closed:
            connection.close()
        elif not connection.closed:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(connection.key, deque()).append(connection)
        self._release_slot()

    async def _connect(self, key: tuple[bytes, bytes, int], timeout: float | None) -> Connection:
        scheme, host, port = key
        hostname = host.decode("ascii")
        loop = asyncio.get_running_loop()
        tls = scheme == b"https"
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: Connection(key),
                    hostname,
                    port,
                    ssl=self._ssl if tls else None,
                    server_hostname=hostname if tls else None,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {hostname}:{port}") from None
        except (OSError, ssl.SSLError) as error:
            raise httpx.ConnectError(str(error) or type(error).__name__) from error
        return connection

    # -- one request ------------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        url = request.url
        scheme = url.raw_scheme
        if scheme not in (b"http", b"https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        port = url.port or (443 if scheme == b"https" else 80)
        key = (scheme, url.raw_host, port)

        await self._acquire_slot(timeouts.get("pool"))
        connection: Connection | None = None
        handed_over = False
        try:
            connection = self._idle_connection(key)
            if connection is None:
                connection = await self._connect(key, timeouts.get("connect"))
            response = await self._exchange(connection, request, timeouts)
            handed_over = True
            return response
        finally:
            if not handed_over:
                if connection is not None:
                    connection.abort()
                self._release_slot()

    async def _exchange(
        self, connection: Connection, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> httpx.Response:
        write_timeout = timeouts.get("write")
        state = connection.h11
        connection.interim = 0
        stream = request.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        try:
            # The head goes out with the first piece of the body: one segment for a small upload.
            pending: bytes | None = state.send(
                h11.Request(
                    method=request.method.encode("ascii"),
                    target=request.url.raw_path,
                    headers=request.headers.raw,
                )
            )
            async for chunk in stream:
                if not chunk:
                    continue
                if connection.response_started():
                    # An early answer (413, 401, ...): stop sending and read it. h11 keeps our side
                    # in SEND_BODY, so the connection is closed after the response.
                    break
                # One piece (the chunk itself) with a Content-Length, three when chunked.
                pieces = state.send_with_data_passthrough(h11.Data(data=chunk))
                assert pieces is not None
                if pending is not None:
                    pieces.insert(0, pending)
                    pending = None
                await connection.write(b"".join(pieces), write_timeout)
            else:
                # Nothing for a Content-Length body (h11 checks the count), "0\r\n\r\n" when chunked.
                tail = state.send(h11.EndOfMessage())
                if pending is not None or tail:
                    await connection.write((pending or b"") + tail, write_timeout)
        except h11.LocalProtocolError as error:
            # Our request cannot be framed as it stands: a bad header, more or fewer body bytes
            # than its Content-Length says.
            raise httpx.LocalProtocolError(str(error)) from error
        except httpx.WriteError:
            # The server may have answered and closed before taking the whole body: read it.
            if not connection.has_answer():
                raise
        return await self._read_response(connection, timeouts.get("read"))

    async def _read_response(self, connection: Connection, read_timeout: float | None) -> httpx.Response:
        while True:
            event = await connection.next_event(read_timeout)
            if type(event) is h11.Response:
                break
            if type(event) is not h11.InformationalResponse:
                raise httpx.RemoteProtocolError(f"unexpected {event!r} instead of a response")
            # 100 Continue and friends: the final answer follows.
            connection.skip_interim()
        framing = [name for name, _ in event.headers if name in (b"content-length", b"transfer-encoding")]
        if len(set(framing)) == 2:
            # RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and such a message "ought
            # to be handled as an error" (request smuggling, response splitting). h11 lets
            # Transfer-Encoding win; a server that means either can send one.
            raise httpx.RemoteProtocolError("response with both Content-Length and Transfer-Encoding")
        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=ResponseStream(self, connection, read_timeout=read_timeout),
            extensions={"http_version": b"HTTP/" + event.http_version, "reason_phrase": event.reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
