"""The store's writer thread: rows saved on the loop are written here, coalesced, retried.

``save`` replaces the task's pending row and wakes the writer, so a task reporting progress a
thousand times a second costs one row write per flush. ``save_durable`` is for what a crash must
not lose (a final state, a tus upload URL): committed without waiting to coalesce (saves within
``GROUP_COMMIT`` of each other share the commit), then the caller's ``on_written`` is called from
this thread. A batch that cannot be written (locked, disk full) stays pending and is retried with a
growing pause, and ``problem`` says why until a write works again; a row the database refuses is
dropped alone, with a message.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .errors import StateStoreError
from .store_rows import COLUMNS, snapshot_to_row
from .store_schema import Trouble, describe_trouble, trouble_of
from .task import TaskSnapshot

__all__ = ["ProblemListener", "StoreWriter", "WrittenCallback"]

log = logging.getLogger("core.store")

# Rows saved within this long of each other are written in one transaction.
_FLUSH_INTERVAL = 0.5
# How long a durable save waits for others to share its commit.
_GROUP_COMMIT = 0.002
# Pauses between attempts to write a batch that failed (locked, disk full): capped, never given up.
_RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0, 5.0)
# How long close() keeps trying to write what is still pending before it reports it as unsaved.
_CLOSE_PATIENCE = 5.0

ProblemListener = Callable[[str | None], None]
# Called from the writer thread once a durable save is on disk (None) or failed to get there.
WrittenCallback = Callable[[StateStoreError | None], None]


class StoreWriter:
    def __init__(
        self, db: sqlite3.Connection, db_lock: threading.Lock, columns: tuple[str, ...], path: Path
    ) -> None:
        self._db = db
        self._db_lock = db_lock
        self._columns = columns
        self.path = path
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
        self._thread = threading.Thread(target=self._write_loop, name="skylift-store", daemon=True)
        self._thread.start()

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

    def save_durable(self, task: TaskSnapshot, on_written: WrittenCallback) -> None:
        """Like ``save``, but written at once; ``on_written(None)`` is called (from the writer
        thread) when the row is on disk, ``on_written(error)`` when the write failed (the row stays
        pending and is retried). Does not block."""
        with self._lock:
            self._pending[(task.session_id, task.task_id)] = task
            self._durable.append(on_written)
            self._generation += 1
            self._flush_requested = True
            # A writer gathering a group commit takes this one too when its moment is up: waking
            # it for each save would only pass the GIL back and forth.
            if not self._grouping:
                self._wake.notify()

    def save_settings(self, session_id: str, settings: Mapping[str, object]) -> None:
        """A session's transfer settings (never secrets), for ``resume`` to continue with them."""
        text = json.dumps(dict(settings), sort_keys=True)
        with self._lock:
            if self._known_settings.get(session_id) == text:
                return
            self._known_settings[session_id] = text
            self._pending_settings[session_id] = text
            self._generation += 1
            if self._writer_idle:
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

    def flush(self) -> bool:
        """Block until everything saved so far is on disk (used by readers and at shutdown).
        Returns False, without waiting longer, if a write failed meanwhile."""
        with self._lock:
            target, failures = self._generation, self._failures
            self._flush_requested = True
            self._wake.notify()
            while self._written < target and self._failures == failures and self._thread.is_alive():
                self._flushed.wait(timeout=1)
            return self._written >= target

    def close(self) -> str | None:
        """Write what is pending (trying for a few seconds if writing fails) and close. Returns
        None, or a line saying what could not be saved."""
        unsaved: str | None = None
        if self._thread is not None:
            deadline = time.monotonic() + _CLOSE_PATIENCE
            while not self.flush() and time.monotonic() < deadline:
                time.sleep(0.1)
            with self._lock:
                if self._pending:
                    unsaved = f"{len(self._pending)} task updates were not saved: {self.problem}"
                    log.error("%s", unsaved)
                self._closed = True
                self._wake.notify()
            self._thread.join(timeout=5)
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
