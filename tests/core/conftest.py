from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

import core


@pytest_asyncio.fixture
async def manager(state_dir: Path) -> AsyncIterator[core.SessionManager]:
    """A session manager on a fresh state folder, closed (sessions stopped, store closed) afterwards."""
    sessions = core.SessionManager(state_dir)
    try:
        yield sessions
    finally:
        await sessions.close()
