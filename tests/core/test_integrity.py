"""What arrives is what was on disk: sha256 on the server, file names, multipart framing, raw trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from python_multipart.multipart import MultipartParser, parse_options_header

import core
from core.streams import CHUNK_SIZE
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder
from tests.servers import ReceiverServer

MULTIPART, RAW = core.WireProtocol.MULTIPART, core.WireProtocol.RAW

# Sizes around the read-chunk boundaries, and none at all.
SIZES = [0, 1, 1000, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 5]

FORM = {"album": "Q3 2026", "owner": "ops team", "note": "two\r\nlines"}

# (name sent, name a standard parser must report). CR and LF cannot be represented in a
# Content-Disposition parameter: they arrive percent-encoded, as browsers send them.
NAMES = [
    ('季度报告 "终稿".mp4', '季度报告 "终稿".mp4'),
    ("back\\slash\\name.txt", "back\\slash\\name.txt"),
    ('trailing backslash\\ and quote\\".bin', 'trailing backslash\\ and quote\\".bin'),
    ("semi;colon = x.txt", "semi;colon = x.txt"),
    (
        "evil\r\nContent-Type: text/html\r\n\r\n<b>.txt",
        "evil%0D%0AContent-Type: text/html%0D%0A%0D%0A<b>.txt",
    ),
    (
        'x"\r\n--fake\r\nContent-Disposition: form-data; name="injected"\r\n\r\nhijack.txt',
        'x"%0D%0A--fake%0D%0AContent-Disposition: form-data; name="injected"%0D%0A%0D%0Ahijack.txt',
    ),
    ("tab\tand\x7fdel.txt", "tab%09and%7Fdel.txt"),
]
NAME_IDS = [
    "cjk-quotes",
    "backslashes",
    "trailing-backslash-quote",
    "semicolon",
    "crlf-header",
    "crlf-part",
    "ctl",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [MULTIPART, RAW])
async def test_every_size_arrives_with_the_same_sha256(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, protocol: core.WireProtocol
) -> None:
    files = [make_file(tmp_path / f"file-{size}.bin", size) for size in SIZES]
    recorder = Recorder()
    session = manager.create_session(core.SessionConfiguration(identifier="sizes"), recorder)
    destination = core.Destination(url=f"{receiver.url}/up/", protocol=protocol)
    tasks = session.upload_files([(f, None) for f in files], destination)
    await session.wait_until_quiet()

    by_name = {
        (r.filename if protocol is MULTIPART else r.path.rsplit("/", 1)[-1]): r for r in receiver.received
    }
    assert len(receiver.received) == len(files)
    for file, task in zip(files, tasks, strict=True):
        snapshot = session.task(task.task_id)
        assert snapshot.state is core.TaskState.COMPLETED, snapshot.error
        assert snapshot.bytes_sent == snapshot.total_bytes == file.stat().st_size
        got = by_name[file.name]
        assert (got.size, got.sha256) == (file.stat().st_size, sha256_of(file))
        # The server's answer is kept on the task.
        assert snapshot.http_status == 201
        assert json.loads(snapshot.response_text or "")["sha256"] == sha256_of(file)
    assert not receiver.aborted


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "expected"), NAMES, ids=NAME_IDS)
async def test_file_names_reach_aiohttp_intact_in_one_part(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, name: str, expected: str
) -> None:
    file = make_file(tmp_path / "content.bin", 70_000)
    session = manager.create_session(core.SessionConfiguration(identifier="names"))
    destination = core.Destination(url=f"{receiver.url}/form", form_fields=FORM, field_name="upload")
    task = session.upload_file(file, destination, relative_name=name)
    await session.wait_until_quiet()

    assert session.task(task.task_id).state is core.TaskState.COMPLETED, session.task(task.task_id).error
    (got,) = receiver.received
    assert got.file_parts == 1
    assert (got.field_name, got.filename) == ("upload", expected)
    assert got.form == FORM
    assert (got.size, got.sha256) == (file.stat().st_size, sha256_of(file))


def parse_with_python_multipart(body: bytes, content_type: str) -> list[tuple[dict[str, bytes], bytes]]:
    """Every part as (headers, data), using python-multipart's streaming parser as Starlette does."""
    _, options = parse_options_header(content_type)
    parts: list[tuple[dict[str, bytes], bytes]] = []
    headers: dict[str, bytes] = {}
    field_name, value, data = bytearray(), bytearray(), bytearray()

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(buffer: bytes, start: int, end: int) -> None:
        field_name.extend(buffer[start:end])

    def on_header_value(buffer: bytes, start: int, end: int) -> None:
        value.extend(buffer[start:end])

    def on_header_end() -> None:
        # Starlette keeps header values as bytes and reads them as latin-1.
        headers[field_name.decode("latin-1").lower()] = bytes(value)
        field_name.clear()
        value.clear()

    def on_part_data(buffer: bytes, start: int, end: int) -> None:
        data.extend(buffer[start:end])

    def on_part_end() -> None:
        parts.append((dict(headers), bytes(data)))

    parser = MultipartParser(
        options[b"boundary"],
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    # Fed in uneven pieces, as a socket would deliver them.
    for start in range(0, len(body), 7919):
        parser.write(body[start : start + 7919])
    parser.finalize()
    return parts


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "expected"), NAMES, ids=NAME_IDS)
async def test_our_exact_multipart_bytes_parse_with_python_multipart(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, name: str, expected: str
) -> None:
    """The body is captured byte for byte on the server and handed to a second, independent parser."""
    file = make_file(tmp_path / "content.bin", 100_003)
    receiver.script("/capture", capture=True)
    session = manager.create_session(core.SessionConfiguration(identifier="python-multipart"))
    destination = core.Destination(url=f"{receiver.url}/capture", form_fields=FORM)
    task = session.upload_file(file, destination, relative_name=name)
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is core.TaskState.COMPLETED, session.task(task.task_id).error

    (got,) = receiver.received
    assert got.body is not None
    assert int(got.headers["Content-Length"]) == len(got.body)
    parts = parse_with_python_multipart(got.body, got.headers["Content-Type"])
    fields: dict[str, str] = {}
    files = []
    for headers, data in parts:
        _, options = parse_options_header(headers["content-disposition"])
        if b"filename" in options:
            files.append((options[b"name"].decode(), options[b"filename"].decode("utf-8"), headers, data))
        else:
            fields[options[b"name"].decode()] = data.decode()
    assert fields == FORM
    assert len(files) == 1
    (field_name, filename, headers, data) = files[0]
    assert (field_name, filename) == ("file", expected)
    assert set(headers) == {"content-disposition", "content-type"}
    assert data == file.read_bytes()


