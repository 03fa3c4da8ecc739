"""Task rows: how a ``TaskSnapshot`` becomes a row of the ``tasks`` table and back.

Every value is made storable here, in one place. Paths and names must come back exactly as they
were: a POSIX file name that is not valid UTF-8 (a Python ``str`` with lone surrogates) cannot be
SQLite TEXT, so it is kept as a BLOB of its bytes. Texts that are only shown (errors, responses)
are made valid Unicode. A row that cannot be turned back into a snapshot (a state this version does
not know, a damaged destination) raises ``RowUnreadable``; the store sets it aside, untouched.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .configuration import Destination, destination_from_json, destination_to_json
from .redaction import has_url_secrets, redact_url
from .task import TaskSnapshot, TaskState
from .text import printable, storable

__all__ = [
    "COLUMNS",
    "MAX_STORED_RESPONSE",
    "RowUnreadable",
    "SetAsideRow",
    "decode_path",
    "encode_path",
    "snapshot_from_row",
    "snapshot_to_row",
]

# Enough to show a server's answer or returned URL; a huge response body stays out of the database.
MAX_STORED_RESPONSE = 64 << 10

# Every column this version reads and writes, in row order.
COLUMNS = (
    "session_id",
    "task_id",
    "path",
    "relative_name",
    "destination",
    "state",
    "total_bytes",
    "bytes_sent",
    "bytes_confirmed",
    "attempts",
    "restarts_from_zero",
    "http_status",
    "response_text",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "resume_data",
)


class RowUnreadable(Exception):
    """A stored row this version cannot use; the message says why, in a few words."""


@dataclass(frozen=True)
class SetAsideRow:
    """A row left in the database untouched because it could not be read."""

    session_id: str
    task_id: int
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.session_id)}#{self.task_id} ({self.reason})"


def encode_path(text: str) -> str | bytes:
    """TEXT when the name is valid Unicode, else a BLOB of the file system's own bytes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text)
    return text


def decode_path(value: object) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, str):
        return value
    raise RowUnreadable(f"a path of type {type(value).__name__}")


# -- destinations ---------------------------------------------------------------------------------

# Destinations are frozen and shared by every task of a drop: their JSON is made once, not per row.
_destination_json: dict[int, tuple[Destination, str]] = {}


def _destination_to_json(destination: Destination) -> str:
    cached = _destination_json.get(id(destination))
    if cached is not None and cached[0] is destination:
        return cached[1]
    text = json.dumps(destination_to_json(destination))
    if len(_destination_json) >= 256:
        _destination_json.clear()
    _destination_json[id(destination)] = (destination, text)
    return text


def _destination_from_json(text: object) -> Destination:
    if not isinstance(text, str):
        raise RowUnreadable("no destination")
    try:
        return destination_from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise RowUnreadable(f"destination unreadable: {printable(str(error))[:80]}") from error


# -- rows -----------------------------------------------------------------------------------------


def _text(value: str | None, limit: int | None = None) -> str | None:
    if value is None:
        return None
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return storable(value)


def snapshot_to_row(task: TaskSnapshot) -> tuple[Any, ...]:
    """Values in ``COLUMNS`` order, each one SQLite can store."""
    return (
        task.session_id,
        task.task_id,
        encode_path(str(task.path)),
        encode_path(task.relative_name),
        _destination_to_json(task.destination),
        task.state.value,
        task.total_bytes,
        task.bytes_sent,
        task.bytes_confirmed,
        task.attempts,
        int(task.restarts_from_zero),
        task.http_status,
        _text(task.response_text, MAX_STORED_RESPONSE),
        _text(task.error),
        task.created_at,
        task.started_at,
        task.finished_at,
        _resume_json(task.resume_data),
    )


_REQUIRED = object()


def _resume_json(data: Mapping[str, Any] | None) -> str | None:
    if data is None:
        return None
    stored = dict(data)
    upload_url = stored.get("upload_url")
    if isinstance(upload_url, str) and has_url_secrets(upload_url):
        # A server-made upload address with credentials in it: kept in memory only.
        stored["upload_url"] = redact_url(upload_url)
        stored["upload_url_secrets"] = True
    # ensure_ascii: any odd character becomes a \u escape, so the JSON is always storable.
    return json.dumps(stored)


def _number(values: Mapping[str, Any], name: str, kind: type, default: Any = _REQUIRED) -> Any:
    value = values.get(name)
    if value is None:
        if default is _REQUIRED:
            raise RowUnreadable(f"no {name}")
        return default
    if kind is float and isinstance(value, int):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RowUnreadable(f"{name} is {printable(repr(value))[:40]}")
    return value


def snapshot_from_row(row: sqlite3.Row | Mapping[str, Any]) -> TaskSnapshot:
    """The snapshot a row holds; raises ``RowUnreadable`` when it holds none this version can use.
    Columns missing from the row (an older or a newer schema) take their defaults."""
    values: Mapping[str, Any] = dict(row) if isinstance(row, sqlite3.Row) else row
    state_value = values.get("state")
    try:
        state = TaskState(str(state_value))
    except ValueError:
        raise RowUnreadable(f"unknown state {printable(repr(state_value))[:40]}") from None
    resume_text = values.get("resume_data")
    try:
        resume_data = None if resume_text is None else json.loads(resume_text)
    except (TypeError, ValueError):
        raise RowUnreadable("resume data unreadable") from None
    if resume_data is not None and not isinstance(resume_data, dict):
        raise RowUnreadable("resume data unreadable")
    for name in ("response_text", "error"):
        if values.get(name) is not None and not isinstance(values[name], str):
            raise RowUnreadable(f"{name} is not text")
    path = decode_path(values.get("path"))
    if not path:
        raise RowUnreadable("no path")
    return TaskSnapshot(
        task_id=_number(values, "task_id", int),
        session_id=values["session_id"],
        path=Path(path),
        relative_name=decode_path(values.get("relative_name")) or Path(path).name,
        destination=_destination_from_json(values.get("destination")),
        state=state,
        total_bytes=_number(values, "total_bytes", int),
        bytes_sent=_number(values, "bytes_sent", int, 0),
        bytes_confirmed=_number(values, "bytes_confirmed", int, 0),
        attempts=_number(values, "attempts", int, 0),
        restarts_from_zero=bool(_number(values, "restarts_from_zero", int, 0)),
        http_status=_number(values, "http_status", int, None),
        response_text=values.get("response_text"),
        error=values.get("error"),
        resume_data=resume_data,
        created_at=_number(values, "created_at", float),
        started_at=_number(values, "started_at", float, None),
        finished_at=_number(values, "finished_at", float, None),
    )
