"""Which header values are secrets: they are never written to the state database or the logs."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["REDACTED", "is_secret_header", "redacted_headers"]

REDACTED = "<redacted>"
_SECRET_NAMES = {"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"}
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api-key", "apikey", "session")


def is_secret_header(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in _SECRET_NAMES or any(word in lowered for word in _SECRET_WORDS)


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if is_secret_header(k) else v) for k, v in headers.items()}
