"""When to try a failed attempt again, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

from .errors import ServerStatusError, UploadError

__all__ = ["RetryPolicy", "describe_duration", "parse_retry_after"]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Delays between attempts, in seconds: ``delays`` first, then (with ``keep_trying``) ever
    longer waits, doubling up to ``max_delay`` with some jitter, for as long as the task's resource
    timeout allows, as URLSession keeps a background task alive through an outage. Without
    ``keep_trying``, ``len(delays)`` retries are made and the task fails.

    The attempt counter starts over whenever an attempt made progress (tus-js-client's rule), so a
    long upload over a flaky link is not abandoned after four drops spread over hours.
    """

    delays: tuple[float, ...] = (0.0, 1.0, 3.0, 5.0)
    keep_trying: bool = False
    max_delay: float = 60.0
    # A fraction of each long wait, added or taken at random, so that many clients that lost the
    # same server do not all come back in the same second.
    jitter: float = 0.2
    # A server asking for a longer pause than this is treated as a failure, not obeyed for days.
    max_retry_after: float = 300.0

    @classmethod
    def patient(cls) -> RetryPolicy:
        """What sessions use unless told otherwise: quick retries, then until the resource timeout."""
        return cls(keep_trying=True)

    @property
    def max_attempts(self) -> int | None:
        return None if self.keep_trying else len(self.delays) + 1

    def delay_before_retry(self, error: UploadError, failed_attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` if the task should fail now."""
        if not error.retryable:
            return None
        if failed_attempts <= len(self.delays):
            delay = self.delays[failed_attempts - 1]
        elif self.keep_trying:
            beyond = failed_attempts - len(self.delays)
            base = max(self.delays[-1] if self.delays else 1.0, 1.0)
            delay = min(self.max_delay, base * 2.0**beyond)
            delay *= 1 + random.uniform(-self.jitter, self.jitter)
        else:
            return None
        if isinstance(error, ServerStatusError) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            delay = max(delay, error.retry_after)
        return delay

    def refused_wait(self, error: UploadError) -> UploadError | None:
        """The error to fail with when the server asked for a longer wait than this policy takes."""
        if not isinstance(error, ServerStatusError) or error.retry_after is None:
            return None
        if error.retry_after <= self.max_retry_after:
            return None
        wait = describe_duration(error.retry_after)
        return UploadError(
            f"{error}; the server asked to wait {wait}; not retried",
            cause=error,
            request=error.request,
            response=error.response,
        )


def describe_duration(seconds: float) -> str:
    """A wait in the largest unit that fits: "40 s", "5 minutes", "3 days", "31 years"."""
    for unit, size in (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:.3g} s"


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
