"""Running one task: attempts with retries until done, failed or past the resource timeout; the
attempt's context for the protocol; what the answer means."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ..errors import (
    FileUnreadable,
    ResourceTimeout,
    RetriesExhausted,
    ServerStatusError,
    StateStoreError,
    UploadError,
)
from ..protocols import AttemptContext, UploadProtocol
from ..redaction import scrub, secret_values
from ..registry import spec_for
from ..retry import describe_duration, parse_retry_after
from ..streams import FileFingerprint
from ..task import TaskState
from ..transport import map_http_error
from .answers import reason_phrase, server_message
from .core import SessionCore, log
from .state import TaskRecord

__all__ = ["TaskAttempts"]

# Progress is persisted at most this often per task; states are persisted at once.
_PROGRESS_SAVE_INTERVAL = 1.0


class TaskAttempts(SessionCore):
    async def _run(self, record: TaskRecord) -> None:
        protocol = spec_for(record.snapshot.destination.protocol).create()
        started = record.snapshot.started_at or time.time()
        remaining = started + self.configuration.resource_timeout - time.time()
        try:
            async with asyncio.timeout(max(0.0, remaining)):
                await self._attempts(record, protocol)
        except TimeoutError:
            limit = describe_duration(self.configuration.resource_timeout)
            last = f"; last: {record.last_error}" if record.last_error is not None else ""
            self._finish(
                record,
                TaskState.FAILED,
                ResourceTimeout(f"not finished within the resource timeout ({limit}){last}"),
            )

    async def _attempts(self, record: TaskRecord, protocol: UploadProtocol) -> None:
        policy = self.configuration.retry_policy
        while True:
            error = await self._attempt(record, protocol)
            if error is None:
                return
            # Progress is how far into the file this attempt got (from the server's offset, if resumable).
            reached = record.snapshot.bytes_sent
            progressed = reached > record.best_progress
            record.best_progress = max(record.best_progress, reached)
            record.failed_attempts = 1 if progressed else record.failed_attempts + 1
            delay = policy.delay_before_retry(error, record.failed_attempts)
            if delay is None:
                refused = policy.refused_wait(error)
                if refused is not None:
                    error = refused
                elif error.retryable and record.snapshot.attempts > 1:
                    error = RetriesExhausted(error, record.snapshot.attempts)
                self._finish(record, TaskState.FAILED, error)
                return
            reason = scrub(str(error), record.secrets)
            self._update(
                record,
                state=TaskState.RETRY_WAIT,
                retry_at=time.time() + delay,
                error=reason,
                **self._restart_fields(record),
            )
            record.last_error = error
            if delay >= 1:
                log.info(
                    "task %s/%s: %s; next try in %.0f s",
                    self.identifier,
                    record.snapshot.task_id,
                    reason,
                    delay,
                )
            record.wake.clear()
            with contextlib.suppress(TimeoutError):
                # retry_now() cuts the wait short.
                await asyncio.wait_for(record.wake.wait(), delay)

    async def _attempt(self, record: TaskRecord, protocol: UploadProtocol) -> UploadError | None:
        """One attempt; returns the error to judge for a retry, or None when the task is done."""
        record.attempt_sent = 0
        resumable = spec_for(record.snapshot.destination.protocol).resumable
        try:
            fingerprint = FileFingerprint.of(record.snapshot.path)
        except FileUnreadable as error:
            self._finish(record, TaskState.FAILED, error)
            return None
        self._update(
            record,
            state=TaskState.UPLOADING,
            attempts=record.snapshot.attempts + 1,
            total_bytes=fingerprint.size,
            # A resumable protocol moves this to the server's offset (HEAD) before it sends; until
            # then the row keeps what it showed, instead of jumping back to an older offset.
            bytes_sent=record.snapshot.bytes_sent if resumable else 0,
            restarts_from_zero=False,
            retry_at=None,
        )
        headers = {**self.configuration.default_headers, **record.snapshot.destination.headers}
        # What a server might echo back, or an error might carry: scrubbed from all we keep.
        record.secrets = secret_values(headers, record.snapshot.destination.url)
        context = AttemptContext(
            client=self._client,
            task=record.snapshot,
            fingerprint=fingerprint,
            headers=headers,
            timeout=self._timeout,
            limiter=self._limiter,
            on_sent=lambda count: self._on_sent(record, count),
            set_confirmed_offset=lambda offset: self._update(
                record, bytes_sent=offset, bytes_confirmed=offset
            ),
            save_resume_data=lambda data: self._save_resume_data(record, data),
            report=lambda text: self._update(record, error=text),
        )
        try:
            response = await protocol.send(context)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            mapped = map_http_error(
                error, bytes_sent=record.attempt_sent, timeout=self.configuration.request_timeout
            )
            return self._judge(record, mapped)
        except UploadError as error:
            return self._judge(record, error)
        text = scrub(response.text, record.secrets)
        if response.body_problem:
            log.info("task %s/%s: %s", self.identifier, record.snapshot.task_id, response.body_problem)
        if response.body:
            self._emit("did_receive_data", record.snapshot, response.body)
        if response.ok:
            self._finish(
                record,
                TaskState.COMPLETED,
                None,
                http_status=response.status,
                response_text=text,
                bytes_confirmed=record.snapshot.total_bytes,
            )
            return None
        request_summary, response_summary = response.summaries()
        failure = ServerStatusError(
            response.status,
            reason_phrase(response.status, response.reason),
            server_message(text),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            request=request_summary,
            response=response_summary,
        )
        record.snapshot = record.snapshot.evolve(http_status=response.status, response_text=text)
        return self._judge(record, failure)

    def _judge(self, record: TaskRecord, error: UploadError) -> UploadError | None:
        """A retryable error goes back to the retry loop; any other ends the task now."""
        if error.retryable:
            return error
        self._finish(record, TaskState.FAILED, error)
        return None

    async def _save_resume_data(self, record: TaskRecord, data: Mapping[str, Any] | None) -> None:
        self._update(record, resume_data=data)
        # On disk before the protocol sends what depends on it: a crash right after must not lose
        # the upload URL. If the disk refuses, the upload goes on (the store says what is wrong).
        with contextlib.suppress(StateStoreError):
            await asyncio.wrap_future(self._store.save_durable_future(record.snapshot))

    def _on_sent(self, record: TaskRecord, count: int) -> None:
        record.attempt_sent += count
        snapshot = record.snapshot
        sent = snapshot.bytes_sent + count
        if sent >= snapshot.total_bytes:
            self._update(record, bytes_sent=sent, state=TaskState.PROCESSING)
        else:
            record.snapshot = snapshot.evolve(bytes_sent=sent)
            now = time.monotonic()
            if now - record.saved_at >= _PROGRESS_SAVE_INTERVAL:
                record.saved_at = now
                self._store.save(record.snapshot)
        self._emit("did_send_body_data", record.snapshot, count, sent, snapshot.total_bytes)
