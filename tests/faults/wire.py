"""Just enough HTTP/1.1 on raw asyncio streams for the fault server: request heads, Content-Length
bodies read through a counting reader, response heads, and the two ways to end a connection (a
graceful close and a reset).

We do not use an HTTP library here on purpose: a fault is only worth testing when it happens at an
exact byte, and a library hides the bytes (it reads ahead, answers ``Expect``, drains bodies).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import socket
import struct
import termios
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote

__all__ = [
    "AckCounter",
    "BodyReader",
    "ClientGone",
    "HeadError",
    "RequestHead",
    "ResetNow",
    "read_head",
    "reset",
    "response_head",
    "unsent_bytes",
]

# Longest request head we accept (the StreamReader limit is set to the same value).
HEAD_LIMIT = 64 << 10


class HeadError(Exception):
    """A request head we cannot serve; ``status`` is what to answer before closing."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ClientGone(ConnectionError):
    """The client closed or reset the connection before its body was complete."""


class ResetNow(Exception):
    """A fault's byte budget is spent: the server must reset the connection now."""


@dataclass(frozen=True)
class RequestHead:
    """The request line and headers, as they came (header names lower-cased)."""

    method: str
    target: str
    version: str
    headers: Mapping[str, str]
    # Size of the head on the wire, CRLFs included.
    size: int

    @property
    def raw_path(self) -> str:
        """The path as it came on the request line, still percent-encoded."""
        return self.target.split("?", 1)[0]

    @property
    def path(self) -> str:
        """The path percent-decoded as UTF-8."""
        return unquote(self.raw_path, errors="surrogateescape")

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_length(self) -> int:
        """The body's length (0 without Content-Length); chunked bodies are refused."""
        if "chunked" in (self.header("transfer-encoding") or "").lower():
            raise HeadError(411, "chunked request bodies are not supported: send Content-Length")
        value = self.header("content-length")
        if value is None:
            return 0
        if not value.isdigit():
            raise HeadError(400, f"bad Content-Length {value!r}")
        return int(value)

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection

    @property
    def expects_continue(self) -> bool:
        return (self.header("expect") or "").lower() == "100-continue"


async def read_head(reader: asyncio.StreamReader) -> RequestHead | None:
    """The next request head on a connection, or None when the client closed it between requests."""
    try:
        data = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial.strip():
            return None
        raise HeadError(400, "connection closed in the middle of a request head") from error
    except asyncio.LimitOverrunError as error:
        raise HeadError(431, "request head too long") from error
    size = len(data)
    lines = data.lstrip(b"\r\n").decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HeadError(400, f"bad request line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in filter(None, lines[1:]):
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise HeadError(400, f"bad header line {line!r}")
        key = name.lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return RequestHead(method=parts[0], target=parts[1], version=parts[2], headers=headers, size=size)


class BodyReader:
    """Reads a Content-Length body and nothing beyond it, counting every byte.

    ``allowance`` (when given) says how many more bytes may be read before a fault resets the
    connection; once it says 0 the next ``read`` raises ``ResetNow``, so the bytes read before that
    always reach the handler first (a tus server keeps them, as real ones do). ``Expect:
    100-continue`` is answered on the first read, so a server that answers before reading never
    invites the body.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        head: RequestHead,
        *,
        allowance: Callable[[], int | None] = lambda: None,
        on_read: Callable[[int], None] = lambda count: None,
    ) -> None:
        self.length = head.content_length
        self.received = 0
        self._reader = reader
        self._writer = writer
        self._continue = head.expects_continue
        self._allowance = allowance
        self._on_read = on_read

    @property
    def remaining(self) -> int:
        return self.length - self.received

    @property
    def complete(self) -> bool:
        return self.received == self.length

    async def read(self, size: int = 1 << 16) -> bytes:
        """Up to ``size`` body bytes; b"" once the body is complete."""
        if not self.remaining:
            return b""
        allowed = self._allowance()
        if allowed is not None and allowed <= 0:
            raise ResetNow
        if self._continue:
            self._continue = False
            self._writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        want = min(size, self.remaining, allowed if allowed is not None else size)
        try:
            data = await self._reader.read(want)
        except ConnectionError as error:
            raise ClientGone(f"connection lost after {self.received} of {self.length} body bytes") from error
        if not data:
            raise ClientGone(f"client closed after {self.received} of {self.length} body bytes")
        self.received += len(data)
        self._on_read(len(data))
        return data


def response_head(status: int, headers: Mapping[str, str], *, reason: str | None = None) -> bytes:
    """A status line and headers; the caller decides on Content-Length or chunked framing."""
    if reason is None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reset(writer: asyncio.StreamWriter) -> None:
    """Abort with a TCP RST (SO_LINGER 0): what a crashed process or a dropped route looks like.

    ``transport.abort()`` alone sends a FIN when no unread data is queued; the linger option makes it
    a reset every time.
    """
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def unsent_bytes(writer: asyncio.StreamWriter) -> int:
    """Bytes written but not yet acknowledged by the peer's TCP: asyncio's own buffer plus the
    kernel's send queue (``SIOCOUTQ``, Linux)."""
    pending = writer.transport.get_write_buffer_size()
    sock = writer.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return pending
    try:
        queued = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, struct.pack("i", 0))
    except OSError:
        return pending
    return pending + int(struct.unpack("i", queued)[0])


# struct tcp_info (linux/tcp.h): tcpi_bytes_acked is the u64 at offset 120 (Linux 4.1 and later).
_TCP_INFO_SIZE = 232
_BYTES_ACKED = struct.Struct("=Q")
_BYTES_ACKED_OFFSET = 120


class AckCounter:
    """How many bytes the peer's TCP has acknowledged on a connection (``tcpi_bytes_acked``).

    It holds a duplicate of the socket's descriptor, so the count can still be read after the peer
    reset the connection and asyncio closed its own descriptor; ``close()`` it when done (until
    then a reset of ours is not sent: the socket stays open)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        self._sock: socket.socket | None = None
        if sock is not None and sock.fileno() >= 0:
            self._sock = socket.fromfd(sock.fileno(), sock.family, sock.type)
        self.start = self.acked()

    def acked(self) -> int:
        if self._sock is None:
            return 0
        try:
            info = self._sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
        except OSError:
            return 0
        if len(info) < _BYTES_ACKED_OFFSET + _BYTES_ACKED.size:
            return 0
        return int(_BYTES_ACKED.unpack_from(info, _BYTES_ACKED_OFFSET)[0])

    def since_start(self) -> int:
        return max(0, self.acked() - self.start)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
