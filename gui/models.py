"""The upload queue as a Qt table model.

Rows live in a list with a dict from task key to row, so an update costs O(1) however long the
queue is. Snapshots arrive in batches from the bridge; each batch ends in one ``dataChanged`` per
contiguous run of rows and one ``beginInsertRows`` for all new rows. Speed is a rolling average over
the last few seconds, sampled on the bridge's flush tick, so a stalled upload's speed falls to zero
instead of freezing at its last value.
"""

from __future__ import annotations

import enum
import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from core import TaskSnapshot, TaskState
from core.redaction import redact_url
from core.text import printable

from .batch import BatchStatus
from .formatting import format_bytes, format_duration, format_speed, state_text
from .resources import state_icon

__all__ = ["BatchStatus", "Column", "Role", "TaskKey", "UploadTableModel", "runs"]

# (session identifier, task id): task ids are only unique within a session.
TaskKey = tuple[str, int]
_AnyIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    SIZE = 1
    PROGRESS = 2
    SPEED = 3
    ETA = 4
    STATE = 5
    DESTINATION = 6

    @property
    def title(self) -> str:
        return QCoreApplication.translate("UploadTableModel", str(_TITLES[self]))


# Marked for Qt Linguist here, translated when shown (Column.title).
_TITLES = {
    Column.NAME: QT_TRANSLATE_NOOP("UploadTableModel", "Name"),
    Column.SIZE: QT_TRANSLATE_NOOP("UploadTableModel", "Size"),
    Column.PROGRESS: QT_TRANSLATE_NOOP("UploadTableModel", "Progress"),
    Column.SPEED: QT_TRANSLATE_NOOP("UploadTableModel", "Speed"),
    Column.ETA: QT_TRANSLATE_NOOP("UploadTableModel", "Time left"),
    Column.STATE: QT_TRANSLATE_NOOP("UploadTableModel", "State"),
    Column.DESTINATION: QT_TRANSLATE_NOOP("UploadTableModel", "Destination"),
}


class Role(enum.IntEnum):
    # The row's TaskSnapshot.
    SNAPSHOT = Qt.ItemDataRole.UserRole + 1
    # A value that sorts the column naturally (numbers for sizes, speeds and times).
    SORT = Qt.ItemDataRole.UserRole + 2
    # Fraction done, 0.0 to 1.0 (for the progress delegate).
    PROGRESS = Qt.ItemDataRole.UserRole + 3
    # The (session id, task id) key.
    KEY = Qt.ItemDataRole.UserRole + 4


