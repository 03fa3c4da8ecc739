"""Running skylift-cli as a user does, in a child process: what the CLI tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["ROOT", "cli_command", "cli_env", "run_cli"]

ROOT = Path(__file__).resolve().parents[1]


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **(extra or {})}


def cli_command(*args: str, python: Sequence[str] = ("-m", "core.cli")) -> list[str]:
    """``python -m core.cli ARGS`` (or ``python -c SCRIPT ARGS`` with ``python=("-c", script)``)."""
    return [sys.executable, *python, *args]


def run_cli(
    *args: str,
    timeout: float = 60,
    prefix: Sequence[str] = (),
    python: Sequence[str] = ("-m", "core.cli"),
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to its end; ``prefix`` runs it under another command (``setpriv`` ...)."""
    return subprocess.run(
        [*prefix, *cli_command(*args, python=python)],
        cwd=cwd,
        env=cli_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
