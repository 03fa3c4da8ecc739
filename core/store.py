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
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    snapshot_to_row,
)
from .store_schema import Trouble, describe_trouble, open_database, trouble_of
from .streams import FileFingerprint
from .task import TaskSnapshot, TaskState

__all__ = ["MAX_STORED_RESPONSE", "SetAsideRow", "StoredTasks", "TaskStore"]

log = logging.getLogger(__name__)

# Rows saved within this long of each other are written in one transaction.
_FLUSH_INTERVAL = 0.5
# How long a durable save waits for others to share its commit.
_GROUP_COMMIT = 0.002
# Pauses between attempts to write a batch that failed (locked, disk full): capped, never given up.
_RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0, 5.0)
# How long close() keeps trying to write what is still pending before it reports it as unsaved.
_CLOSE_PATIENCE = 5.0
# SQLite's limit on bound parameters is 32,766 since 3.32; stay far below it.
_LOOKUP_SLICE = 500

ProblemListener = Callable[[str | None], None]
# Called from the writer thread once a durable save is on disk (None) or failed to get there.
WrittenCallback = Callable[[StateStoreError | None], None]


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
        # _db_lock guards the connection; _lock guards everything below it.
        self._db_lock = threading.Lock()
        self._lock = threading.Lock()
        # Snapshots (rows are made by the writer: a task saved thrice in a flush interval costs
        # one row), or None for a deletion.
        self._pending: dict[tuple[str, int], TaskSnapshot | None] = {}
        # Session settings (JSON) to write, by session identifier.
        self._pending_settings: dict[str, str] = {}
        # on_written callbacks of save_durable() calls whose rows are in _pending.
        self._durable: list[WrittenCallback] = []
        self._wake = threading.Condition(self._lock)
        self._flushed = threading.Condition(self._lock)
        self._writer_idle = False
        self._grouping = False
        self._closed = False
        self._flush_requested = False
        self._generation = 0
        self._written = 0
        # Incremented on every failed write: a flush() waiting for a write that fails returns.
        self._failures = 0
        self.problem: str | None = None
        # The settings last saved per session: an unchanged one is not written again.
        self._known_settings: dict[str, str] = {}
        self._listeners: list[ProblemListener] = []
        self._writer: threading.Thread | None = None
        if not read_only:
            self._writer = threading.Thread(target=self._write_loop, name="skylift-store", daemon=True)
            self._writer.start()

    # -- problems ---------------------------------------------------------------------------------

    def add_problem_listener(self, listener: ProblemListener) -> None:
        """``listener(text)`` when writing fails, ``listener(None)`` when it works again. Called
        from the writer thread: hand it to your own thread or loop."""
        self._listeners.append(listener)

    def _set_problem(self, problem: str | None) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        # Warnings, not errors: the writer keeps retrying, and the listeners tell the user.
        if problem is None:
            log.warning("the state database %s is being written again", self.path)
        else:
            log.warning("%s", problem)
        for listener in list(self._listeners):
            try:
                listener(problem)
            except Exception:
                log.exception("state store problem listener raised")

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

    def save(self, task: TaskSnapshot) -> None:
        self.save_many((task,))

    def save_many(self, tasks: Iterable[TaskSnapshot]) -> None:
        rows = {(t.session_id, t.task_id): t for t in tasks}
        # A generation with nothing pending is never written, and flush() would wait for it forever.
        if not rows:
            return
        with self._lock:
            self._check_writable()
            self._pending.update(rows)
            self._generation += 1
            # Only an idle writer is woken: one that is coalescing picks these up when it is done.
            if self._writer_idle:
                self._wake.notify()

    def save_durable(self, task: TaskSnapshot, on_written: WrittenCallback) -> None:
        """Like ``save``, but written at once; ``on_written(None)`` is called (from the writer
        thread) when the row is on disk, ``on_written(error)`` when the write failed (the row stays
        pending and is retried). Does not block."""
        with self._lock:
            self._check_writable()
            self._pending[(task.session_id, task.task_id)] = task
            self._durable.append(on_written)
            self._generation += 1
            self._flush_requested = True
            # A writer gathering a group commit takes this one too when its moment is up: waking
            # it for each save would only pass the GIL back and forth.
            if not self._grouping:
                self._wake.notify()

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

    def save_session_settings(self, session_id: str, settings: Mapping[str, object]) -> None:
        """A session's transfer settings (never secrets), for ``resume`` to continue with them."""
        text = json.dumps(dict(settings), sort_keys=True)
        with self._lock:
            self._check_writable()
            if self._known_settings.get(session_id) == text:
                return
            self._known_settings[session_id] = text
            self._pending_settings[session_id] = text
            self._generation += 1
            if self._writer_idle:
                self._wake.notify()

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

    def delete(self, session_id: str, task_ids: Iterable[int]) -> None:
        keys = [(session_id, task_id) for task_id in task_ids]
        if not keys:
            return
        with self._lock:
            self._check_writable()
            for key in keys:
                self._pending[key] = None
            self._generation += 1
            self._wake.notify()

    def _check_writable(self) -> None:
        if self._writer is None:
            raise StateStoreError("the state database was opened read-only")

    def flush(self) -> bool:
        """Block until everything saved so far is on disk (used by readers and at shutdown).
        Returns False, without waiting longer, if a write failed meanwhile."""
        if self._writer is None:
            return True
        with self._lock:
            target, failures = self._generation, self._failures
            self._flush_requested = True
            self._wake.notify()
            while self._written < target and self._failures == failures and self._writer.is_alive():
                self._flushed.wait(timeout=1)
            return self._written >= target

    def close(self) -> str | None:
        """Write what is pending (trying for a few seconds if writing fails) and close. Returns
        None, or a line saying what could not be saved."""
        unsaved: str | None = None
        if self._writer is not None:
            deadline = time.monotonic() + _CLOSE_PATIENCE
            while not self.flush() and time.monotonic() < deadline:
                time.sleep(0.1)
            with self._lock:
                if self._pending:
                    unsaved = f"{len(self._pending)} task updates were not saved: {self.problem}"
                    log.error("%s", unsaved)
                self._closed = True
                self._wake.notify()
            self._writer.join(timeout=5)
        if self._db is not None:
            with self._db_lock:
                self._db.close()
        return unsaved

    # -- the writer thread ------------------------------------------------------------------------

    def _write_loop(self) -> None:
        failed_writes = 0
        while True:
            with self._lock:
                while not (self._pending or self._pending_settings) and not self._closed:
                    self._writer_idle = True
                    self._wake.wait()
                self._writer_idle = False
                if self._closed:
                    self._fail_durable(StateStoreError("the state store is closed"))
                    return
                # Group commit: durable saves that come within a moment of each other (uploads
                # finishing together) share one transaction instead of one each.
                deadline = time.monotonic() + _GROUP_COMMIT
                self._grouping = True
                while self._durable and not self._closed and (left := deadline - time.monotonic()) > 0:
                    self._wake.wait(timeout=left)
                self._grouping = False
                batch, self._pending = self._pending, {}
                settings, self._pending_settings = self._pending_settings, {}
                durable, self._durable = self._durable, []
                generation = self._generation
            try:
                self._write(batch, settings)
            except Exception as error:
                failed_writes += 1
                with self._lock:
                    for key, text in settings.items():
                        self._pending_settings.setdefault(key, text)
                self._requeue(batch, durable, error)
                pause = _RETRY_PAUSES[min(failed_writes, len(_RETRY_PAUSES)) - 1]
                with self._lock:
                    if not self._closed:
                        self._wake.wait(timeout=pause)
                continue
            failed_writes = 0
            self._set_problem(None)
            _call_all(durable, None)
            with self._lock:
                self._written = generation
                self._flushed.notify_all()
                # Coalesce: rows saved in the next half second land in one transaction (a flush,
                # a durable save or close cuts the wait short; ordinary saves do not).
                deadline = time.monotonic() + _FLUSH_INTERVAL
                while not (self._closed or self._flush_requested):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._wake.wait(timeout=remaining)
                self._flush_requested = False

    def _requeue(
        self,
        batch: dict[tuple[str, int], TaskSnapshot | None],
        durable: list[WrittenCallback],
        error: Exception,
    ) -> None:
        """A batch could not be written: keep it (behind anything saved since) and say why."""
        problem = describe_trouble(error, self.path, doing="save the upload queue to")
        if trouble_of(error) is not Trouble.CORRUPT:
            problem += "; retrying"
        with self._lock:
            for key, value in batch.items():
                self._pending.setdefault(key, value)
            self._failures += 1
            self._flushed.notify_all()
        self._set_problem(problem)
        _call_all(durable, StateStoreError(problem))

    def _fail_durable(self, error: StateStoreError) -> None:
        durable, self._durable = self._durable, []
        _call_all(durable, error)

    def _write(self, batch: dict[tuple[str, int], TaskSnapshot | None], settings: dict[str, str]) -> None:
        upserts: list[tuple[object, ...]] = []
        for task in batch.values():
            if task is not None:
                row = self._row(task)
                if row is not None:
                    upserts.append(row)
        deletes = [key for key, task in batch.items() if task is None]
        assert self._db is not None
        with self._db_lock:
            if settings:
                self._write_settings(settings)
            try:
                self._commit(upserts, deletes)
            except (sqlite3.InterfaceError, sqlite3.IntegrityError, ValueError, OverflowError):
                # One row the database refuses must not take the batch with it: write them one by
                # one, drop those that fail (they would fail forever) and say so.
                self._commit_one_by_one(upserts, deletes)

    def _write_settings(self, settings: dict[str, str]) -> None:
        assert self._db is not None
        try:
            self._db.executemany(
                "INSERT INTO sessions (session_id, settings) VALUES (?, ?) "
                "ON CONFLICT (session_id) DO UPDATE SET settings = excluded.settings",
                list(settings.items()),
            )
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            # A newer schema without the table: its settings are not this version's to keep.

    def _row(self, task: TaskSnapshot) -> tuple[object, ...] | None:
        try:
            values = dict(zip(COLUMNS, snapshot_to_row(task), strict=True))
        except Exception:
            log.exception("task %s/%s cannot be stored", task.session_id, task.task_id)
            return None
        return tuple(values[name] for name in self._columns)

    def _commit(self, upserts: list[tuple[object, ...]], deletes: list[tuple[str, int]]) -> None:
        assert self._db is not None
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if upserts:
                db.executemany(self._upsert_statement(), upserts)
            if deletes:
                db.executemany("DELETE FROM tasks WHERE session_id = ? AND task_id = ?", deletes)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _commit_one_by_one(self, upserts: list[tuple[object, ...]], deletes: list[tuple[str, int]]) -> None:
        for row in upserts:
            try:
                self._commit([row], [])
            except (sqlite3.InterfaceError, sqlite3.IntegrityError, ValueError, OverflowError) as error:
                key = f"{row[0]}#{row[1]}"
                self._set_problem(f"task {key} could not be saved to {self.path}: {error}")
        self._commit([], deletes)

    def _upsert_statement(self) -> str:
        names = ", ".join(self._columns)
        marks = ", ".join("?" * len(self._columns))
        # An upsert, not INSERT OR REPLACE: the columns of a newer schema keep their values.
        updates = ", ".join(
            f"{n} = excluded.{n}" for n in self._columns if n not in ("session_id", "task_id")
        )
        return (
            f"INSERT INTO tasks ({names}) VALUES ({marks}) "
            f"ON CONFLICT (session_id, task_id) DO UPDATE SET {updates}"
        )


def _call_all(callbacks: list[WrittenCallback], error: StateStoreError | None) -> None:
    for callback in callbacks:
        try:
            callback(error)
        except Exception:
            log.exception("a durable-save callback raised")


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
