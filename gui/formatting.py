"""How numbers, durations and task states read in the window. Pure functions; their words go through
Qt's translator (``QCoreApplication.translate`` needs no application object: without one, or without a
translation, it returns the English source)."""

from __future__ import annotations

import json
import math
import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core import TaskSnapshot, TaskState
from core.redaction import redact_url
from core.text import printable
from core.units import format_rate, format_size

__all__ = [
    "format_bytes",
    "format_duration",
    "format_speed",
    "redact_urls_in",
    "returned_url",
    "state_text",
    "summary_text",
]


def _tr(text: object) -> str:
    # For strings marked with QT_TRANSLATE_NOOP (typed as returning object; it returns the source).
    return QCoreApplication.translate("Formatting", str(text))


def format_bytes(count: int) -> str:
    """Sizes by the one unit policy (``core.units``: binary, IEC names), with the words for small
    counts translated: "1 byte", "12 bytes", "950 KiB", "1.4 GiB"."""
    return format_size(count, byte=_byte(), bytes_=_bytes())


def format_speed(bytes_per_second: float) -> str:
    """ "48.2 MiB/s"; "" when nothing moves."""
    return format_rate(bytes_per_second, byte=_byte(), bytes_=_bytes())


def _byte() -> str:
    return QCoreApplication.translate("Formatting", "byte")


def _bytes() -> str:
    return QCoreApplication.translate("Formatting", "bytes")


def format_duration(seconds: float | None) -> str:
    """Short, like a download manager: "8 s", "4:05", "1:02:03"; "" when unknown."""
    if seconds is None or math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        return ""
    total = math.ceil(seconds)
    if total < 60:
        return QCoreApplication.translate("Formatting", "{seconds} s").format(seconds=total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 100:
        return QCoreApplication.translate("Formatting", "{days} days").format(days=hours // 24)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def state_text(
    task: TaskSnapshot, *, now: float, stopped: bool = False, waiting_for_credentials: bool = False
) -> str:
    """The State column: what the task is doing, in a few words. ``waiting_for_credentials``: the
    task is held until secrets that were never stored are given again (it is queued, not failed)."""
    state = task.state
    if waiting_for_credentials and not state.is_final and state is not TaskState.PAUSED:
        return QCoreApplication.translate("Formatting", "waiting for credentials")
    if state is TaskState.QUEUED or state is TaskState.INTERRUPTED:
        if state is TaskState.QUEUED:
            text = QCoreApplication.translate("Formatting", "queued")
        else:
            text = QCoreApplication.translate("Formatting", "interrupted, queued")
        if task.restarts_from_zero:
            text += QCoreApplication.translate("Formatting", " — restarts from 0")
        return text + (QCoreApplication.translate("Formatting", " (stopped)") if stopped else "")
    if state is TaskState.UPLOADING:
        return QCoreApplication.translate("Formatting", "uploading")
    if state is TaskState.PROCESSING:
        return QCoreApplication.translate("Formatting", "server processing")
    if state is TaskState.RETRY_WAIT:
        if task.retry_at is None:
            return QCoreApplication.translate("Formatting", "retrying")
        seconds = max(0, math.ceil(task.retry_at - now))
        return QCoreApplication.translate("Formatting", "retrying in {seconds} s").format(seconds=seconds)
    if state is TaskState.PAUSED:
        if task.restarts_from_zero:
            return QCoreApplication.translate("Formatting", "paused — restarts from 0")
        return QCoreApplication.translate("Formatting", "paused")
    if state is TaskState.COMPLETED:
        return QCoreApplication.translate("Formatting", "done")
    if state is TaskState.FAILED:
        # The reason comes from the server or the core and is shown as it is.
        reason = (
            printable(task.error) if task.error else QCoreApplication.translate("Formatting", "unknown error")
        )
        return QCoreApplication.translate("Formatting", "failed: {reason}").format(reason=reason)
    if state is TaskState.CANCELLED:
        return QCoreApplication.translate("Formatting", "cancelled")
    return state.value


def summary_text(completed: int, failed: int, cancelled: int = 0, paused: int = 0, held: int = 0) -> str:
    """What a finished batch says: "12 files uploaded, 1 failed". The first count names the files
    and the others follow it ("3 files failed, 2 cancelled"), as the tray notification words it.
    A batch also ends with files paused, or queued in a stopped queue ("waiting")."""
    parts: list[str] = []
    counts = (
        ("uploaded", completed),
        ("failed", failed),
        ("cancelled", cancelled),
        ("paused", paused),
        ("waiting", held),
    )
    for outcome, count in counts:
        if not count:
            continue
        if parts:
            text = _tr(_FOLLOWING[outcome])
        else:
            singular, plural = _FIRST[outcome]
            text = _tr(singular if count == 1 else plural)
        parts.append(text.format(count=count))
    if not parts:
        return QCoreApplication.translate("Formatting", "No files uploaded")
    return QCoreApplication.translate("Formatting", ", ").join(parts)


# Singular and plural are separate source strings, so that English reads right without a translation.
_FIRST = {
    "uploaded": (
        QT_TRANSLATE_NOOP("Formatting", "{count} file uploaded"),
        QT_TRANSLATE_NOOP("Formatting", "{count} files uploaded"),
    ),
    "failed": (
        QT_TRANSLATE_NOOP("Formatting", "{count} file failed"),
        QT_TRANSLATE_NOOP("Formatting", "{count} files failed"),
    ),
    "cancelled": (
        QT_TRANSLATE_NOOP("Formatting", "{count} file cancelled"),
        QT_TRANSLATE_NOOP("Formatting", "{count} files cancelled"),
    ),
    "paused": (
        QT_TRANSLATE_NOOP("Formatting", "{count} file paused"),
        QT_TRANSLATE_NOOP("Formatting", "{count} files paused"),
    ),
    "waiting": (
        QT_TRANSLATE_NOOP("Formatting", "{count} file waiting"),
        QT_TRANSLATE_NOOP("Formatting", "{count} files waiting"),
    ),
}
_FOLLOWING = {
    "failed": QT_TRANSLATE_NOOP("Formatting", "{count} failed"),
    "cancelled": QT_TRANSLATE_NOOP("Formatting", "{count} cancelled"),
    "paused": QT_TRANSLATE_NOOP("Formatting", "{count} paused"),
    "waiting": QT_TRANSLATE_NOOP("Formatting", "{count} waiting"),
}


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


def redact_urls_in(text: str) -> str:
    """``text`` (a server's answer) with every URL in it redacted (``core.redaction.redact_url``):
    a presigned URL handed back carries a signature, which is a credential."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)
