"""The queue table: drops of files and folders, and a friendly empty state."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from .columns import Cell, Column
from .delegates import ProgressDelegate, QueueItemDelegate

__all__ = ["UploadTableView", "local_paths"]


def local_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class UploadTableView(QTableView):
    # list[Path]: local files and folders dropped on the table.
    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = self.tr("Drop files or folders here to upload them")
        self.placeholder_hint = self.tr("or use Add files… and Add folder…")
        self._drag_over = False
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setSortingEnabled(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(QueueItemDelegate(self))
        # One progress delegate for every column the table paints as a bar.
        self._progress_delegate = ProgressDelegate(self)
        for column in Column:
            if column.spec.cell is Cell.PROGRESS_BAR:
                self.setItemDelegateForColumn(column, self._progress_delegate)
        rows = self.verticalHeader()
        rows.hide()
        # Uniform row heights: the view never asks 10,000 rows for a size hint.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(48)

    def apply_default_widths(self) -> None:
        header = self.horizontalHeader()
        for column in Column:
            if column.spec.width is not None:
                header.resizeSection(column, column.spec.width)
            if column.spec.stretch:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def enable_sorting(self) -> None:
        """Sorting on header click, starting unsorted (in the order files were added): a sort
        column would make every insert of 10,000 rows pay for Python comparisons."""
        header = self.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorClearable(True)
        self.setSortingEnabled(True)

    # -- drops ----------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()
            self._set_drag_over(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drag_over(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_drag_over(False)
        paths = local_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(paths)

    def _set_drag_over(self, value: bool) -> None:
        if self._drag_over != value:
            self._drag_over = value
            self.viewport().update()

    # -- painting -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        empty = model is None or model.rowCount() == 0
        if not (empty or self._drag_over):
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.viewport().rect()).adjusted(10, 10, -10, -10)
        palette = self.palette()
        if self._drag_over:
            accent = palette.color(QPalette.ColorRole.Highlight)
            fill = QColor(accent)
            fill.setAlpha(28)
            painter.setBrush(fill)
            painter.setPen(QPen(accent, 2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect, 10, 10)
        if empty:
            text_colour = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            painter.setPen(text_colour)
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.35)
            painter.setFont(font)
            centre = rect.center()
            line = painter.fontMetrics().height()
            top = QRectF(rect.left(), centre.y() - line, rect.width(), line)
            painter.drawText(top, Qt.AlignmentFlag.AlignCenter, self.placeholder)
            painter.setFont(self.font())
            bottom = QRectF(rect.left(), centre.y() + 4, rect.width(), line)
            painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, self.placeholder_hint)
        painter.end()
