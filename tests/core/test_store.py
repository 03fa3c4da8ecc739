"""The store's writer and lookups: one bad row never takes the others (or the thread) with it;
the history lookup of unfinished uploads uses its index; lock files do not pile up."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.configuration import Destination, WireProtocol
from core.store import TaskStore
from core.task import TaskSnapshot, TaskState
from tests.clis import run_cli
from tests.conftest import make_file
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


def task(task_id: int, **changes: object) -> TaskSnapshot:
    snapshot = TaskSnapshot(
        task_id=task_id,
        session_id="s",
        path=Path(f"/data/f{task_id}.bin"),
        relative_name=f"f{task_id}.bin",
        destination=Destination(url="http://127.0.0.1:9/up"),
        state=TaskState.QUEUED,
        total_bytes=10,
        created_at=1.0,
    )
    return snapshot.evolve(**changes)


def test_a_row_the_database_refuses_is_dropped_alone_and_said(state_dir: Path) -> None:
    store = TaskStore(state_dir)
    problems: list[str | None] = []
    store.add_problem_listener(problems.append)
    try:
        # SQLite integers end at 2**63: this row can never be written.
        store.save_many([task(1), task(2, total_bytes=2**70), task(3)])
        assert store.flush()
        assert problems and problems[0] is not None and "task s#2 could not be saved" in problems[0]
        # The writer lives on: later saves land.
        store.save(task(4, state=TaskState.COMPLETED))
        assert store.flush()
        assert problems[-1] is None
    finally:
        store.close()
    reread = {t.task_id: t.state for t in TaskStore(state_dir, read_only=True).all_tasks()}
    assert reread == {1: TaskState.QUEUED, 3: TaskState.QUEUED, 4: TaskState.COMPLETED}


def test_durable_saves_resolve_once_on_disk(state_dir: Path) -> None:
    store = TaskStore(state_dir)
    try:
        future = store.save_durable_future(task(1, state=TaskState.COMPLETED))
        future.result(timeout=10)
        db = sqlite3.connect(f"file:{state_dir / 'state.db'}?mode=ro", uri=True)
        try:
            assert db.execute("SELECT state FROM tasks WHERE task_id = 1").fetchone() == ("completed",)
        finally:
            db.close()
    finally:
        store.close()


def test_sessions_with_unfinished_work_are_found_without_reading_tasks(state_dir: Path) -> None:
    store = TaskStore(state_dir)
    try:
        store.save_many(
            [
                task(1, session_id="done", state=TaskState.COMPLETED),
                task(2, session_id="done", state=TaskState.CANCELLED),
                task(3, session_id="paused", state=TaskState.PAUSED),
                task(4, session_id="mixed", state=TaskState.FAILED),
                task(5, session_id="mixed", state=TaskState.INTERRUPTED),
            ]
        )
        assert store.unfinished_session_ids() == {"paused", "mixed"}
    finally:
        store.close()


def test_the_unfinished_upload_lookup_uses_the_path_index(state_dir: Path, tmp_path: Path) -> None:
    store = TaskStore(state_dir)
    try:
        file = make_file(tmp_path / "f.bin", 10)
        tus = Destination(url="http://127.0.0.1:9/files/", protocol=WireProtocol.TUS)
        store.save_many([task(i, path=tmp_path / f"old-{i}.bin") for i in range(1, 200)])
        store.save(task(500, path=file, destination=tus, state=TaskState.INTERRUPTED))
        assert store.flush()
        found = store.find_unfinished_uploads([file, tmp_path / "nothing.bin"], tus)
        assert [t.task_id for t in found.values()] == [500]
        db = sqlite3.connect(state_dir / "state.db")
        try:
            plan = " ".join(
                str(row[-1])
                for row in db.execute(
                    "EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE path IN (?, ?)", ("a", "b")
                )
            )
        finally:
            db.close()
        assert "tasks_by_path" in plan, plan
    finally:
        store.close()


def test_cli_runs_leave_no_lock_files(state_dir: Path, tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "f.bin", 1000)
    for _ in range(3):
        result = run_cli("upload", f"{receiver.url}/up", str(file), "--state-dir", str(state_dir))
        assert result.returncode == 0, result.stderr
    assert len(receiver.received) == 3
    assert list((state_dir / "sessions").glob("*.lock")) == []
