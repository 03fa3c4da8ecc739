"""Hostile and malformed HTTP/1.1 responses, against both transports Skylift can use.

Every case is run through an ``httpx.AsyncClient`` on our lean transport (``core.http1``) and on
httpx's own (``httpx.AsyncHTTPTransport``: httpcore + h11), with ``httpx.Timeout(5)``. For each:
the request ends within a few seconds, with an httpx exception or, where the bytes are legal
HTTP/1.1, the right response; the process spends well under a second of CPU on it (a busy loop
on the event loop would burn a core until a timeout that could never fire); and the next request
gets a correct answer, on a new connection whenever the first one failed.

The transports agree on every case but three, where ours is the stricter one (see ``theirs``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from core.http1 import Http1Transport
from core.transport import ssl_context
from tests.hostile.server import HostileServer, Reply


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


@dataclass(frozen=True)
class Failure:
    error: type[httpx.TransportError]


@dataclass(frozen=True)
class Capped:
    """The body had no end in sight after ``_CAP`` bytes; the reader stopped and closed it."""


@dataclass(frozen=True)
class Never:
    """The transport reads without end: not run (see the case)."""


Outcome = Answer | Failure | Capped | Never

REFUSED = Failure(httpx.RemoteProtocolError)
TIMED_OUT = Failure(httpx.ReadTimeout)
CAPPED = Capped()
# What a body reader stops at (core.protocols.base.send_capped drains 1 MiB at most).
_CAP = 1 << 20
_TIMEOUT = 5.0
# Seconds a case may take: it fails or answers at once, unless it waits for the read timeout.
_QUICK = 3.0
# CPU seconds the whole process may spend on one case (server thread included).
_CPU = 1.0


@dataclass(frozen=True)
class Case:
    id: str
    reply: Reply
    ours: Outcome
    # httpx's own transport, where it differs from ours (each such case says why).
    theirs: Outcome | None = None
    # What the next request on the same client gets from httpx's own transport, when it is not
    # the right answer.
    theirs_next: Failure | None = None


OK = b"HTTP/1.1 200 OK\r\n"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def _head_of_exactly(size: int) -> bytes:
    """A response whose head (status line to blank line) is ``size`` bytes: one huge header."""
    prefix = OK + b"Content-Length: 2\r\nX-Big: "
    return prefix + b"a" * (size - len(prefix) - 4) + b"\r\n\r\nok"


CASES = [
    # -- Content-Length: 1*DIGIT, nothing else (RFC 9110 8.6) --
    # The hand-written parser took int(value): -1 made its body loop spin forever on the event loop.
    Case("content-length -1", Reply(OK + b"Content-Length: -1\r\n\r\nhello"), REFUSED),
    Case("content-length +4", Reply(OK + b"Content-Length: +4\r\n\r\nabcd"), REFUSED),
    Case("content-length 1_0", Reply(OK + b"Content-Length: 1_0\r\n\r\n0123456789"), REFUSED),
    Case("content-length 0x4", Reply(OK + b"Content-Length: 0x4\r\n\r\nabcd"), REFUSED),
    Case("content-length of 21 digits", Reply(OK + b"Content-Length: 1" + b"0" * 20 + b"\r\n\r\n"), REFUSED),
    # Whitespace around a field value is optional whitespace (RFC 9112 5), not part of it.
    Case("content-length ' 4 '", Reply(OK + b"Content-Length:  4 \r\n\r\nabcd"), Answer(200, b"abcd")),
    Case("space before the colon", Reply(OK + b"Content-Length : 4\r\n\r\nabcd"), REFUSED),
    Case(
        "two different content-lengths",
        Reply(OK + b"Content-Length: 4\r\nContent-Length: 5\r\n\r\nabcde"),
        REFUSED,
    ),
    Case("content-length list 4, 5", Reply(OK + b"Content-Length: 4, 5\r\n\r\nabcde"), REFUSED),
    # RFC 9110 8.6: a recipient MAY take identical duplicates (or a list of one repeated value) as
    # one Content-Length. h11 does, and both transports frame with h11: accepted, unambiguous.
    Case(
        "two equal content-lengths",
        Reply(OK + b"Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd"),
        Answer(200, b"abcd"),
    ),
    Case("content-length list 4, 4", Reply(OK + b"Content-Length: 4, 4\r\n\r\nabcd"), Answer(200, b"abcd")),
    # RFC 9112 6.3: Transfer-Encoding overrides Content-Length, but such a message "ought to be
    # handled as an error" (smuggling, response splitting). h11 lets chunked win, so httpcore reads
    # "abcd"; ours refuses.
    Case(
        "content-length with transfer-encoding",
        Reply(OK + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"),
        REFUSED,
        theirs=Answer(200, b"abcd"),
    ),
    Case("transfer-encoding gzip", Reply(OK + b"Transfer-Encoding: gzip\r\n\r\nabcd"), REFUSED),
    Case(
        "transfer-encoding twice",
        Reply(OK + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        REFUSED,
    ),
    # -- chunk sizes: 1*HEXDIG, then extensions after ';' (RFC 9112 7.1) --
    Case("chunk size -1", Reply(CHUNKED + b"-1\r\nabcd\r\n0\r\n\r\n"), REFUSED),
    Case("chunk size 0x4", Reply(CHUNKED + b"0x4\r\nabcd\r\n0\r\n\r\n"), REFUSED),
    Case("chunk size +4", Reply(CHUNKED + b"+4\r\nabcd\r\n0\r\n\r\n"), REFUSED),
    Case("chunk size with junk", Reply(CHUNKED + b"4 junk\r\nabcd\r\n0\r\n\r\n"), REFUSED),
    Case("chunk size 1_0", Reply(CHUNKED + b"1_0\r\n0123456789abcdef\r\n0\r\n\r\n"), REFUSED),
    Case("missing CRLF after a chunk", Reply(CHUNKED + b"4\r\nabcdXY0\r\n\r\n"), REFUSED),
    Case(
        "chunk extension and trailer",
        Reply(CHUNKED + b"4;n=v\r\nabcd\r\n0\r\nX-T: t\r\n\r\n"),
        Answer(200, b"abcd"),
    ),
    # -- heads --
    # Ours holds at most 16 KiB of an unfinished head (h11's default); httpcore allows 100 KiB.
    Case("a 100 KiB header line", Reply(_head_of_exactly(100 << 10)), REFUSED, theirs=Answer(200, b"ok")),
    Case("a 16 KiB head", Reply(_head_of_exactly(16 << 10)), Answer(200, b"ok")),
    # 230 KB of head: over both limits however the reads split it.
    Case(
        "10,000 headers",
        Reply(OK + b"".join(b"X-Header-%05d: value\r\n" % i for i in range(10_000)) + b"\r\nok"),
        REFUSED,
    ),
    Case("a head without end", Reply(OK, repeat=b"X-Endless: " + b"a" * 51 + b"\r\n"), REFUSED),
    Case("a status line that is not HTTP", Reply(b"SSH-2.0-OpenSSH_9.2\r\n\r\n"), REFUSED),
    Case("HTTP/1.1 99 X", Reply(b"HTTP/1.1 99 X\r\nContent-Length: 0\r\n\r\n"), REFUSED),
    Case("status 2xx", Reply(b"HTTP/1.1 2xx OK\r\nContent-Length: 0\r\n\r\n"), REFUSED),
    Case("NUL in a header value", Reply(OK + b"X-Bad: a\x00b\r\nContent-Length: 2\r\n\r\nok"), REFUSED),
    # RFC 9112 2.2 lets a recipient take a bare LF as a line end; h11 does.
    Case("bare LF line ends", Reply(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"), Answer(200, b"ok")),
    Case(
        "101 nobody asked for",
        Reply(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"),
        REFUSED,
    ),
    Case(
        "100 Continue, then the answer",
        Reply(b"HTTP/1.1 100 Continue\r\n\r\n" + OK + b"Content-Length: 2\r\n\r\nok"),
        Answer(200, b"ok"),
    ),
    # Interim responses are not body: no body cap stops them, and bytes keep flowing, so no read
    # timeout fires. Ours stops after 1,000; httpcore reads them for as long as they come.
    Case(
        "interim responses without end",
        Reply(repeat=b"HTTP/1.1 100 Continue\r\n\r\n"),
        REFUSED,
        theirs=Never(),
    ),
    # -- bodies --
    Case(
        "body shorter than content-length, then close",
        Reply(OK + b"Content-Length: 10\r\n\r\nabc", close=True),
        REFUSED,
    ),
    Case("chunked body cut short, then close", Reply(CHUNKED + b"a\r\nabc", close=True), REFUSED),
    Case("chunked body without end", Reply(CHUNKED, repeat=b"1000\r\n" + b"x" * 4096 + b"\r\n"), CAPPED),
    Case("chunked body that stalls", Reply(CHUNKED + b"4\r\nabcd\r\n"), TIMED_OUT),
    Case(
        "bytes one at a time",
        Reply(OK + b"Content-Length: 5\r\n\r\nhello", trickle=0.002),
        Answer(200, b"hello"),
    ),
    Case(
        "chunked, one byte at a time",
        Reply(CHUNKED + b"2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", trickle=0.002),
        Answer(200, b"hello"),
    ),
    Case(
        "no content-length, read to EOF",
        Reply(OK + b"\r\nuntil the end", close=True),
        Answer(200, b"until the end"),
    ),
    # A 204 or 304 has no body whatever its headers say (RFC 9110 6.4.1): both read none. The bytes
    # after the head belong to no response. Ours never reuses the connection they arrived on;
    # httpcore does, and reads them as the start of the next answer, so the next request fails.
    Case(
        "204 with a body",
        Reply(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello"),
        Answer(204, b""),
        theirs_next=REFUSED,
    ),
    Case(
        "304 with a body",
        Reply(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello"),
        Answer(304, b""),
        theirs_next=REFUSED,
    ),
]


def lean_transport() -> httpx.AsyncBaseTransport:
    return Http1Transport(ssl_context=ssl_context(None), max_connections=4)


def httpcore_transport() -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport()


TRANSPORTS: dict[str, Callable[[], httpx.AsyncBaseTransport]] = {
    "lean": lean_transport,
    "httpcore": httpcore_transport,
}


def expected(case: Case, transport: str) -> Outcome:
    return case.ours if transport == "lean" or case.theirs is None else case.theirs


@pytest.fixture
def hostile() -> Iterator[Callable[[Reply], HostileServer]]:
    servers: list[HostileServer] = []

    def start(reply: Reply) -> HostileServer:
        server = HostileServer(reply)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


async def exchange(client: httpx.AsyncClient, url: str) -> Outcome:
    try:
        async with client.stream("PUT", url, content=b"hello") as response:
            body = bytearray()
            async for piece in response.aiter_raw():
                body += piece
                if len(body) > _CAP:
                    return CAPPED
            return Answer(response.status_code, bytes(body))
    except httpx.TransportError as error:
        return Failure(type(error))


@pytest.mark.asyncio
@pytest.mark.parametrize("transport", list(TRANSPORTS))
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_hostile_response(
    case: Case, transport: str, hostile: Callable[[Reply], HostileServer]
) -> None:
    want = expected(case, transport)
    server = hostile(case.reply)
    if isinstance(want, Never):
        # What makes ours the stricter one here: the other transport is still reading after a
        # while, with no end in sight.
        async with httpx.AsyncClient(
            transport=TRANSPORTS[transport](), timeout=httpx.Timeout(_TIMEOUT)
        ) as client:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(exchange(client, f"{server.url}/first"), 2.0)
        return
    async with httpx.AsyncClient(
        transport=TRANSPORTS[transport](), timeout=httpx.Timeout(_TIMEOUT)
    ) as client:
        started, cpu_started = time.monotonic(), time.process_time()
        outcome = await exchange(client, f"{server.url}/first")
        wall, cpu = time.monotonic() - started, time.process_time() - cpu_started
        assert outcome == want
        assert wall < (_TIMEOUT + 2 if want == TIMED_OUT else _QUICK), f"took {wall:.2f} s"
        assert cpu < _CPU, f"{cpu:.2f} s of CPU in {wall:.2f} s"

        # The next request gets the right answer: not bytes left over from the first response.
        after = await exchange(client, f"{server.url}/again")
        if transport == "httpcore" and case.theirs_next is not None:
            assert after == case.theirs_next
            return
        assert after == Answer(200, b"ok")
        if not isinstance(outcome, Answer):
            # A connection that failed or was given up mid-body is never used again.
            assert server.connections == 2


def test_ours_is_never_the_more_lenient() -> None:
    """Where the transports differ, ours refuses what httpcore takes, never the other way round."""
    for case in CASES:
        if case.theirs is not None:
            assert case.ours != case.theirs
            assert isinstance(case.ours, Failure), case.id
