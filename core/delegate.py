"""The session delegate: how a session reports what happens. Every method runs on the event loop.

Subclass ``SessionDelegate`` and override what you need; the defaults do nothing. Methods must not
block: the GUI's bridge turns them into Qt signals, the CLI into progress bars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import UploadError
    from .session import SessionState, UploadSession
    from .task import TaskSnapshot

__all__ = ["SessionDelegate"]


class SessionDelegate:
    def did_send_body_data(
        self,
        session: UploadSession,
        task: TaskSnapshot,
        bytes_sent: int,
        total_bytes_sent: int,
        total_bytes_expected: int,
    ) -> None:
        """File bytes were handed to the connection: ``bytes_sent`` this time, totals for the task."""

    def did_receive_data(self, session: UploadSession, task: TaskSnapshot, data: bytes) -> None:
        """The server's response body (once per successful or failed response)."""

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        """A task was added or its state changed (queued, paused, retrying, ...). Not called for progress."""

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        """A task reached a final state: completed (``error is None``), failed or cancelled."""

    def did_remove_tasks(self, session: UploadSession, task_ids: list[int]) -> None:
        """Tasks were removed from the session (``remove``): they have no completion event."""

    def session_did_change_state(self, session: UploadSession, state: SessionState) -> None:
        """The session was held, runs again, is closing or closed."""

    def did_finish_events(self, session: UploadSession) -> None:
        """Every task has reached a final state after work was done in this session."""

    def did_become_invalid(self, session: UploadSession, error: Exception | None) -> None:
        """The session was invalidated; it has released its connections and its identifier."""
