"""When things go wrong: timeouts, failing statuses, dropped connections, retries, files that change
under the upload, unreadable files, and certificates nobody trusts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import core
from core import TaskState
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder, eventually, fast_retries
from tests.requirements import require_tool
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]
BIG = 24 * 1024 * 1024
HOLD = 256 * 1024


def config(identifier: str, **overrides: object) -> core.SessionConfiguration:
    return core.SessionConfiguration(identifier=identifier, **overrides)  # type: ignore[arg-type]


# -- timeouts -------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("size", "message"),
    [
        # The body fits in the socket buffers: the client waits for an answer that never comes.
        (20_000, "no response from server for 0.5 s"),
        # The body does not: the server stops taking bytes.
        (BIG, "server accepted no data for 0.5 s after "),
    ],
    ids=["waiting-for-response", "sending"],
)
async def test_request_timeout_against_a_stalled_server(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, size: int, message: str
) -> None:
    file = make_file(tmp_path / "f.bin", size)
    receiver.script("/stall", stall=30)
    recorder = Recorder()
    session = manager.create_session(
        config("stall", request_timeout=0.5, retry_policy=core.RetryPolicy(delays=())), recorder
    )
    started = time.monotonic()
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/stall"))
    await session.wait_until_quiet()
    elapsed = time.monotonic() - started

    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    assert failed.error is not None and failed.error.startswith(message), failed.error
    assert isinstance(recorder.error_of(task.task_id), core.RequestTimeout)
    assert failed.attempts == 1
    assert 0.4 < elapsed < 5
    assert not receiver.received


@pytest.mark.asyncio
async def test_request_timeout_is_retried_then_gives_up(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    receiver.script("/stall", stall=30)
    session = manager.create_session(config("stall-retry", request_timeout=0.3, retry_policy=fast_retries(1)))
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/stall"))
    await session.wait_until_quiet()
    assert (
        session.task(task.task_id).error
        == "no response from server for 0.3 s after 1000 bytes; gave up after 2 attempts"
    )
    assert receiver.requests == 2


@pytest.mark.asyncio
async def test_resource_timeout_ends_the_task_across_attempts(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    # The server keeps failing; retries would go on for a long time, the resource timeout stops them.
    receiver.script("/busy", fail_with=[503] * 1000)
    recorder = Recorder()
    session = manager.create_session(
        config("resource", resource_timeout=0.6, retry_policy=core.RetryPolicy(delays=(0.05,) * 1000)),
        recorder,
    )
    started = time.monotonic()
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/busy"))
    await session.wait_until_quiet()
    elapsed = time.monotonic() - started

    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    # The line says what stopped it, and what kept failing until then.
    assert failed.error == (
        "not finished within the resource timeout (0.6 s); "
        "last: HTTP 503 Service Unavailable: scripted failure"
    )
    assert isinstance(recorder.error_of(task.task_id), core.ResourceTimeout)
    assert failed.attempts > 1
    assert 0.5 < elapsed < 5


@pytest.mark.asyncio
async def test_resource_timeout_against_a_stalled_server(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    receiver.script("/stall", stall=30)
    session = manager.create_session(config("resource-stall", resource_timeout=0.5, request_timeout=30))
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/stall"))
    await session.wait_until_quiet()
    assert session.task(task.task_id).error == "not finished within the resource timeout (0.5 s)"


# -- statuses and retries -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_503_then_success_honours_retry_after(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 30_000)
    receiver.script("/busy", fail_with=[503], retry_after="1", body='{"message": "try later"}')
    recorder = Recorder()
    session = manager.create_session(config("retry-after", retry_policy=fast_retries(2)), recorder)
    started = time.time()
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/busy"))
    await session.wait_until_quiet()
    elapsed = time.time() - started

    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert done.attempts == 2
    assert done.http_status == 201
    assert done.error is None
    waiting = [
        e.task for e in recorder.of(task.task_id) if e.kind == "state" and e.args[0] is TaskState.RETRY_WAIT
    ]
    assert len(waiting) == 1 and waiting[0] is not None
    assert waiting[0].error == "HTTP 503 Service Unavailable: try later"
    assert waiting[0].retry_at is not None and waiting[0].retry_at - started >= 0.9
    # The policy said "no delay"; the server said one second, and was obeyed.
    assert elapsed >= 0.9
    assert receiver.received[0].sha256 == sha256_of(file)


@pytest.mark.asyncio
async def test_429_is_retried(tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager) -> None:
    file = make_file(tmp_path / "f.bin", 30_000)
    receiver.script("/limited", fail_with=[429, 429])
    session = manager.create_session(config("429", retry_policy=fast_retries(3)))
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/limited"))
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is TaskState.COMPLETED
    assert session.task(task.task_id).attempts == 3
    assert receiver.requests == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [30_000, BIG], ids=["small", "big"])
async def test_413_is_not_retried_and_says_why(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, size: int
) -> None:
    """The server refuses before reading the body (as nginx does); a big body is still being sent."""
    file = make_file(tmp_path / "f.bin", size)
    receiver.script(
        "/limit",
        fail_with=[413] * 5,
        reason="Payload Too Large",
        body='{"message": "files over 10 KiB are refused"}',
    )
    recorder = Recorder()
    session = manager.create_session(config("413", retry_policy=fast_retries(3)), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/limit"))
    await session.wait_until_quiet()

    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    assert failed.error == "HTTP 413 Payload Too Large: files over 10 KiB are refused"
    error = recorder.error_of(task.task_id)
    assert isinstance(error, core.ServerStatusError) and error.status == 413 and not error.retryable
    assert failed.attempts == 1
    assert receiver.requests == 1
    assert failed.http_status == 413
    assert failed.response_text == '{"message": "files over 10 KiB are refused"}'


@pytest.mark.asyncio
async def test_error_page_becomes_one_line(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 100)
    page = (
        "<html><head><title>403</title><style>p{}</style></head>"
        "<body><h1>Forbidden</h1>\n<p>No  uploads here.</p></body></html>"
    )
    receiver.script("/nope", fail_with=[403], body=page)
    session = manager.create_session(config("html"))
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/nope"))
    await session.wait_until_quiet()
    assert session.task(task.task_id).error == "HTTP 403 Forbidden: Forbidden No uploads here."


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [core.WireProtocol.MULTIPART, core.WireProtocol.RAW])
async def test_connection_dropped_mid_body_is_retried(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, protocol: core.WireProtocol
) -> None:
    file = make_file(tmp_path / "f.bin", 3 * 1024 * 1024)
    receiver.script("/drop", drop_after=200_000, drop_times=2)
    recorder = Recorder()
    session = manager.create_session(config("drop", retry_policy=fast_retries(3)), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/drop", protocol=protocol))
    await session.wait_until_quiet()

    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert done.attempts == 3
    (got,) = receiver.received
    assert (got.size, got.sha256) == (file.stat().st_size, sha256_of(file))
    # Each retry of a non-resumable upload starts over, and says so.
    retry_waits = [
        e.task for e in recorder.of(task.task_id) if e.kind == "state" and e.args[0] is TaskState.RETRY_WAIT
    ]
    assert len(retry_waits) == 2
    for waiting in retry_waits:
        assert waiting is not None and waiting.bytes_sent == 0 and waiting.restarts_from_zero
        assert waiting.error is not None
        assert waiting.error.startswith(("server closed the connection", "connection reset")), waiting.error


@pytest.mark.asyncio
async def test_exhausted_retries_say_how_many_attempts(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    receiver.script("/down", fail_with=[503] * 10)
    recorder = Recorder()
    session = manager.create_session(config("exhaust", retry_policy=fast_retries(2)), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/down"))
    await session.wait_until_quiet()
    failed = session.task(task.task_id)
    assert failed.error == "HTTP 503 Service Unavailable: scripted failure; gave up after 3 attempts"
    error = recorder.error_of(task.task_id)
    assert isinstance(error, core.RetriesExhausted) and error.attempts == 3
    assert isinstance(error.last, core.ServerStatusError) and error.last.status == 503
    assert receiver.requests == 3


@pytest.mark.asyncio
async def test_exhausted_retries_after_drops(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 50_000)
    receiver.script("/drop", drop_after=1000, drop_times=100)
    session = manager.create_session(config("exhaust-drop", retry_policy=fast_retries(2)))
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/drop"))
    await session.wait_until_quiet()
    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    assert failed.error is not None
    assert failed.error.endswith(f"; gave up after {failed.attempts} attempts"), failed.error
    assert failed.attempts >= 3
    assert not receiver.received


@pytest.mark.asyncio
async def test_connection_refused_is_a_transfer_error(tmp_path: Path, manager: core.SessionManager) -> None:
    file = make_file(tmp_path / "f.bin", 10)
    with __import__("socket").socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    recorder = Recorder()
    session = manager.create_session(config("refused", retry_policy=fast_retries(1)), recorder)
    task = session.upload_file(file, core.Destination(url=f"http://127.0.0.1:{port}/x"))
    await session.wait_until_quiet()
    error = session.task(task.task_id).error or ""
    assert error.startswith("could not connect") and error.endswith("; gave up after 2 attempts"), error


# -- the file changes under the upload ------------------------------------------------------------


def append(path: Path) -> None:
    with open(path, "ab") as file:
        file.write(b"more")


def rewrite_in_place(path: Path) -> None:
    with open(path, "r+b") as file:
        file.seek(BIG // 2)
        file.write(b"X" * 4096)


def replace_with_new_file(path: Path) -> None:
    fresh = path.with_name("fresh.tmp")
    make_file(fresh, BIG)
    os.replace(fresh, path)


def delete(path: Path) -> None:
    path.unlink()


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [core.WireProtocol.MULTIPART, core.WireProtocol.RAW])
@pytest.mark.parametrize(
    ("mutate", "error_type", "message"),
    [
        (append, core.FileChanged, f"file changed during upload (size {BIG} -> {BIG + 4} bytes)"),
        (rewrite_in_place, core.FileChanged, "file changed during upload (modification time changed)"),
        (replace_with_new_file, core.FileVanished, "file was deleted or replaced during upload"),
        (delete, core.FileVanished, "file was deleted or replaced during upload"),
    ],
    ids=["appended", "rewritten", "replaced", "deleted"],
)
async def test_file_changed_mid_upload_fails_and_never_arrives_mixed(
    tmp_path: Path,
    receiver: ReceiverServer,
    manager: core.SessionManager,
    protocol: core.WireProtocol,
    mutate: Callable[[Path], None],
    error_type: type[core.UploadError],
    message: str,
) -> None:
    file = make_file(tmp_path / "f.bin", BIG)
    # An mtime well in the past, so that a rewrite within the same clock tick still shows.
    os.utime(file, (time.time() - 100, time.time() - 100))
    gate = receiver.script("/hold", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(config("changing", retry_policy=fast_retries(3)), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/hold", protocol=protocol))
    await eventually(lambda: receiver.holding and recorder.bytes_sent(task.task_id) > 0, what="mid-transfer")

    mutate(file)
    gate.release()
    await session.wait_until_quiet()

    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    assert failed.error == message
    assert isinstance(recorder.error_of(task.task_id), error_type)
    # Not retried: another attempt would upload a different file than the one queued.
    assert failed.attempts == 1
    await eventually(lambda: receiver.aborted, what="the server to see the body end early")
    assert not receiver.received
    assert receiver.aborted[0].bytes_read < BIG


@pytest.mark.asyncio
async def test_file_changed_between_queueing_and_start_uploads_the_new_version(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    """The fingerprint is taken per attempt: a file edited while queued is sent as it is then."""
    blocker = make_file(tmp_path / "blocker.bin", BIG)
    file = make_file(tmp_path / "f.bin", 1000)
    gate = receiver.script("/one", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(config("queued-edit", max_concurrent_uploads=1), recorder)
    first = session.upload_file(blocker, core.Destination(url=f"{receiver.url}/one"))
    second = session.upload_file(file, core.Destination(url=f"{receiver.url}/two"))
    await eventually(lambda: receiver.holding and recorder.bytes_sent(first.task_id) > 0, what="mid-transfer")
    append(file)
    gate.release()
    await session.wait_until_quiet()
    assert session.task(second.task_id).state is TaskState.COMPLETED
    assert session.task(second.task_id).total_bytes == 1004
    assert receiver.received_at("/two")[0].sha256 == sha256_of(file)


# -- unreadable and empty files -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unreadable_file_at_queue_time(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    recorder = Recorder()
    session = manager.create_session(config("unreadable"), recorder)
    destination = core.Destination(url=f"{receiver.url}/u")
    with pytest.raises(core.FileUnreadable, match="file not found"):
        session.upload_file(tmp_path / "missing.bin", destination)
    with pytest.raises(core.FileUnreadable, match="not a regular file"):
        session.upload_file(tmp_path, destination)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(core.FileUnreadable, match="not a regular file"):
        session.upload_file(tmp_path / "fifo", destination)
    assert session.tasks() == []

    # Among many files (a dropped folder), a bad one becomes a failed task and the rest go on.
    good = make_file(tmp_path / "good.bin", 1234)
    tasks = session.upload_files([(tmp_path / "missing.bin", None), (good, None)], destination)
    assert session.task(tasks[0].task_id).state is TaskState.FAILED
    assert "file not found" in (session.task(tasks[0].task_id).error or "")
    await session.wait_until_quiet()
    assert isinstance(recorder.error_of(tasks[0].task_id), core.FileUnreadable)
    assert session.task(tasks[1].task_id).state is TaskState.COMPLETED
    assert [r.sha256 for r in receiver.received] == [sha256_of(good)]
    assert recorder.finished_batches == 1


_NO_PERMISSION_CHECK = """
import asyncio, json, sys
import core

