"""The CLI's progress line on a terminal: the batch's files, bytes, speed and time left, in the units
of ``core.units``, redrawn at most four times a second; other lines are printed above it."""

from __future__ import annotations

import math
import shutil
import time
from collections import deque
from typing import IO

from ..batch import BatchStatus
from ..units import format_rate, format_size

__all__ = ["ProgressLine"]

_REDRAW_INTERVAL = 0.25
# Speed over the last few seconds: steady enough to read, quick enough to follow a change.
_SPEED_WINDOW = 5.0


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return ""
    total = math.ceil(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class ProgressLine:
    """Draws the batch (``core.batch``): files settled of files, bytes, speed, time left."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._status: BatchStatus | None = None
        self._samples: deque[tuple[float, int]] = deque()
        self._drawn_at = 0.0
        self._shown = False

    def show(self, status: BatchStatus | None) -> None:
        if status is None:
            return  # the batch ended: its last state stays on the line
        self._status = status
        now = time.monotonic()
        self._samples.append((now, status.done_bytes))
        while self._samples and now - self._samples[0][0] > _SPEED_WINDOW:
            self._samples.popleft()
        if now - self._drawn_at >= _REDRAW_INTERVAL:
            self.draw()

    def speed(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        return max(0.0, (last - first) / (end - start)) if end > start else 0.0

    def text(self) -> str:
        status = self._status
        if status is None:
            return ""
        settled = status.completed + status.failed + status.cancelled
        parts = [
            f"{settled}/{status.files} files",
            f"{format_size(status.done_bytes)} of {format_size(status.total_bytes)}",
        ]
        speed = self.speed()
        if speed > 0:
            parts.append(format_rate(speed))
            eta = format_eta((status.total_bytes - status.done_bytes) / speed)
            if eta:
                parts.append(f"{eta} left")
        return "  ".join(parts)

    def draw(self) -> None:
        self._drawn_at = time.monotonic()
        if self._status is None:
            return
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r" + self.text()[: max(10, width - 1)] + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def write_above(self, line: str) -> None:
        """Print ``line`` without leaving a half-drawn progress line in the middle of it."""
        if self._shown:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self.draw()

    def close(self) -> None:
        if self._shown:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
