"""One keep-alive HTTP/1.1 connection: an asyncio protocol with write backpressure, whose bytes
h11 frames (see the package docstring)."""

from __future__ import annotations

import asyncio
from typing import cast

import h11
import httpx

__all__ = ["MAX_HEAD", "Connection", "lost_message"]

# Bytes asyncio may queue for one connection (beyond the kernel's socket buffer) before a body
# writer waits. Larger queues measured no faster (the socket buffer already keeps the wire busy
# while the next chunk is read) and cost memory: 4 MiB added ~10 MB of peak RSS.
_WRITE_HIGH_WATER = 256 << 10
_WRITE_LOW_WATER = 64 << 10
# Received bytes not yet handed to h11 beyond this pause reading from the socket.
_READ_HIGH_WATER = 1 << 20
# The largest response head (status line and headers) h11 will hold unfinished: its default.
# While a head is awaited h11 is handed at most _HEAD_FEED bytes at a time, so a head that has
# not ended by MAX_HEAD + _HEAD_FEED bytes is refused however the bytes arrive (h11 checks its
# limit only between feeds); a head of up to MAX_HEAD bytes is always taken.
MAX_HEAD = 16 << 10
_HEAD_FEED = 4 << 10
# A server may send 100 Continue, 102 Processing, 103 Early Hints before its answer; one that
# sends them without end would keep a request busy forever (no timeout fires while bytes flow).
_MAX_INTERIM = 1000

# What the server said while the request body was still being sent: its answer, or why there is
# none to read (malformed bytes, a reset).
_Early = h11.Event | type[h11.PAUSED] | httpx.TransportError


class Connection(asyncio.Protocol):
    """One keep-alive connection: bytes from the event loop, handed to h11 as a request needs them."""

    def __init__(self, key: tuple[bytes, bytes, int]) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.h11 = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
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
            raise httpx.WriteError(lost_message(self.lost, "connection closed while sending"))
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
            raise httpx.WriteError(lost_message(self.lost, "connection closed while sending"))

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
                    raise httpx.ReadError(lost_message(self.lost, "connection reset")) from self.lost
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


def lost_message(error: Exception | None, fallback: str) -> str:
    return f"{fallback}: {error}" if error else fallback
