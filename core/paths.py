"""Where Skylift keeps its state."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "default_state_dir"]

from .identity import APP_NAME


def default_state_dir() -> Path:
    """``$SKYLIFT_STATE_DIR`` if set, else the platform's user data folder."""
    override = os.environ.get("SKYLIFT_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)
