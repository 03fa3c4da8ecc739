"""What users type, checked in one place for the CLI, the window's command line and the
Destinations dialog: headers, form fields, rates and sizes, timeouts, methods, CA files. Each check
returns the clean value or raises ``InputError`` with one line that says what is wrong."""

from __future__ import annotations

import math
import re
import ssl
from pathlib import Path

from .text import printable

__all__ = [
    "FRAMING_HEADERS",
    "InputError",
    "check_ca_file",
    "check_header",
    "check_method",
    "parse_form_line",
    "parse_header_line",
    "parse_rate",
    "parse_seconds",
]


class InputError(ValueError):
    """Something typed that cannot be used; ``str()`` is one line for the user."""


# RFC 9110 5.6.2: a field name (and a method) is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Headers that frame the message: Skylift computes them, a user value would corrupt the request.
FRAMING_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "host", "connection", "keep-alive", "te", "trailer", "upgrade"}
)


def check_header(name: str, value: str) -> tuple[str, str]:
    """A request header as given (``Content-Type`` and the like win over what Skylift would
    send). Framing headers, names that are not tokens, and values with line breaks or non-ASCII
    characters are refused: RFC 9110 allows only visible ASCII in new header values."""
    name, value = name.strip(), value.strip()
    if not name:
        raise InputError("a header needs a name ('Name: value')")
    if not _TOKEN.fullmatch(name):
        raise InputError(f"not a header name: {printable(name)!r} (letters, digits and !#$%&'*+-.^_`|~)")
    if name.lower() in FRAMING_HEADERS:
        raise InputError(f"the {name} header is set by Skylift itself and cannot be given")
    if any(c in value for c in "\r\n\0"):
        raise InputError(f"the value of {name} contains a line break")
    if not value.isascii() or any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
        raise InputError(
            f"the value of {name} has characters outside printable ASCII, which HTTP headers cannot "
            "carry as they are (encode them, e.g. percent-encoding or RFC 8187)"
        )
    return name, value


def parse_header_line(text: str) -> tuple[str, str]:
    """``Name: value`` (as curl's ``-H``)."""
    name, sep, value = text.partition(":")
    if not sep:
        raise InputError(f"not a header: {printable(text)!r} (use 'Name: value')")
    return check_header(name, value)


def parse_form_line(text: str) -> tuple[str, str]:
    """``key=value`` (as curl's ``-F``)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise InputError(f"not a form field: {printable(text)!r} (use KEY=VALUE)")
    if any(c in key for c in "\r\n\0"):
        raise InputError("a form field name cannot contain a line break")
    return key.strip(), value


_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?\s*")


def parse_rate(text: str, *, what: str = "rate") -> int:
    """``500K``, ``2M``, ``1.5G`` or plain bytes (binary units, as curl's --limit-rate)."""
    match = _RATE.fullmatch(text)
    if not match:
        raise InputError(f"not a {what}: {printable(text)!r} (try 500K, 2M or 1G)")
    number, unit = float(match.group(1)), match.group(2).lower()
    value = int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit])
    if value <= 0:
        raise InputError(f"the {what} must be more than zero")
    if value >= 1 << 62:
        raise InputError(f"the {what} {printable(text)!r} is too large")
    return value


def parse_seconds(text: str, *, what: str = "timeout") -> float:
    """A positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"the {what} must be a number of seconds, not {printable(text)!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"the {what} must be more than 0 seconds, not {printable(text)!r}")
    return value


def check_method(text: str) -> str:
    method = text.strip().upper()
    if not _TOKEN.fullmatch(method):
        raise InputError(f"not an HTTP method: {printable(text)!r}")
    return method


def check_ca_file(path: Path) -> Path:
    """A readable PEM file with at least one certificate that loads."""
    shown = printable(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"CA file not found: {shown}") from None
    except IsADirectoryError:
        raise InputError(f"CA file is a folder: {shown}") from None
    except OSError as error:
        raise InputError(f"cannot read CA file {shown}: {error.strerror}") from None
    if not data.strip():
        raise InputError(f"CA file is empty: {shown}")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise InputError(f"CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----): {shown}")
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except (ssl.SSLError, ValueError) as error:
        raise InputError(f"CA file {shown} cannot be loaded: {error}") from None
    return path
