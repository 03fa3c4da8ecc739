"""How numbers, durations and task states read in the window. Pure functions, no Qt."""

from __future__ import annotations

import json
import math
import re

from core import TaskSnapshot, TaskState

__all__ = [
    "format_bytes",
    "format_duration",
    "format_speed",
    "returned_url",
    "state_text",
    "summary_text",
]

_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def format_bytes(count: int) -> str:
    """Decimal units, as file managers on every desktop show them: "1.4 GB", "950 KB", "12 bytes"."""
    if count < 1000:
        return "1 byte" if count == 1 else f"{count} bytes"
    size = float(count)
    for unit in _UNITS[1:]:
        size /= 1000
        if size < 999.5 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if size >= 100 else f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def format_speed(bytes_per_second: float) -> str:
    if bytes_per_second <= 0:
        return ""
    return format_bytes(int(bytes_per_second)) + "/s"


def format_duration(seconds: float | None) -> str:
    """Short, like a download manager: "8 s", "4:05", "1:02:03"; "" when unknown."""
    if seconds is None or math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        return ""
    total = math.ceil(seconds)
    if total < 60:
        return f"{total} s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 100:
        return f"{hours // 24} days"
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def state_text(task: TaskSnapshot, *, now: float, stopped: bool = False) -> str:
    """The State column: what the task is doing, in a few words."""
    state = task.state
    if state is TaskState.QUEUED or state is TaskState.INTERRUPTED:
        text = "queued" if state is TaskState.QUEUED else "interrupted, queued"
        if task.restarts_from_zero:
            text += " — restarts from 0"
        return text + (" (stopped)" if stopped else "")
    if state is TaskState.UPLOADING:
        return "uploading"
    if state is TaskState.PROCESSING:
        return "server processing"
    if state is TaskState.RETRY_WAIT:
        if task.retry_at is None:
            return "retrying"
        return f"retrying in {max(0, math.ceil(task.retry_at - now))} s"
    if state is TaskState.PAUSED:
        return "paused — restarts from 0" if task.restarts_from_zero else "paused"
    if state is TaskState.COMPLETED:
        return "done"
    if state is TaskState.FAILED:
        return f"failed: {task.error or 'unknown error'}"
    if state is TaskState.CANCELLED:
        return "cancelled"
    return state.value


def summary_text(completed: int, failed: int, cancelled: int = 0) -> str:
    """What a finished batch says: "12 files uploaded, 1 failed". The first count names the files
    and the others follow it ("3 files failed, 2 cancelled"), as the tray notification words it."""
    parts = []
    noun: str | None = "file"
    for count, verb in ((completed, "uploaded"), (failed, "failed"), (cancelled, "cancelled")):
        if count:
            counted = f"{count} {noun if count == 1 else noun + 's'}" if noun else str(count)
            parts.append(f"{counted} {verb}")
            noun = None
    return ", ".join(parts) if parts else "No files uploaded"


_URL_KEYS = ("url", "location", "href", "link", "download_url", "public_url", "file_url")
_URL = re.compile(r"https?://[^\s\"'<>]+")


def returned_url(response_text: str | None) -> str | None:
    """The URL a server handed back for an upload, if its answer names one: a JSON field such as
    ``url``/``location`` (at the top or one level down), or a body that is just a URL."""
    if not response_text:
        return None
    text = response_text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        candidates = [data, *(v for v in data.values() if isinstance(v, dict))]
        for mapping in candidates:
            for key in _URL_KEYS:
                value = mapping.get(key)
                if isinstance(value, str) and _URL.fullmatch(value.strip()):
                    return value.strip()
        return None
    if _URL.fullmatch(text):
        return text
    return None
