"""Persisted task state: SQLite in WAL mode, written by one background thread.

Writes never run on the event loop: ``save()`` replaces the task's pending row and wakes the writer,
so a task reporting progress a thousand times a second costs one row write per flush. A database
that cannot be opened is moved aside (never deleted) and a fresh one is started; ``recovery_notice``
says what happened so the CLI and the window can tell the user.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .configuration import Destination, WireProtocol
from .errors import StateStoreError
from .redaction import is_secret_header
from .task import TaskSnapshot, TaskState

__all__ = ["TaskStore"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE tasks (
        session_id TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        path TEXT NOT NULL,
        relative_name TEXT NOT NULL,
        destination TEXT NOT NULL,
        state TEXT NOT NULL,
        total_bytes INTEGER NOT NULL,
        bytes_sent INTEGER NOT NULL DEFAULT 0,
        bytes_confirmed INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        restarts_from_zero INTEGER NOT NULL DEFAULT 0,
        http_status INTEGER,
        response_text TEXT,
        error TEXT,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        resume_data TEXT,
        PRIMARY KEY (session_id, task_id)
    );
    """,
}
# Enough to show a server's answer or returned URL; a huge response body stays out of the database.
MAX_STORED_RESPONSE = 64 << 10
_FLUSH_INTERVAL = 0.5
_COLUMNS = (
    "session_id, task_id, path, relative_name, destination, state, total_bytes, bytes_sent, "
    "bytes_confirmed, attempts, restarts_from_zero, http_status, response_text, error, created_at, "
    "started_at, finished_at, resume_data"
)


# Destinations are frozen and shared by every task of a drop: their JSON is made once, not per row.
_destination_json: dict[int, tuple[Destination, str]] = {}


def _destination_to_json(destination: Destination) -> str:
    cached = _destination_json.get(id(destination))
    if cached is not None and cached[0] is destination:
        return cached[1]
    text = _encode_destination(destination)
    if len(_destination_json) >= 256:
        _destination_json.clear()
    _destination_json[id(destination)] = (destination, text)
    return text


def _encode_destination(destination: Destination) -> str:
    return json.dumps(
        {
            "url": destination.url,
            "protocol": destination.protocol.value,
            "method": destination.method,
            # Secret values stay in memory (or the OS keyring); only their names are kept.
            "headers": {k: v for k, v in destination.headers.items() if not is_secret_header(k)},
            "secret_headers": [k for k in destination.headers if is_secret_header(k)],
            "field_name": destination.field_name,
            "form_fields": dict(destination.form_fields),
            "chunk_size": destination.chunk_size,
        }
    )


def _destination_from_json(text: str) -> Destination:
    data = json.loads(text)
    return Destination(
        url=data["url"],
        protocol=WireProtocol(data["protocol"]),
        method=data["method"],
        headers=data["headers"],
        field_name=data["field_name"],
        form_fields=data["form_fields"],
        chunk_size=data.get("chunk_size"),
    )


def _row(task: TaskSnapshot) -> tuple[Any, ...]:
    response = task.response_text
    if response is not None and len(response) > MAX_STORED_RESPONSE:
        response = response[:MAX_STORED_RESPONSE]
    return (
        task.session_id,
        task.task_id,
        str(task.path),
        task.relative_name,
        _destination_to_json(task.destination),
        task.state.value,
        task.total_bytes,
        task.bytes_sent,
        task.bytes_confirmed,
        task.attempts,
        int(task.restarts_from_zero),
        task.http_status,
        response,
        task.error,
        task.created_at,
        task.started_at,
        task.finished_at,
        None if task.resume_data is None else json.dumps(dict(task.resume_data)),
    )


