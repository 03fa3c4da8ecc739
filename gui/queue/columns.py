"""The queue's columns, as one table.

Each member of ``Column`` is one column, described by one ``ColumnSpec``: its title, what its cells
show, how they sort, their tooltip, icon, alignment, default width, eliding, how they are painted and
whether they change on the progress tick. The model, the view and the delegates read only this
table, so adding a column is one entry here (plus its title's translation in the .ts files). The
members are numbered in the order they are written, which is the order of the model's columns.

Titles are marked with ``QT_TRANSLATE_NOOP`` in the context "UploadTableModel" (where they lived
before this table, so the existing translations keep working) and translated when shown.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QIcon

from core import TaskSnapshot, TaskState
from core.redaction import redact_url
from core.text import printable

from ..formatting import format_bytes, format_duration, format_speed, state_text
from ..resources import state_icon
from .roles import TaskKey, key_of

__all__ = ["Cell", "Column", "ColumnSpec", "QueueFacts", "RowFacts", "fraction"]

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class RowFacts(Protocol):
    """One row as the cells see it (the model's row: its task and its rolling speed)."""

    @property
    def snapshot(self) -> TaskSnapshot: ...

    @property
    def speed(self) -> float: ...

    @property
    def eta(self) -> float | None: ...


class QueueFacts(Protocol):
    """What a cell may know beyond its own row; the model provides it."""

    def wall_time(self) -> float: ...

    def is_held(self, session_id: str) -> bool: ...

    def is_waiting(self, key: TaskKey) -> bool: ...

    def destination_label(self, task: TaskSnapshot) -> str: ...


class Cell(enum.Enum):
    """How a column's cells are painted."""

    TEXT = enum.auto()
    # A progress bar (ProgressDelegate) over the Role.PROGRESS fraction; the text is for screen
    # readers and copying.
    PROGRESS_BAR = enum.auto()


_Text = Callable[[RowFacts, QueueFacts], str | None]
_SortKey = Callable[[RowFacts, QueueFacts], object]
_OnTick = Callable[[TaskSnapshot], bool]


@dataclass(frozen=True, kw_only=True)
class ColumnSpec:
    # The English title, marked for translation in the "UploadTableModel" context.
    title: str
    display: _Text
    # A value that sorts naturally (numbers, not their text); None: the displayed text.
    sort_key: _SortKey | None = None
    # The column's own tooltip; a failure's reason comes first on every column (tooltip_text).
    tooltip: _Text | None = None
    icon: Callable[[TaskSnapshot], QIcon] | None = None
    # Of the header and the cells; None: the view's default (left).
    alignment: Qt.AlignmentFlag | None = None
    width: int | None = None
    # Takes the room the other columns leave.
    stretch: bool = False
    # None: the view's default (in the middle, which keeps a name's start and its extension).
    elide: Qt.TextElideMode | None = None
    cell: Cell = Cell.TEXT
    # The cell changes on the bridge's progress tick while this is true of the row's task.
    # Neighbouring columns that share one rule are refreshed with one dataChanged.
    refresh_on_tick: _OnTick | None = None

    def sort_value(self, row: RowFacts, queue: QueueFacts) -> object:
        return self.display(row, queue) if self.sort_key is None else self.sort_key(row, queue)

    def tooltip_text(self, row: RowFacts, queue: QueueFacts) -> str | None:
        return _failure_tooltip(row.snapshot) or (None if self.tooltip is None else self.tooltip(row, queue))


# -- what the cells show ---------------------------------------------------------------------------


def fraction(task: TaskSnapshot) -> float:
    """Done, 0.0 to 1.0."""
    if task.state is TaskState.COMPLETED:
        return 1.0
    if task.total_bytes <= 0:
        return 0.0
    return min(1.0, task.bytes_sent / task.total_bytes)


def _always(task: TaskSnapshot) -> bool:
    return True


def _counting_down(task: TaskSnapshot) -> bool:
    return task.state is TaskState.RETRY_WAIT


def _failure_tooltip(task: TaskSnapshot) -> str | None:
    if not task.error:
        return None
    name, error = printable(task.relative_name), printable(task.error)
    if task.state is TaskState.FAILED:
        return QCoreApplication.translate("UploadTableModel", "{name}\nFailed: {error}").format(
            name=name, error=error
        )
    if task.state is TaskState.RETRY_WAIT:
        return QCoreApplication.translate("UploadTableModel", "{name}\nLast attempt failed: {error}").format(
            name=name, error=error
        )
    return None


def _name(row: RowFacts, queue: QueueFacts) -> str:
    # Names come from the disk: control characters and undecodable bytes shown as escapes (a lone
    # surrogate would not even convert to a QString).
    return printable(row.snapshot.relative_name)


def _name_sort(row: RowFacts, queue: QueueFacts) -> object:
    return printable(row.snapshot.relative_name).casefold()


def _path_tooltip(row: RowFacts, queue: QueueFacts) -> str:
    return printable(str(row.snapshot.path))


def _size(row: RowFacts, queue: QueueFacts) -> str:
    return format_bytes(row.snapshot.total_bytes)


def _size_sort(row: RowFacts, queue: QueueFacts) -> object:
    return row.snapshot.total_bytes


def _progress(row: RowFacts, queue: QueueFacts) -> str:
    return f"{math.floor(fraction(row.snapshot) * 100)}%"


def _progress_sort(row: RowFacts, queue: QueueFacts) -> object:
    return fraction(row.snapshot)


def _progress_tooltip(row: RowFacts, queue: QueueFacts) -> str:
    task = row.snapshot
    return QCoreApplication.translate("UploadTableModel", "{sent} of {total}").format(
        sent=format_bytes(task.bytes_sent), total=format_bytes(task.total_bytes)
    )


def _speed(row: RowFacts, queue: QueueFacts) -> str:
    return format_speed(row.speed) if row.snapshot.state is TaskState.UPLOADING else ""


def _speed_sort(row: RowFacts, queue: QueueFacts) -> object:
    return row.speed if row.snapshot.state is TaskState.UPLOADING else 0.0


def _eta(row: RowFacts, queue: QueueFacts) -> str:
    return format_duration(row.eta)


def _eta_sort(row: RowFacts, queue: QueueFacts) -> object:
    eta = row.eta
    return math.inf if eta is None else eta


def _state(row: RowFacts, queue: QueueFacts) -> str:
    task = row.snapshot
    # A held session's queued rows read as before sessions could be held: "queued (stopped)".
    return state_text(
        task,
        now=queue.wall_time(),
        stopped=queue.is_held(task.session_id),
        waiting_for_credentials=queue.is_waiting(key_of(task)),
    )


def _state_sort(row: RowFacts, queue: QueueFacts) -> object:
    return _STATE_ORDER[row.snapshot.state]


def _state_icon(task: TaskSnapshot) -> QIcon:
    return state_icon(task.state)


def _state_tooltip(row: RowFacts, queue: QueueFacts) -> str | None:
    task = row.snapshot
    if not queue.is_waiting(key_of(task)):
        return None
    return QCoreApplication.translate(
        "UploadTableModel",
        "{name}\nWaits for credentials that are never stored: Enter credentials… gives them.",
    ).format(name=printable(task.relative_name))


def _destination(row: RowFacts, queue: QueueFacts) -> str:
    return printable(queue.destination_label(row.snapshot))


def _destination_tooltip(row: RowFacts, queue: QueueFacts) -> str:
    return printable(redact_url(row.snapshot.destination.url))


# Sorting by State groups rows by what needs attention first.
_STATE_ORDER = {
    TaskState.FAILED: 0,
    TaskState.RETRY_WAIT: 1,
    TaskState.UPLOADING: 2,
    TaskState.PROCESSING: 3,
    TaskState.PAUSED: 4,
    TaskState.INTERRUPTED: 5,
    TaskState.QUEUED: 6,
    TaskState.CANCELLED: 7,
    TaskState.COMPLETED: 8,
}


# -- the table -------------------------------------------------------------------------------------


class Column(enum.IntEnum):
    """The queue's columns, numbered in the order written; each one's ``spec`` says all about it."""

    spec: ColumnSpec

    def __new__(cls, spec: ColumnSpec) -> Column:
        number = len(cls.__members__)
        column = int.__new__(cls, number)
        column._value_ = number
        column.spec = spec
        return column

    @property
    def title(self) -> str:
        # Each call names its context literally: lupdate reads the source, not variables.
        return QCoreApplication.translate("UploadTableModel", self.spec.title)

    NAME = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Name")),
        display=_name,
        sort_key=_name_sort,
        tooltip=_path_tooltip,
        width=320,
        stretch=True,
    )
    SIZE = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Size")),
        display=_size,
        sort_key=_size_sort,
        alignment=_RIGHT,
        width=80,
    )
    PROGRESS = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Progress")),
        display=_progress,
        sort_key=_progress_sort,
        tooltip=_progress_tooltip,
        width=150,
        cell=Cell.PROGRESS_BAR,
        refresh_on_tick=_always,
    )
    SPEED = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Speed")),
        display=_speed,
        sort_key=_speed_sort,
        alignment=_RIGHT,
        width=90,
        refresh_on_tick=_always,
    )
    ETA = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Time left")),
        display=_eta,
        sort_key=_eta_sort,
        alignment=_RIGHT,
        width=80,
        refresh_on_tick=_always,
    )
    STATE = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "State")),
        display=_state,
        sort_key=_state_sort,
        tooltip=_state_tooltip,
        icon=_state_icon,
        width=230,
        # "failed: HTTP 413 …" keeps its beginning.
        elide=Qt.TextElideMode.ElideRight,
        # A retry counts down.
        refresh_on_tick=_counting_down,
    )
    DESTINATION = ColumnSpec(
        title=str(QT_TRANSLATE_NOOP("UploadTableModel", "Destination")),
        display=_destination,
        tooltip=_destination_tooltip,
        width=150,
    )
