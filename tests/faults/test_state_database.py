"""The state database under trouble: locked by another program, on a full disk, in a read-only
folder, corrupt, with rows this version cannot read, with a newer or an odd schema, and values
SQLite cannot take as TEXT. Only real corruption may move a database aside; everything else leaves
it exactly as it is and says what is wrong, and no write is ever silently dropped."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import core
from core import TaskState
from core.store import TaskStore
from tests.clis import run_cli
from tests.conftest import make_file, sha256_of
from tests.core.helpers import eventually
from tests.faults.conftest import ReadOnlyFactory, TmpfsFactory
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, timeout=timeout)


def digest_of_folder(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` by name, with its sha256: what "untouched" is checked against."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {lines!r}"
    return lines[0]


async def record_one_upload(state_dir: Path, receiver: ReceiverServer, source: Path, identifier: str) -> int:
    manager = core.SessionManager(state_dir)
    try:
        session = manager.create_session(core.SessionConfiguration(identifier=identifier))
        task = session.upload_file(source, core.Destination(url=f"{receiver.url}/kept"))
        await session.wait_until_quiet()
        assert session.task(task.task_id).state is TaskState.COMPLETED
        return task.task_id
    finally:
        await manager.close()


@pytest.fixture
def healthy_state(tmp_path: Path, receiver: ReceiverServer) -> Path:
    """A state folder holding one completed upload, closed cleanly."""
    state = tmp_path / "state"
    asyncio.run(record_one_upload(state, receiver, make_file(tmp_path / "one.bin", 5000), "earlier"))
    return state


# -- locked -----------------------------------------------------------------------------------------


@pytest.fixture
def exclusive_lock(healthy_state: Path) -> Iterator[subprocess.Popen[str]]:
    """Another program holding the database in exclusive locking mode: nobody else may read it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "db.execute('UPDATE tasks SET attempts = attempts')\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
            str(healthy_state / "state.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    try:
        yield holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_locked_database_is_waited_for_then_named_and_never_moved(
    healthy_state: Path, exclusive_lock: subprocess.Popen[str], tmp_path: Path, receiver: ReceiverServer
) -> None:
    before = digest_of_folder(healthy_state)
    started = time.monotonic()
    result = cli(
        "upload",
        f"{receiver.url}/x",
        str(make_file(tmp_path / "new.bin", 10)),
        "--state-dir",
        str(healthy_state),
    )
    waited = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    database = healthy_state / "state.db"
    assert one_line(result.stderr) == (
        f"skylift-cli: cannot open the state database {database}: another program has it locked"
    )
    assert waited >= 9, f"gave up after {waited:.1f} s instead of waiting for the lock"
    assert not receiver.received_at("/x")
    assert not list(healthy_state.glob("state.db.corrupt-*"))
    exclusive_lock.kill()
    exclusive_lock.wait()
    # Untouched: once the other program is gone, the queue is all there.
    listing = cli("queue", "--state-dir", str(healthy_state), "--json")
    assert listing.returncode == 0, listing.stderr
    assert [json.loads(line)["state"] for line in listing.stdout.splitlines()] == ["completed"]
    assert digest_of_folder(healthy_state).keys() >= {"state.db"}
    assert before["state.db"] == digest_of_folder(healthy_state)["state.db"]


def test_the_read_only_queue_listing_waits_for_a_lock_too_and_moves_nothing(
    healthy_state: Path, exclusive_lock: subprocess.Popen[str]
) -> None:
    result = cli("queue", "--state-dir", str(healthy_state))
    assert result.returncode == 1
    assert "another program has it locked" in one_line(result.stderr)
    assert "no tasks" not in result.stderr
    assert not list(healthy_state.glob("state.db.corrupt-*"))


@pytest.mark.asyncio
async def test_writes_blocked_by_a_lock_are_retried_and_land_when_it_goes(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    state = tmp_path / "state"
    manager = core.SessionManager(state, busy_timeout=0.2)
    store = manager.store
    problems: list[str | None] = []
    manager.watch_store(problems.append)
    try:
        blocker = sqlite3.connect(store.path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: every write of ours is busy
        session = manager.create_session(core.SessionConfiguration(identifier="blocked"))
        task = session.upload_file(
            make_file(tmp_path / "f.bin", 100_000), core.Destination(url=f"{receiver.url}/b")
        )
        await eventually(lambda: problems, what="the store to say it cannot write")
        assert problems[0] is not None and "another program has it locked; retrying" in problems[0]
        # The upload itself goes on; its completion is reported although it is not on disk yet.
        await session.wait_until_quiet()
        assert session.task(task.task_id).state is TaskState.COMPLETED
        blocker.execute("ROLLBACK")
        blocker.close()
        await eventually(lambda: problems[-1] is None, what="writing to work again")
        assert await asyncio.to_thread(store.flush)
        [stored] = TaskStore(state, read_only=True).all_tasks()
        assert (stored.task_id, stored.state) == (task.task_id, TaskState.COMPLETED)
    finally:
        await manager.close()


# -- read-only folder -------------------------------------------------------------------------------


def test_a_read_only_state_folder_is_listed_and_named_never_moved(
    read_only_dir: ReadOnlyFactory, healthy_state: Path, tmp_path: Path, receiver: ReceiverServer
) -> None:
    def populate(path: Path) -> None:
        (path / "state").mkdir()
        for file in healthy_state.iterdir():
            if file.is_file():
                (path / "state" / file.name).write_bytes(file.read_bytes())

    state = read_only_dir(populate=populate) / "state"
    before = digest_of_folder(state)
    listing = cli("queue", "--state-dir", str(state), "--json")
    assert listing.returncode == 0, listing.stderr
    assert [json.loads(line)["state"] for line in listing.stdout.splitlines()] == ["completed"]

    result = cli(
        "upload", f"{receiver.url}/x", str(make_file(tmp_path / "new.bin", 10)), "--state-dir", str(state)
    )
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        f"skylift-cli: cannot open the state database {state / 'state.db'}: it is on a read-only file system"
    )
    assert digest_of_folder(state) == before


# -- full disk --------------------------------------------------------------------------------------


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


@pytest.mark.asyncio
async def test_a_full_disk_is_said_retried_and_nothing_is_lost_when_space_returns(
    tmpfs: TmpfsFactory, tmp_path: Path, receiver: ReceiverServer
) -> None:
    state = tmpfs("1m") / "state"
    manager = core.SessionManager(state)
    problems: list[str | None] = []
    manager.watch_store(problems.append)
    try:
        session = manager.create_session(core.SessionConfiguration(identifier="full"))
        filler = fill(state.parent)
        files = [make_file(tmp_path / f"f{i}.bin", 10_000) for i in range(5)]
        tasks = session.upload_files(
            [(f, None) for f in files], core.Destination(url=f"{receiver.url}/full/")
        )
        await session.wait_until_quiet()
        assert [session.task(t.task_id).state for t in tasks] == [TaskState.COMPLETED] * 5
        assert problems and problems[0] == (
            f"cannot save the upload queue to {state / 'state.db'}: the disk is full; retrying"
        )
        filler.unlink()
        await eventually(lambda: problems[-1] is None, what="writing to work again")
    finally:
        assert await manager.close() is None
    stored = {t.task_id: t.state for t in TaskStore(state, read_only=True).all_tasks()}
    assert stored == {t.task_id: TaskState.COMPLETED for t in tasks}
    assert not list(state.glob("state.db.corrupt-*"))


def test_the_cli_on_a_full_disk_uploads_says_so_and_moves_nothing(
    tmpfs: TmpfsFactory, healthy_state: Path, tmp_path: Path, receiver: ReceiverServer
) -> None:
    disk = tmpfs("1m")
    state = disk / "state"
    state.mkdir()
    for file in healthy_state.iterdir():
        if file.is_file():
            (state / file.name).write_bytes(file.read_bytes())
    source = make_file(tmp_path / "big.bin", 200_000)
    fill(disk)
    before = digest_of_folder(state)
    result = cli("upload", f"{receiver.url}/full", str(source), "--state-dir", str(state))
    # The disk is full from the start: the database cannot even be opened for writing.
    assert result.returncode == 1
    assert one_line(result.stderr) == (
        f"skylift-cli: cannot open the state database {state / 'state.db'}: the disk is full"
    )
    assert digest_of_folder(state)["state.db"] == before["state.db"]
    assert not list(state.glob("state.db.corrupt-*"))


# -- corrupt ------------------------------------------------------------------------------------------


def test_the_read_only_listing_of_a_corrupt_database_says_so_and_moves_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    garbage = b"SQLite format 3\x00" + os.urandom(8192)
    (state / "state.db").write_bytes(garbage)
    result = cli("queue", "--state-dir", str(state))
    assert result.returncode == 1
    assert one_line(result.stderr).startswith(
        f"skylift-cli: cannot read the state database {state / 'state.db'}: "
    )
    assert (state / "state.db").read_bytes() == garbage
    assert not list(state.glob("state.db.corrupt-*"))


# -- rows and schemas this version cannot read --------------------------------------------------------


def insert_row(folder: Path, **values: object) -> None:
    db = sqlite3.connect(folder / "state.db", isolation_level=None)
    try:
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        db.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})", tuple(values.values()))
    finally:
        db.close()


