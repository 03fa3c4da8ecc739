"""Tools that some tests need: skip without them on a developer machine, fail without them in CI."""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["in_ci", "require_tool"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_tool(name: str, *, why: str = "") -> str:
    """The tool's path; a skip (or, in CI, a failure) when it is not installed."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed{': ' + why if why else ''} (.ci/run installs it)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
