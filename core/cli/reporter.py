"""What skylift-cli prints while it works: a progress line on a terminal, one JSON line per file with
``--json``, failures on stderr otherwise. Every name and message from outside (file names, server
answers) is shown through ``printable``: it cannot split a line or reach the terminal as a control
sequence."""

from __future__ import annotations

import sys
from typing import IO, Any

from ..batch import BatchTracker
from ..delegate import SessionDelegate
from ..errors import UploadError
from ..redaction import redact_url
from ..session import UploadSession
from ..task import TaskSnapshot, TaskState
from ..text import json_text, printable
from ..units import format_size
from .progress import ProgressLine

__all__ = ["Reporter", "task_record"]


def task_record(task: TaskSnapshot) -> dict[str, Any]:
    return {
        "path": str(task.path),
        "name": task.relative_name,
        "state": task.state.value,
        "status": task.http_status,
        "bytes_sent": task.bytes_sent,
        "bytes_confirmed": task.bytes_confirmed,
        "response": task.response_text,
        "error": task.error,
        # tus answers with an empty body: the upload URL is the useful result (never its credentials).
        "upload_url": _shown_url((task.resume_data or {}).get("upload_url")),
    }


def _shown_url(url: object) -> str | None:
    return redact_url(url) if isinstance(url, str) else None


class Reporter(SessionDelegate):
    """Progress bars on a terminal, one JSON line per file with --json, quiet otherwise."""

    def __init__(
        self,
        *,
        json_lines: bool,
        batch: BatchTracker | None = None,
        stream: IO[str] = sys.stdout,
        err: IO[str] = sys.stderr,
    ) -> None:
        self.json_lines = json_lines
        self.stream = stream
        self.err = err
        self.failed = 0
        self.completed = 0
        self._progress = ProgressLine(err) if err.isatty() and not json_lines else None
        if self._progress is not None and batch is not None:
            # The line shows the batch, across every session the command runs.
            batch.on_change(self._progress.show)
            batch.on_finished(self._progress.show)
        self._store_problem: str | None = None

    def warn(self, text: str) -> None:
        """A line on stderr that does not garble the progress line."""
        self._line(f"warning: {printable(text)}")

    def store_problem(self, problem: str | None) -> None:
        """The state database could not be written (or can be again): never silent."""
        if problem is not None:
            self.warn(f"{problem}; uploads go on, but what they do may not be remembered")
        elif self._store_problem is not None:
            self._line("the upload queue is being saved again")
        self._store_problem = problem

    def _line(self, line: str) -> None:
        if self._progress is not None:
            self._progress.write_above(line)
        else:
            print(line, file=self.err, flush=True)

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        if error is None:
            self.completed += 1
        else:
            self.failed += 1
        self.report(task)

    def report(self, task: TaskSnapshot) -> None:
        if self.json_lines:
            print(json_text(task_record(task)), file=self.stream, flush=True)
            return
        name = printable(task.relative_name)
        if task.state is TaskState.COMPLETED:
            if self._progress is not None:
                size = format_size(task.total_bytes)
                self._progress.write_above(f"uploaded {name} ({size}, HTTP {task.http_status})")
        else:
            self._line(f"failed {name}: {printable(task.error or task.state.value)}")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.close()