# Rolling window for speed: long enough to smooth TCP bursts, short enough to follow real changes.
SPEED_WINDOW = 5.0
_ACTIVE = frozenset({TaskState.UPLOADING, TaskState.PROCESSING, TaskState.RETRY_WAIT})
_WAITING = (TaskState.QUEUED, TaskState.INTERRUPTED)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _Row:
    __slots__ = ("in_batch", "samples", "snapshot", "speed")

    def __init__(self, snapshot: TaskSnapshot) -> None:
        self.snapshot = snapshot
        self.speed = 0.0
        self.samples: deque[tuple[float, int]] = deque()
        self.in_batch = False

    @property
    def eta(self) -> float | None:
        task = self.snapshot
        if task.state is not TaskState.UPLOADING or self.speed <= 0:
            return None
        return max(0, task.total_bytes - task.bytes_sent) / self.speed


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted contiguous (first, last) runs: [1, 2, 3, 7, 9, 10] -> [(1, 3), (7, 7), (9, 10)]."""
    result: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if result and result[-1][1] == row - 1:
            result[-1] = (result[-1][0], row)
        else:
            result.append((row, row))
    return result


class UploadTableModel(QAbstractTableModel):
    """One row per upload task of every session the window shows."""

    # The per-state counts changed (rows added, removed or changed state): toolbar actions follow.
    counts_changed = Signal()
    # The batch totals changed (on every flush tick while something runs).
    batch_changed = Signal(object)

    def __init__(
        self,
        *,
        destination_label: Callable[[TaskSnapshot], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._index: dict[TaskKey, int] = {}
        self._destination_label = destination_label or (lambda task: redact_url(task.destination.url))
        self._clock = clock
        self._wall_clock = wall_clock
        self._state_counts: Counter[TaskState] = Counter()
        self._active: set[TaskKey] = set()
        self._stopped_sessions: frozenset[str] = frozenset()
        # Tasks held back until secrets that were never stored are given again, by session.
        self._waiting: dict[str, frozenset[TaskKey]] = {}
        # Batch bookkeeping, kept incrementally: adding a row or changing its state costs O(1).
        self._batch = _Totals()
        self._batch_keys: set[TaskKey] = set()
        self._batch_open = False

    # -- Qt model interface -----------------------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return Column(section).title
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (
                Column.SIZE,
                Column.SPEED,
                Column.ETA,
            ):
                return _RIGHT
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Role.SORT:
            return self._sort_key(row, column)
        if role == Role.PROGRESS:
            return _fraction(row.snapshot)
        if role == Role.SNAPSHOT:
            return row.snapshot
        if role == Role.KEY:
            return (row.snapshot.session_id, row.snapshot.task_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (Column.SIZE, Column.SPEED, Column.ETA):
                return _RIGHT
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATE:
            return state_icon(row.snapshot.state)
        return None

    def _display(self, row: _Row, column: int) -> str | None:
        task = row.snapshot
        if column == Column.NAME:
            # Names come from the disk: control characters and undecodable bytes shown as escapes
            # (a lone surrogate would not even convert to a QString).
            return printable(task.relative_name)
        if column == Column.SIZE:
            return format_bytes(task.total_bytes)
        if column == Column.PROGRESS:
            # Painted by ProgressDelegate; the text is what screen readers and copy see.
            return f"{math.floor(_fraction(task) * 100)}%"
        if column == Column.SPEED:
            return format_speed(row.speed) if task.state is TaskState.UPLOADING else ""
        if column == Column.ETA:
            return format_duration(row.eta)
        if column == Column.STATE:
            stopped = task.session_id in self._stopped_sessions
            waiting = self.is_waiting((task.session_id, task.task_id))
            return state_text(task, now=self._wall_clock(), stopped=stopped, waiting_for_credentials=waiting)
        if column == Column.DESTINATION:
            return printable(self._destination_label(task))
        return None

    def _sort_key(self, row: _Row, column: int) -> Any:
        task = row.snapshot
        if column == Column.NAME:
            return printable(task.relative_name).casefold()
        if column == Column.SIZE:
            return task.total_bytes
        if column == Column.PROGRESS:
            return _fraction(task)
        if column == Column.SPEED:
            return row.speed if task.state is TaskState.UPLOADING else 0.0
        if column == Column.ETA:
            eta = row.eta
            return math.inf if eta is None else eta
        if column == Column.STATE:
            return _STATE_ORDER[task.state]
        return self._display(row, column)

    def _tooltip(self, row: _Row, column: int) -> str | None:
        task = row.snapshot
        name = printable(task.relative_name)
        if task.state is TaskState.FAILED and task.error:
            return self.tr("{name}\nFailed: {error}").format(name=name, error=printable(task.error))
        if task.state is TaskState.RETRY_WAIT and task.error:
            return self.tr("{name}\nLast attempt failed: {error}").format(
                name=name, error=printable(task.error)
            )
        if column == Column.STATE and self.is_waiting((task.session_id, task.task_id)):
            return self.tr(
                "{name}\nWaits for credentials that are never stored: Enter credentials… gives them."
            ).format(name=name)
        if column == Column.NAME:
            return printable(str(task.path))
        if column == Column.DESTINATION:
            return printable(redact_url(task.destination.url))
        if column == Column.PROGRESS:
            return self.tr("{sent} of {total}").format(
                sent=format_bytes(task.bytes_sent), total=format_bytes(task.total_bytes)
            )
        return None

    # -- lookups ----------------------------------------------------------------------------------

    def snapshot(self, row: int) -> TaskSnapshot:
        return self._rows[row].snapshot

    def row_of(self, key: TaskKey) -> int | None:
        return self._index.get(key)

    def snapshots(self) -> list[TaskSnapshot]:
        return [row.snapshot for row in self._rows]

    def is_waiting(self, key: TaskKey) -> bool:
        """Whether the task waits for secrets that were never stored (it is queued, not failed)."""
        return key in self._waiting.get(key[0], ())

    def waiting_keys(self) -> list[TaskKey]:
        return [key for keys in self._waiting.values() for key in keys if key in self._index]

    def count(self, *states: TaskState) -> int:
        return sum(self._state_counts[state] for state in states)

    def count_in_sessions(self, session_ids: Iterable[str], *states: TaskState) -> int:
        wanted = set(session_ids)
        return sum(
            1 for row in self._rows if row.snapshot.session_id in wanted and row.snapshot.state in states
        )

    def batch_status(self) -> BatchStatus:
        batch = self._batch
        speed = 0.0
        for key in self._active:
            speed += self._rows[self._index[key]].speed
        return BatchStatus(
            files_total=batch.total,
            files_completed=batch.completed,
            files_failed=batch.failed,
            files_cancelled=batch.cancelled,
            bytes_total=batch.bytes_total,
            bytes_sent=batch.bytes_sent,
            speed=speed,
            active=len(self._active),
            waiting=self.count(*_WAITING),
            paused=self._state_counts[TaskState.PAUSED],
        )

    def close_batch(self) -> BatchStatus | None:
        """End the current batch if every task in it is final: its status, or None if it is not over.
        The next task queued starts a new batch."""
        status = self.batch_status()
        if not self._batch_open or status.files_total == 0 or status.files_unfinished:
            return None
        self._batch_open = False
        return status

    # -- changes ----------------------------------------------------------------------------------

    def set_stopped_sessions(self, session_ids: Iterable[str]) -> None:
        stopped = frozenset(session_ids)
        if stopped == self._stopped_sessions:
            return
        changed = self._stopped_sessions ^ stopped
        self._stopped_sessions = stopped
        self._emit_changed(
            [i for i, row in enumerate(self._rows) if row.snapshot.session_id in changed],
            Column.STATE,
            Column.STATE,
        )

    def set_waiting(self, session_id: str, keys: Iterable[TaskKey]) -> None:
        """The tasks of ``session_id`` that wait for credentials now (the others do not)."""
        waiting = frozenset(keys)
        before = self._waiting.get(session_id, frozenset())
        if waiting == before:
            return
        if waiting:
            self._waiting[session_id] = waiting
        else:
            self._waiting.pop(session_id, None)
        changed = [p for p in (self._index.get(key) for key in waiting ^ before) if p is not None]
        self._emit_changed(changed, Column.STATE, Column.STATE)
        self.counts_changed.emit()

    def refresh_destination_labels(self) -> None:
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, Column.DESTINATION), self.index(last, Column.DESTINATION))

    def apply_snapshots(self, snapshots: Sequence[TaskSnapshot]) -> None:
        """Tasks added or changed: existing rows are updated in place, new ones appended together."""
        changed: list[int] = []
        new: dict[TaskKey, TaskSnapshot] = {}
        for snapshot in snapshots:
            key = (snapshot.session_id, snapshot.task_id)
            position = self._index.get(key)
            if position is None:
                new[key] = snapshot
            else:
                self._replace(self._rows[position], snapshot)
                changed.append(position)
        self._emit_changed(changed, 0, len(Column) - 1)
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for offset, (key, snapshot) in enumerate(new.items()):
                row = _Row(snapshot)
                self._rows.append(row)
                self._index[key] = first + offset
                self._state_counts[snapshot.state] += 1
                self._track_active(key, snapshot)
                self._join_batch(key, row)
            self.endInsertRows()
        if changed or new:
            self.counts_changed.emit()
            self.batch_changed.emit(self.batch_status())

    def apply_progress(self, snapshots: Sequence[TaskSnapshot], *, now: float | None = None) -> None:
        """Progress-only updates from the flush tick, followed by a speed sample of every running row
        (at ``now`` on the model's monotonic clock, default the current time)."""
        changed: list[int] = []
        for snapshot in snapshots:
            position = self._index.get((snapshot.session_id, snapshot.task_id))
            if position is not None:
                self._replace(self._rows[position], snapshot)
                changed.append(position)
        changed.extend(self._sample_speeds(self._clock() if now is None else now))
        # Progress, speed and time left; the State column only where a retry counts down.
        self._emit_changed(changed, Column.PROGRESS, Column.ETA)
        self._emit_changed(
            [p for p in changed if self._rows[p].snapshot.state is TaskState.RETRY_WAIT],
            Column.STATE,
            Column.STATE,
        )
        if changed:
            self.batch_changed.emit(self.batch_status())

    def remove(self, keys: Iterable[TaskKey]) -> None:
        """Drop rows, one beginRemoveRows per contiguous run, bottom up."""
        positions = [p for p in (self._index.get(key) for key in keys) if p is not None]
        if not positions:
            return
        for first, last in reversed(runs(positions)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                key = (row.snapshot.session_id, row.snapshot.task_id)
                self._state_counts[row.snapshot.state] -= 1
                self._active.discard(key)
                if row.in_batch:
                    self._batch.add(row.snapshot, -1)
                    self._batch_keys.discard(key)
                del self._index[key]
                waiting = self._waiting.get(key[0])
                if waiting and key in waiting:
                    self._waiting[key[0]] = waiting - {key}
            del self._rows[first : last + 1]
            self.endRemoveRows()
        self._index = {(r.snapshot.session_id, r.snapshot.task_id): i for i, r in enumerate(self._rows)}
        self.counts_changed.emit()
        self.batch_changed.emit(self.batch_status())

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._index.clear()
        self._state_counts.clear()
        self._active.clear()
        self._batch.clear()
        self._batch_keys.clear()
        self._batch_open = False
        self.endResetModel()
        self.counts_changed.emit()

    # -- internals --------------------------------------------------------------------------------

    def _replace(self, row: _Row, snapshot: TaskSnapshot) -> None:
        old = row.snapshot
        key = (snapshot.session_id, snapshot.task_id)
        if old.state is not snapshot.state:
            self._state_counts[old.state] -= 1
            self._state_counts[snapshot.state] += 1
            self._track_active(key, snapshot)
        if snapshot.bytes_sent < old.bytes_sent or snapshot.state is not TaskState.UPLOADING:
            # A restart from zero, or no longer sending: the old samples say nothing about now.
            row.samples.clear()
            row.speed = 0.0
        working = not snapshot.state.is_final and snapshot.state is not TaskState.PAUSED
        # Resumed or retried after its batch ended: it starts (or joins) the next batch.
        starts_batch = working and not self._batch_open
        if row.in_batch and not starts_batch:
            self._batch.add(old, -1)
            self._batch.add(snapshot)
        row.snapshot = snapshot
        if starts_batch or (working and not row.in_batch):
            self._join_batch(key, row)

    def _join_batch(self, key: TaskKey, row: _Row) -> None:
        if row.snapshot.state.is_final and not self._batch_open:
            return  # re-attached history: already finished, not part of anything running now
        if not self._batch_open:
            for old_key in self._batch_keys:
                position = self._index.get(old_key)
                if position is not None:
                    self._rows[position].in_batch = False
            self._batch_keys.clear()
            self._batch.clear()
            self._batch_open = True
        row.in_batch = True
        self._batch_keys.add(key)
        self._batch.add(row.snapshot)

    def _track_active(self, key: TaskKey, snapshot: TaskSnapshot) -> None:
        if snapshot.state in _ACTIVE:
            self._active.add(key)
        else:
            self._active.discard(key)

    def _sample_speeds(self, now: float) -> list[int]:
        touched = []
        for key in self._active:
            position = self._index[key]
            row = self._rows[position]
            touched.append(position)
            if row.snapshot.state is not TaskState.UPLOADING:
                continue
            samples = row.samples
            samples.append((now, row.snapshot.bytes_sent))
            while len(samples) > 2 and now - samples[0][0] > SPEED_WINDOW:
                samples.popleft()
            elapsed = now - samples[0][0]
            if elapsed > 0.2:
                row.speed = (samples[-1][1] - samples[0][1]) / elapsed
        return touched

    def _emit_changed(self, rows: Iterable[int], first_column: int, last_column: int) -> None:
        for first, last in runs(rows):
            self.dataChanged.emit(self.index(first, first_column), self.index(last, last_column))


def _fraction(task: TaskSnapshot) -> float:
    if task.state is TaskState.COMPLETED:
        return 1.0
    if task.total_bytes <= 0:
        return 0.0
    return min(1.0, task.bytes_sent / task.total_bytes)


class _Totals:
    """The batch's running sums; ``add(task, -1)`` takes a task's old contribution back out."""

    __slots__ = ("bytes_sent", "bytes_total", "cancelled", "completed", "failed", "total")

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.total = self.completed = self.failed = self.cancelled = 0
        self.bytes_total = self.bytes_sent = 0

    def add(self, task: TaskSnapshot, sign: int = 1) -> None:
        state = task.state
        self.total += sign
        self.bytes_total += sign * task.total_bytes
        if state is TaskState.COMPLETED:
            self.completed += sign
            self.bytes_sent += sign * task.total_bytes
        else:
            self.bytes_sent += sign * min(task.bytes_sent, task.total_bytes)
            if state is TaskState.FAILED:
                self.failed += sign
            elif state is TaskState.CANCELLED:
                self.cancelled += sign


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
