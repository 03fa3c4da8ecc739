"""What a server's answer says, in one line."""

from __future__ import annotations

import contextlib
import http
import json
import re

__all__ = ["reason_phrase", "server_message"]


def reason_phrase(status: int, reason: str) -> str:
    """The status line's reason, or the standard one when the server sent none."""
    if reason:
        return reason
    with contextlib.suppress(ValueError):
        return http.HTTPStatus(status).phrase
    return ""


def server_message(text: str, limit: int = 300) -> str:
    """The gist of an error body: a JSON message field, or the text without HTML tags."""
    text = text.strip()
    if not text:
        return ""
    with contextlib.suppress(ValueError, AttributeError):
        data = json.loads(text)
        for key in ("message", "error", "detail", "msg"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, str) and value:
                return value[:limit]
    if "<" in text:
        text = re.sub(r"(?is)<(script|style|title).*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