@pytest.mark.asyncio
async def test_the_relative_path_field_and_filename_star_options(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    """Off by default; when asked for, the path goes in its own field before the file, and the name
    also as RFC 8187 ``filename*`` (percent-encoded UTF-8)."""
    file = make_file(tmp_path / "content.bin", 1000)
    receiver.script("/options", capture=True)
    session = manager.create_session(core.SessionConfiguration(identifier="options"))
    name = "季度报告/naïve café.txt"
    destination = core.Destination(
        url=f"{receiver.url}/options", path_field="relativePath", filename_star=True
    )
    task = session.upload_file(file, destination, relative_name=name)
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is core.TaskState.COMPLETED
    (got,) = receiver.received
    assert got.body is not None
    parts = parse_with_python_multipart(got.body, got.headers["Content-Type"])
    (path_headers, path_value), (file_headers, data) = parts
    assert b'name="relativePath"' in path_headers["content-disposition"] and path_value.decode() == name
    disposition = file_headers["content-disposition"].decode("utf-8")
    assert disposition.endswith(
        "filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%2Fna%C3%AFve%20caf%C3%A9.txt"
    )
    assert data == file.read_bytes()


@pytest.mark.asyncio
async def test_raw_folder_url_receives_the_tree_percent_encoded(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    names = [
        "album/cover.jpg",
        "album/sub dir/ü #1?.txt",
        "album/sub dir/100% done&more.bin",
        "album/deep/er/x;y=z.dat",
    ]
    root = tmp_path / "src"
    files = [(make_file(root / name, 10_000 + i), name) for i, name in enumerate(names)]
    session = manager.create_session(core.SessionConfiguration(identifier="tree"))
    destination = core.Destination(url=f"{receiver.url}/tree/", protocol=RAW)
    session.upload_files(files, destination)
    # A URL without the slash names the target itself: the file's name is not appended.
    single = make_file(tmp_path / "single.bin", 5)
    session.upload_file(single, core.Destination(url=f"{receiver.url}/exact/target", protocol=RAW))
    await session.wait_until_quiet()

    assert {t.state for t in session.tasks()} == {core.TaskState.COMPLETED}
    got = {r.path: r for r in receiver.received}
    assert set(got) == {f"/tree/{name}" for name in names} | {"/exact/target"}
    for file, name in files:
        assert got[f"/tree/{name}"].sha256 == sha256_of(file)
        assert got[f"/tree/{name}"].method == "PUT"
    # Each segment is percent-encoded on the wire, the slashes between them are not.
    raw_paths = {r.raw_path for r in receiver.received}
    assert "/tree/album/sub%20dir/%C3%BC%20%231%3F.txt" in raw_paths
    assert "/tree/album/sub%20dir/100%25%20done%26more.bin" in raw_paths
    assert "/tree/album/deep/er/x%3By%3Dz.dat" in raw_paths
