"""Opening the state database: versioned migrations, and telling damage apart from trouble.

Only real corruption moves a database aside (SQLite says the file is not a database or is
malformed, or ``quick_check`` fails). A database that is locked by another program, on a full disk
or in a read-only folder is healthy: it is left exactly as it is and the error says what is wrong.
A database written by a newer Skylift is used as far as this version understands it: its columns
that this version knows are read and written, the others are left alone, and it is never migrated
down.
"""

from __future__ import annotations

import enum
import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import StateStoreBusy, StateStoreError, StateStoreUnwritable
from .store_migrations import MIGRATIONS as _MIGRATIONS
from .store_migrations import ROW_MIGRATIONS as _ROW_MIGRATIONS
from .store_migrations import SCHEMA_VERSION
from .store_rows import COLUMNS

__all__ = [
    "SCHEMA_VERSION",
    "OpenedDatabase",
    "Trouble",
    "describe_trouble",
    "open_database",
    "trouble_at",
    "trouble_of",
]

log = logging.getLogger(__name__)


# How a column that is missing from a table of our own version is added back (a hand-edited or
# half-migrated database); a row that then lacks what it needs is set aside, not guessed at.
_REPAIR = {
    "path": "TEXT NOT NULL DEFAULT ''",
    "relative_name": "TEXT NOT NULL DEFAULT ''",
    "destination": "TEXT NOT NULL DEFAULT ''",
    "state": "TEXT NOT NULL DEFAULT ''",
    "total_bytes": "INTEGER",
    "bytes_sent": "INTEGER NOT NULL DEFAULT 0",
    "bytes_confirmed": "INTEGER NOT NULL DEFAULT 0",
    "attempts": "INTEGER NOT NULL DEFAULT 0",
    "restarts_from_zero": "INTEGER NOT NULL DEFAULT 0",
    "http_status": "INTEGER",
    "response_text": "TEXT",
    "error": "TEXT",
    "created_at": "REAL",
    "started_at": "REAL",
    "finished_at": "REAL",
    "resume_data": "TEXT",
}


class Trouble(enum.Enum):
    """What kind of failure a SQLite error is."""

    CORRUPT = "corrupt"
    BUSY = "busy"
    FULL = "full"
    READ_ONLY = "read-only"
    OTHER = "other"


# SQLite's primary result codes (https://sqlite.org/rescode.html).
_CODES = {
    11: Trouble.CORRUPT,  # SQLITE_CORRUPT
    26: Trouble.CORRUPT,  # SQLITE_NOTADB
    5: Trouble.BUSY,  # SQLITE_BUSY
    6: Trouble.BUSY,  # SQLITE_LOCKED
    13: Trouble.FULL,  # SQLITE_FULL
    8: Trouble.READ_ONLY,  # SQLITE_READONLY
    14: Trouble.READ_ONLY,  # SQLITE_CANTOPEN: in practice a folder we may not write to
    3: Trouble.READ_ONLY,  # SQLITE_PERM
}


class _IntegrityCheckFailed(sqlite3.DatabaseError):
    pass


def trouble_of(error: BaseException) -> Trouble:
    if isinstance(error, _IntegrityCheckFailed):
        return Trouble.CORRUPT
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _CODES.get(code & 0xFF, Trouble.OTHER)
    return Trouble.OTHER


def _folder_problem(folder: Path) -> str:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):
        pass
    if not os.access(folder, os.W_OK):
        return "its folder is not writable"
    return "it cannot be opened for writing"


def _disk_full(folder: Path) -> bool:
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return False
    return usage.free < _NEARLY_FULL


# Less free space than this, and an I/O error is a full disk (SQLite cannot even make its WAL
# index then, and says "disk I/O error").
_NEARLY_FULL = 256 << 10


def trouble_at(error: BaseException, path: Path) -> Trouble:
    """``trouble_of``, with a full disk recognised behind SQLite's vaguer I/O errors."""
    trouble = trouble_of(error)
    if trouble is Trouble.OTHER and _disk_full(path.parent):
        return Trouble.FULL
    return trouble


def describe_trouble(error: BaseException, path: Path, *, doing: str) -> str:
    """One line for the user: what is wrong with the database at ``path`` while ``doing``."""
    trouble = trouble_at(error, path)
    if trouble is Trouble.BUSY:
        return f"cannot {doing} {path}: another program has it locked"
    if trouble is Trouble.FULL:
        return f"cannot {doing} {path}: the disk is full"
    if trouble is Trouble.READ_ONLY:
        return f"cannot {doing} {path}: {_folder_problem(path.parent)}"
    if trouble is Trouble.CORRUPT:
        return f"cannot {doing} {path}: the database is damaged ({error})"
    return f"cannot {doing} {path}: {error}"


@dataclass
class OpenedDatabase:
    connection: sqlite3.Connection
    # Which of our columns the table has: a newer schema may lack none, an odd one may lack some.
    columns: tuple[str, ...]
    version: int
    # Set when the database was moved aside, or is newer than this version: shown to the user.
    notice: str | None = None


