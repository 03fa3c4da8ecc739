"""What the fault-matrix tests share: a harness that uploads one file to the fault server in each
protocol, the rules every case is judged by (``check``), and the matrix of what was seen, printed
at the end of the run (``python -m pytest tests/faults -p no:randomly`` shows it).

The rules: the server holds the file's exact bytes (sha256) and the task is completed, or the task
failed with a one-line reason and the server holds no copy with other bytes; either way the task is
on disk in that final state. A second copy is allowed only where the protocol cannot know better: a
multipart POST (or a raw PUT, which then replaces the same URL with the same bytes) whose answer
never reached the client. tus asks the server and never stores a file twice.
"""

from __future__ import annotations

import enum
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import core
from core import TaskSnapshot, TaskState
from core.store import TaskStore
from tests.conftest import sha256_of
from tests.faults.fault_server import FaultServer
from tests.faults.records import Stored, StoredKind
from tests.interop.helpers import Recorder

__all__ = ["PROTOCOLS", "QUICK", "Harness", "Outcome", "check", "copies", "observed"]

PROTOCOLS = [core.WireProtocol.MULTIPART, core.WireProtocol.RAW, core.WireProtocol.TUS]
QUICK = core.RetryPolicy(delays=(0.05,) * 5)


class Outcome(enum.Enum):
    # Completed, and the server holds exactly one copy.
    ONCE = "completed, stored once"
    # Completed; a second, byte-equal copy is allowed (the protocol cannot know).
    AT_MOST_TWICE = "completed, a second copy allowed"
    FAILED = "failed with a one-line reason"


# case -> protocol -> what was seen ("completed, 1 copy", "failed: ..."), for the summary.
observed: defaultdict[str, dict[str, str]] = defaultdict(dict)


@dataclass
class Harness:
    server: FaultServer
    state_dir: Path
    manager: core.SessionManager

    def destination(self, protocol: core.WireProtocol, **options: object) -> core.Destination:
        url = {
            core.WireProtocol.MULTIPART: f"{self.server.url}/up",
            core.WireProtocol.RAW: f"{self.server.url}/raw/",
            core.WireProtocol.TUS: self.server.tus_url,
        }[protocol]
        return core.Destination(url=url, protocol=protocol, **options)  # type: ignore[arg-type]

    async def upload(
        self,
        protocol: core.WireProtocol,
        source: Path,
        destination: dict[str, object] | None = None,
        **configuration: object,
    ) -> tuple[TaskSnapshot, Recorder]:
        recorder = Recorder()
        options: dict[str, object] = {"retry_policy": QUICK, "request_timeout": 5.0, **configuration}
        session = self.manager.create_session(
            core.SessionConfiguration(identifier=f"case-{time.monotonic_ns()}", **options),  # type: ignore[arg-type]
            recorder,
        )
        task = session.upload_file(source, self.destination(protocol, **(destination or {})))
        await session.wait_until_quiet()
        return session.task(task.task_id), recorder


def copies(server: FaultServer, protocol: core.WireProtocol, source: Path) -> list[Stored]:
    """The server's complete copies of ``source`` (by name) in ``protocol``."""
    kind = {
        core.WireProtocol.MULTIPART: StoredKind.MULTIPART,
        core.WireProtocol.RAW: StoredKind.RAW,
        core.WireProtocol.TUS: StoredKind.TUS,
    }[protocol]
    found = []
    for stored in server.stored:
        if stored.kind is not kind:
            continue
        name = stored.path.rsplit("/", 1)[-1] if kind is StoredKind.RAW else stored.filename
        if name == source.name:
            found.append(stored)
    return found


def check(
    harness: Harness,
    protocol: core.WireProtocol,
    task: TaskSnapshot,
    source: Path,
    expected: Outcome,
    *,
    case: str | None = None,
) -> None:
    """The matrix's rules, for one case (recorded under ``case`` for the summary)."""
    stored = copies(harness.server, protocol, source)
    if case is not None:
        seen = (
            f"completed, {len(stored)} cop{'y' if len(stored) == 1 else 'ies'}"
            if task.state is TaskState.COMPLETED
            else f"{task.state.value}: {task.error}"
        )
        observed[case][protocol.value] = seen
    digest = sha256_of(source)
    # Never a copy with other bytes: nothing mixed, nothing partial.
    assert all(copy.sha256 == digest for copy in stored), [c.size for c in stored]
    if expected is Outcome.FAILED:
        assert task.state is TaskState.FAILED, f"expected a failure, got {task.state} ({task.error})"
        assert task.error and "\n" not in task.error and len(task.error) < 400, task.error
    else:
        assert task.state is TaskState.COMPLETED, task.error
        assert stored, "completed, but the server has no copy"
        if expected is Outcome.ONCE:
            assert len(stored) == 1, f"{len(stored)} copies"
        else:
            assert len(stored) <= 2, f"{len(stored)} copies"
            # A second copy only when the first one's answer never reached the client in time.
            assert protocol is not core.WireProtocol.TUS
    # The task is on disk in the same final state: no task lost, nothing silently "done".
    harness.manager.store.flush()
    on_disk = {
        t.task_id: t
        for t in TaskStore(harness.state_dir, read_only=True).all_tasks()
        if t.session_id == task.session_id
    }
    assert on_disk[task.task_id].state is task.state


def summary_lines() -> list[str]:
    if not observed:
        return []
    names = [p.value for p in PROTOCOLS]
    width = max(len(case) for case in observed)
    lines = ["fault matrix (case x protocol -> what happened):"]
    for case, results in observed.items():
        cells = "  |  ".join(f"{name}: {results.get(name, '-')[:60]}" for name in names)
        lines.append(f"  {case:<{width}}  {cells}")
    return lines
