"""The fault tools prove themselves: every fault happens exactly as described, seen from a plain
client (httpx or a raw socket; never Skylift's core) and from the server's own records."""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import http.client
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults import PASS, CuttingProxy, Fault, FaultServer, RequestEnd, StoredKind

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = {"Content-Type": "application/offset+octet-stream"}


def payload(size: int, seed: str = "x") -> bytes:
    block = hashlib.sha256(seed.encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as session:
        yield session


def send_raw(port: int, request: bytes, *, piece: int = 0) -> socket.socket:
    """A connection that has sent ``request`` (in pieces of ``piece`` bytes when given)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    if piece:
        for start in range(0, len(request), piece):
            sock.sendall(request[start : start + piece])
    else:
        sock.sendall(request)
    return sock


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    answer = http.client.HTTPResponse(sock)
    answer.begin()
    return answer.status, {name.lower(): value for name, value in answer.getheaders()}, answer.read()


def put_head(path: str, size: int, port: int) -> bytes:
    return f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {size}\r\n\r\n".encode()


def multipart_body(boundary: str, disposition: bytes, data: bytes, form: dict[str, str]) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in form.items()
    ]
    parts.append(
        f"--{boundary}\r\nContent-Disposition: ".encode()
        + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n"
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts)


def tus_create(
    client: httpx.Client, server: FaultServer, size: int, filename: str, data: bytes = b""
) -> httpx.Response:
    encoded = [base64.b64encode(value.encode()).decode() for value in (filename, "video/mp4")]
    metadata = f"filename {encoded[0]},filetype {encoded[1]}"
    headers = {**TUS, "Upload-Length": str(size), "Upload-Metadata": metadata}
    if data:
        headers.update(OFFSET_STREAM)
    return client.post(server.tus_url, headers=headers, content=data)


def tus_patch(client: httpx.Client, url: str, offset: int, data: bytes) -> httpx.Response:
    return client.patch(url, headers={**TUS, **OFFSET_STREAM, "Upload-Offset": str(offset)}, content=data)


def tus_offset(client: httpx.Client, url: str) -> int:
    return int(client.head(url, headers=TUS).headers["Upload-Offset"])


# -- uploads stored right ------------------------------------------------------------------------------


def test_multipart_upload_is_stored_with_its_form_fields(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    data = payload(3 << 20)
    answer = client.post(
        f"{fault_server.url}/upload/form",
        files={"video": ("clip.mp4", data)},
        data={"album": "2026", "tag": "x"},
    )
    assert answer.status_code == 201
    [stored] = fault_server.stored_for("clip.mp4")
    assert (stored.kind, stored.path, stored.field_name) == (StoredKind.MULTIPART, "/upload/form", "video")
    assert (stored.size, stored.sha256) == (len(data), sha(data))
    assert stored.form == {"album": "2026", "tag": "x"}
    assert stored.answered and stored.responded_at is not None and stored.responded_at >= stored.stored_at


def test_multipart_utf8_filename_is_decoded_even_when_the_body_trickles_in(fault_server: FaultServer) -> None:
    """A UTF-8 name with quoted-pairs, sent 7 bytes at a time: the parser streams across any split."""
    name = '季度报告 "终稿".txt'
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    data = payload(20_000)
    body = multipart_body(
        "b0undary", f'form-data; name="file"; filename="{quoted}"'.encode(), data, {"k": "v"}
    )
    head = (
        f"POST /forms HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with send_raw(fault_server.port, head + body, piece=7) as sock:
        status, _, _ = read_answer(sock)
    assert status == 201
    [stored] = fault_server.stored_for(name)
    assert (stored.filename, stored.sha256, stored.form) == (name, sha(data), {"k": "v"})
    assert stored.raw_disposition is not None and quoted.encode() in stored.raw_disposition


def test_raw_put_is_stored_by_path_as_sent_and_decoded(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    data = payload(1 << 20)
    first = client.put(f"{fault_server.url}/dav/Holiday%202025/%E5%AD%A3.bin", content=data)
    second = client.post(f"{fault_server.url}/raw/empty", content=b"")
    assert (first.status_code, second.status_code) == (201, 201)
    [stored] = fault_server.stored_for("/dav/Holiday 2025/季.bin")
    assert fault_server.stored_for("/dav/Holiday%202025/%E5%AD%A3.bin") == [stored]
    assert (stored.kind, stored.size, stored.sha256) == (StoredKind.RAW, len(data), sha(data))
    assert fault_server.stored_for("/raw/empty")[0].size == 0
    # Keep-alive: both requests came on one connection.
    assert fault_server.counters.connections == 1


def test_a_full_tus_upload(fault_server: FaultServer, client: httpx.Client) -> None:
    options = client.options(fault_server.tus_url)
    assert options.status_code == 204
    assert options.headers["tus-resumable"] == options.headers["tus-version"] == "1.0.0"
    assert options.headers["tus-extension"] == "creation,creation-with-upload,termination"

    data = payload(2 << 20)
    created = tus_create(client, fault_server, len(data), "clip.mp4")
    assert created.status_code == 201 and "upload-offset" not in created.headers
    url = created.headers["location"]
    assert url.startswith(fault_server.tus_url)
    assert [info.offset for info in fault_server.uploads_in_progress()] == [0]

    half = len(data) // 2
    assert tus_patch(client, url, 0, data[:half]).headers["upload-offset"] == str(half)
    head = client.head(url, headers=TUS)
    assert (head.status_code, head.headers["upload-offset"], head.headers["upload-length"]) == (
        200,
        str(half),
        str(len(data)),
    )
    assert tus_patch(client, url, 7, b"wrong offset").status_code == 409
    done = tus_patch(client, url, half, data[half:])
    assert (done.status_code, done.headers["upload-offset"]) == (204, str(len(data)))
    assert tus_offset(client, url) == len(data)

    [stored] = fault_server.stored_for("clip.mp4")
    assert (stored.kind, stored.size, stored.sha256) == (StoredKind.TUS, len(data), sha(data))
    assert stored.metadata == {"filename": "clip.mp4", "filetype": "video/mp4"}
    assert fault_server.stored_for(url) == [stored]
    assert fault_server.uploads_in_progress() == []

    assert client.delete(url, headers=TUS).status_code == 204
    assert client.head(url, headers=TUS).status_code == 404
    assert client.post(fault_server.tus_url, headers={"Upload-Length": "1"}).status_code == 412


def test_tus_creation_with_upload(fault_server: FaultServer, client: httpx.Client) -> None:
    data = payload(300_000)
    created = tus_create(client, fault_server, len(data) + 100, "c.bin", data)
    assert (created.status_code, created.headers["upload-offset"]) == (201, str(len(data)))
    url = created.headers["location"]
    tus_patch(client, url, len(data), b"y" * 100)
    assert fault_server.stored_for("c.bin")[0].sha256 == sha(data + b"y" * 100)
    empty = tus_create(client, fault_server, 0, "empty.bin")
    assert empty.status_code == 201 and fault_server.stored_for("empty.bin")[0].size == 0


def test_tus_uploads_can_live_in_a_folder(
    make_fault_server: Callable[..., FaultServer], tmp_path: Path
) -> None:
    server = make_fault_server(tus_directory=tmp_path)
    data = payload(100_000)
    with httpx.Client() as session:
        url = tus_create(session, server, len(data), "f.bin").headers["location"]
        tus_patch(session, url, 0, data)
    assert (tmp_path / url.rsplit("/", 1)[1]).read_bytes() == data
    assert server.stored_for("f.bin")[0].sha256 == sha(data)


def test_contradictory_faults_are_refused() -> None:
    with pytest.raises(ValueError, match="exclude each other"):
        Fault(status=503, store_then_close=True)
    with pytest.raises(ValueError, match="need a status"):
        Fault(retry_after="1")
    assert repr(Fault(reset_after=5, times=None)) == "Fault(reset_after=5, times=None)"


# -- resets ---------------------------------------------------------------------------------------------


def test_reset_after_n_bytes_once(fault_server: FaultServer, client: httpx.Client) -> None:
    rule = fault_server.fault(Fault(reset_after=100_000), method="PUT")
    data = payload(1 << 20)
    with pytest.raises(httpx.TransportError):
        client.put(f"{fault_server.url}/a.bin", content=data)
    [record] = fault_server.requests
    assert (record.end, record.body_read, record.status) == (RequestEnd.RESET, 100_000, None)
    assert fault_server.stored == [] and rule.fired == 1 and rule.done
    assert client.put(f"{fault_server.url}/a.bin", content=data).status_code == 201
    assert fault_server.counters.resets == 1


def test_reset_comes_as_a_tcp_rst(fault_server: FaultServer) -> None:
    fault_server.fault(Fault(reset_after=10))
    request = put_head("/r", 1000, fault_server.port) + b"z" * 10
    with send_raw(fault_server.port, request) as sock, pytest.raises(ConnectionResetError):
        sock.recv(1)
    assert fault_server.requests[0].body_read == 10


def test_reset_after_more_than_the_body_resets_instead_of_answering(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    fault_server.fault(Fault(reset_after=10_000))
    with pytest.raises(httpx.TransportError):
        client.put(f"{fault_server.url}/small", content=b"small")
    assert fault_server.stored == [] and fault_server.requests[0].body_read == 5
    # A tus server keeps what it read, as it does for any PATCH cut short.
    url = tus_create(client, fault_server, 1000, "kept.bin").headers["location"]
    fault_server.fault(Fault(reset_after=10_000), method="PATCH")
    with pytest.raises(httpx.TransportError):
        tus_patch(client, url, 0, b"p" * 600)
    assert tus_offset(client, url) == 600


def test_reset_every_matching_request_until_cleared(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(reset_after=0, times=None), path="/flaky/")
    for _ in range(3):
        with pytest.raises(httpx.TransportError):
            client.put(f"{fault_server.url}/flaky/x", content=b"data")
    assert client.put(f"{fault_server.url}/solid/x", content=b"data").status_code == 201
    assert [r.end for r in fault_server.requests] == [RequestEnd.RESET] * 3 + [RequestEnd.ANSWERED]
    fault_server.clear_faults()
    assert client.put(f"{fault_server.url}/flaky/x", content=b"data").status_code == 201


def test_reset_every_n_bytes_across_a_whole_tus_upload(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    """The budget spans requests: each 300,000 body bytes the link dies, wherever the PATCHes start."""
    data = payload(1_000_000)
    url = tus_create(client, fault_server, len(data), "flaky.bin").headers["location"]
    rule = fault_server.fault(Fault(reset_every=300_000, times=None), method="PATCH")
    attempts = 0
    while (offset := tus_offset(client, url)) < len(data):
        attempts += 1
        with contextlib.suppress(httpx.TransportError):
            tus_patch(client, url, offset, data[offset:])
    patches = fault_server.requests_for("PATCH")
    assert attempts == 4 and rule.fired == 3 and fault_server.counters.resets == 3
    assert [p.body_read for p in patches] == [300_000, 300_000, 300_000, 100_000]
    assert [p.end for p in patches] == [RequestEnd.RESET] * 3 + [RequestEnd.ANSWERED]
    assert fault_server.stored_for("flaky.bin")[0].sha256 == sha(data)


def test_a_creation_post_cut_short_leaves_an_orphan(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(reset_after=50_000), method="POST", path="/files/")
    with pytest.raises(httpx.TransportError):
        tus_create(client, fault_server, 200_000, "o.bin", payload(100_000))
    [orphan] = fault_server.uploads_in_progress()
    assert (orphan.offset, orphan.length, orphan.metadata["filename"]) == (50_000, 200_000, "o.bin")


# -- answers lost, refused, late --------------------------------------------------------------------------


def test_close_before_response_stores_nothing(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(close_before_response=True))
    with pytest.raises(httpx.RemoteProtocolError):
        client.put(f"{fault_server.url}/lost.bin", content=payload(200_000))
    [record] = fault_server.requests
    assert (record.end, record.body_read) == (RequestEnd.CLOSED, 200_000)
    assert fault_server.stored == []


def test_store_then_close_stores_but_never_answers(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(store_then_close=True))
    data = payload(200_000)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(f"{fault_server.url}/form", files={"file": ("kept.bin", data)})
    [stored] = fault_server.stored_for("kept.bin")
    assert stored.sha256 == sha(data) and stored.responded_at is None and not stored.answered
    assert fault_server.requests[0].end is RequestEnd.CLOSED


def test_store_then_close_on_a_tus_patch_moves_the_offset(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    url = tus_create(client, fault_server, 1000, "t.bin").headers["location"]
    fault_server.fault([Fault(close_before_response=True), Fault(store_then_close=True)], method="PATCH")
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            tus_patch(client, url, 0, b"a" * 600)
        # close_before_response dropped the bytes; store_then_close kept them.
    assert tus_offset(client, url) == 600


def test_503_with_retry_after_before_the_body(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(status=503, retry_after="2"), method="PUT")
    data = payload(4 << 20)
    answer = client.put(f"{fault_server.url}/busy.bin", content=data)
    assert (answer.status_code, answer.headers["retry-after"], answer.headers["connection"]) == (
        503,
        "2",
        "close",
    )
    record = fault_server.requests[0]
    assert (record.status, record.body_read) == (503, 0)
    # The lingering close read the rest, so the client got the answer instead of a reset.
    assert fault_server.wait_until(lambda _: record.body_discarded == len(data))
    assert fault_server.stored == []


def test_status_after_the_body_keeps_the_connection(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(status=500, status_after_body=True))
    data = payload(300_000)
    assert client.put(f"{fault_server.url}/x", content=data).status_code == 500
    assert client.put(f"{fault_server.url}/x", content=data).status_code == 201
    first, second = fault_server.requests
    assert (first.body_read, first.status) == (len(data), 500)
    assert first.connection == second.connection
    assert len(fault_server.stored) == 1


def test_a_list_of_faults_serves_the_next_requests_in_order(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    rules = fault_server.fault([Fault(status=429, retry_after="1"), PASS, Fault(status=500)], method="PUT")
    statuses = [client.put(f"{fault_server.url}/q", content=b"q").status_code for _ in range(4)]
    assert statuses == [429, 201, 500, 201]
    assert all(rule.done for rule in rules) and fault_server.pending_faults() == []
    # A GET matched none of them.
    assert client.get(f"{fault_server.url}/ping").status_code == 204


def test_stall_before_read(fault_server: FaultServer) -> None:
    fault_server.fault(Fault(stall_before_read=0.6))
    started = time.monotonic()
    with send_raw(fault_server.port, put_head("/s", 5, fault_server.port) + b"12345") as sock:
        assert fault_server.wait_until(lambda server: len(server.requests) == 1)
        record = fault_server.requests[0]
        assert not fault_server.wait_until(lambda _: record.body_read > 0, timeout=0.4)
        status, _, _ = read_answer(sock)
    assert status == 201 and 0.6 <= time.monotonic() - started < 3


def test_stall_before_response(fault_server: FaultServer) -> None:
    fault_server.fault(Fault(stall_before_response=0.6))
    started = time.monotonic()
    with send_raw(fault_server.port, put_head("/s", 5, fault_server.port) + b"12345") as sock:
        assert fault_server.wait_until(
            lambda server: bool(server.requests) and server.requests[0].body_read == 5
        )
        assert fault_server.requests[0].end is RequestEnd.IN_PROGRESS and fault_server.stored == []
        status, _, _ = read_answer(sock)
    assert status == 201 and 0.6 <= time.monotonic() - started < 3


# -- answer bodies ------------------------------------------------------------------------------------------


def test_response_body_size(fault_server: FaultServer, client: httpx.Client) -> None:
    fault_server.fault(Fault(response_body_size=3 << 20))
    answer = client.put(f"{fault_server.url}/big-answer", content=b"x")
    assert (answer.status_code, len(answer.content)) == (201, 3 << 20)
    assert answer.headers["content-length"] == str(3 << 20)


@pytest.mark.parametrize("content_length", [False, True], ids=["chunked", "huge-content-length"])
def test_endless_response_stops_when_the_client_closes(
    fault_server: FaultServer, client: httpx.Client, content_length: bool
) -> None:
    fault_server.fault(Fault(endless_response=True, endless_content_length=content_length))
    wanted = 10 << 20
    read = 0
    with client.stream("PUT", f"{fault_server.url}/endless", content=b"x") as answer:
        assert answer.status_code == 201
        if content_length:
            assert answer.headers["content-length"] == str(2**62)
        else:
            assert answer.headers["transfer-encoding"] == "chunked"
        for block in answer.iter_raw():
            read += len(block)
            if read >= wanted:
                break
    record = fault_server.requests[0]
    assert fault_server.wait_until(lambda _: record.ended_at is not None, timeout=5)
    # What the client's TCP acknowledged: at least what it read, at most a few buffers more.
    assert read <= record.response_bytes < read + (16 << 20)


# -- tus lies and amnesia ----------------------------------------------------------------------------------


def test_tus_lying_offsets_leave_the_true_offset_alone(
    fault_server: FaultServer, client: httpx.Client
) -> None:
    size = 100_000
    fault_server.fault(Fault(tus_offset=size), method="POST")
    created = tus_create(client, fault_server, size, "lies.bin")
    assert created.headers["upload-offset"] == str(size)
    url = created.headers["location"]
    fault_server.fault(Fault(tus_offset=lambda true: true + 1_000_000), method="PATCH")
    assert tus_patch(client, url, 0, payload(40_000)).headers["upload-offset"] == str(1_040_000)
    fault_server.fault([Fault(tus_offset=-5), Fault(tus_offset=lambda true: true - 30_000)], method="HEAD")
    assert client.head(url, headers=TUS).headers["upload-offset"] == "-5"
    assert client.head(url, headers=TUS).headers["upload-offset"] == "10000"
    assert tus_offset(client, url) == 40_000
    info = fault_server.tus_upload(url)
    assert info is not None and info.offset == 40_000


def test_tus_forget(fault_server: FaultServer, client: httpx.Client) -> None:
    url = tus_create(client, fault_server, 10, "f.bin").headers["location"]
    fault_server.fault(Fault(tus_forget=True), method="HEAD")
    assert client.head(url, headers=TUS).status_code == 404
    assert tus_patch(client, url, 0, b"0123456789").status_code == 404
    # On a creation: created, answered, then forgotten (here as expired: 410).
    fault_server.fault(Fault(tus_forget=True, tus_forget_status=410), method="POST")
    created = tus_create(client, fault_server, 10, "g.bin")
    assert created.status_code == 201
    assert client.head(created.headers["location"], headers=TUS).status_code == 410


# -- outages ---------------------------------------------------------------------------------------------


def test_down_and_up_on_the_same_port(fault_server: FaultServer, client: httpx.Client) -> None:
    port = fault_server.port
    url = tus_create(client, fault_server, 4, "survivor.bin").headers["location"]
    fault_server.fault(Fault(stall_before_response=30))
    with send_raw(port, put_head("/in-flight", 1, port) + b"1") as sock:
        assert fault_server.wait_until(lambda server: server.requests[-1].body_read == 1)
        fault_server.down()
        with pytest.raises(ConnectionResetError):  # dropped with the outage
            sock.recv(1)
    assert fault_server.requests[-1].end is RequestEnd.SERVER_DOWN
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fault_server.url}/ping")
    fault_server.up()
    assert fault_server.port == port
    assert httpx.get(f"{fault_server.url}/ping").status_code == 204
    started = time.monotonic()
    fault_server.restart(delay=0.3)
    assert time.monotonic() - started >= 0.3
    # The uploads outlive the restart, as a server's folder would.
    with httpx.Client() as fresh:
        assert tus_patch(fresh, url, 0, b"done").status_code == 204
    assert fault_server.counters.restarts == 2 and fault_server.port == port


def test_down_for_a_while_comes_back_by_itself(fault_server: FaultServer) -> None:
    fault_server.down(0.3)
    assert not fault_server.is_up
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fault_server.url}/ping")
    fault_server.wait_up(5)
    assert httpx.get(f"{fault_server.url}/ping").status_code == 204


# -- the proxy -------------------------------------------------------------------------------------------


def test_proxy_forwards_and_counts(
    fault_server: FaultServer, cutting_proxy: Callable[..., CuttingProxy], client: httpx.Client
) -> None:
    proxy = cutting_proxy(fault_server.port)
    data = payload(500_000)
    assert client.put(proxy.url("/through.bin"), content=data).status_code == 201
    assert fault_server.stored_for("/through.bin")[0].sha256 == sha(data)
    record = fault_server.requests[0]
    assert proxy.forwarded == record.head_size + len(data)
    [connection] = proxy.connections
    assert connection.upstream == proxy.forwarded and connection.downstream == proxy.returned > 0


def test_proxy_cuts_every_connection_after_n_bytes(
    fault_server: FaultServer, cutting_proxy: Callable[..., CuttingProxy], client: httpx.Client
) -> None:
    proxy = cutting_proxy(fault_server.port, cut_every=200_000)
    for _ in range(3):
        with pytest.raises(httpx.TransportError):
            client.put(proxy.url("/cut.bin"), content=payload(1 << 20))
    assert proxy.wait_until(lambda p: p.cuts == 3)
    assert [c.upstream for c in proxy.connections] == [200_000] * 3 and proxy.forwarded == 600_000
    assert fault_server.wait_until(lambda s: len(s.requests) == 3 and all(r.ended_at for r in s.requests))
    # The server got every byte up to each cut, and not one more.
    assert [r.head_size + r.body_read for r in fault_server.requests] == [200_000] * 3
    assert fault_server.stored == []


def test_proxy_cuts_once(
    fault_server: FaultServer, cutting_proxy: Callable[..., CuttingProxy], client: httpx.Client
) -> None:
    proxy = cutting_proxy(fault_server.port, cut_once_after=150_000)
    with pytest.raises(httpx.TransportError):
        client.put(proxy.url("/once.bin"), content=payload(1 << 20))
    assert client.put(proxy.url("/once.bin"), content=payload(1 << 20)).status_code == 201
    assert proxy.cuts == 1 and [c.cut for c in proxy.connections] == [True, False]
    assert proxy.connections[0].upstream == 150_000
    proxy.set_cut_once_after(10)
    with pytest.raises(httpx.TransportError):
        client.get(proxy.url("/ping"))
    assert proxy.cuts == 2


def test_proxy_passes_a_lingering_close_on(
    fault_server: FaultServer, cutting_proxy: Callable[..., CuttingProxy], client: httpx.Client
) -> None:
    proxy = cutting_proxy(fault_server.port)
    fault_server.fault(Fault(status=503, retry_after="1"))
    assert client.put(proxy.url("/busy"), content=payload(4 << 20)).status_code == 503


def test_proxy_pause_refuses_and_resume_comes_back(
    fault_server: FaultServer, cutting_proxy: Callable[..., CuttingProxy]
) -> None:
    proxy = cutting_proxy(fault_server.port)
    port = proxy.port
    fault_server.fault(Fault(stall_before_response=30))
    with send_raw(port, put_head("/held", 1, port) + b"1") as sock:
        assert fault_server.wait_until(
            lambda server: bool(server.requests) and server.requests[0].body_read == 1
        )
        proxy.pause(drop_connections=True)
        assert proxy.paused
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
    with pytest.raises(httpx.ConnectError):
        httpx.get(proxy.url("/ping"))
    proxy.resume()
    assert proxy.port == port and httpx.get(proxy.url("/ping")).status_code == 204


# -- the local machine ----------------------------------------------------------------------------------


def test_tmpfs_fills_up(tmpfs: Callable[[int | str], Path]) -> None:
    disk = tmpfs(256 << 10)
    with open(disk / "fits.bin", "wb") as file:
        file.write(b"f" * (128 << 10))
    with pytest.raises(OSError) as raised, open(disk / "too-big.bin", "wb") as file:
        file.write(b"b" * (256 << 10))
        file.flush()
    assert raised.value.errno == errno.ENOSPC


def test_read_only_dir_refuses_even_root(read_only_dir: Callable[..., Path]) -> None:
    folder = read_only_dir(files={"sub/a.txt": b"hello"})
    assert (folder / "sub" / "a.txt").read_bytes() == b"hello"
    with pytest.raises(OSError) as raised:
        (folder / "b.txt").write_bytes(b"no")
    assert raised.value.errno == errno.EROFS


def test_as_nobody(as_nobody: Callable[[list[str]], list[str]], nobody_tmp_path: Path) -> None:
    who = subprocess.run(as_nobody(["id", "-u"]), capture_output=True, text=True, check=True)
    assert who.stdout.strip() == ("65534" if os.geteuid() == 0 else str(os.geteuid()))
    subprocess.run(as_nobody(["touch", str(nobody_tmp_path / "mine")]), check=True)
    assert (nobody_tmp_path / "mine").exists()
