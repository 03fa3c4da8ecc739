"""Resumable (tus) rows show the bytes the server has confirmed apart from the bytes sent: a strip
under the progress bar, painted by the delegate, that trails the bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

import core
from core import TaskSnapshot, TaskState
from gui.queue import Column, ProgressDelegate, UploadTableModel
from gui.theme import state_bar_colour

pytestmark = pytest.mark.qt_log_level_fail("WARNING")


def tus_task(*, sent: int, confirmed: int, size: int = 1000) -> TaskSnapshot:
    return TaskSnapshot(
        task_id=1,
        session_id="gui",
        path=Path("/data/big.mov"),
        relative_name="big.mov",
        destination=core.Destination(url="http://127.0.0.1:9/files/", protocol=core.WireProtocol.TUS),
        state=TaskState.UPLOADING,
        total_bytes=size,
        bytes_sent=sent,
        bytes_confirmed=confirmed,
    )


def paint_cell(task: TaskSnapshot) -> QImage:
    model = UploadTableModel()
    model.apply_snapshots([task])
    view = QTableView()
    view.setModel(model)
    delegate = ProgressDelegate(view)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(model.index(0, Column.PROGRESS)).translated(0, 0)
    option.rect.setRect(0, 0, 200, 24)
    option.widget = view
    image = QImage(200, 24, QImage.Format.Format_ARGB32)
    image.fill(view.palette().color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, Column.PROGRESS))
    painter.end()
    return image


def strip_colour(image: QImage, x_fraction: float) -> QColor:
    # The strip sits on the bar's bottom edge; sample the row of pixels it covers.
    bottom = max(y for y in range(image.height()) if image.pixelColor(100, y) != image.pixelColor(100, 0))
    return image.pixelColor(round(4 + 192 * x_fraction), bottom - 1)


def test_confirmed_bytes_are_painted_apart_from_sent_bytes(qapp: object) -> None:
    image = paint_cell(tus_task(sent=800, confirmed=400))
    green = state_bar_colour(TaskState.COMPLETED, qapp.palette())  # type: ignore[attr-defined]
    assert green is not None
    assert strip_colour(image, 0.2) == green  # within the confirmed 40%
    assert strip_colour(image, 0.6) != green  # sent but not yet confirmed


def test_no_strip_for_non_resumable_rows(qapp: object) -> None:
    task = tus_task(sent=800, confirmed=400)
    plain = task.evolve(destination=core.Destination(url="http://127.0.0.1:9/up"))
    green = state_bar_colour(TaskState.COMPLETED, qapp.palette())  # type: ignore[attr-defined]
    assert strip_colour(paint_cell(plain), 0.2) != green
