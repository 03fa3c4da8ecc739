"""The lean HTTP/1.1 transport (core/http1.py) on the wire, against real servers on 127.0.0.1:
aiohttp (a standard HTTP parser) for request framing, and scripted asyncio servers for the
answers a well-behaved server rarely gives (early 413, 100 Continue, chunked or close-delimited
bodies, silence, hang-ups). The session-level suites run through this transport too.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import h11
import httpx
import pytest

from core.http1 import Http1Transport
from core.transport import create_client, ssl_context
from tests.core.helpers import eventually
from tests.servers import ReceiverServer

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class ScriptedServer:
    """An asyncio TCP server on 127.0.0.1 whose connections run ``handler``; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.open = 0
        self.max_open = 0
        self.closed = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[object]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            # Hang-ups are part of the scripts; cancellation is how __aexit__ ends a handler.
            pass
        finally:
            self.open -= 1
            self.closed += 1
            writer.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def read_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    return await reader.readexactly(int(headers.get(b"content-length", b"0")))


def client(max_connections: int = 4) -> httpx.AsyncClient:
    transport = Http1Transport(ssl_context=ssl_context(None), max_connections=max_connections)
    return httpx.AsyncClient(transport=transport, timeout=5)


async def body_of(size: int, piece: int = 1 << 20) -> AsyncIterator[bytes]:
    block = bytes(range(256)) * (piece // 256)
    sent = 0
    while sent < size:
        chunk = block[: min(piece, size - sent)]
        sent += len(chunk)
        yield chunk


# -- framing, against aiohttp's parser ------------------------------------------------------------


@pytest.mark.asyncio
async def test_keep_alive_carries_many_uploads_on_one_connection(receiver: ReceiverServer) -> None:
    async with client() as http:
        for index in range(5):
            data = bytes([index]) * (100_000 + index)
            response = await http.put(f"{receiver.url}/k/{index}", content=data)
            assert response.status_code == 201
            assert response.json()["size"] == len(data)
    assert [r.size for r in receiver.received] == [100_000 + i for i in range(5)]


@pytest.mark.asyncio
async def test_keep_alive_reuses_the_connection() -> None:
    bodies = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line, headers = await read_request(reader)
            bodies.append((line, await read_body(reader, headers)))
            writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    async with ScriptedServer(handler) as server, client() as http:
        for index in range(5):
            assert (await http.put(f"{server.url}/k/{index}", content=b"%d" % index)).status_code == 201
    assert bodies == [(b"PUT /k/%d HTTP/1.1" % i, b"%d" % i) for i in range(5)]
    assert server.connections == 1


@pytest.mark.asyncio
async def test_streamed_body_with_length_and_chunked(receiver: ReceiverServer) -> None:
    size = 3 * (1 << 20) + 5
    async with client() as http:
        sized = await http.put(
            f"{receiver.url}/sized", content=body_of(size), headers={"Content-Length": str(size)}
        )
        chunked = await http.put(f"{receiver.url}/chunked", content=body_of(size))
    assert (sized.status_code, chunked.status_code) == (201, 201)
    sized_request, chunked_request = receiver.received
    assert sized_request.headers.get("Content-Length") == str(size)
    assert chunked_request.headers.get("Transfer-Encoding") == "chunked"
    assert sized_request.size == chunked_request.size == size
    assert sized_request.sha256 == chunked_request.sha256


@pytest.mark.asyncio
async def test_connection_limit_is_never_exceeded(receiver: ReceiverServer) -> None:
    async with client(max_connections=2) as http:
        responses = await asyncio.gather(
            *(http.put(f"{receiver.url}/p/{i}", content=b"x" * 200_000) for i in range(8))
        )
    assert {r.status_code for r in responses} == {201}
    assert receiver.max_active <= 2


# -- answers, from scripted servers ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_chunked_and_close_delimited_responses() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line, headers = await read_request(reader)
        await read_body(reader, headers)
        if line.startswith(b"PUT /chunked"):
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            )
            await writer.drain()
            line, headers = await read_request(reader)
            await read_body(reader, headers)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
        await writer.drain()

    async with ScriptedServer(handler) as server, client() as http:
        chunked = await http.put(f"{server.url}/chunked", content=b"a")
        assert chunked.content == b"hello world"
        # The chunked response left the connection reusable: the next request rides on it.
        delimited = await http.put(f"{server.url}/plain", content=b"b")
        assert delimited.content == b"until the end"
        assert server.connections == 1
        # The close-delimited one did not.
        again = await http.put(f"{server.url}/plain", content=b"c")
        assert again.content == b"until the end"
        assert server.connections == 2


@pytest.mark.asyncio
async def test_interim_100_continue_is_skipped() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await read_body(reader, headers)
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await reader.read()

    async with ScriptedServer(handler) as server, client() as http:
        response = await http.put(server.url, content=b"x" * 1000)
    assert (response.status_code, response.content, response.reason_phrase) == (201, b"ok", "Created")


