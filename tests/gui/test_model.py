"""The queue model on its own: Qt's model tester, batched inserts and updates, speeds, counts, the
column table, and the words the State column uses. (The batch is the core's: tests/core/test_batch.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from pytestqt.modeltest import ModelTester

import core
from core import TaskSnapshot, TaskState
from gui.formatting import format_bytes, format_duration, returned_url, state_text, summary_text
from gui.queue import Column, Role, UploadTableModel, runs

pytestmark = pytest.mark.qt_log_level_fail("WARNING")

DESTINATION = core.Destination(url="http://127.0.0.1:9/up")


def task(
    task_id: int, state: TaskState = TaskState.QUEUED, *, sent: int = 0, size: int = 1000, **more: object
):
    return TaskSnapshot(
        task_id=task_id,
        session_id=str(more.pop("session", "gui")),
        path=Path(f"/data/{task_id}.bin"),
        relative_name=f"folder/{task_id}.bin",
        destination=DESTINATION,
        state=state,
        total_bytes=size,
        bytes_sent=sent,
        **more,  # type: ignore[arg-type]
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def model(qapp: object) -> UploadTableModel:
    return UploadTableModel(clock=Clock(), wall_clock=lambda: 5000.0)


def test_model_and_its_sort_proxy_pass_the_model_tester(
    model: UploadTableModel, qtmodeltester: ModelTester
) -> None:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Role.SORT)
    proxy.sort(Column.SIZE, Qt.SortOrder.DescendingOrder)
    model.apply_snapshots([task(n, size=n * 100) for n in range(1, 51)])
    qtmodeltester.check(model, force_py=False)
    qtmodeltester.check(proxy, force_py=False)
    # The testers stay attached: every change below is checked as it happens.
    model.apply_snapshots([task(n, TaskState.UPLOADING) for n in range(1, 9)])
    model.apply_progress([task(n, TaskState.UPLOADING, sent=400) for n in range(1, 9)])
    model.apply_snapshots([task(n) for n in range(51, 61)] + [task(3, TaskState.COMPLETED, sent=300)])
    model.remove([("gui", n) for n in (2, 3, 4, 10, 30, 31, 60)])
    model.set_held_sessions({"gui"})
    model.refresh_destination_labels()
    model.clear()
    assert model.rowCount() == 0


def test_one_insert_per_batch_and_one_data_changed_per_run(model: UploadTableModel) -> None:
    inserts: list[tuple[int, int]] = []
    changes: list[tuple[int, int, int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    model.dataChanged.connect(
        lambda tl, br, _roles=(): changes.append((tl.row(), br.row(), tl.column(), br.column()))
    )
    model.apply_snapshots([task(n) for n in range(1, 10_001)])
    assert inserts == [(0, 9999)]
    model.apply_snapshots([task(n, TaskState.UPLOADING) for n in (5, 6, 7, 9, 100)])
    assert changes == [(4, 6, 0, len(Column) - 1), (8, 8, 0, len(Column) - 1), (99, 99, 0, len(Column) - 1)]
    changes.clear()
    # Progress touches the progress..time-left columns of the running rows only.
    model.apply_progress([task(n, TaskState.UPLOADING, sent=10) for n in (5, 6)])
    assert changes == [
        (4, 6, Column.PROGRESS, Column.ETA),
        (8, 8, Column.PROGRESS, Column.ETA),
        (99, 99, Column.PROGRESS, Column.ETA),
    ]
    assert model.row_of(("gui", 10_000)) == 9999


def test_rows_removed_keep_the_index_right(model: UploadTableModel) -> None:
    model.apply_snapshots([task(n) for n in range(1, 11)])
    model.remove([("gui", 2), ("gui", 3), ("gui", 7), ("gui", 99)])
    assert [t.task_id for t in model.snapshots()] == [1, 4, 5, 6, 8, 9, 10]
    assert [model.row_of(("gui", n)) for n in (1, 4, 10)] == [0, 1, 6]
    model.apply_snapshots([task(10, TaskState.COMPLETED, sent=1000)])
    assert model.snapshot(6).state is TaskState.COMPLETED


def test_speed_is_a_rolling_average_and_falls_when_stalled(model: UploadTableModel) -> None:
    clock: Clock = model._clock  # type: ignore[assignment]
    size = 100 << 20
    model.apply_snapshots([task(1, TaskState.UPLOADING, size=size)])
    for second in range(1, 5):
        clock.now += 1
        model.apply_progress([task(1, TaskState.UPLOADING, sent=second * (2 << 20), size=size)])
    speed = model.index(0, Column.SPEED)
    # One unit policy (core.units): binary units with their IEC names.
    assert model.data(speed) == "2 MiB/s"
    assert model.data(model.index(0, Column.SIZE)) == "100 MiB"
    assert model.data(model.index(0, Column.ETA)) == "46 s"  # 92 MiB left at 2 MiB/s
    assert model.total_speed() == 2 << 20
    # No bytes move for a while: the window slides past the old samples and the speed drops.
    for _ in range(8):
        clock.now += 1
        model.apply_progress([])
    assert model.data(speed) == ""
    assert model.data(model.index(0, Column.ETA)) == ""
    assert model.total_speed() == 0


def test_state_column_words_and_tooltips(model: UploadTableModel) -> None:
    error = "HTTP 413 Payload Too Large: the file is over the limit of 1 GB"
    model.apply_snapshots(
        [
            task(1),
            task(2, TaskState.UPLOADING),
            task(3, TaskState.PAUSED, restarts_from_zero=True),
            task(4, TaskState.RETRY_WAIT, retry_at=5003.2, error="connection reset"),
            task(5, TaskState.PROCESSING),
            task(6, TaskState.COMPLETED),
            task(7, TaskState.FAILED, error=error),
            task(8, TaskState.CANCELLED),
            task(9, TaskState.PAUSED),
        ]
    )
    words = [model.data(model.index(row, Column.STATE)) for row in range(model.rowCount())]
    assert words == [
        "queued",
        "uploading",
        "paused — restarts from 0",
        "retrying in 4 s",
        "server processing",
        "done",
        f"failed: {error}",
        "cancelled",
        "paused",
    ]
    for column in Column:
        assert error in model.data(model.index(6, column), Qt.ItemDataRole.ToolTipRole)
    assert "connection reset" in model.data(model.index(3, Column.NAME), Qt.ItemDataRole.ToolTipRole)
    model.set_held_sessions({"gui"})
    assert model.data(model.index(0, Column.STATE)) == "queued (stopped)"
    assert model.data(model.index(0, Column.NAME), Role.KEY) == ("gui", 1)
    assert model.data(QModelIndex()) is None
    assert model.is_held("gui") and not model.is_held("other")
    model.set_held_sessions([])
    assert model.data(model.index(0, Column.STATE)) == "queued"


def test_counts_by_state_and_by_predicate(model: UploadTableModel) -> None:
    states = [TaskState.QUEUED, TaskState.UPLOADING, TaskState.RETRY_WAIT, TaskState.PAUSED]
    states += [TaskState.INTERRUPTED, TaskState.COMPLETED, TaskState.FAILED]
    model.apply_snapshots([task(n, state) for n, state in enumerate(states, 1)])
    model.apply_snapshots([task(9, TaskState.QUEUED, session="other")])
    assert model.count(TaskState.QUEUED, TaskState.INTERRUPTED) == 3
    assert model.count_where(lambda s: s.is_active or s.is_runnable) == 5
    assert model.count_where(lambda s: s.is_final) == 2
    assert model.count_in_sessions(["other"], TaskState.QUEUED) == 1
    # Counts follow state changes and removals.
    model.apply_snapshots([task(2, TaskState.COMPLETED, sent=1000)])
    model.remove([("gui", 3)])
    assert model.count_where(lambda s: s.is_active) == 0
    assert model.count_where(lambda s: s.is_final) == 3


def test_total_speed_sums_the_running_rows(model: UploadTableModel) -> None:
    clock: Clock = model._clock  # type: ignore[assignment]
    model.apply_snapshots([task(n, TaskState.UPLOADING, size=100 << 20) for n in (1, 2)] + [task(3)])
    for second in range(1, 4):
        clock.now += 1
        model.apply_progress(
            [
                task(1, TaskState.UPLOADING, sent=second * (1 << 20), size=100 << 20),
                task(2, TaskState.UPLOADING, sent=second * (3 << 20), size=100 << 20),
            ]
        )
    assert model.total_speed() == 4 << 20
    model.apply_snapshots([task(2, TaskState.PAUSED, sent=3 * (3 << 20), size=100 << 20)])
    assert model.total_speed() == 1 << 20


def test_a_retry_countdown_refreshes_its_state_cell_on_the_tick(model: UploadTableModel) -> None:
    model.apply_snapshots([task(1, TaskState.UPLOADING), task(2, TaskState.RETRY_WAIT, retry_at=5009.0)])
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=(): changes.append((tl.row(), br.row(), tl.column(), br.column()))
    )
    model.apply_progress([])
    assert changes == [(0, 1, Column.PROGRESS, Column.ETA), (1, 1, Column.STATE, Column.STATE)]
    assert model.data(model.index(1, Column.STATE)) == "retrying in 9 s"


def test_the_columns_come_from_one_table(model: UploadTableModel) -> None:
    assert [int(column) for column in Column] == list(range(model.columnCount()))
    assert [c.name for c in Column] == ["NAME", "SIZE", "PROGRESS", "SPEED", "ETA", "STATE", "DESTINATION"]
    horizontal = Qt.Orientation.Horizontal
    titles = [model.headerData(column, horizontal) for column in Column]
    assert titles == ["Name", "Size", "Progress", "Speed", "Time left", "State", "Destination"]
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    aligned = [c for c in Column if model.headerData(c, horizontal, Qt.ItemDataRole.TextAlignmentRole)]
    assert aligned == [Column.SIZE, Column.SPEED, Column.ETA]
    model.apply_snapshots([task(1, TaskState.UPLOADING, sent=250)])
    for column in Column:
        index = model.index(0, column)
        assert model.data(index, Qt.ItemDataRole.TextAlignmentRole) == column.spec.alignment
        assert (model.data(index, Qt.ItemDataRole.TextAlignmentRole) == right) is (column in aligned)
        assert isinstance(model.data(index), str)
    assert model.data(model.index(0, Column.PROGRESS)) == "25%"
    assert model.data(model.index(0, Column.PROGRESS), Role.PROGRESS) == 0.25
    assert (
        model.data(model.index(0, Column.PROGRESS), Qt.ItemDataRole.ToolTipRole) == "250 bytes of 1000 bytes"
    )
    assert model.data(model.index(0, Column.DESTINATION)) == "http://127.0.0.1:9/up"
    assert model.data(model.index(0, Column.STATE), Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(0, Column.NAME), Qt.ItemDataRole.DecorationRole) is None
    assert Column.NAME.spec.stretch and all(not c.spec.stretch for c in Column if c is not Column.NAME)
    assert all(c.spec.width for c in Column)


def test_sort_keys_sort_naturally(model: UploadTableModel) -> None:
    model.apply_snapshots(
        [
            task(1, TaskState.COMPLETED, size=9000),
            task(2, TaskState.FAILED, error="x", size=800),
            task(3, TaskState.QUEUED, size=70),
        ]
    )

    def keys(column: Column) -> list[Any]:
        return [model.data(model.index(row, column), Role.SORT) for row in range(3)]

    assert keys(Column.SIZE) == [9000, 800, 70]
    assert keys(Column.NAME) == ["folder/1.bin", "folder/2.bin", "folder/3.bin"]
    failed, queued, completed = (keys(Column.STATE)[row] for row in (1, 2, 0))
    assert failed < queued < completed  # what needs attention first, what is done last
    assert keys(Column.ETA) == [float("inf")] * 3
    assert keys(Column.DESTINATION) == ["http://127.0.0.1:9/up"] * 3


def test_the_public_surface_of_gui_queue() -> None:
    import gui.queue

    assert set(gui.queue.__all__) == {
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
    }
    assert all(hasattr(gui.queue, name) for name in gui.queue.__all__)
    # The batch is counted by the core now (core.batch.BatchTracker), not by the model.
    for gone in ("batch_status", "close_batch", "batch_changed", "set_stopped_sessions"):
        assert not hasattr(UploadTableModel, gone)


def test_runs() -> None:
    assert runs([9, 1, 2, 3, 7, 10, 2]) == [(1, 3), (7, 7), (9, 10)]
    assert runs([]) == []


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (50_000, "48.8 KiB"),
        (1_234_567, "1.2 MiB"),
        (210 << 20, "210 MiB"),
        (5 << 40, "5 TiB"),
    ],
)
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_format_duration_and_summary_and_urls() -> None:
    assert [format_duration(s) for s in (None, 0.2, 59, 61, 3725)] == ["", "1 s", "59 s", "1:01", "1:02:05"]
    assert summary_text(12, 1) == "12 files uploaded, 1 failed"
    assert summary_text(0, 3, 2) == "3 files failed, 2 cancelled"
    assert summary_text(0, 0) == "No files uploaded"
    assert returned_url('{"url": "https://cdn.example/f/abc"}') == "https://cdn.example/f/abc"
    assert returned_url('{"data": {"link": "https://x.example/1"}}') == "https://x.example/1"
    assert returned_url("https://x.example/2\n") == "https://x.example/2"
    assert returned_url('{"sha256": "abc"}') is None
    assert returned_url(None) is None
    text = state_text(task(1, TaskState.INTERRUPTED, restarts_from_zero=True), now=0)
    assert text == "interrupted, queued — restarts from 0"
