"""What the matrix tests share: uploading the tree through the core API, the checks on the
server's side, and the matrix of what each server did, printed at the end of the run."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import core
from core import TaskSnapshot, TaskState
from core.walker import collect_files
from tests.matrix.tree import BIG_NAME, Tree
from tests.requirements import in_ci

__all__ = [
    "QUICK",
    "Row",
    "assert_completed",
    "cli_upload",
    "latin1_view",
    "options_available",
    "record",
    "require_module",
    "rows",
    "tree_files",
    "upload",
]

# A few quick retries: a server that refuses a file makes the task fail within seconds, with the
# server's answer as the reason, instead of retrying for a week (the default policy).
QUICK = core.RetryPolicy(delays=(0.2, 0.5, 1.0))


def require_module(name: str, *, why: str) -> None:
    """Like ``require_tool`` for a Python package: skip on a developer machine, fail in CI."""
    if importlib.util.find_spec(name) is not None:
        return
    message = f"the Python package {name} is not installed: {why} (pip install -e '.[test]')"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def options_available() -> bool:
    """Whether ``core.Destination`` takes the two multipart name options."""
    try:
        core.Destination(
            url="http://127.0.0.1/",
            protocol=core.WireProtocol.MULTIPART,
            path_field="relativePath",
            filename_star=True,
        )
    except (TypeError, ValueError):
        return False
    return True


def tree_files(tree: Tree, *, big: bool = True) -> list[tuple[Path, str]]:
    """(path, relative name) pairs as the CLI and the window collect them from the tree's folder."""
    collected = collect_files([tree.folder])
    assert not collected.problems, collected.problem_lines()
    files = [(path, name) for path, name in collected.files if big or name != BIG_NAME]
    assert {name for _, name in files} == set(tree.expected if big else tree.small)
    return files


async def upload(
    manager: core.SessionManager,
    files: list[tuple[Path, str]],
    destination: core.Destination | list[core.Destination],
    *,
    identifier: str,
    timeout: float = 120,
) -> list[TaskSnapshot]:
    """Queue ``files`` (to one destination, or each to its own) and wait until the session is
    quiet; the tasks' final snapshots, in the files' order."""
    session = manager.create_session(core.SessionConfiguration(identifier=identifier, retry_policy=QUICK))
    if isinstance(destination, list):
        queued = [
            session.upload_files([file], target)[0] for file, target in zip(files, destination, strict=True)
        ]
    else:
        queued = session.upload_files(files, destination)
    await asyncio.wait_for(session.wait_until_quiet(), timeout)
    return [session.task(task.task_id) for task in queued]


def assert_completed(tasks: list[TaskSnapshot]) -> None:
    failed = [
        f"{task.relative_name}: {task.state.value} {task.error}"
        for task in tasks
        if task.state is not TaskState.COMPLETED
    ]
    assert not failed, "\n".join(failed)


def latin1_view(name: str) -> str:
    """``name`` as a parser sees it that decodes the UTF-8 bytes of a header as latin1."""
    return name.encode("utf-8").decode("latin1")


# The checkout whose core these tests import: the CLI runs are the same code.
CORE_ROOT = Path(core.__file__).resolve().parents[1]


def cli_upload(url: str, tree: Tree, state: Path, *options: str, env: dict[str, str] | None = None) -> None:
    """``skylift-cli upload --protocol raw URL TREE --json`` in a subprocess (with ``env`` added to
    an environment without proxies): it exits 0 and says every file of the tree completed."""
    environment = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    environment.update(env or {})
    command = [sys.executable, "-m", "core.cli", "upload", "--protocol", "raw", url, str(tree.folder)]
    command += ["--json", "--state-dir", str(state), *options]
    result = subprocess.run(
        command, cwd=CORE_ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["name"] for line in lines) == sorted(tree.expected)
    assert {line["state"] for line in lines} == {"completed"}, lines


# -- the matrix, printed at the end of the run ---------------------------------------------------


@dataclass(frozen=True)
class Row:
    server: str
    protocol: str
    variant: str
    content: str
    names: str


_rows: dict[tuple[str, str, str], Row] = {}


def record(server: str, protocol: str, variant: str, *, content: str, names: str) -> None:
    _rows[(server, protocol, variant)] = Row(server, protocol, variant, content, names)


def rows() -> list[Row]:
    return list(_rows.values())
