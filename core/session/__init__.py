"""Upload sessions: ``UploadSession`` (the public side), its lifecycle ``SessionState``, and what its
tasks can wait for (``MissingSecrets``). The parts: ``core`` (shared state, events, durable final
states), ``attempts`` (running one task), ``session`` (scheduling and commands)."""

from __future__ import annotations

from .session import UploadSession
from .state import MissingSecrets, SessionState

__all__ = ["MissingSecrets", "SessionState", "UploadSession"]
