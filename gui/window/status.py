"""The status bar, the window title and the speed label, from the queue's status.

``present_status`` is pure: a ``QueueStatus`` in, the words out. While a batch is open it shows that
batch only ("3 of 12 files uploaded · 1 failed · 1.2 GiB of 4 GiB · 2 min left") and the title
carries its percentage; between batches the last one's summary stays until the next opens, and an
empty list says "Ready" — finished history never keeps a percentage or a failure on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from core.identity import APP_NAME

from ..batch import QueueStatus, batch_summary_text
from ..formatting import format_bytes, format_duration, format_speed

__all__ = ["StatusBarView", "StatusView", "present_status"]


@dataclass(frozen=True)
class StatusView:
    text: str
    speed: str
    title: str


def present_status(status: QueueStatus) -> StatusView:
    batch = status.batch
    if batch is None:
        if not status.rows:
            text = QCoreApplication.translate("MainWindow", "Ready")
        elif status.last is not None:
            text = batch_summary_text(status.last)
        elif status.held:
            text = QCoreApplication.translate("MainWindow", "Stopped — Resume all continues")
        elif status.paused:
            text = QCoreApplication.translate("MainWindow", "Paused — Resume all continues")
        else:
            text = QCoreApplication.translate("MainWindow", "All uploads finished")
        return StatusView(text, "", APP_NAME)
    counted = batch.files - batch.cancelled
    uploaded = (
        QCoreApplication.translate("MainWindow", "{done} of {total} file uploaded")
        if counted == 1
        else QCoreApplication.translate("MainWindow", "{done} of {total} files uploaded")
    )
    parts = [uploaded.format(done=batch.completed, total=f"{counted:,}")]
    if batch.failed:
        parts.append(QCoreApplication.translate("MainWindow", "{count} failed").format(count=batch.failed))
    parts.append(
        QCoreApplication.translate("MainWindow", "{sent} of {total}").format(
            sent=format_bytes(batch.done_bytes), total=format_bytes(batch.total_bytes)
        )
    )
    eta = format_duration(status.eta)
    if eta:
        parts.append(QCoreApplication.translate("MainWindow", "{duration} left").format(duration=eta))
    if batch.held and not batch.active:
        parts.append(QCoreApplication.translate("MainWindow", "stopped — Resume all continues"))
    return StatusView(" · ".join(parts), format_speed(status.speed), f"{status.percent}% — {APP_NAME}")


class StatusBarView:
    """The status bar's labels: the status text, the speed, and a "Queue not saved" warning."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.status_label = QLabel(QCoreApplication.translate("MainWindow", "Ready"))
        self.status_label.setObjectName("status_label")
        self.status_label.setAccessibleName(QCoreApplication.translate("MainWindow", "Status"))
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speed_label")
        # A fixed width: a speed that changes four times a second must not relayout the status bar.
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("999.9 MiB/s") + 8)
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Shown while the queue cannot be saved (disk full, database locked): never silent.
        self.store_problem_label = QLabel("")
        self.store_problem_label.setObjectName("store_problem_label")
        self.store_problem_label.setAccessibleName(
            QCoreApplication.translate("MainWindow", "Saving the queue")
        )
        self.store_problem_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.store_problem_label.hide()
        bar = window.statusBar()
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.store_problem_label)
        bar.addPermanentWidget(self.speed_label)
        bar.setSizeGripEnabled(True)

    def show(self, status: QueueStatus) -> None:
        view = present_status(status)
        if view.text != self.status_label.text():
            self.status_label.setText(view.text)
        self.speed_label.setText(view.speed)
        if view.title != self._window.windowTitle():
            self._window.setWindowTitle(view.title)

    def show_store_problem(self, problem: str | None) -> bool:
        """The queue cannot be saved (the store keeps retrying), or it can again. True when the
        problem is new (worth telling the user about)."""
        label = self.store_problem_label
        if problem is None:
            if not label.isHidden():
                label.hide()
                self._window.statusBar().showMessage(
                    QCoreApplication.translate("MainWindow", "The upload queue is being saved again."), 8000
                )
            return False
        label.setText(QCoreApplication.translate("MainWindow", "Queue not saved"))
        label.setToolTip(problem)
        if not label.isHidden():
            return False
        label.show()
        return True
