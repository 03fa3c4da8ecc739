"""When to try a failed attempt again, and how long to wait first."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

from .errors import HTTPStatusError, UploadError

__all__ = ["RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Delays between attempts, in seconds; ``len(delays)`` retries are made after the first attempt.

    The attempt counter starts over whenever an attempt made progress (tus-js-client's rule), so a
    long upload over a flaky link is not abandoned after four drops spread over hours.
    """

    delays: tuple[float, ...] = (0.0, 1.0, 3.0, 5.0)
    # A server asking for a longer pause than this is treated as a failure, not obeyed for days.
    max_retry_after: float = 300.0

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay_before_retry(self, error: UploadError, failed_attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` if the task should fail now."""
        if not error.retryable or failed_attempts > len(self.delays):
            return None
        delay = self.delays[failed_attempts - 1]
        if isinstance(error, HTTPStatusError) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            delay = max(delay, error.retry_after)
        return delay


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
