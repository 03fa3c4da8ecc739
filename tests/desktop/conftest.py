from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.desktop.session import DesktopSession, desktop_session


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    """A private X display, session bus, tray host and notification daemon (skips without the tools,
    fails without them in CI)."""
    with desktop_session(tmp_path / "desktop") as session:
        yield session


@pytest.fixture
def desktop_without_tray(tmp_path: Path) -> Iterator[DesktopSession]:
    """The same desktop with no tray host (GNOME without the AppIndicator extension)."""
    with desktop_session(tmp_path / "desktop", tray_host=False) as session:
        yield session
