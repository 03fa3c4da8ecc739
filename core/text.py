"""Text that came from outside (file names, server answers) made safe to show and to store.

File names on POSIX are bytes; Python hands the ones that are not valid UTF-8 to us as ``str`` with
lone surrogates (``surrogateescape``). Such a string cannot be printed to a UTF-8 terminal, stored
as SQLite TEXT or drawn by Qt, and a name may also hold control characters (CR, LF, ESC) that split
lines or drive the terminal. Everything that shows or records outside text goes through here.
"""

from __future__ import annotations

import json
import re

__all__ = ["json_text", "printable", "storable", "wire_text"]

# C0 and C1 controls, DEL, the Unicode line/paragraph separators and the bidirectional overrides
# and isolates (they reorder what a terminal shows), and lone surrogates (undecodable bytes).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        # surrogateescape: the undecodable byte itself.
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` on one line, with control characters and undecodable bytes as ``\\xNN`` escapes."""
    if text.isprintable() and text.isascii():
        return text
    return _UNSAFE.sub(_escape, text)


def storable(text: str) -> str:
    """``text`` as valid Unicode (undecodable bytes become U+FFFD), for SQLite TEXT and JSON."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def wire_text(text: str) -> str:
    """A name as sent in a header or metadata that must be UTF-8 (multipart ``filename``, tus
    ``Upload-Metadata``): undecodable bytes become U+FFFD, which every server can read."""
    return storable(text)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: object) -> str:
    """One line of JSON that any terminal or pipe can take: UTF-8 as it is, and an undecodable
    byte of a file name as a ``\\udcNN`` escape (``json.loads`` gives the very same ``str`` back,
    and ``os.fsencode`` of it the original bytes)."""
    text = json.dumps(value, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
