"""The one unit policy for sizes and speeds, in the window, the CLI and its progress line: binary
units with their IEC names (1 KiB = 1024 bytes), the same units ``--limit-rate 2M`` and
``--chunk-size 50M`` are read in (as curl reads them)."""

from __future__ import annotations

__all__ = ["format_rate", "format_size"]

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def format_size(count: int, *, byte: str = "byte", bytes_: str = "bytes") -> str:
    """ "1 byte", "512 bytes", "950 KiB", "1.4 GiB": three significant digits at most. ``byte`` and
    ``bytes_`` are the words for small counts (the window passes translated ones)."""
    if count < 1024:
        return f"{count} {byte if count == 1 else bytes_}"
    size = float(count)
    for unit in _UNITS:
        size /= 1024
        if size < 1023.5 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if size >= 100 else f"{size:.1f} {unit}".replace(".0 ", " ")
    raise AssertionError("unreachable")


def format_rate(bytes_per_second: float, *, byte: str = "byte", bytes_: str = "bytes") -> str:
    """ "48.2 MiB/s"; "" when nothing moves."""
    if bytes_per_second <= 0:
        return ""
    return format_size(int(bytes_per_second), byte=byte, bytes_=bytes_) + "/s"
