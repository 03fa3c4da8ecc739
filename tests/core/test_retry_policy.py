"""The retry rule as a pure unit: which errors are retried, how long to wait, when to give up.
(Retries against a real server are in test_failures.py.)"""

from __future__ import annotations

import email.utils

import httpx
import pytest

from core import (
    CertificateError,
    FileChanged,
    RequestTimeout,
    RetriesExhausted,
    RetryPolicy,
    ServerStatusError,
    TransferError,
    UploadCancelled,
)
from core.retry import parse_retry_after
from core.transport import map_transport_error


def status(code: int, retry_after: float | None = None) -> ServerStatusError:
    error = ServerStatusError(code, "Reason", "")
    error.retry_after = retry_after
    return error


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        (408, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (409, False),
        (413, False),
    ],
)
def test_which_statuses_are_retried(code: int, retryable: bool) -> None:
    assert status(code).retryable is retryable
    assert (RetryPolicy().delay_before_retry(status(code), 1) is not None) is retryable


def test_delays_in_order_then_give_up() -> None:
    policy = RetryPolicy(delays=(0.0, 1.0, 3.0))
    error = TransferError("connection reset")
    assert [policy.delay_before_retry(error, n) for n in (1, 2, 3, 4)] == [0.0, 1.0, 3.0, None]
    assert policy.max_attempts == 4
    assert RetryPolicy(delays=()).delay_before_retry(error, 1) is None


def test_default_delays_follow_tus_js_client() -> None:
    assert RetryPolicy().delays == (0.0, 1.0, 3.0, 5.0)


def test_retry_after_lengthens_but_never_shortens_the_delay() -> None:
    policy = RetryPolicy(delays=(2.0, 2.0))
    assert policy.delay_before_retry(status(503, retry_after=7), 1) == 7
    assert policy.delay_before_retry(status(503, retry_after=0.5), 1) == 2.0
    # A server asking for a pause longer than the policy allows is a failure, not obeyed for days.
    assert policy.delay_before_retry(status(503, retry_after=301), 1) is None


@pytest.mark.parametrize(
    "error",
    [CertificateError("certificate not trusted: x"), FileChanged("size 1 -> 2 bytes"), UploadCancelled()],
)
def test_errors_that_are_never_retried(error: Exception) -> None:
    assert RetryPolicy().delay_before_retry(error, 1) is None  # type: ignore[arg-type]


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 3 ") == 3
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0


def test_exhausted_message_names_the_attempts() -> None:
    error = RetriesExhausted(TransferError("connection reset after 3 MiB"), 5)
    assert str(error) == "connection reset after 3 MiB; gave up after 5 attempts"


def test_transport_errors_become_one_line() -> None:
    request = httpx.Request("PUT", "http://example.invalid/")
    cases = [
        (httpx.ConnectTimeout("x", request=request), RequestTimeout, "could not connect within 2 s"),
        (
            httpx.WriteTimeout("x", request=request),
            RequestTimeout,
            "server accepted no data for 2 s after 1.5 MiB",
        ),
        (
            httpx.ReadTimeout("x", request=request),
            RequestTimeout,
            "no response from server for 2 s after 1.5 MiB",
        ),
        (
            httpx.RemoteProtocolError("x", request=request),
            TransferError,
            "server closed the connection after 1.5 MiB",
        ),
        (httpx.WriteError("x", request=request), TransferError, "connection reset after 1.5 MiB"),
    ]
    for raised, kind, text in cases:
        mapped = map_transport_error(raised, bytes_sent=3 << 19, timeout=2)
        assert type(mapped) is kind
        assert str(mapped) == text
        assert mapped.retryable