def stored_row(state: Path, session_id: str, task_id: int) -> sqlite3.Row | None:
    db = sqlite3.connect(f"file:{state / 'state.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return db.execute(
            "SELECT * FROM tasks WHERE session_id = ? AND task_id = ?", (session_id, task_id)
        ).fetchone()
    finally:
        db.close()


def test_unreadable_rows_are_set_aside_and_the_rest_of_the_queue_works(
    healthy_state: Path, tmp_path: Path, receiver: ReceiverServer
) -> None:
    destination = json.dumps(
        {
            "url": f"{receiver.url}/late",
            "protocol": "multipart",
            "method": None,
            "headers": {},
            "field_name": "file",
            "form_fields": {},
        }
    )
    queued = make_file(tmp_path / "queued.bin", 3000)
    common = {"relative_name": "x", "total_bytes": 3000, "created_at": time.time()}
    insert_row(
        healthy_state,
        session_id="later",
        task_id=1,
        path=str(queued),
        destination=destination,
        state="verifying",
        **common,
    )
    insert_row(
        healthy_state,
        session_id="later",
        task_id=2,
        path=str(queued),
        destination="{not json",
        state="queued",
        **common,
    )
    insert_row(
        healthy_state,
        session_id="later",
        task_id=3,
        path=str(queued),
        destination=destination,
        state="queued",
        **{**common, "relative_name": "queued.bin"},
    )

    listing = cli("queue", "--state-dir", str(healthy_state))
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert any(line.startswith("later#3  queued") for line in lines), lines
    assert (
        "later#1 (unknown state 'verifying')  unreadable: set aside, left in the database untouched" in lines
    )
    assert any(line.startswith("later#2 (destination unreadable") for line in lines), lines

    resumed = cli("resume", "--session", "later", "--state-dir", str(healthy_state), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert "2 task(s) in" in resumed.stderr and "were set aside" in resumed.stderr
    assert [json.loads(line)["name"] for line in resumed.stdout.splitlines()] == ["queued.bin"]
    assert receiver.received_at("/late")[0].sha256 == sha256_of(queued)
    # Kept, not deleted, not changed.
    row = stored_row(healthy_state, "later", 1)
    assert row is not None and row["state"] == "verifying"
    row = stored_row(healthy_state, "later", 2)
    assert row is not None and row["destination"] == "{not json"

    # A new task of that session never takes the id of a row set aside.
    again = cli(
        "upload", f"{receiver.url}/late", str(queued), "--session", "later", "--state-dir", str(healthy_state)
    )
    assert again.returncode == 0, again.stderr
    row = stored_row(healthy_state, "later", 1)
    assert row is not None and row["state"] == "verifying"
    assert stored_row(healthy_state, "later", 4) is not None


def test_a_newer_schema_is_used_as_far_as_understood_and_its_own_columns_are_kept(
    healthy_state: Path, tmp_path: Path, receiver: ReceiverServer
) -> None:
    db = sqlite3.connect(healthy_state / "state.db", isolation_level=None)
    db.execute("ALTER TABLE tasks ADD COLUMN checksum TEXT NOT NULL DEFAULT 'none'")
    db.execute("UPDATE tasks SET checksum = 'sha256:abc'")
    db.execute("PRAGMA user_version = 9")
    db.close()
    [earlier] = [
        json.loads(line)
        for line in cli("queue", "--state-dir", str(healthy_state), "--json").stdout.splitlines()
    ]

    result = cli(
        "upload",
        f"{receiver.url}/new",
        str(make_file(tmp_path / "new.bin", 10)),
        "--session",
        "earlier",
        "--state-dir",
        str(healthy_state),
    )
    assert result.returncode == 0, result.stderr
    assert "written by a newer Skylift (schema 9" in result.stderr
    row = stored_row(healthy_state, "earlier", earlier["id"])
    assert row is not None and row["checksum"] == "sha256:abc"
    db = sqlite3.connect(healthy_state / "state.db")
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 9
        assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 2
    finally:
        db.close()


def test_a_table_missing_columns_is_repaired_not_fatal(tmp_path: Path, receiver: ReceiverServer) -> None:
    state = tmp_path / "state"
    state.mkdir()
    db = sqlite3.connect(state / "state.db", isolation_level=None)
    db.execute(
        "CREATE TABLE tasks (session_id TEXT NOT NULL, task_id INTEGER NOT NULL, path TEXT NOT NULL, "
        "relative_name TEXT NOT NULL, destination TEXT NOT NULL, state TEXT NOT NULL, "
        "total_bytes INTEGER NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (session_id, task_id))"
    )
    db.execute("PRAGMA user_version = 1")
    source = make_file(tmp_path / "old.bin", 1000)
    destination = json.dumps(
        {
            "url": f"{receiver.url}/old",
            "protocol": "raw",
            "method": None,
            "headers": {},
            "field_name": "file",
            "form_fields": {},
        }
    )
    db.execute(
        "INSERT INTO tasks VALUES ('odd', 1, ?, 'old.bin', ?, 'queued', 1000, 1.0)",
        (str(source), destination),
    )
    db.close()
    result = cli("resume", "--session", "odd", "--state-dir", str(state), "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["state"] for line in result.stdout.splitlines()] == ["completed"]
    assert receiver.received_at("/old")[0].sha256 == sha256_of(source)


# -- values SQLite cannot take as TEXT ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_name_that_is_not_utf8_is_stored_exactly_and_harms_no_other_row(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    raw_name = os.fsdecode(b"caf\xe9 \xff.bin")
    odd = make_file(folder / raw_name, 4000)
    plain = make_file(folder / "plain.bin", 4000)
    state = tmp_path / "state"
    manager = core.SessionManager(state)
    try:
        session = manager.create_session(core.SessionConfiguration(identifier="names"))
        tasks = session.upload_files(
            [(odd, f"odd/{raw_name}"), (plain, None)],
            core.Destination(url=f"{receiver.url}/n/", protocol=core.WireProtocol.RAW),
        )
        await session.wait_until_quiet()
        assert [session.task(t.task_id).state for t in tasks] == [TaskState.COMPLETED] * 2
    finally:
        await manager.close()
    reread = {t.task_id: t for t in TaskStore(state, read_only=True).all_tasks()}
    assert (
        reread[tasks[0].task_id].path == odd and reread[tasks[0].task_id].relative_name == f"odd/{raw_name}"
    )
    assert reread[tasks[1].task_id].state is TaskState.COMPLETED
    row = stored_row(state, "names", tasks[0].task_id)
    assert row is not None and row["path"] == os.fsencode(odd)
    # The server got the very bytes of the name, percent-encoded.
    [got] = [r for r in receiver.received if r.raw_path.startswith("/n/odd/")]
    assert got.raw_path == "/n/odd/caf%E9%20%FF.bin"
    assert got.sha256 == sha256_of(odd)


def test_the_cli_says_when_the_disk_fills_mid_run_and_when_saving_works_again(
    tmpfs: TmpfsFactory, tmp_path: Path, receiver: ReceiverServer
) -> None:
    """Never silent: a warning on stderr the moment the queue cannot be saved, another when it can
    again, and every upload recorded in the end."""
    disk = tmpfs("2m")
    state = disk / "state"
    files = [make_file(tmp_path / "in" / f"f{i}.bin", 300_000) for i in range(8)]
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.cli",
            "upload",
            f"{receiver.url}/mid/",
            str(tmp_path / "in"),
            "--state-dir",
            str(state),
            "--limit-rate",
            "600K",
            "--concurrency",
            "1",
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    try:
        first = child.stdout.readline()  # one upload done: the database is open and written
        assert json.loads(first)["state"] == "completed"
        filler = fill(disk)
        warning = child.stderr.readline()
        assert warning.startswith(
            f"warning: cannot save the upload queue to {state / 'state.db'}: the disk is full"
        )
        filler.unlink()
        assert child.stderr.readline().strip() == "the upload queue is being saved again"
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == 0, err
    assert len(receiver.received) == 8
    stored = TaskStore(state, read_only=True).all_tasks()
    assert sorted(t.relative_name for t in stored) == sorted(f"in/{f.name}" for f in files)
    assert {t.state for t in stored} == {TaskState.COMPLETED}
