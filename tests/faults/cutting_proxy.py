"""CuttingProxy: a loopback TCP proxy that breaks connections the way networks do, and counts.

It sits in front of any server (ours or a peer) and forwards both directions untouched. It can:

- ``cut_every=N``: reset every connection once N client-to-server bytes (heads and bodies) went
  through it: each connection gets exactly N bytes, whatever the client sends on it;
- ``cut_once_after=N``: reset the connection that carries the Nth client-to-server byte from now
  (counted across connections), once;
- ``pause()``/``resume()``: stop listening (connections are refused: an outage) and come back on the
  same port, optionally resetting the open connections too.

A cut resets both sides (RST), after the server has been handed every byte up to the cut, so the
server sees exactly N bytes. ``forwarded`` (total) and ``connections[i].upstream`` count the
client-to-server bytes: what a resuming client re-sent is measured here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from tests.faults.wire import reset, unsent_bytes
from tests.servers import LoopThreadServer

__all__ = ["CuttingProxy", "ProxyConnection"]

_BLOCK = 1 << 16


@dataclasses.dataclass
class ProxyConnection:
    """One client connection through the proxy."""

    index: int
    opened_at: float
    # Client-to-server and server-to-client bytes forwarded on it.
    upstream: int = 0
    downstream: int = 0
    # The proxy reset it (a cut, or pause(drop_connections=True)).
    cut: bool = False
    closed_at: float | None = None


@dataclasses.dataclass
class _Link:
    record: ProxyConnection
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None


def _half_close(writer: asyncio.StreamWriter) -> None:
    if not writer.transport.is_closing() and writer.can_write_eof():
        writer.write_eof()


class CuttingProxy(LoopThreadServer):
    """``CuttingProxy(target_port, cut_every=None, cut_once_after=None, target_host="127.0.0.1")``;
    ``start()``/``stop()`` (or ``with``), then point the client at ``url(path)``."""

    name = "cutting proxy"

    def __init__(
        self,
        target_port: int,
        *,
        cut_every: int | None = None,
        cut_once_after: int | None = None,
        target_host: str = "127.0.0.1",
    ) -> None:
        super().__init__()
        self.target_host = target_host
        self.target_port = target_port
        self._cut_every = cut_every
        self._once_left = cut_once_after
        self._lock = threading.Condition(threading.Lock())
        self._connections: list[ProxyConnection] = []
        self._links: dict[int, _Link] = {}
        self._forwarded = 0
        self._returned = 0
        self._cuts = 0
        self._listener: asyncio.Server | None = None

    def __enter__(self) -> CuttingProxy:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- what to cut ------------------------------------------------------------------------------

    def set_cut_every(self, count: int | None) -> None:
        """Reset each connection after ``count`` client-to-server bytes on it (None: never)."""
        with self._lock:
            self._cut_every = count

    def set_cut_once_after(self, count: int | None) -> None:
        """Reset the connection carrying the ``count``-th client-to-server byte from now, once."""
        with self._lock:
            self._once_left = count

    # -- counters ---------------------------------------------------------------------------------

    @property
    def forwarded(self) -> int:
        """Client-to-server bytes forwarded, over all connections."""
        with self._lock:
            return self._forwarded

    @property
    def returned(self) -> int:
        """Server-to-client bytes forwarded, over all connections."""
        with self._lock:
            return self._returned

    @property
    def cuts(self) -> int:
        with self._lock:
            return self._cuts

    @property
    def connections(self) -> list[ProxyConnection]:
        """A snapshot of every connection so far, oldest first."""
        with self._lock:
            return [dataclasses.replace(connection) for connection in self._connections]

    def reset_counters(self) -> None:
        """Start counting afresh (connections opened from now on are numbered from 1 again)."""
        with self._lock:
            self._forwarded = self._returned = self._cuts = 0
            self._connections.clear()

    def wait_until(self, predicate: Callable[[CuttingProxy], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                return False
            with self._lock:
                self._lock.wait(0.02)
        return True

    # -- outages ----------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._listener is None

    def pause(self, *, drop_connections: bool = False) -> None:
        """Stop accepting (new connections are refused); ``drop_connections`` also resets the open ones."""
        self._call(self._close_listener(drop_connections))

    def resume(self) -> None:
        """Listen again, on the same port."""
        self._call(self._listen())

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _listen(self) -> None:
        if self._listener is None:
            self._listener = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
            self.port = self._listener.sockets[0].getsockname()[1]

    async def _close_listener(self, drop_connections: bool) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if drop_connections:
            for link in list(self._links.values()):
                self._cut(link)

    async def _main(self) -> None:
        await self._listen()
        self._ready.set()
        await self._stop.wait()
        await self._close_listener(drop_connections=True)
        tasks = [link.task for link in self._links.values() if link.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- forwarding -------------------------------------------------------------------------------

    def _cut(self, link: _Link) -> None:
        with self._lock:
            if not link.record.cut:
                link.record.cut = True
                self._cuts += 1
            self._lock.notify_all()
        reset(link.client)
        if link.server is not None:
            reset(link.server)

    def _allowance(self, link: _Link, size: int) -> tuple[int, bool]:
        """How many of ``size`` bytes may pass, and whether the connection is cut after them."""
        with self._lock:
            allowed, cut = size, False
            if self._cut_every is not None:
                allowed = min(allowed, max(0, self._cut_every - link.record.upstream))
                cut = link.record.upstream + allowed >= self._cut_every
            if self._once_left is not None:
                if allowed >= self._once_left:
                    allowed, cut = self._once_left, True
                    self._once_left = None
                else:
                    self._once_left -= allowed
            link.record.upstream += allowed
            self._forwarded += allowed
            self._lock.notify_all()
        return allowed, cut

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        with self._lock:
            record = ProxyConnection(index=len(self._connections) + 1, opened_at=time.monotonic())
            self._connections.append(record)
        link = _Link(record, client_writer, task=asyncio.current_task())
        self._links[id(link)] = link
        try:
            try:
                server_reader, link.server = await asyncio.open_connection(self.target_host, self.target_port)
            except OSError:
                self._cut(link)  # nothing listens behind us: the client sees a reset
                return
            pumps = [
                asyncio.ensure_future(self._upstream(link, client_reader)),
                asyncio.ensure_future(self._downstream(link, server_reader)),
            ]
            try:
                # Each direction ends on its own (a half-close is passed on, so a server's lingering
                # close works through us); a reset on either side resets both.
                await asyncio.gather(*pumps)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
        except asyncio.CancelledError:
            pass
        finally:
            self._links.pop(id(link), None)
            with self._lock:
                record.closed_at = time.monotonic()
            for writer in (client_writer, link.server):
                if writer is not None and not writer.transport.is_closing():
                    writer.close()

    async def _upstream(self, link: _Link, reader: asyncio.StreamReader) -> None:
        assert link.server is not None
        try:
            while data := await reader.read(_BLOCK):
                allowed, cut = self._allowance(link, len(data))
                if allowed:
                    link.server.write(data[:allowed])
                    await link.server.drain()
                if cut:
                    await self._flushed(link.server)
                    self._cut(link)
                    return
            _half_close(link.server)
        except ConnectionError:
            self._propagate_reset(link)

    async def _downstream(self, link: _Link, reader: asyncio.StreamReader) -> None:
        try:
            while data := await reader.read(_BLOCK):
                # Counted before it goes out: a client that has the bytes finds them counted.
                with self._lock:
                    link.record.downstream += len(data)
                    self._returned += len(data)
                link.client.write(data)
                await link.client.drain()
            _half_close(link.client)
        except ConnectionError:
            self._propagate_reset(link)

    def _propagate_reset(self, link: _Link) -> None:
        for writer in (link.client, link.server):
            if writer is not None:
                reset(writer)

    @staticmethod
    async def _flushed(writer: asyncio.StreamWriter, timeout: float = 2.0) -> None:
        """Wait until the server's TCP has acknowledged everything we wrote: a reset discards our
        unsent bytes, and the server must see exactly the bytes up to the cut."""
        deadline = time.monotonic() + timeout
        while unsent_bytes(writer) and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
