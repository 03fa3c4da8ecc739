"""The upload queue: its table model, its columns, the view and delegates that show it, the details
dialog of one row, and the rule for which row commands a selection allows.

    model.py        UploadTableModel: one row per task, O(1) updates, rolling speeds
    columns.py      Column: the columns as one table (adding a column is one entry there)
    roles.py        TaskKey and the model's custom data roles
    view.py         UploadTableView: drops, the empty state, default widths
    delegates.py    ProgressDelegate and QueueItemDelegate
    details.py      DetailsDialog
    row_actions.py  row_actions(): the row commands a selection allows
"""

from __future__ import annotations

from .columns import Cell, Column, ColumnSpec, QueueFacts, RowFacts, fraction
from .delegates import ProgressDelegate, QueueItemDelegate
from .details import DetailsDialog
from .model import SPEED_WINDOW, UploadTableModel, runs
from .roles import Role, TaskKey, key_of
from .row_actions import RowAction, row_actions, toggle_pauses
from .view import UploadTableView, local_paths

__all__ = [
    "SPEED_WINDOW",
    "Cell",
    "Column",
    "ColumnSpec",
    "DetailsDialog",
    "ProgressDelegate",
    "QueueFacts",
    "QueueItemDelegate",
    "Role",
    "RowAction",
    "RowFacts",
    "TaskKey",
    "UploadTableModel",
    "UploadTableView",
    "fraction",
    "key_of",
    "local_paths",
    "row_actions",
    "runs",
    "toggle_pauses",
]
