"""The schema's versions: what each migration step does (SQL, and for some a rewrite of the rows)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable

from .redaction import has_url_secrets, is_secret_header, redact_url

__all__ = ["MIGRATIONS", "ROW_MIGRATIONS", "SCHEMA_VERSION"]

log = logging.getLogger("core.store_schema")

SCHEMA_VERSION = 3
MIGRATIONS: dict[int, str] = {
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
    # `upload` looks up unfinished uploads of each file by path: without an index that is a scan of
    # the whole history per file.
    2: "CREATE INDEX IF NOT EXISTS tasks_by_path ON tasks (path);",
    # A session's transfer settings (concurrency, limits, timeouts, CA file), so that `resume`
    # continues with them. Never secrets.
    3: "CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, settings TEXT NOT NULL);",
}


def _redact_stored_secrets(db: sqlite3.Connection) -> None:
    """Versions before schema 3 kept URL credentials (and headers named like ``X-Auth``) in plain
    text: take them out of every row. What is taken out is recorded by name, as now."""
    changed = []
    present = {row[1] for row in db.execute("PRAGMA table_info(tasks)")}
    if not {"session_id", "task_id", "destination", "resume_data"} <= present:
        return  # an odd table: repaired after the migrations, and written by this version then
    for session_id, task_id, destination, resume in db.execute(
        "SELECT session_id, task_id, destination, resume_data FROM tasks"
    ):
        try:
            data = json.loads(destination)
            resume_data = json.loads(resume) if resume else None
        except (TypeError, ValueError):
            continue  # an unreadable row is set aside when read, never guessed at
        if not isinstance(data, dict):
            continue
        url, headers = str(data.get("url", "")), dict(data.get("headers") or {})
        secret = sorted(name for name in headers if is_secret_header(name))
        upload_url = resume_data.get("upload_url") if isinstance(resume_data, dict) else None
        upload_secret = isinstance(upload_url, str) and has_url_secrets(upload_url)
        if not (secret or has_url_secrets(url) or upload_secret):
            continue
        data["url_secrets"] = bool(data.get("url_secrets")) or has_url_secrets(url)
        data["url"] = redact_url(url)
        data["headers"] = {k: v for k, v in headers.items() if k not in secret}
        data["secret_headers"] = sorted(set(data.get("secret_headers") or ()) | set(secret))
        if upload_secret and isinstance(resume_data, dict):
            resume_data["upload_url"] = redact_url(str(upload_url))
            resume_data["upload_url_secrets"] = True
        changed.append(
            (
                json.dumps(data),
                json.dumps(resume_data) if resume_data is not None else None,
                session_id,
                task_id,
            )
        )
    db.executemany(
        "UPDATE tasks SET destination = ?, resume_data = ? WHERE session_id = ? AND task_id = ?", changed
    )
    if changed:
        log.warning("took the credentials out of %d stored tasks (kept by older versions)", len(changed))


# Steps that also rewrite rows, run after the step's SQL in the same transaction.
ROW_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {3: _redact_stored_secrets}
