"""A raw-socket HTTP server on 127.0.0.1 that answers with exactly the bytes a test gives.

It reads each request (head, then a Content-Length body) properly, so the client is never stuck
sending, and answers the first request with the test's ``Reply``: byte for byte, all at once or
a byte at a time, optionally followed by endless repetitions, then either keeps the connection
open (reading the next request on it) or hangs up. Every later request, on any connection, gets
``GOOD``, so a test can tell whether the client reused a connection it should have dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from tests.servers import LoopThreadServer

__all__ = ["GOOD", "HostileServer", "Reply"]


@dataclass(frozen=True)
class Reply:
    """What the server writes for a request."""

    data: bytes = b""
    # Seconds between single bytes of ``data`` (None: ``data`` in one write).
    trickle: float | None = None
    # Written again and again after ``data``, as fast as the client reads, until it hangs up.
    repeat: bytes = b""
    # Hang up (FIN) after ``data``; else keep the connection open for the next request.
    close: bool = False


GOOD = Reply(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


class HostileServer(LoopThreadServer):
    name = "hostile server"

    def __init__(self, first: Reply) -> None:
        super().__init__()
        self.first = first
        self.connections = 0
        self.requests = 0
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _main(self) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(_content_length(head))
                self.requests += 1
                reply = self.first if self.requests == 1 else GOOD
                await _write(writer, reply)
                if reply.close:
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass  # the client hung up: how most hostile exchanges end
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _write(writer: asyncio.StreamWriter, reply: Reply) -> None:
    if reply.trickle is None:
        writer.write(reply.data)
        await writer.drain()
    else:
        for index in range(len(reply.data)):
            writer.write(reply.data[index : index + 1])
            await writer.drain()
            await asyncio.sleep(reply.trickle)
    while reply.repeat:
        # drain() waits while the client does not read, and fails once it hung up.
        writer.write(reply.repeat)
        await writer.drain()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0
