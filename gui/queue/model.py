"""The upload queue as a Qt table model.

Rows live in a list with a dict from task key to row, so an update costs O(1) however long the
queue is. Snapshots arrive in batches from the bridge; each batch ends in one ``dataChanged`` per
contiguous run of rows and one ``beginInsertRows`` for all new rows. Speed is a rolling average over
the last few seconds, sampled on the bridge's flush tick, so a stalled upload's speed falls to zero
instead of freezing at its last value.

What each column shows comes from the table in ``columns.py``; the model knows no column but the
Destination and State ones that its own setters refresh. The batch ("12 files uploaded, 1 failed")
is counted by the core (``core.batch.BatchTracker``), not here.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from core import TaskSnapshot, TaskState
from core.redaction import redact_url

from .columns import Column, ColumnSpec, fraction
from .roles import Role, TaskKey, key_of

__all__ = ["SPEED_WINDOW", "UploadTableModel", "runs"]

_AnyIndex = QModelIndex | QPersistentModelIndex

# Rolling window for speed: long enough to smooth TCP bursts, short enough to follow real changes.
SPEED_WINDOW = 5.0
_COLUMNS: tuple[Column, ...] = tuple(Column)
_SPECS: tuple[ColumnSpec, ...] = tuple(column.spec for column in _COLUMNS)
_LAST = len(_SPECS) - 1


def _tick_groups() -> list[tuple[int, int, Callable[[TaskSnapshot], bool]]]:
    """Neighbouring columns that change on the tick by the same rule: (first, last, rule)."""
    groups: list[tuple[int, int, Callable[[TaskSnapshot], bool]]] = []
    for column, spec in enumerate(_SPECS):
        rule = spec.refresh_on_tick
        if rule is None:
            continue
        if groups and groups[-1][1] == column - 1 and groups[-1][2] is rule:
            groups[-1] = (groups[-1][0], column, rule)
        else:
            groups.append((column, column, rule))
    return groups


_TICK_GROUPS = _tick_groups()


class _Row:
    __slots__ = ("samples", "snapshot", "speed")

    def __init__(self, snapshot: TaskSnapshot) -> None:
        self.snapshot = snapshot
        self.speed = 0.0
        self.samples: deque[tuple[float, int]] = deque()

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
        # Rows holding a slot (state.is_active): the ones sampled for speed on the tick.
        self._active: set[TaskKey] = set()
        self._held_sessions: frozenset[str] = frozenset()
        # Tasks held back until secrets that were never stored are given again, by session.
        self._waiting: dict[str, frozenset[TaskKey]] = {}

    # -- Qt model interface -----------------------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_SPECS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(_SPECS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _COLUMNS[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _SPECS[section].alignment
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() > _LAST:
            return None
        row = self._rows[index.row()]
        spec = _SPECS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return spec.display(row, self)
        if role == Role.SORT:
            return spec.sort_value(row, self)
        if role == Role.PROGRESS:
            return fraction(row.snapshot)
        if role == Role.SNAPSHOT:
            return row.snapshot
        if role == Role.KEY:
            return key_of(row.snapshot)
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip_text(row, self)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return spec.alignment
        if role == Qt.ItemDataRole.DecorationRole and spec.icon is not None:
            return spec.icon(row.snapshot)
        return None

    # -- what the cells read (columns.QueueFacts) --------------------------------------------------

    def wall_time(self) -> float:
        return self._wall_clock()

    def is_held(self, session_id: str) -> bool:
        """Whether the session is held ("Stop after running uploads"): its queued rows wait."""
        return session_id in self._held_sessions

    def is_waiting(self, key: TaskKey) -> bool:
        """Whether the task waits for secrets that were never stored (it is queued, not failed)."""
        return key in self._waiting.get(key[0], ())

    def destination_label(self, task: TaskSnapshot) -> str:
        return self._destination_label(task)

    # -- lookups ----------------------------------------------------------------------------------

    def snapshot(self, row: int) -> TaskSnapshot:
        return self._rows[row].snapshot

    def row_of(self, key: TaskKey) -> int | None:
        return self._index.get(key)

    def snapshots(self) -> list[TaskSnapshot]:
        return [row.snapshot for row in self._rows]

    def waiting_keys(self) -> list[TaskKey]:
        return [key for keys in self._waiting.values() for key in keys if key in self._index]

    def count(self, *states: TaskState) -> int:
        return sum(self._state_counts[state] for state in states)

    def count_where(self, predicate: Callable[[TaskState], bool]) -> int:
        """Rows whose state passes ``predicate``, e.g. ``lambda s: s.is_active or s.is_runnable``;
        O(number of states), not of rows."""
        return sum(count for state, count in self._state_counts.items() if count and predicate(state))

    def count_in_sessions(self, session_ids: Iterable[str], *states: TaskState) -> int:
        wanted = set(session_ids)
        return sum(
            1 for row in self._rows if row.snapshot.session_id in wanted and row.snapshot.state in states
        )

    def total_speed(self) -> float:
        """Bytes per second over every running row: the sum of their rolling speeds."""
        return sum(self._rows[self._index[key]].speed for key in self._active)

    # -- changes ----------------------------------------------------------------------------------

    def set_held_sessions(self, session_ids: Iterable[str]) -> None:
        """The sessions held now (the others are not): their queued rows say so."""
        held = frozenset(session_ids)
        if held == self._held_sessions:
            return
        changed = self._held_sessions ^ held
        self._held_sessions = held
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
            key = key_of(snapshot)
            position = self._index.get(key)
            if position is None:
                new[key] = snapshot
            else:
                self._replace(self._rows[position], snapshot)
                changed.append(position)
        self._emit_changed(changed, 0, _LAST)
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for offset, (key, snapshot) in enumerate(new.items()):
                self._rows.append(_Row(snapshot))
                self._index[key] = first + offset
                self._state_counts[snapshot.state] += 1
                self._track_active(key, snapshot)
            self.endInsertRows()
        if changed or new:
            self.counts_changed.emit()

    def apply_progress(self, snapshots: Sequence[TaskSnapshot], *, now: float | None = None) -> None:
        """Progress-only updates from the flush tick, followed by a speed sample of every running row
        (at ``now`` on the model's monotonic clock, default the current time)."""
        changed: list[int] = []
        for snapshot in snapshots:
            position = self._index.get(key_of(snapshot))
            if position is not None:
                self._replace(self._rows[position], snapshot)
                changed.append(position)
        changed.extend(self._sample_speeds(self._clock() if now is None else now))
        # Only the columns that follow progress (the table's refresh_on_tick).
        for first, last, rule in _TICK_GROUPS:
            self._emit_changed([p for p in changed if rule(self._rows[p].snapshot)], first, last)

    def remove(self, keys: Iterable[TaskKey]) -> None:
        """Drop rows, one beginRemoveRows per contiguous run, bottom up."""
        positions = [p for p in (self._index.get(key) for key in keys) if p is not None]
        if not positions:
            return
        for first, last in reversed(runs(positions)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                key = key_of(row.snapshot)
                self._state_counts[row.snapshot.state] -= 1
                self._active.discard(key)
                del self._index[key]
                waiting = self._waiting.get(key[0])
                if waiting and key in waiting:
                    self._waiting[key[0]] = waiting - {key}
            del self._rows[first : last + 1]
            self.endRemoveRows()
        self._index = {key_of(r.snapshot): i for i, r in enumerate(self._rows)}
        self.counts_changed.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._index.clear()
        self._state_counts.clear()
        self._active.clear()
        self.endResetModel()
        self.counts_changed.emit()

    # -- internals --------------------------------------------------------------------------------

    def _replace(self, row: _Row, snapshot: TaskSnapshot) -> None:
        old = row.snapshot
        if old.state is not snapshot.state:
            self._state_counts[old.state] -= 1
            self._state_counts[snapshot.state] += 1
            self._track_active(key_of(snapshot), snapshot)
        if snapshot.bytes_sent < old.bytes_sent or snapshot.state is not TaskState.UPLOADING:
            # A restart from zero, or no longer sending: the old samples say nothing about now.
            row.samples.clear()
            row.speed = 0.0
        row.snapshot = snapshot

    def _track_active(self, key: TaskKey, snapshot: TaskSnapshot) -> None:
        if snapshot.state.is_active:
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
