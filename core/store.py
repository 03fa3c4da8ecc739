"""Persisted task state: SQLite in WAL mode, written by one background thread.

Writes never run on the event loop: ``save()`` replaces the task's pending row and wakes the writer,
so a task reporting progress a thousand times a second costs one row write per flush.
``save_durable()`` is for what a crash must not lose (a task's final state, a tus upload URL): the
writer commits it without waiting to coalesce (saves arriving within ``_GROUP_COMMIT`` share the
commit) and then calls the caller's ``on_written`` from its thread.

Writes survive trouble. A batch that cannot be written (the database is locked by another program,
the disk is full) stays pending and is retried with a growing pause, and ``problem`` says what is
wrong until a write succeeds again; listeners hear both. A row that can never be written is dropped
with a message instead of taking the batch (or the thread) with it. Rows that cannot be read are
set aside (left in the database, untouched) and listed in ``set_aside``.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .configuration import Destination
from .errors import StateStoreError, StateStoreUnwritable
from .store_rows import (
    COLUMNS,
    MAX_STORED_RESPONSE,
    RowUnreadable,
    SetAsideRow,
    encode_path,
    snapshot_from_row,
)
from .store_schema import describe_trouble, open_database
from .store_writer import ProblemListener, StoreWriter, WrittenCallback
from .streams import FileFingerprint
from .task import TaskSnapshot, TaskState

__all__ = ["MAX_STORED_RESPONSE", "SetAsideRow", "StoredTasks", "TaskStore"]

log = logging.getLogger(__name__)

# SQLite's limit on bound parameters is 32,766 since 3.32; stay far below it.
_LOOKUP_SLICE = 500


@dataclass(frozen=True)
class StoredTasks:
    """What a read found: the tasks, and the rows that had to be set aside."""

    tasks: list[TaskSnapshot]
    set_aside: list[SetAsideRow]

    @property
    def highest_task_id(self) -> int:
        ids = [t.task_id for t in self.tasks] + [r.task_id for r in self.set_aside]
        return max(ids, default=0)


class TaskStore:
    """All sessions' tasks in one database file, ``<state_dir>/state.db``.

    ``read_only=True`` is for listing (``skylift-cli queue``): nothing is created, migrated, moved
    aside or written, and a missing database is an empty one.
    """

    def __init__(self, state_dir: Path, *, read_only: bool = False, busy_timeout: float = 10.0) -> None:
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / "state.db"
        self.read_only = read_only
        if not read_only:
            try:
                self.state_dir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StateStoreUnwritable(
                    f"cannot create state folder {self.state_dir}: {error.strerror}"
                ) from None
        opened = open_database(self.path, read_only=read_only, busy_timeout=busy_timeout)
        self._db = None if opened is None else opened.connection
        self._columns = COLUMNS if opened is None else opened.columns
        # A corrupt database moved aside, or one written by a newer Skylift.
        self.recovery_notice: str | None = None if opened is None else opened.notice
        # Rows that reads could not turn into tasks, by key (each reported once).
        self._set_aside: dict[tuple[str, int], SetAsideRow] = {}
        # _db_lock guards the connection (reads here, writes in the writer); _lock the set-aside rows.
        self._db_lock = threading.Lock()
        self._lock = threading.Lock()
        self._writer = (
            None
            if read_only or self._db is None
            else StoreWriter(self._db, self._db_lock, self._columns, self.path)
        )

    # -- problems ---------------------------------------------------------------------------------

    def add_problem_listener(self, listener: ProblemListener) -> None:
        """``listener(text)`` when writing fails, ``listener(None)`` when it works again. Called
        from the writer thread: hand it to your own thread or loop."""
        self._writing().add_problem_listener(listener)

    @property
    def problem(self) -> str | None:
        return None if self._writer is None else self._writer.problem

    @property
    def set_aside(self) -> list[SetAsideRow]:
        with self._lock:
            return list(self._set_aside.values())

    # -- reading ----------------------------------------------------------------------------------

    def load(self, session_id: str | None = None) -> StoredTasks:
        """The tasks of one session (or of all), in the order they were added."""
        self.flush()
        where, parameters = ("WHERE session_id = ?", (session_id,)) if session_id is not None else ("", ())
        order = "task_id" if session_id is not None else "created_at, session_id, task_id"
        rows = self._select(f"{where} ORDER BY {order}", parameters)
        return self._decode(rows)

    def load_session(self, session_id: str) -> list[TaskSnapshot]:
        return self.load(session_id).tasks

    def all_tasks(self) -> list[TaskSnapshot]:
        return self.load().tasks

    def session_ids(self) -> list[str]:
        self.flush()
        if self._db is None:
            return []
        with self._db_lock:
            rows = self._db.execute("SELECT DISTINCT session_id FROM tasks").fetchall()
        return [row[0] for row in rows]

    def unfinished_session_ids(self) -> set[str]:
        """Sessions with a task that is not final: what a relaunch re-attaches to (one query,
        without reading the tasks)."""
        self.flush()
        if self._db is None:
            return set()
        final = [state.value for state in TaskState if state.is_final]
        marks = ", ".join("?" * len(final))
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT DISTINCT session_id FROM tasks WHERE state NOT IN ({marks})", final
            ).fetchall()
        return {row[0] for row in rows}

    def find_unfinished_uploads(
        self, paths: Sequence[Path], destination: Destination
    ) -> dict[Path, TaskSnapshot]:
        """For each of ``paths`` whose very file version (``FileFingerprint.identity``) an earlier
        task was sending to the same destination URL and protocol without finishing, the newest
        such task: ``UploadSession.adopt`` continues it (tus: from the server's offset) instead of
        starting over. Completed and cancelled tasks never match. Blocking: run it off the loop."""
        found: dict[Path, TaskSnapshot] = {}
        by_path = {os.path.abspath(p): Path(p) for p in paths}
        self.flush()
        absolute = list(by_path)
        for start in range(0, len(absolute), _LOOKUP_SLICE):
            part = absolute[start : start + _LOOKUP_SLICE]
            marks = ", ".join("?" * len(part))
            rows = self._select(
                f"WHERE path IN ({marks}) AND state NOT IN (?, ?) ORDER BY created_at DESC, task_id DESC",
                (*[encode_path(p) for p in part], TaskState.COMPLETED.value, TaskState.CANCELLED.value),
            )
            for task in self._decode(rows).tasks:
                given = by_path.get(str(task.path))
                if given is not None and given not in found and _same_upload(task, destination):
                    found[given] = task
        return found

    def find_unfinished_upload(self, path: Path, destination: Destination) -> TaskSnapshot | None:
        return self.find_unfinished_uploads([path], destination).get(Path(path))

    def _select(self, clause: str, parameters: Sequence[object]) -> list[sqlite3.Row]:
        if self._db is None or not self._columns:
            return []
        with self._db_lock:
            try:
                return self._db.execute(
                    f"SELECT {', '.join(self._columns)} FROM tasks {clause}", parameters
                ).fetchall()
            except sqlite3.DatabaseError as error:
                raise StateStoreError(
                    describe_trouble(error, self.path, doing="read the state database")
                ) from error

    def _decode(self, rows: list[sqlite3.Row]) -> StoredTasks:
        tasks: list[TaskSnapshot] = []
        set_aside: list[SetAsideRow] = []
        for row in rows:
            try:
                tasks.append(snapshot_from_row(row))
            except RowUnreadable as why:
                set_aside.append(SetAsideRow(str(row["session_id"]), _task_id(row), str(why)))
        if set_aside:
            with self._lock:
                fresh = [r for r in set_aside if (r.session_id, r.task_id) not in self._set_aside]
                self._set_aside.update(((r.session_id, r.task_id), r) for r in set_aside)
            for aside in fresh:
                log.warning("task %s in %s could not be read and was set aside", aside, self.path)
        return StoredTasks(tasks, set_aside)

    # -- writing (queued to the writer thread) ----------------------------------------------------

    def _writing(self) -> StoreWriter:
        if self._writer is None:
            raise StateStoreError("the state database was opened read-only")
        return self._writer

    def save(self, task: TaskSnapshot) -> None:
        self._writing().save_many((task,))

    def save_many(self, tasks: Iterable[TaskSnapshot]) -> None:
        self._writing().save_many(tasks)

    def save_durable(self, task: TaskSnapshot, on_written: WrittenCallback) -> None:
        """Like ``save``, but written at once; ``on_written(None)`` is called (from the writer
        thread) when the row is on disk, ``on_written(error)`` when the write failed (the row stays
        pending and is retried). Does not block."""
        self._writing().save_durable(task, on_written)

    def save_session_settings(self, session_id: str, settings: Mapping[str, object]) -> None:
        """A session's transfer settings (never secrets), for ``resume`` to continue with them."""
        self._writing().save_settings(session_id, settings)

    def delete(self, session_id: str, task_ids: Iterable[int]) -> None:
        self._writing().delete(session_id, task_ids)

    def flush(self) -> bool:
        """Block until everything saved so far is on disk (used by readers and at shutdown).
        Returns False, without waiting longer, if a write failed meanwhile."""
        return True if self._writer is None else self._writer.flush()

    def save_durable_future(self, task: TaskSnapshot) -> concurrent.futures.Future[None]:
        """``save_durable`` as a future: resolved once on disk, failed with ``StateStoreError``."""
        future: concurrent.futures.Future[None] = concurrent.futures.Future()

        def written(error: StateStoreError | None) -> None:
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        self.save_durable(task, written)
        return future

    def session_settings(self, session_id: str) -> dict[str, object] | None:
        """What ``save_session_settings`` recorded for the session, or None."""
        self.flush()
        if self._db is None:
            return None
        with self._db_lock:
            try:
                row = self._db.execute(
                    "SELECT settings FROM sessions WHERE session_id = ?", (session_id,)
                ).fetchone()
            except sqlite3.OperationalError:
                return None  # a database without the table (a schema this version only reads)
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except (TypeError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def close(self) -> str | None:
        """Write what is pending (trying for a few seconds if writing fails) and close. Returns
        None, or a line saying what could not be saved."""
        unsaved = self._writer.close() if self._writer is not None else None
        if self._db is not None:
            with self._db_lock:
                self._db.close()
        return unsaved


def _task_id(row: sqlite3.Row) -> int:
    value = row["task_id"]
    return value if isinstance(value, int) else -1


def _same_upload(task: TaskSnapshot, destination: Destination) -> bool:
    if (task.destination.url, task.destination.protocol) != (destination.url, destination.protocol):
        return False
    try:
        current = FileFingerprint.of(task.path)
    except Exception:
        return False
    if task.total_bytes != current.size:
        return False
    recorded = (task.resume_data or {}).get("fingerprint")
    # Recorded by a protocol that resumes: it must name this very file version.
    return recorded is None or recorded == current.identity(destination.url)
