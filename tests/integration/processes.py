"""Child processes for the integration tests: started with the project on the path, read line by
line without blocking the test forever, and always ended (by their own pid) when the test ends."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["ROOT", "Child", "child_env"]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("XDG_ACTIVATION_TOKEN", None)
    env.pop("DESKTOP_STARTUP_ID", None)
    env.update(extra)
    return env


class Child:
    """A subprocess whose stdout lines arrive on a queue (read by a thread)."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.argv = list(argv)
        self.process = subprocess.Popen(
            self.argv,
            cwd=cwd or ROOT,
            env=env or child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    @classmethod
    def python(cls, *args: str, **kwargs: object) -> Child:
        return cls([sys.executable, *args], **kwargs)  # type: ignore[arg-type]

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.process.stdout.close()
        self.lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line)
        self.process.stderr.close()

    def next_line(self, timeout: float = 30) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no output from {self.argv} in {timeout} s; stderr: {self.stderr}") from None
        if line is None:
            self.process.wait(5)
            raise EOFError(f"{self.argv} exited {self.process.returncode}; stderr: {self.stderr}")
        return line

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def close_stdin(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (a crash, as far as the files know)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.close_stdin()

    def end(self, timeout: float = 15) -> int:
        self.close_stdin()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