@pytest.mark.asyncio
async def test_early_answer_stops_the_upload_and_is_returned() -> None:
    size = 64 << 20

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        # Refuse at once, without reading the body, and keep the connection open (no hang-up).
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!")
        await writer.drain()
        await asyncio.sleep(30)

    async with ScriptedServer(handler) as server, client() as http:
        started = time.monotonic()
        response = await http.put(
            server.url,
            content=body_of(size),
            headers={"Content-Length": str(size)},
            timeout=httpx.Timeout(10, write=10),
        )
        assert (response.status_code, response.content) == (413, b"too big!")
        assert time.monotonic() - started < 5
        # The body was cut short: that connection is closed, not kept for another request.
        transport = http._transport
        assert isinstance(transport, Http1Transport)
        assert not any(transport._idle.values())


@pytest.mark.asyncio
async def test_answer_then_hang_up_mid_body_is_returned() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.readexactly(1 << 20)
        writer.write(
            b"HTTP/1.1 507 Insufficient Storage\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfull"
        )
        await writer.drain()
        # Hang up the sending side (FIN) and read no more. An abort (RST) would be a race instead:
        # a kernel that takes the RST before the client has read the answer discards the answer.
        writer.write_eof()
        await asyncio.sleep(30)

    size = 64 << 20
    async with ScriptedServer(handler) as server, client() as http:
        response = await http.put(server.url, content=body_of(size), headers={"Content-Length": str(size)})
    assert (response.status_code, response.content) == (507, b"full")


@pytest.mark.asyncio
async def test_write_timeout_when_the_server_takes_nothing() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    size = 256 << 20
    async with ScriptedServer(handler) as server, client() as http:
        with pytest.raises(httpx.WriteTimeout):
            await http.put(
                server.url,
                content=body_of(size),
                headers={"Content-Length": str(size)},
                timeout=httpx.Timeout(5, write=0.5),
            )


@pytest.mark.asyncio
async def test_a_slow_reader_is_not_a_write_timeout() -> None:
    size = 24 << 20

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        remaining = int(headers[b"content-length"])
        # 256 KiB every 20 ms: at least 1.9 s for the body, with no pause near the write timeout.
        while remaining:
            remaining -= len(await reader.readexactly(min(remaining, 256 << 10)))
            await asyncio.sleep(0.02)
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    write_timeout = 0.5
    async with ScriptedServer(handler) as server, client() as http:
        started = time.monotonic()
        response = await http.put(
            server.url,
            content=body_of(size),
            headers={"Content-Length": str(size)},
            timeout=httpx.Timeout(10, write=write_timeout),
        )
    assert response.status_code == 201
    # The transfer as a whole took several write timeouts; no single wait did.
    assert time.monotonic() - started > 2 * write_timeout


@pytest.mark.asyncio
async def test_read_timeout_when_no_answer_comes() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)
        await asyncio.sleep(30)

    async with ScriptedServer(handler) as server, client() as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.put(server.url, content=b"x", timeout=httpx.Timeout(5, read=0.3))


@pytest.mark.asyncio
async def test_hang_up_without_an_answer_is_a_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)

    async with ScriptedServer(handler) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.put(server.url, content=b"x")


@pytest.mark.asyncio
async def test_garbage_answer_is_a_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)
        writer.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        await writer.drain()
        await reader.read()

    async with ScriptedServer(handler) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.put(server.url, content=b"x")


@pytest.mark.asyncio
async def test_connection_refused_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.put(f"http://127.0.0.1:{port}/", content=b"x")


@pytest.mark.asyncio
async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        # Keep-alive timeout on the server side: hang up between requests, without notice.

    async with ScriptedServer(handler) as server, client() as http:
        assert (await http.put(server.url, content=b"a")).status_code == 201
        transport = http._transport
        assert isinstance(transport, Http1Transport)
        idle = [c for queue in transport._idle.values() for c in queue]
        assert len(idle) == 1
        await eventually(lambda: idle[0].eof, what="the client to see the hang-up")
        # The connection the server closed is dropped, not used: the next request dials again.
        assert (await http.put(server.url, content=b"b")).status_code == 201
        assert server.connections == 2


@pytest.mark.asyncio
async def test_pool_timeout_when_every_connection_is_busy() -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)
        await release.wait()
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    async with ScriptedServer(handler) as server, client(max_connections=1) as http:
        first = asyncio.ensure_future(http.put(server.url, content=b"a"))
        await eventually(lambda: server.connections == 1, what="the first request to connect")
        with pytest.raises(httpx.PoolTimeout):
            await http.put(server.url, content=b"b", timeout=httpx.Timeout(5, pool=0.2))
        release.set()
        assert (await first).status_code == 201


