"""The SQLite store: what is kept, re-attaching after a killed process, recovering from a corrupt
database, and secrets that must never reach the disk."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

import core
from core import TaskState
from core.store import TaskStore
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder, eventually
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]
BIG = 24 * 1024 * 1024
HOLD = 256 * 1024


def rows(state_dir: Path) -> dict[int, sqlite3.Row]:
    """The task rows as another process would read them (read-only, beside a live writer)."""
    db = sqlite3.connect(f"file:{state_dir / 'state.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return {row["task_id"]: row for row in db.execute("SELECT * FROM tasks")}
    finally:
        db.close()


@pytest.mark.asyncio
async def test_store_keeps_tasks_states_bytes_errors_and_responses(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path
) -> None:
    ok = make_file(tmp_path / "ok.bin", 123_456)
    big = make_file(tmp_path / "big.bin", BIG)
    receiver.script("/refuse", fail_with=[413], reason="Payload Too Large", body='{"message": "too big"}')
    gate = receiver.script("/held", hold_after=HOLD)
    recorder = Recorder()
    manager = core.SessionManager(state_dir)
    try:
        session = manager.create_session(core.SessionConfiguration(identifier="kept"), recorder)
        done = session.upload_file(
            ok, core.Destination(url=f"{receiver.url}/ok/", protocol=core.WireProtocol.RAW)
        )
        refused = session.upload_file(
            ok, core.Destination(url=f"{receiver.url}/refuse", form_fields={"a": "b"})
        )
        held = session.upload_file(
            big, core.Destination(url=f"{receiver.url}/held"), relative_name="dir/big.bin"
        )
        await eventually(
            lambda: receiver.holding and recorder.bytes_sent(held.task_id) > 0, what="mid-transfer"
        )
        await eventually(lambda: session.task(refused.task_id).state.is_final, what="the refusal")

        # Mid-transfer, the running task's state and progress are on disk.
        await asyncio.to_thread(manager.store.flush)
        running = rows(state_dir)[held.task_id]
        assert running["state"] == "uploading"
        assert 0 < running["bytes_sent"] < BIG
        assert running["attempts"] == 1
        gate.release()
        await session.wait_until_quiet()
    finally:
        await manager.close()

    stored = rows(state_dir)
    assert set(stored) == {done.task_id, refused.task_id, held.task_id}
    completed = stored[done.task_id]
    assert (completed["session_id"], completed["state"], completed["http_status"]) == (
        "kept",
        "completed",
        201,
    )
    assert completed["total_bytes"] == completed["bytes_sent"] == 123_456
    assert completed["path"] == str(ok)
    assert completed["error"] is None
    assert json.loads(completed["response_text"])["sha256"] == sha256_of(ok)
    assert completed["finished_at"] >= completed["started_at"] >= completed["created_at"]
    destination = json.loads(completed["destination"])
    assert (destination["url"], destination["protocol"]) == (f"{receiver.url}/ok/", "raw")

    failed = stored[refused.task_id]
    assert failed["state"] == "failed"
    assert failed["error"] == "HTTP 413 Payload Too Large: too big"
    assert failed["http_status"] == 413
    assert failed["response_text"] == '{"message": "too big"}'
    assert json.loads(failed["destination"])["options"]["form_fields"] == {"a": "b"}

    assert stored[held.task_id]["relative_name"] == "dir/big.bin"
    assert stored[held.task_id]["state"] == "completed"

    # A new manager reads back the same snapshots.
    again = TaskStore(state_dir)
    try:
        loaded = {t.task_id: t for t in again.load_session("kept")}
        assert loaded[refused.task_id].error == "HTTP 413 Payload Too Large: too big"
        assert loaded[done.task_id].destination.protocol is core.WireProtocol.RAW
        assert loaded[held.task_id].state is TaskState.COMPLETED
    finally:
        again.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", ["multipart", "raw"])
async def test_tasks_of_a_killed_process_are_interrupted_then_completed(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path, protocol: str
) -> None:
    file = make_file(tmp_path / "slow.bin", BIG)
    gate = receiver.script("/crash/", hold_after=HOLD)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.core.crash_child",
        str(state_dir),
        "crashy",
        f"{receiver.url}/crash/",
        str(file),
        protocol,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(child.stdout.readline(), 30)  # type: ignore[union-attr]
        assert line.startswith(b"MID-TRANSFER"), line + await child.stderr.read()  # type: ignore[union-attr]
        task_id = int(line.split()[1])
        assert rows(state_dir)[task_id]["state"] == "uploading"
        child.send_signal(signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    gate.release()
    await eventually(lambda: receiver.aborted, what="the server to see the killed upload end")

    recorder = Recorder()
    manager = core.SessionManager(state_dir)
    try:
        # The identifier's lock died with the process: the session opens, and finds the task it left.
        session = manager.create_session(core.SessionConfiguration(identifier="crashy"), recorder)
        found = session.task(task_id)
        assert found.state is TaskState.INTERRUPTED
        assert found.restarts_from_zero and found.bytes_sent == 0
        assert rows(state_dir)[task_id]["state"] in ("uploading", "interrupted")

        await session.wait_until_quiet()
        done = session.task(task_id)
        assert done.state is TaskState.COMPLETED, done.error
        assert recorder.states(task_id)[0] is TaskState.UPLOADING
        assert done.attempts == 2
    finally:
        await manager.close()
    (got,) = receiver.received
    assert got.path == "/crash/" if protocol == "multipart" else got.path == "/crash/slow.bin"
    assert (got.size, got.sha256) == (BIG, sha256_of(file))
    assert rows(state_dir)[task_id]["state"] == "completed"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "garbage",
    [os.urandom(8192), b"SQLite format 3\x00" + os.urandom(8192)],
    ids=["random", "sqlite-header-then-random"],
)
async def test_corrupt_database_is_moved_aside(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path, garbage: bytes
) -> None:
    state_dir.mkdir(parents=True)
    (state_dir / "state.db").write_bytes(garbage)
    manager = core.SessionManager(state_dir)
    try:
        notice = manager.recovery_notice
        assert notice is not None and "could not be read" in notice
        (moved,) = state_dir.glob("state.db.corrupt-*")
        assert moved.read_bytes() == garbage
        assert str(moved) in notice

        # The new database works.
        file = make_file(tmp_path / "f.bin", 1000)
        session = manager.create_session(core.SessionConfiguration(identifier="fresh"))
        session.upload_file(file, core.Destination(url=f"{receiver.url}/x"))
        await session.wait_until_quiet()
        assert session.tasks()[0].state is TaskState.COMPLETED
    finally:
        await manager.close()
    assert [row["state"] for row in rows(state_dir).values()] == ["completed"]
    reopened = TaskStore(state_dir)
    try:
        assert reopened.recovery_notice is None
    finally:
        reopened.close()


def test_two_recoveries_keep_both_corrupt_databases(state_dir: Path) -> None:
    state_dir.mkdir(parents=True)
    kept = []
    for attempt in range(2):
        garbage = f"garbage number {attempt}".encode() * 500
        (state_dir / "state.db").write_bytes(garbage)
        store = TaskStore(state_dir)
        store.close()
        kept.append(garbage)
    assert sorted(p.read_bytes() for p in state_dir.glob("state.db.corrupt-*")) == sorted(kept)


@pytest.mark.asyncio
async def test_secret_headers_never_reach_the_state_files(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path
) -> None:
    file = make_file(tmp_path / "f.bin", BIG)
    gate = receiver.script("/auth", hold_after=HOLD)
    headers = {"Authorization": "Bearer s3cret", "X-Upload-Token": "tok-s3cret", "X-Trace": "visible"}
    recorder = Recorder()
    manager = core.SessionManager(state_dir)

    def leaks() -> list[str]:
        return [p.name for p in state_dir.iterdir() if p.is_file() and b"s3cret" in p.read_bytes()]

    try:
        session = manager.create_session(
            core.SessionConfiguration(identifier="secret", default_headers={"Cookie": "sid=s3cret"}), recorder
        )
        task = session.upload_file(file, core.Destination(url=f"{receiver.url}/auth", headers=headers))
        await eventually(
            lambda: receiver.holding and recorder.bytes_sent(task.task_id) > 0, what="mid-transfer"
        )
        # While running: the write-ahead log holds the freshest rows.
        await asyncio.to_thread(manager.store.flush)
        assert (state_dir / "state.db-wal").exists()
        assert leaks() == []
        gate.release()
        await session.wait_until_quiet()
        assert session.task(task.task_id).state is TaskState.COMPLETED
        await asyncio.to_thread(manager.store.flush)
        assert leaks() == []
    finally:
        await manager.close()
    assert leaks() == []

    # The secrets were sent, and the store remembers only that there were secret headers.
    (got,) = receiver.received
    assert got.headers["Authorization"] == "Bearer s3cret"
    assert got.headers["X-Upload-Token"] == "tok-s3cret"
    assert got.headers["Cookie"] == "sid=s3cret"
    destination = json.loads(rows(state_dir)[task.task_id]["destination"])
    assert destination["headers"] == {"X-Trace": "visible"}
    assert sorted(destination["secret_headers"]) == ["Authorization", "X-Upload-Token"]


@pytest.mark.asyncio
async def test_a_session_that_never_had_a_task_closes(state_dir: Path) -> None:
    manager = core.SessionManager(state_dir)
    manager.create_session(core.SessionConfiguration(identifier="idle"))
    await asyncio.wait_for(manager.close(), 10)


def test_flush_returns_when_there_is_nothing_to_write(state_dir: Path) -> None:
    store = TaskStore(state_dir)
    try:
        store.save_many([])
        store.delete("nobody", [])
        flushed = threading.Thread(target=store.flush, daemon=True)
        flushed.start()
        flushed.join(10)
        assert not flushed.is_alive(), "flush() waits for a write that will never happen"
    finally:
        store.close()


@pytest.mark.asyncio
async def test_quitting_mid_upload_records_interrupted_and_the_next_run_finishes(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path
) -> None:
    """The graceful twin of the killed process: ``close()`` at app exit."""
    file = make_file(tmp_path / "f.bin", BIG)
    gate = receiver.script("/quit", hold_after=HOLD)
    recorder = Recorder()
    manager = core.SessionManager(state_dir)
    try:
        session = manager.create_session(core.SessionConfiguration(identifier="quit"), recorder)
        task = session.upload_file(
            file, core.Destination(url=f"{receiver.url}/quit", headers={"Authorization": "Bearer s3cret"})
        )
        await eventually(
            lambda: receiver.holding and recorder.bytes_sent(task.task_id) > 0, what="mid-transfer"
        )
    finally:
        await manager.close()
    assert not session.is_valid
    assert session.task(task.task_id).state is TaskState.INTERRUPTED
    assert not recorder.completions()
    stored = rows(state_dir)[task.task_id]
    assert (stored["state"], stored["bytes_sent"], stored["restarts_from_zero"]) == ("interrupted", 0, 1)
    gate.release()

    # Secret headers were not stored: the next run supplies them again (as ``skylift-cli resume
    # --header`` does) through the session's default headers.
    manager = core.SessionManager(state_dir)
    try:
        session = manager.create_session(
            core.SessionConfiguration(identifier="quit", default_headers={"Authorization": "Bearer s3cret"})
        )
        await session.wait_until_quiet()
        assert session.task(task.task_id).state is TaskState.COMPLETED
    finally:
        await manager.close()
    (got,) = receiver.received
    assert got.sha256 == sha256_of(file)
    assert got.headers["Authorization"] == "Bearer s3cret"
