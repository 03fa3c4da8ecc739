"""The fault matrix, on the disk: the file changes under the upload (appended, truncated, rewritten
in place with its size and mtime put back, deleted, replaced), cannot be read, or has a name that is
not UTF-8. A changed file is never reported completed with bytes that match neither version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import core
from core import TaskState
from tests.conftest import sha256_of
from tests.core.helpers import eventually
from tests.faults import FaultServer
from tests.faults.matrix import PROTOCOLS, Harness, Outcome, check, copies, observed
from tests.interop.helpers import Recorder, random_file

MiB = 1 << 20
SIZE = 24 * MiB
ROOT = Path(__file__).resolve().parents[2]


def append(path: Path) -> None:
    with open(path, "ab") as file:
        file.write(b"more")


def truncate(path: Path) -> None:
    os.truncate(path, SIZE // 2)


def rewrite_same_size_and_put_mtime_back(path: Path) -> None:
    """What ``touch -d`` after an in-place edit does: size and mtime as before, other bytes."""
    before = path.stat()
    with open(path, "r+b") as file:
        file.seek(SIZE - 4 * MiB)
        file.write(os.urandom(MiB))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def delete(path: Path) -> None:
    path.unlink()


def replace(path: Path) -> None:
    fresh = random_file(path.with_name("fresh.tmp"), SIZE, seed=9)
    os.replace(fresh, path)


CHANGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "appended": (append, f"file changed during upload (size {SIZE} -> {SIZE + 4} bytes)"),
    "truncated": (truncate, f"file changed during upload (size {SIZE} -> {SIZE // 2} bytes)"),
    "rewritten, size and mtime put back": (
        rewrite_same_size_and_put_mtime_back,
        "file changed during upload (rewritten in place)",
    ),
    "deleted": (delete, "file was deleted or replaced during upload"),
    "replaced": (replace, "file was deleted or replaced during upload"),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.value for p in PROTOCOLS])
@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
async def test_file_changed_mid_upload(
    harness: Harness, tmp_path: Path, change: str, protocol: core.WireProtocol
) -> None:
    mutate, message = CHANGES[change]
    source = random_file(tmp_path / f"changing-{protocol.value}.bin", SIZE)
    original = sha256_of(source)
    recorder = Recorder()
    session = harness.manager.create_session(
        core.SessionConfiguration(identifier="changing", bandwidth_limit=16 * MiB), recorder
    )
    task = session.upload_file(source, harness.destination(protocol))
    await eventually(lambda: recorder.sent >= 6 * MiB, what="6 MiB sent")
    mutate(source)
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.FAILED, done.error
    assert done.error == message
    assert done.attempts == 1, "a changed file is not tried again: that would be another file"
    observed_case = f"file {change} mid-upload"
    observed[observed_case][protocol.value] = f"{done.state.value}: {done.error}"
    # Nothing stored at all: neither version, and certainly not a mix.
    assert copies(harness.server, protocol, source) == []
    assert all(stored.sha256 != original for stored in harness.server.stored) or not harness.server.stored


@pytest.mark.asyncio
async def test_tus_file_rewritten_while_paused_starts_again_and_ends_with_the_new_bytes(
    harness: Harness, tmp_path: Path
) -> None:
    """Across an interruption the tus fingerprint holds the change time too: a rewrite with size
    and mtime put back is noticed, and the upload starts over instead of mixing versions."""
    source = random_file(tmp_path / "paused.bin", SIZE)
    recorder = Recorder()
    session = harness.manager.create_session(
        core.SessionConfiguration(identifier="paused", bandwidth_limit=16 * MiB), recorder
    )
    task = session.upload_file(source, harness.destination(core.WireProtocol.TUS))
    await eventually(lambda: recorder.sent >= 6 * MiB, what="6 MiB sent")
    session.pause(task.task_id)
    await session.wait_until_quiet()
    rewrite_same_size_and_put_mtime_back(source)
    session.resume(task.task_id)
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    [stored] = copies(harness.server, core.WireProtocol.TUS, source)
    assert stored.sha256 == sha256_of(source)
    assert any("rewritten in place" in n and "from the start" in n for n in recorder.notices()), (
        recorder.notices()
    )


# -- names that are not UTF-8 -----------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.value for p in PROTOCOLS])
async def test_a_name_that_is_not_utf8_uploads_in_every_protocol(
    harness: Harness, tmp_path: Path, protocol: core.WireProtocol
) -> None:
    raw = b"\xff\xfe caf\xe9 %s.bin" % protocol.value.encode()
    source = random_file(tmp_path / os.fsdecode(raw), 3 * MiB)
    other = random_file(tmp_path / f"plain-{protocol.value}.bin", MiB)
    session = harness.manager.create_session(core.SessionConfiguration(identifier="names"))
    tasks = session.upload_files([(source, None), (other, None)], harness.destination(protocol))
    await session.wait_until_quiet()
    assert [session.task(t.task_id).state for t in tasks] == [TaskState.COMPLETED] * 2
    shown = f"\ufffd\ufffd caf\ufffd {protocol.value}.bin"
    if protocol is core.WireProtocol.RAW:
        # The URL carries the name's own bytes: the server can store the very same name.
        [stored] = [
            s for s in harness.server.stored if s.raw_path.endswith(f"%FF%FE%20caf%E9%20{protocol.value}.bin")
        ]
    elif protocol is core.WireProtocol.MULTIPART:
        # A form's filename is UTF-8: undecodable bytes go as U+FFFD, which every framework reads.
        [stored] = [s for s in harness.server.stored if s.filename == shown]
    else:
        [stored] = [s for s in harness.server.stored if s.metadata.get("filename") == shown]
    assert stored.sha256 == sha256_of(source)
    check(harness, protocol, session.task(tasks[1].task_id), other, Outcome.ONCE)
    # Recorded exactly: a restart finds the same file.
    reread = {t.task_id: t for t in harness.manager.store.load_session("names")}
    assert reread[tasks[0].task_id].path == source


# -- unreadable files -------------------------------------------------------------------------------


def test_an_unreadable_file_is_named_and_the_others_upload(
    fault_server: FaultServer, nobody_tmp_path: Path, as_nobody: Callable[[list[str]], list[str]]
) -> None:
    folder = nobody_tmp_path / "photos"
    folder.mkdir()
    readable = [random_file(folder / f"ok-{i}.jpg", 100_000, seed=i) for i in range(3)]
    secret = random_file(folder / "secret.jpg", 100_000, seed=7)
    secret.chmod(0o000)
    for path in (folder, *readable):
        os.chown(path, 65534, 65534)
    state = nobody_tmp_path / "state"
    result = subprocess.run(
        as_nobody(
            [
                sys.executable,
                "-m",
                "core.cli",
                "upload",
                f"{fault_server.url}/up",
                str(folder),
                "--state-dir",
                str(state),
                "--json",
            ]
        ),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(nobody_tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"skipped {secret}: permission denied"]
    names = sorted(json.loads(line)["name"] for line in result.stdout.splitlines())
    assert names == [f"photos/ok-{i}.jpg" for i in range(3)]
    for path in readable:
        [stored] = [s for s in fault_server.stored if s.filename == f"photos/{path.name}"]
        assert stored.sha256 == sha256_of(path)