def _snapshot(row: sqlite3.Row) -> TaskSnapshot:
    return TaskSnapshot(
        task_id=row["task_id"],
        session_id=row["session_id"],
        path=Path(row["path"]),
        relative_name=row["relative_name"],
        destination=_destination_from_json(row["destination"]),
        state=TaskState(row["state"]),
        total_bytes=row["total_bytes"],
        bytes_sent=row["bytes_sent"],
        bytes_confirmed=row["bytes_confirmed"],
        attempts=row["attempts"],
        restarts_from_zero=bool(row["restarts_from_zero"]),
        http_status=row["http_status"],
        response_text=row["response_text"],
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        resume_data=None if row["resume_data"] is None else json.loads(row["resume_data"]),
    )


class TaskStore:
    """All sessions' tasks in one database file, ``<state_dir>/state.db``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / "state.db"
        self.recovery_notice: str | None = None
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateStoreError(f"cannot create state folder {self.state_dir}: {error}") from None
        self._db = self._open_or_recover()
        # _db_lock guards the connection; _lock guards the pending rows and the counters below.
        self._db_lock = threading.Lock()
        self._lock = threading.Lock()
        # Snapshots (rows are made by the writer: a task saved thrice in a flush interval costs one
        # row), or None for a deletion.
        self._pending: dict[tuple[str, int], TaskSnapshot | None] = {}
        self._wake = threading.Condition(self._lock)
        self._writer_idle = False
        self._flushed = threading.Condition(self._lock)
        self._closed = False
        self._flush_requested = False
        self._generation = 0
        self._written = 0
        self._writer = threading.Thread(target=self._write_loop, name="skylift-store", daemon=True)
        self._writer.start()

    # -- opening ----------------------------------------------------------------------------------

    def _open_or_recover(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as error:
            moved = self._move_aside()
            self.recovery_notice = (
                f"The state database {self.path} could not be read ({error}). "
                f"It was moved to {moved} and a new one was started; "
                "uploads listed in the old one must be added again."
            )
            log.warning(self.recovery_notice)
            try:
                return self._open()
            except sqlite3.DatabaseError as again:
                raise StateStoreError(f"cannot create state database {self.path}: {again}") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            self._migrate(db)
            db.execute("SELECT count(*) FROM tasks").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateStoreError(f"the state database was written by a newer Skylift (schema {version})")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            db.executescript(f"BEGIN; {_MIGRATIONS[step]} PRAGMA user_version={step}; COMMIT;")

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        # Never replace an earlier moved-aside database (two recoveries within one second).
        counter = 1
        while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
            counter += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                os.replace(source, Path(f"{target}{suffix}"))
        return target

    # -- reading (small, at attach time) ----------------------------------------------------------

    def load_session(self, session_id: str) -> list[TaskSnapshot]:
        # Rows saved moments ago (a session with this identifier just closed) may still be pending.
        self.flush()
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE session_id = ? ORDER BY task_id", (session_id,)
            ).fetchall()
        return [_snapshot(row) for row in rows]

    def all_tasks(self) -> list[TaskSnapshot]:
        self.flush()
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM tasks ORDER BY created_at, session_id, task_id"
            ).fetchall()
        return [_snapshot(row) for row in rows]

    def find_unfinished_upload(self, path: Path, destination: Destination) -> TaskSnapshot | None:
        """The newest task, in any session, that was sending this very file version (absolute path,
        size and, where the protocol recorded it, mtime) to the same destination URL and protocol and
        did not finish: completed and cancelled tasks never match. ``UploadSession.adopt`` continues it
        (for tus: from the server's offset) instead of starting over."""
        absolute = os.path.abspath(path)
        try:
            st = os.stat(absolute)
        except OSError:
            return None
        self.flush()
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE path = ? AND state NOT IN (?, ?) "
                "ORDER BY created_at DESC, task_id DESC",
                (absolute, TaskState.COMPLETED.value, TaskState.CANCELLED.value),
            ).fetchall()
        for row in rows:
            task = _snapshot(row)
            same_place = (task.destination.url, task.destination.protocol) == (
                destination.url,
                destination.protocol,
            )
            if not same_place or task.total_bytes != st.st_size:
                continue
            recorded = (task.resume_data or {}).get("fingerprint")
            if isinstance(recorded, dict) and (recorded.get("size"), recorded.get("mtime_ns")) != (
                st.st_size,
                st.st_mtime_ns,
            ):
                continue
            return task
        return None

    def session_ids(self) -> list[str]:
        self.flush()
        with self._db_lock:
            rows = self._db.execute("SELECT DISTINCT session_id FROM tasks").fetchall()
        return [row[0] for row in rows]

    # -- writing (queued to the writer thread) ----------------------------------------------------

    def save(self, task: TaskSnapshot) -> None:
        self.save_many((task,))

    def save_many(self, tasks: Iterable[TaskSnapshot]) -> None:
        rows = {(t.session_id, t.task_id): t for t in tasks}
        # A generation with nothing pending is never written, and flush() would wait for it forever.
        if not rows:
            return
        with self._lock:
            self._pending.update(rows)
            self._generation += 1
            # Only an idle writer is woken: one that is coalescing picks these up when it is done.
            if self._writer_idle:
                self._wake.notify()

    def save_urgent(self, task: TaskSnapshot) -> None:
        """Like ``save``, but the writer does not wait to coalesce: for state that a crash must not
        lose (a resumable upload's URL, which ``kill -9`` half a second later would orphan).
        Does not block."""
        with self._lock:
            self._pending[(task.session_id, task.task_id)] = task
            self._generation += 1
            self._flush_requested = True
            self._wake.notify()

    def delete(self, session_id: str, task_ids: Iterable[int]) -> None:
        keys = [(session_id, task_id) for task_id in task_ids]
        if not keys:
            return
        with self._lock:
            for key in keys:
                self._pending[key] = None
            self._generation += 1
            self._wake.notify()

    def flush(self) -> None:
        """Block until everything saved so far is on disk (used at shutdown and by readers)."""
        with self._lock:
            target = self._generation
            self._flush_requested = True
            self._wake.notify()
            while self._written < target and self._writer.is_alive():
                self._flushed.wait(timeout=1)

    def close(self) -> None:
        self.flush()
        with self._lock:
            self._closed = True
            self._wake.notify()
        self._writer.join(timeout=5)
        with self._db_lock:
            self._db.close()

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                while not self._pending and not self._closed:
                    self._writer_idle = True
                    self._wake.wait()
                self._writer_idle = False
                if self._closed and not self._pending:
                    return
                batch, self._pending = self._pending, {}
                generation = self._generation
            try:
                self._write(batch)
            except sqlite3.Error:
                log.exception("could not write %d task rows to %s", len(batch), self.path)
            with self._lock:
                self._written = generation
                self._flushed.notify_all()
                # Coalesce: rows saved in the next half second land in one transaction (a flush or
                # close cuts the wait short; saves do not).
                deadline = time.monotonic() + _FLUSH_INTERVAL
                while not (self._closed or self._flush_requested):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._wake.wait(timeout=remaining)
                self._flush_requested = False

    def _write(self, batch: dict[tuple[str, int], TaskSnapshot | None]) -> None:
        upserts = []
        for task in batch.values():
            if task is not None:
                try:
                    upserts.append(_row(task))
                except (TypeError, ValueError):
                    log.exception("task %s/%s cannot be stored", task.session_id, task.task_id)
        deletes = [key for key, task in batch.items() if task is None]
        placeholders = ", ".join("?" * len(_COLUMNS.split(",")))
        with self._db_lock:
            db = self._db
            db.execute("BEGIN")
            try:
                db.executemany(f"INSERT OR REPLACE INTO tasks ({_COLUMNS}) VALUES ({placeholders})", upserts)
                db.executemany("DELETE FROM tasks WHERE session_id = ? AND task_id = ?", deletes)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
