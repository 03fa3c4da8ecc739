"""A lean HTTP/1.1 transport for httpx: keep-alive connections on asyncio protocols, framed by h11.

Why: httpx's default transport (httpcore + anyio + h11) spends most of the CPU time of a small
upload on bookkeeping — cancel scopes, a readability poll and ``getpeername`` per request, the
pool's locks — so many small uploads were several times slower than curl. Uploads need only a
narrow slice of HTTP/1.1: one request at a time per connection, a streamed body with a known
length (or chunked), and a response read in full. This transport does that slice on an
``asyncio.Protocol`` and nothing else.

Framing is not ours: an ``h11.Connection`` per connection writes the request head and the body
framing (Content-Length or chunked), and reads every byte the server sends: it decides where a
response ends, whether the connection can carry another request, and refuses what is malformed
or ambiguous (a Content-Length that is not plain digits, conflicting Content-Lengths, bad chunk
sizes, a head that does not end within ``_MAX_HEAD`` bytes ...). This transport only moves bytes
between the socket and h11, and waits: on the socket or on a timer, never in a loop.

It keeps httpx's contract: ``AsyncClient`` still builds requests, handles cookies and headers;
timeouts come from the request's ``timeout`` extension (connect, read, write, pool); failures
are raised as the same httpx exceptions the default transport raises (``ConnectError``,
``ConnectTimeout``, ``ReadTimeout``, ``WriteTimeout``, ``PoolTimeout``, ``ReadError``,
``WriteError``, ``RemoteProtocolError``, ``LocalProtocolError``), with the ``ssl`` or h11 error as
``__cause__``; a response sent before the body was fully written (413, 401 ...) is returned, as
httpcore does. TLS goes through asyncio's SSL support with the client's ``SSLContext``. Not
supported, so the session falls back to httpx's own transport for them: proxies and HTTP/2.

Where it is stricter than httpx's own transport (tests/hostile runs both against the same bytes):
a response head may be 16 KiB (httpcore allows 100 KiB), a response with both Content-Length and
Transfer-Encoding is refused (h11 lets Transfer-Encoding win), at most ``_MAX_INTERIM`` interim
(1xx) responses are skipped before the final one, and a connection on which the server sent bytes
beyond a response (a 204 with a body) is closed, not reused (httpcore would read them as the
start of the next answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import cast

import h11
import httpx

__all__ = ["Http1Transport"]

# Bytes asyncio may queue for one connection (beyond the kernel's socket buffer) before a body
# writer waits. Larger queues measured no faster (the socket buffer already keeps the wire busy
# while the next chunk is read) and cost memory: 4 MiB added ~10 MB of peak RSS.
_WRITE_HIGH_WATER = 256 << 10
_WRITE_LOW_WATER = 64 << 10
# Received bytes not yet handed to h11 beyond this pause reading from the socket.
_READ_HIGH_WATER = 1 << 20
# The largest response head (status line and headers) h11 will hold unfinished: its default.
# While a head is awaited h11 is handed at most _HEAD_FEED bytes at a time, so a head that has
# not ended by _MAX_HEAD + _HEAD_FEED bytes is refused however the bytes arrive (h11 checks its
# limit only between feeds); a head of up to _MAX_HEAD bytes is always taken.
_MAX_HEAD = 16 << 10
_HEAD_FEED = 4 << 10
# A server may send 100 Continue, 102 Processing, 103 Early Hints before its answer; one that
# sends them without end would keep a request busy forever (no timeout fires while bytes flow).
_MAX_INTERIM = 1000

# What the server said while the request body was still being sent: its answer, or why there is
# none to read (malformed bytes, a reset).
_Early = h11.Event | type[h11.PAUSED] | httpx.TransportError


class _Connection(asyncio.Protocol):
    """One keep-alive connection: bytes from the event loop, handed to h11 as a request needs them."""

    def __init__(self, key: tuple[bytes, bytes, int]) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.h11 = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        # Received, not yet handed to h11 (h11 holds what it was handed but has not used).
        self.buffer = bytearray()
        self.eof = False
        self.lost: Exception | None = None
        self.closed = False
        self.idle_since = 0.0
        self._eof_handed = False
        # h11 said NEED_DATA (or holds nothing) and has been handed nothing since: it needs bytes.
        self._starved = True
        self._early: _Early | None = None
        # Interim responses skipped for the current request.
        self.interim = 0
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
        return (
            not (self.closed or self.eof or self.buffer)
            and self.transport is not None
            and self.h11.our_state is h11.IDLE
        )

    def finish_cycle(self) -> bool:
        """After a response read to its end: ready h11 for the next request on this connection, if
        both sides allow it (keep-alive, the request body sent in full) and the server sent nothing
        beyond the response (a 204 with a body: those bytes would be read as the next answer)."""
        state = self.h11
        if state.our_state is not h11.DONE or state.their_state is not h11.DONE:
            return False
        if state.trailing_data[0]:
            return False
        state.start_next_cycle()
        # h11 holds no byte: until more arrive it can only say NEED_DATA.
        self._starved = True
        return self.reusable

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
        if self.closed and not self.has_answer():
            raise httpx.WriteError(_lost_message(self.lost, "connection closed while sending"))

    def response_started(self) -> bool:
        """The server has answered (or hung up) while the body was still being sent. An interim
        answer (``100 Continue``) is not an answer: h11 reads it, it is dropped, sending goes on.
        A head still arriving is not one yet either."""
        if self._early is None and self.buffer:
            try:
                while True:
                    event = self._next_buffered_event(hand_eof=False)
                    if event is h11.NEED_DATA:
                        break
                    if type(event) is not h11.InformationalResponse:
                        self._early = cast(h11.Event | type[h11.PAUSED], event)
                        break
                    self.skip_interim()
            except httpx.TransportError as error:
                self._early = error
        return self._early is not None or self.eof

    def skip_interim(self) -> None:
        self.interim += 1
        if self.interim > _MAX_INTERIM:
            raise httpx.RemoteProtocolError(f"more than {_MAX_INTERIM} interim (1xx) responses")

    def has_answer(self) -> bool:
        """The server sent something beyond interim responses: worth reading after a failed send."""
        return self._early is not None or bool(self.buffer) or bool(self.h11.trailing_data[0])

    async def next_event(self, timeout: float | None) -> h11.Event | type[h11.PAUSED]:
        """The next thing the server said, as h11 reads it; waits on the socket (``ReadTimeout``
        after ``timeout`` seconds without a byte) only when h11 needs more bytes."""
        early, self._early = self._early, None
        if isinstance(early, httpx.TransportError):
            raise early
        if early is not None:
            return early
        while True:
            event = self._next_buffered_event(hand_eof=True)
            if event is not h11.NEED_DATA:
                return cast(h11.Event | type[h11.PAUSED], event)  # mypy does not narrow on ``is``
            await self._wait_data(timeout)

    def _next_buffered_event(self, *, hand_eof: bool) -> h11.Event | type[h11.NEED_DATA | h11.PAUSED]:
        """h11's next event from what has arrived so far; ``NEED_DATA`` when that is not enough.

        h11 is handed bytes only when it has asked for more, so what it holds stays bounded by its
        own limit plus one hand-over, however fast the server sends and however slowly the
        response is read."""
        state = self.h11
        while True:
            if self._starved:
                if self.buffer:
                    if state.their_state is h11.SEND_RESPONSE and len(self.buffer) > _HEAD_FEED:
                        piece = bytes(self.buffer[:_HEAD_FEED])
                        del self.buffer[:_HEAD_FEED]
                    else:
                        piece = bytes(self.buffer)
                        self.buffer.clear()
                    state.receive_data(piece)
                elif not (self.eof and hand_eof):
                    return h11.NEED_DATA
                elif self._eof_handed:
                    # h11 never asks for more once it knows the connection ended; never wait on it.
                    raise httpx.RemoteProtocolError("connection closed")
                elif self.lost is not None:
                    raise httpx.ReadError(_lost_message(self.lost, "connection reset")) from self.lost
                elif state.their_state is h11.SEND_RESPONSE and not state.trailing_data[0]:
                    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
                else:
                    # The end of the connection: the end of a body that runs to it, else h11 refuses.
                    self._eof_handed = True
                    state.receive_data(b"")
                self._starved = False
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as error:
                raise httpx.RemoteProtocolError(str(error)) from error
            if event is not h11.NEED_DATA:
                return event
            self._starved = True

    async def _wait_data(self, timeout: float | None) -> None:
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


def _lost_message(error: Exception | None, fallback: str) -> str:
    return f"{fallback}: {error}" if error else fallback


class _ResponseStream(httpx.AsyncByteStream):
    """The response body, as h11 reads it from the connection; the connection returns to the pool
    when the body was read to its end and h11 says it can carry another request, else it is closed."""

    def __init__(self, pool: Http1Transport, connection: _Connection, *, read_timeout: float | None) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
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

    async def _read_response(self, connection: _Connection, read_timeout: float | None) -> httpx.Response:
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
            stream=_ResponseStream(self, connection, read_timeout=read_timeout),
            extensions={"http_version": b"HTTP/" + event.http_version, "reason_phrase": event.reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
