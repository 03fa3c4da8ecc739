from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.processes import Child


@pytest.fixture
def children() -> Iterator[list[Child]]:
    """Processes a test starts; any still running at the end are killed."""
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.poll() is None:
            child.kill()
        child.close_stdin()
