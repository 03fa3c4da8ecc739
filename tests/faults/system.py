"""Hostile local conditions for the fault tests: a full disk (a small tmpfs), a read-only folder (a
tmpfs remounted read-only) and running a command as ``nobody``.

The tests run as root in CI, and root ignores permission bits: ``chmod 0o444`` does not stop root
from writing, a read-only mount does. Mounting needs privileges; where it is refused, the fixtures
skip on a developer machine and fail in CI (``tests.requirements.in_ci()``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.requirements import in_ci, require_tool

__all__ = ["NOBODY", "as_nobody", "mount_tmpfs", "remount_read_only", "unmount"]

# uid and gid of nobody/nogroup on Debian.
NOBODY = 65534


def _refused(message: str) -> None:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def mount_tmpfs(path: Path, size: int | str) -> Path:
    """Mount a tmpfs of ``size`` (bytes, or mount's own notation: "1m") at ``path`` (created).

    tmpfs counts whole pages: ``size`` is rounded up to 4 KiB, and that is exactly what it holds."""
    mount = require_tool("mount", why="the disk-full tests mount a small tmpfs")
    path.mkdir(parents=True, exist_ok=True)
    result = _run([mount, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)])
    if result.returncode != 0:
        _refused(f"cannot mount a tmpfs at {path} (needs root or CAP_SYS_ADMIN): {result.stderr.strip()}")
    return path


def remount_read_only(path: Path) -> None:
    result = _run([require_tool("mount"), "-o", "remount,ro", str(path)])
    if result.returncode != 0:
        _refused(f"cannot remount {path} read-only: {result.stderr.strip()}")


def unmount(path: Path) -> None:
    """Unmount; a lazy unmount when something still holds a file open there (a killed child)."""
    umount = require_tool("umount")
    if _run([umount, str(path)]).returncode != 0:
        _run([umount, "-l", str(path)])


def as_nobody(command: Sequence[str]) -> list[str]:
    """``command`` run as nobody when we are root (``setpriv``), unchanged otherwise.

    nobody cannot enter pytest's ``tmp_path`` (``/tmp/pytest-of-root`` is 0700): give such a command
    a folder outside it (the ``nobody_tmp_path`` fixture)."""
    if os.geteuid() != 0:
        return list(command)
    setpriv = require_tool("setpriv", why="runs a command as nobody, for permission tests as root")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
