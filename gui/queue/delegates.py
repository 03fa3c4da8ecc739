"""The queue's cells: ProgressDelegate paints a progress bar (natively, with no widget per row) in
the columns the table (``columns.py``) marks ``Cell.PROGRESS_BAR``; QueueItemDelegate draws the rest."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from core import TaskSnapshot, TaskState, spec_for

from ..theme import state_bar_colour
from .columns import Column
from .roles import Role

__all__ = ["ProgressDelegate", "QueueItemDelegate"]

_STEPS = 1000
_ELIDE = tuple(column.spec.elide for column in Column)


class QueueItemDelegate(QStyledItemDelegate):
    """Every cell: no dotted focus frame on the current cell (rows are selected whole), and the
    column's own eliding where the table gives one."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus
        column = index.column()
        elide = _ELIDE[column] if 0 <= column < len(_ELIDE) else None
        if elide is not None:
            option.textElideMode = elide


class ProgressDelegate(QueueItemDelegate):
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        task: TaskSnapshot | None = index.data(Role.SNAPSHOT)
        if task is None:
            super().paint(painter, option, index)
            return
        # The cell background (selection, alternating rows) as the style draws it. The primitive
        # alone: the full item control would first ask the model for every role of the cell.
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        if task.state.is_runnable and not task.bytes_sent:
            return  # nothing to show yet: an empty bar would only add noise to a long queue

        fraction = float(index.data(Role.PROGRESS) or 0.0)
        bar = QStyleOptionProgressBar()
        if widget is not None:
            bar.initFrom(widget)
        rect = option.rect.adjusted(4, 0, -4, 0)
        height = min(rect.height() - 6, max(14, option.fontMetrics.height() + 2))
        rect.setTop(rect.top() + (rect.height() - height) // 2)
        rect.setHeight(height)
        bar.rect = rect
        bar.state = (option.state & ~QStyle.StateFlag.State_HasFocus) | QStyle.StateFlag.State_Horizontal
        bar.minimum = 0
        bar.maximum = _STEPS
        bar.progress = round(fraction * _STEPS)
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.text = f"{int(fraction * 100)}%"
        bar.palette = QPalette(option.palette)
        # The bar's colour follows the state (picked for a light or dark palette); the running
        # colour is the style's own highlight.
        colour = state_bar_colour(task.state, option.palette)
        if colour is not None:
            bar.palette.setColor(QPalette.ColorRole.Highlight, colour)
        # The bar is not the selection: keep its text readable on a selected row.
        bar.palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        bar.palette.setColor(
            QPalette.ColorRole.WindowText,
            option.palette.color(QPalette.ColorRole.Text),
        )
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
        self._paint_confirmed(painter, task, rect, option.palette)

    @staticmethod
    def _paint_confirmed(painter: QPainter, task: TaskSnapshot, rect: QRect, palette: QPalette) -> None:
        """Resumable uploads: a strip under the bar for the bytes the server has confirmed, which
        trail the bytes sent (what is in flight is lost on a drop; what is confirmed is not)."""
        if not spec_for(task.destination.protocol).resumable or task.total_bytes <= 0:
            return
        if not task.bytes_confirmed or task.state is TaskState.COMPLETED:
            return
        fraction = min(1.0, task.bytes_confirmed / task.total_bytes)
        strip = QRect(rect.left() + 1, rect.bottom() - 2, round((rect.width() - 2) * fraction), 3)
        colour = state_bar_colour(TaskState.COMPLETED, palette) or palette.color(QPalette.ColorRole.Link)
        painter.fillRect(strip, colour)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 120), hint.height())