def test_the_session_client_uses_it_unless_a_proxy_or_the_override_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def transport_of(http: httpx.AsyncClient) -> httpx.AsyncBaseTransport:
        return http._transport  # the client's default transport; no public accessor

    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SKYLIFT_HTTP_TRANSPORT", raising=False)
    assert isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)
    monkeypatch.setenv("SKYLIFT_HTTP_TRANSPORT", "httpcore")
    assert not isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)
    monkeypatch.delenv("SKYLIFT_HTTP_TRANSPORT")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert not isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)


def test_no_proxy_alone_is_not_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """``urllib.request.getproxies()`` lists NO_PROXY as ``{'no': '*'}``: that configures no proxy,
    so the lean transport stays; a real proxy beside it still selects httpx's own."""

    def transport_of(http: httpx.AsyncClient) -> httpx.AsyncBaseTransport:
        return http._transport  # the client's default transport; no public accessor

    for scheme in ("http", "https", "all", "no", "ftp"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)
    monkeypatch.delenv("SKYLIFT_HTTP_TRANSPORT", raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    assert isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)
    # Nor is a proxy for a scheme httpx does not use.
    monkeypatch.setenv("FTP_PROXY", "http://127.0.0.1:9")
    assert isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
        assert not isinstance(transport_of(create_client(max_connections=2, ca_file=None)), Http1Transport)
        monkeypatch.delenv(name)


@pytest.mark.asyncio
async def test_interim_100_continue_during_a_big_body_does_not_stop_it() -> None:
    size = 16 << 20

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
        got = len(await read_body(reader, headers))
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%d" % (len(str(got)), got))
        await writer.drain()
        await reader.read()

    async with ScriptedServer(handler) as server, client() as http:
        response = await http.put(
            server.url, content=body_of(size), headers={"Content-Length": str(size), "Expect": "100-continue"}
        )
    assert (response.status_code, response.content) == (201, str(size).encode())


# -- framing by h11 -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_request_h11_cannot_frame_is_a_local_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with ScriptedServer(handler) as server, client() as http:
        # httpx passes a line break in a header value through; h11 refuses to write it.
        with pytest.raises(httpx.LocalProtocolError):
            await http.put(server.url, headers={"X-Note": "a\r\nInjected: 1"}, content=b"x")
        # A body longer or shorter than its Content-Length.
        with pytest.raises(httpx.LocalProtocolError):
            await http.put(server.url, content=body_of(10), headers={"Content-Length": "5"})
        with pytest.raises(httpx.LocalProtocolError):
            await http.put(server.url, content=body_of(3), headers={"Content-Length": "5"})


@pytest.mark.asyncio
async def test_malformed_framing_is_refused_with_h11s_reason() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, headers = await read_request(reader)
        await read_body(reader, headers)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello")
        await writer.drain()
        await reader.read()

    async with ScriptedServer(handler) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await http.put(server.url, content=b"x")
    assert isinstance(caught.value.__cause__, h11.RemoteProtocolError)


@pytest.mark.asyncio
async def test_a_malformed_early_answer_stops_the_upload() -> None:
    size = 64 << 20

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: +8\r\n\r\ntoo big!")
        await writer.drain()
        await asyncio.sleep(30)

    async with ScriptedServer(handler) as server, client() as http:
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError):
            await http.put(
                server.url,
                content=body_of(size),
                headers={"Content-Length": str(size)},
                timeout=httpx.Timeout(10, write=10),
            )
        assert time.monotonic() - started < 5


@pytest.mark.asyncio
async def test_an_early_answer_in_pieces_is_read_whole() -> None:
    size = 64 << 20

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        # Half a head is not an answer yet: the client stays blocked on the full socket, then reads
        # the whole answer once the rest arrives.
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-")
        await writer.drain()
        await asyncio.sleep(0.3)
        writer.write(b"Length: 8\r\n\r\ntoo big!")
        await writer.drain()
        await asyncio.sleep(30)

    async with ScriptedServer(handler) as server, client() as http:
        response = await http.put(
            server.url,
            content=body_of(size),
            headers={"Content-Length": str(size)},
            timeout=httpx.Timeout(10, write=10),
        )
    assert (response.status_code, response.content) == (413, b"too big!")


@pytest.mark.asyncio
async def test_head_responses_and_connection_close() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line, headers = await read_request(reader)
            await read_body(reader, headers)
            if line.startswith(b"HEAD"):
                # The length of the body a GET would have: none follows.
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()

    async with ScriptedServer(handler) as server, client() as http:
        for _ in range(2):
            head = await http.head(server.url)
            assert (head.status_code, head.content, head.headers["Content-Length"]) == (200, b"", "1000")
        assert server.connections == 1
        assert (await http.put(server.url, content=b"x")).content == b"ok"
        # "Connection: close": that connection is not used again.
        await http.head(server.url)
        assert server.connections == 2
