"""A lean HTTP/1.1 transport for httpx: keep-alive connections on asyncio protocols.

Why: httpx's default transport (httpcore + anyio + h11) spends most of the CPU time of a small
upload on bookkeeping — cancel scopes, a readability poll and ``getpeername`` per request,
h11's event machinery — so many small uploads were several times slower than curl. Uploads need
only a narrow slice of HTTP/1.1: one request at a time per connection, a streamed body with a
known length (or chunked), and a response read in full. This transport does that slice directly
on an ``asyncio.Protocol`` and nothing else.

It keeps httpx's contract: ``AsyncClient`` still builds requests, handles cookies and headers;
timeouts come from the request's ``timeout`` extension (connect, read, write, pool); failures
are raised as the same httpx exceptions the default transport raises (``ConnectError``,
``ConnectTimeout``, ``ReadTimeout``, ``WriteTimeout``, ``PoolTimeout``, ``ReadError``,
``WriteError``, ``RemoteProtocolError``), with the ``ssl`` error as ``__cause__``; a response sent
before the body was fully written (413, 401 ...) is returned, as httpcore does. TLS goes
through asyncio's SSL support with the client's ``SSLContext``. Not supported, so the session
falls back to httpx's own transport for them: proxies and HTTP/2.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator

import httpx

__all__ = ["Http1Transport"]

# Bytes asyncio may queue for one connection (beyond the kernel's socket buffer) before a body
# writer waits. Larger queues measured no faster (the socket buffer already keeps the wire busy
# while the next chunk is read) and cost memory: 4 MiB added ~10 MB of peak RSS.
_WRITE_HIGH_WATER = 256 << 10
_WRITE_LOW_WATER = 64 << 10
# A response body larger than this in the buffer pauses reading from the socket.
_READ_HIGH_WATER = 1 << 20
_MAX_HEAD = 64 << 10
_NO_BODY_STATUS = frozenset({204, 304})


class _Connection(asyncio.Protocol):
    """One keep-alive connection: a byte buffer fed by the event loop, awaited by one request."""

    def __init__(self, key: tuple[bytes, bytes, int]) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.lost: Exception | None = None
        self.closed = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._writer: asyncio.Future[None] | None = None
        self._writing_paused = False
        self._reading_paused = False

    # -- asyncio callbacks --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=_WRITE_HIGH_WATER, low=_WRITE_LOW_WATER)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _READ_HIGH_WATER and self.transport is not None and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()
        # A sender waiting for the socket to drain stops to read an early answer (413, 401, ...).
        self._wake_writer()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        self._wake_writer()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.eof = True
        self.lost = exc
        self._wake()
        self._wake_writer()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake_writer()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_writer(self) -> None:
        waiter, self._writer = self._writer, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- used by a request ------------------------------------------------------------------------

    @property
    def reusable(self) -> bool:
        """Idle, open, and the server has sent nothing unasked (a close notice or garbage)."""
        return not (self.closed or self.eof or self.buffer) and self.transport is not None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    async def write(self, data: bytes, timeout: float | None) -> None:
        """Hand ``data`` to the socket; wait while too much is queued. ``WriteTimeout`` only when
        no byte left the queue for ``timeout`` seconds (a slow reader is not a stalled one)."""
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise httpx.WriteError(_lost_message(self.lost, "connection closed while sending"))
        # A memoryview: when the socket takes only part, asyncio slices the rest without a copy.
        transport.write(memoryview(data))
        while self._writing_paused and not self.response_started():
            queued = transport.get_write_buffer_size()
            self._writer = waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await waiter
            except TimeoutError:
                if transport.get_write_buffer_size() < queued:
                    continue
                raise httpx.WriteTimeout("timed out while sending the request body") from None
            finally:
                if self._writer is waiter:
                    self._writer = None
        if self.closed and not self.buffer:
            raise httpx.WriteError(_lost_message(self.lost, "connection closed while sending"))

    def response_started(self) -> bool:
        """The server has answered (or hung up) while the body was still being sent. An interim
        answer (``100 Continue``) is not an answer: it is dropped and sending goes on."""
        while self.buffer.startswith(b"HTTP/1.1 1") and not self.buffer.startswith(b"HTTP/1.1 101"):
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            del self.buffer[: end + 4]
        return bool(self.buffer) or self.eof

    async def wait_data(self, timeout: float | None) -> None:
        """Until more bytes arrive or the connection ends; ``ReadTimeout`` after ``timeout`` idle."""
        if self.eof:
            return
        if self._reading_paused and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        try:
            if timeout is None:
                await waiter
            else:
                async with asyncio.timeout(timeout):
                    await waiter
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the server's response") from None
        finally:
            if self._waiter is waiter:
                self._waiter = None

    def take(self, count: int) -> bytes:
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data


def _lost_message(error: Exception | None, fallback: str) -> str:
    return f"{fallback}: {error}" if error else fallback


class _ResponseStream(httpx.AsyncByteStream):
    """The response body, read straight from the connection; the connection returns to the pool
    when the body was read to its end and both sides allow keep-alive, else it is closed."""

    def __init__(
        self,
        pool: Http1Transport,
        connection: _Connection,
        *,
        length: int | None,
        chunked: bool,
        keep_alive: bool,
        read_timeout: float | None,
    ) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self._length = length
        self._chunked = chunked
        self._keep_alive = keep_alive
        self._timeout = read_timeout
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        if self._chunked:
            async for piece in self._read_chunked(connection):
                yield piece
        elif self._length is not None:
            remaining = self._length
            while remaining:
                if not connection.buffer:
                    if connection.eof:
                        raise httpx.RemoteProtocolError(
                            "server closed the connection before the response body ended"
                        )
                    await connection.wait_data(self._timeout)
                    continue
                piece = connection.take(remaining)
                remaining -= len(piece)
                yield piece
        else:
            # No length, not chunked: the body runs until the server closes the connection.
            self._keep_alive = False
            while True:
                if connection.buffer:
                    yield connection.take(len(connection.buffer))
                elif connection.eof:
                    break
                else:
                    await connection.wait_data(self._timeout)
        self._complete = True

    async def _read_chunked(self, connection: _Connection) -> AsyncIterator[bytes]:
        async def line() -> bytes:
            while True:
                end = connection.buffer.find(b"\r\n")
                if end >= 0:
                    return connection.take(end + 2)[:-2]
                if len(connection.buffer) > _MAX_HEAD:
                    raise httpx.RemoteProtocolError("chunk header too long")
                if connection.eof:
                    raise httpx.RemoteProtocolError("server closed the connection inside a chunked body")
                await connection.wait_data(self._timeout)

        while True:
            size_line = await line()
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise httpx.RemoteProtocolError(f"bad chunk size {size_line[:40]!r}") from None
            if size == 0:
                # Trailers (ignored) end with an empty line.
                while await line():
                    pass
                return
            remaining = size
            while remaining:
                if not connection.buffer:
                    if connection.eof:
                        raise httpx.RemoteProtocolError("server closed the connection inside a chunk")
                    await connection.wait_data(self._timeout)
                    continue
                piece = connection.take(remaining)
                remaining -= len(piece)
                yield piece
            if await line():
                raise httpx.RemoteProtocolError("missing CRLF after a chunk")

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._complete and self._keep_alive and connection.reusable:
            self._pool.release(connection)
        else:
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
        self._idle: dict[tuple[bytes, bytes, int], deque[_Connection]] = {}
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

    def _idle_connection(self, key: tuple[bytes, bytes, int]) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.reusable and now - connection.idle_since < self._expiry:
                return connection
            connection.close()
        return None

    def release(self, connection: _Connection) -> None:
        """Called once per request when its response is closed."""
        if self._closed:
            connection.close()
        elif not connection.closed:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(connection.key, deque()).append(connection)
        self._release_slot()

    async def _connect(self, key: tuple[bytes, bytes, int], timeout: float | None) -> _Connection:
        scheme, host, port = key
        hostname = host.decode("ascii")
        loop = asyncio.get_running_loop()
        tls = scheme == b"https"
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(key),
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
        connection: _Connection | None = None
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
        self, connection: _Connection, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> httpx.Response:
        write_timeout = timeouts.get("write")
        read_timeout = timeouts.get("read")
        head, chunked_body = _request_head(request)
        stream = request.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        body_sent = False
        try:
            # The head goes out with the first piece of the body: one segment for a small upload.
            pending: bytes | None = head
            async for chunk in stream:
                if not chunk:
                    continue
                if connection.response_started():
                    # An early answer (413, 401, ...): stop sending and read it.
                    break
                if chunked_body:
                    chunk = b"%x\r\n%b\r\n" % (len(chunk), chunk)
                if pending is not None:
                    chunk, pending = pending + chunk, None
                await connection.write(chunk, write_timeout)
            else:
                tail = b"0\r\n\r\n" if chunked_body else b""
                if pending is not None or tail:
                    await connection.write((pending or b"") + tail, write_timeout)
                body_sent = True
        except httpx.WriteError:
            # The server may have answered and closed before taking the whole body: read it.
            if not connection.buffer:
                raise
        # A connection whose request body was cut short cannot carry another request.
        return await self._read_response(connection, request, read_timeout, reusable=body_sent)

    async def _read_response(
        self,
        connection: _Connection,
        request: httpx.Request,
        read_timeout: float | None,
        *,
        reusable: bool,
    ) -> httpx.Response:
        while True:
            end = connection.buffer.find(b"\r\n\r\n")
            while end < 0:
                if len(connection.buffer) > _MAX_HEAD:
                    raise httpx.RemoteProtocolError("response head too long")
                if connection.eof:
                    if connection.buffer:
                        raise httpx.RemoteProtocolError(
                            "server closed the connection inside the response head"
                        )
                    if connection.lost is not None:
                        raise httpx.ReadError(_lost_message(connection.lost, "connection reset"))
                    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
                await connection.wait_data(read_timeout)
                end = connection.buffer.find(b"\r\n\r\n")
            head = connection.take(end + 4)
            status, reason, headers, version = _parse_head(head)
            if 100 <= status < 200 and status != 101:
                continue  # 100 Continue and friends: the final answer follows.
            break

        length: int | None = None
        chunked = False
        keep_alive = reusable and version == b"HTTP/1.1"
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad Content-Length {value[:40]!r}") from None
            elif lowered == b"transfer-encoding":
                chunked = value.strip().lower().endswith(b"chunked")
            elif lowered == b"connection":
                tokens = {t.strip().lower() for t in value.split(b",")}
                if b"close" in tokens:
                    keep_alive = False
                elif b"keep-alive" in tokens:
                    keep_alive = reusable
        if request.method == "HEAD" or status in _NO_BODY_STATUS:
            length, chunked = 0, False
        elif chunked:
            length = None
        stream = _ResponseStream(
            self,
            connection,
            length=length,
            chunked=chunked,
            keep_alive=keep_alive,
            read_timeout=read_timeout,
        )
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": version, "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


def _request_head(request: httpx.Request) -> tuple[bytes, bool]:
    url = request.url
    target = url.raw_path
    lines = [b"%s %s HTTP/1.1\r\n" % (request.method.encode("ascii"), target)]
    chunked = False
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
            raise httpx.LocalProtocolError("header with a line break")
        lowered = name.lower()
        if lowered == b"transfer-encoding" and value.lower() == b"chunked":
            chunked = True
        lines.append(b"%s: %s\r\n" % (name, value))
    lines.append(b"\r\n")
    return b"".join(lines), chunked


def _parse_head(head: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]], bytes]:
    lines = head[:-4].split(b"\r\n")
    status_line = lines[0]
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or len(parts[1]) != 3:
        raise httpx.RemoteProtocolError(f"not an HTTP/1.x response: {status_line[:60]!r}")
    try:
        status = int(parts[1])
    except ValueError:
        raise httpx.RemoteProtocolError(f"bad status line {status_line[:60]!r}") from None
    reason = parts[2] if len(parts) > 2 else b""
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"bad header line {line[:60]!r}")
        headers.append((name, value.strip()))
    return status, reason, headers, parts[0]
