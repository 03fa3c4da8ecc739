"""What the queue model hands out besides text: the task key and the custom data roles."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt

from core import TaskSnapshot

__all__ = ["Role", "TaskKey", "key_of"]

# (session identifier, task id): task ids are only unique within a session.
TaskKey = tuple[str, int]


def key_of(task: TaskSnapshot) -> TaskKey:
    return (task.session_id, task.task_id)


class Role(enum.IntEnum):
    # The row's TaskSnapshot.
    SNAPSHOT = Qt.ItemDataRole.UserRole + 1
    # A value that sorts the column naturally (numbers for sizes, speeds and times).
    SORT = Qt.ItemDataRole.UserRole + 2
    # Fraction done, 0.0 to 1.0 (for the progress delegate).
    PROGRESS = Qt.ItemDataRole.UserRole + 3
    # The (session id, task id) key.
    KEY = Qt.ItemDataRole.UserRole + 4
