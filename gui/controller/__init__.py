"""The window's commands on the core's sessions: ``controller`` (the commands and the model),
``sessions`` (opening and re-opening sessions in the manager, the secrets read for each),
``credentials_flow`` (asking for secrets that were never stored), ``targets`` (whether a task
still goes where its destination points)."""

from __future__ import annotations

from .controller import UploadController
from .targets import same_target

__all__ = ["UploadController", "same_target"]
