"""Which per-row commands a selection of the queue allows: a pure function of the selected tasks.

The window enables its row actions (toolbar, Upload menu, context menu, keys) from
``row_actions(...)`` and nothing else, so the rules live in one place and are tested without a window.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence

from core import TaskSnapshot, TaskState

from .roles import TaskKey, key_of

__all__ = ["RowAction", "row_actions", "toggle_pauses"]


class RowAction(enum.Enum):
    """One per-row command of the window (its QAction's object name in the comment)."""

    PAUSE = enum.auto()  # pause
    RESUME = enum.auto()  # resume
    TOGGLE = enum.auto()  # toggle: Space, pause or resume (toggle_pauses says which)
    CANCEL = enum.auto()  # cancel
    RETRY = enum.auto()  # retry
    RETRY_CURRENT = enum.auto()  # retry_current: with the destination as it is now
    ENTER_CREDENTIALS = enum.auto()  # enter_credentials
    REMOVE = enum.auto()  # remove: from the list
    DETAILS = enum.auto()  # details
    OPEN_FOLDER = enum.auto()  # open_folder
    COPY_URL = enum.auto()  # copy_url: the returned URL, else the whole response
    COPY_RESPONSE = enum.auto()  # copy_response


# Allowed by any selection that is not empty.
_ANY_ROW = frozenset({RowAction.TOGGLE, RowAction.REMOVE, RowAction.DETAILS, RowAction.OPEN_FOLDER})


def row_actions(
    tasks: Sequence[TaskSnapshot],
    *,
    waiting: Callable[[TaskKey], bool],
    held: Callable[[str], bool],
) -> frozenset[RowAction]:
    """The commands that would do something to ``tasks`` (the selection).

    ``waiting(key)``: the task waits for credentials that were never stored
    (``UploadTableModel.is_waiting``). ``held(session_id)``: the session is held by "Stop after
    running uploads" (``UploadTableModel.is_held``), so Resume continues its queued tasks.
    """
    if not tasks:
        return frozenset()
    allowed = set(_ANY_ROW)
    for task in tasks:
        state = task.state
        if state.is_active or state.is_runnable:
            allowed.add(RowAction.PAUSE)
        if state is TaskState.PAUSED or (state.is_runnable and held(task.session_id)):
            allowed.add(RowAction.RESUME)
        if not state.is_final:
            allowed.add(RowAction.CANCEL)
        if state.is_retryable:
            allowed.update((RowAction.RETRY, RowAction.RETRY_CURRENT))
        if task.response_text:
            # Copy URL falls back to the whole response when the server named no URL.
            allowed.update((RowAction.COPY_URL, RowAction.COPY_RESPONSE))
        if RowAction.ENTER_CREDENTIALS not in allowed and waiting(key_of(task)):
            allowed.add(RowAction.ENTER_CREDENTIALS)
    return frozenset(allowed)


def toggle_pauses(tasks: Sequence[TaskSnapshot]) -> bool:
    """What Space (RowAction.TOGGLE) does: pause when any selected task runs or waits to run,
    otherwise resume."""
    return any(task.state.is_active or task.state.is_runnable for task in tasks)
