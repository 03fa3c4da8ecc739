"""What skylift-cli prints while it works: a progress bar on a terminal, one JSON line per file with
``--json``, failures on stderr otherwise. Every name and message from outside (file names, server
answers) is shown through ``printable``: it cannot split a line or reach the terminal as a control
sequence."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from ..delegate import SessionDelegate
from ..errors import UploadError
from ..session import UploadSession
from ..task import TaskSnapshot, TaskState
from ..text import json_text, printable
from ..transport import describe_bytes

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
        # tus answers with an empty body: the upload URL is the useful result.
        "upload_url": (task.resume_data or {}).get("upload_url"),
    }


class Reporter(SessionDelegate):
    """Progress bars on a terminal, one JSON line per file with --json, quiet otherwise."""

    def __init__(self, *, json_lines: bool, stream: IO[str] = sys.stdout, err: IO[str] = sys.stderr):
        self.json_lines = json_lines
        self.stream = stream
        self.err = err
        self.failed = 0
        self.completed = 0
        self.expected = 0
        self._sent: dict[int, int] = {}
        self._bar: Any = None
        self._store_problem: str | None = None
        if err.isatty() and not json_lines:
            from tqdm import tqdm

            self._bar = tqdm(
                total=0, unit="B", unit_scale=True, unit_divisor=1024, file=err, dynamic_ncols=True
            )

    def expect(self, tasks: Sequence[TaskSnapshot]) -> None:
        self.expected += len(tasks)
        if self._bar is not None:
            self._bar.total += sum(t.total_bytes for t in tasks)
            self._describe()

    def _describe(self) -> None:
        done = self.completed + self.failed
        self._bar.set_description(f"{done}/{self.expected} files", refresh=False)

    def warn(self, text: str) -> None:
        """A line on stderr that does not garble the progress bar."""
        self._line(f"warning: {printable(text)}")

    def store_problem(self, problem: str | None) -> None:
        """The state database could not be written (or can be again): never silent."""
        if problem is not None:
            self.warn(f"{problem}; uploads go on, but what they do may not be remembered")
        elif self._store_problem is not None:
            self._line("the upload queue is being saved again")
        self._store_problem = problem

    def _line(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=self.err)
        else:
            print(line, file=self.err, flush=True)

    def did_send_body_data(
        self, session: UploadSession, task: TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        if self._bar is not None:
            previous = self._sent.get(task.task_id, 0)
            self._sent[task.task_id] = total
            self._bar.update(total - previous)

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        # A retry from zero takes back the bytes the failed attempt had counted.
        if self._bar is not None and task.bytes_sent < self._sent.get(task.task_id, 0):
            self._bar.update(task.bytes_sent - self._sent[task.task_id])
            self._sent[task.task_id] = task.bytes_sent

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
            if self._bar is not None:
                size = describe_bytes(task.total_bytes)
                self._bar.write(f"uploaded {name} ({size}, HTTP {task.http_status})", file=self.err)
        else:
            self._line(f"failed {name}: {printable(task.error or task.state.value)}")
        if self._bar is not None:
            self._describe()
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
