"""Destination URLs: checked once, fully, where they are typed (CLI, window, store), and compared by
origin so that credentials go only where they were meant to go."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from .redaction import redact_url
from .text import printable

__all__ = ["InvalidURL", "check_url", "origin", "resolve_location", "same_origin"]


class InvalidURL(ValueError):
    """A URL that cannot be a destination; the message is one line for the user."""


def check_url(url: str) -> str:
    """``url`` if it can be a destination (http or https, a host, a port in 1-65535, no spaces or
    control characters), else ``InvalidURL`` saying what is wrong. The message never shows the
    URL's credentials."""
    shown = printable(redact_url(url))
    if not url.strip():
        raise InvalidURL("the URL is empty")
    if any(c.isspace() for c in url):
        raise InvalidURL(f"the URL contains a space (write it as %20): {shown}")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise InvalidURL(f"the URL contains a control character: {shown}")
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise InvalidURL(f"not a valid URL ({error}): {shown}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(f"the URL must start with http:// or https://, not {shown}")
    if not parts.hostname:
        raise InvalidURL(f"the URL has no host: {shown}")
    try:
        port = parts.port
    except ValueError:
        raw = parts.netloc.rpartition("@")[2].rpartition(":")[2]
        raise InvalidURL(f"port {printable(raw)} is not a number between 1 and 65535: {shown}") from None
    if port is not None and not 1 <= port <= 65535:
        raise InvalidURL(f"port {port} is not between 1 and 65535: {shown}")
    try:
        httpx.URL(url)
    except httpx.InvalidURL as error:
        raise InvalidURL(f"not a valid URL ({error}): {shown}") from None
    return url


def origin(url: str | httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, host lower-cased."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    scheme = parsed.scheme.lower()
    port = parsed.port or (443 if scheme == "https" else 80)
    return scheme, parsed.host.lower(), port


def same_origin(a: str | httpx.URL, b: str | httpx.URL) -> bool:
    return origin(a) == origin(b)


def resolve_location(base: httpx.URL, location: str) -> str | None:
    """A ``Location`` header resolved against the URL it answered; None unless the result is an
    http(s) URL with a host (``javascript:``, ``file:``, ``data:`` are never followed)."""
    try:
        url = base.join(location)
    except (httpx.InvalidURL, ValueError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    return str(url)