async def main():
    manager = core.SessionManager(sys.argv[1])
    session = manager.create_session(core.SessionConfiguration(identifier="perm"))
    try:
        session.upload_file(sys.argv[2], core.Destination(url="http://127.0.0.1:9/"))
    except core.FileUnreadable as error:
        result = {"raised": "FileUnreadable", "message": str(error)}
    else:
        result = {"raised": None}
    session.invalidate_and_cancel()
    await manager.close()
    print(json.dumps(result))

asyncio.run(main())
"""


def test_file_without_read_permission_is_unreadable_at_queue_time() -> None:
    """Checked in a child process run as an unprivileged user when we are root (root reads anything)."""
    command = [sys.executable, "-c", _NO_PERMISSION_CHECK]
    if os.geteuid() == 0:
        setpriv = require_tool("setpriv", why="to drop root privileges (util-linux)")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    folder = Path(tempfile.mkdtemp(prefix="skylift-perm-"))
    try:
        folder.chmod(0o777)
        secret = folder / "secret.bin"
        secret.write_bytes(b"nope")
        secret.chmod(0o000)
        result = subprocess.run(
            [*command, str(folder / "state"), str(secret)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        assert outcome == {"raised": "FileUnreadable", "message": f"cannot read {secret}: Permission denied"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [core.WireProtocol.MULTIPART, core.WireProtocol.RAW])
async def test_zero_byte_file(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, protocol: core.WireProtocol
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    recorder = Recorder()
    session = manager.create_session(config("empty"), recorder)
    task = session.upload_file(empty, core.Destination(url=f"{receiver.url}/e/", protocol=protocol))
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert (done.total_bytes, done.bytes_sent) == (0, 0)
    (got,) = receiver.received
    assert got.size == 0
    assert got.sha256 == sha256_of(empty)
    if protocol is core.WireProtocol.MULTIPART:
        assert got.file_parts == 1 and got.filename == "empty.txt"
    else:
        assert got.path == "/e/empty.txt"
    assert recorder.completions(task.task_id)[0].args == (None,)
    assert recorder.finished_batches == 1


# -- HTTPS ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_https_with_the_local_ca_trusted(
    tmp_path: Path, tls_receiver: ReceiverServer, manager: core.SessionManager, ca_file: Path
) -> None:
    file = make_file(tmp_path / "f.bin", 2 * 1024 * 1024 + 3)
    session = manager.create_session(config("tls", ca_file=ca_file))
    assert tls_receiver.url.startswith("https://localhost:")
    session.upload_file(file, core.Destination(url=f"{tls_receiver.url}/secure"))
    session.upload_file(
        file, core.Destination(url=f"{tls_receiver.url}/raw/", protocol=core.WireProtocol.RAW)
    )
    await session.wait_until_quiet()
    assert {t.state for t in session.tasks()} == {TaskState.COMPLETED}
    assert [r.sha256 for r in tls_receiver.received] == [sha256_of(file)] * 2


@pytest.mark.asyncio
async def test_https_with_an_untrusted_certificate_fails_without_retrying(
    tmp_path: Path, tls_receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    recorder = Recorder()
    session = manager.create_session(config("untrusted", retry_policy=fast_retries(3)), recorder)
    task = session.upload_file(file, core.Destination(url=f"{tls_receiver.url}/secure"))
    await session.wait_until_quiet()
    failed = session.task(task.task_id)
    assert failed.state is TaskState.FAILED
    assert failed.error is not None and failed.error.startswith("certificate not trusted"), failed.error
    assert "gave up" not in failed.error
    assert isinstance(recorder.error_of(task.task_id), core.CertificateError)
    assert failed.attempts == 1
    assert tls_receiver.requests == 0