def open_database(path: Path, *, read_only: bool, busy_timeout: float) -> OpenedDatabase | None:
    """The database at ``path``, migrated (unless ``read_only``), or None when ``read_only`` and
    there is none. A corrupt one is moved aside and a new one started (never when ``read_only``).
    Raises ``StateStoreError`` (``StateStoreBusy``, ``StateStoreUnwritable``) with one line."""
    if read_only:
        return _open_for_reading(path, busy_timeout)
    try:
        return _open(path, busy_timeout)
    except sqlite3.DatabaseError as error:
        trouble = trouble_of(error)
        if trouble is not Trouble.CORRUPT:
            raise _store_error(error, path, doing="open the state database") from error
        moved = _move_aside(path)
        notice = (
            f"The state database {path} could not be read ({error}). "
            f"It was moved to {moved} and a new one was started; "
            "uploads listed in the old one must be added again."
        )
        log.warning(notice)
        try:
            opened = _open(path, busy_timeout)
        except sqlite3.DatabaseError as again:
            raise _store_error(again, path, doing="create the state database") from again
        opened.notice = notice
        return opened


def _store_error(error: BaseException, path: Path, *, doing: str) -> StateStoreError:
    text = describe_trouble(error, path, doing=doing)
    trouble = trouble_at(error, path)
    if trouble is Trouble.BUSY:
        return StateStoreBusy(text)
    if trouble in (Trouble.FULL, Trouble.READ_ONLY):
        return StateStoreUnwritable(text)
    return StateStoreError(text)


def _connect(target: str, busy_timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(target, uri=uri, check_same_thread=False, isolation_level=None, timeout=busy_timeout)
    db.row_factory = sqlite3.Row
    return db


def _open(path: Path, busy_timeout: float) -> OpenedDatabase:
    db = _connect(str(path), busy_timeout)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # Content that is deleted or overwritten is zeroed, not left in free pages.
        db.execute("PRAGMA secure_delete=ON")
        # FULL: a commit is on disk (the write-ahead log is synced) before it returns, so a task
        # shown as finished stays finished after a power cut, not only after a crash.
        db.execute("PRAGMA synchronous=FULL")
        _check_integrity(db)
        version = _migrate(db)
        columns = _columns(db, repair=version <= SCHEMA_VERSION)
    except BaseException:
        db.close()
        raise
    notice = None
    if version > SCHEMA_VERSION:
        notice = (
            f"The state database {path} was written by a newer Skylift (schema {version}; this "
            f"version knows {SCHEMA_VERSION}). It is used as far as this version understands it "
            "and nothing else in it is changed."
        )
        log.warning(notice)
    return OpenedDatabase(db, columns, version, notice)


def _open_for_reading(path: Path, busy_timeout: float) -> OpenedDatabase | None:
    if not path.exists():
        return None
    uri = path.absolute().as_uri()
    try:
        db = _connect(f"{uri}?mode=ro", busy_timeout, uri=True)
        try:
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
    except sqlite3.DatabaseError as error:
        if trouble_of(error) is not Trouble.READ_ONLY:
            raise _store_error(error, path, doing="read the state database") from error
        # A write-ahead-log database in a read-only folder: SQLite cannot make its shared-memory
        # file. Read the main file as it is (what was last checkpointed; a cleanly closed
        # database holds everything there).
        db = _connect(f"{uri}?immutable=1", busy_timeout, uri=True)
    try:
        _check_integrity(db)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        columns = _columns(db, repair=False)
    except sqlite3.DatabaseError as error:
        db.close()
        raise _store_error(error, path, doing="read the state database") from error
    return OpenedDatabase(db, columns, version)


def _check_integrity(db: sqlite3.Connection) -> None:
    result = db.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise _IntegrityCheckFailed(f"integrity check failed: {result}")


def _migrate(db: sqlite3.Connection) -> int:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version < SCHEMA_VERSION:
        _migrate_steps(db, version)
        # What the old version left in the write-ahead log (secrets among it) goes now.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return max(version, SCHEMA_VERSION)


def _migrate_steps(db: sqlite3.Connection, version: int) -> None:
    for step in range(version + 1, SCHEMA_VERSION + 1):
        if step == 1 and _has_tasks_table(db):
            # A version-0 file that has the table already (made by hand, or an interrupted
            # first run): keep its rows.
            db.execute(f"PRAGMA user_version={step}")
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _MIGRATIONS[step].split(";")):
                db.execute(statement)
            if step in _ROW_MIGRATIONS:
                _ROW_MIGRATIONS[step](db)
            db.execute(f"PRAGMA user_version={step}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _has_tasks_table(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tasks'").fetchone()
    return row is not None


def _columns(db: sqlite3.Connection, *, repair: bool) -> tuple[str, ...]:
    present = {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
    if not present:
        if not repair:
            return ()
        db.executescript(f"BEGIN; {_MIGRATIONS[1]} COMMIT;")
        return COLUMNS
    missing = [name for name in COLUMNS if name not in present]
    if repair and missing and {"session_id", "task_id"} <= present:
        for name in missing:
            db.execute(f"ALTER TABLE tasks ADD COLUMN {name} {_REPAIR[name]}")
        log.warning("the state database lacked columns %s; they were added back", ", ".join(missing))
        return COLUMNS
    if not {"session_id", "task_id"} <= present:
        raise StateStoreError("the state database's task table has no task identifiers")
    return tuple(name for name in COLUMNS if name in present)


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    # Never replace an earlier moved-aside database (two recoveries within one second).
    counter = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{target}{suffix}"))
    return target
