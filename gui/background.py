"""The app-level handler for "the batch's work finished" (URLSession's background-events-finished).

The batch is counted once, in core (``core.batch.BatchTracker``, across every session and
destination); ``gui.batch.QueueStatusSource`` hands each finished one here as a
``core.BatchStatus``. The handler summarises it once: as **one** desktop notification while the
window is hidden, or as a status-bar message while it is visible. A drop that goes to two
destinations is one batch, so one notification, after the last file of either.

Wiring in ``gui/app.py``::

    handler = BackgroundEventsHandler(tray.notifier, window.isVisible)
    status_source.batch_finished.connect(handler.batch_finished)

The status bar shows the same summary from ``QueueStatus.last`` whatever the handler does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal

from core import BatchStatus

from .formatting import summary_text
from .notifications import NotificationLevel, Notifier

__all__ = ["BackgroundEventsHandler", "BatchSummary"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class BatchSummary:
    """How one batch ended."""

    uploaded: int = 0
    failed: int = 0
    cancelled: int = 0
    paused: int = 0
    held: int = 0

    @classmethod
    def of(cls, status: BatchStatus) -> BatchSummary:
        return cls(
            uploaded=status.completed,
            failed=status.failed,
            cancelled=status.cancelled,
            paused=status.paused,
            held=status.held,
        )

    @property
    def total(self) -> int:
        return self.uploaded + self.failed + self.cancelled + self.paused + self.held

    @property
    def title(self) -> str:
        if self.failed:
            return QCoreApplication.translate("BatchSummary", "Uploads finished with errors")
        if not self.uploaded:
            return QCoreApplication.translate("BatchSummary", "Uploads cancelled")
        return QCoreApplication.translate("BatchSummary", "Uploads finished")

    @property
    def text(self) -> str:
        """E.g. "12 files uploaded, 1 failed": the words of the status bar's summary too."""
        return summary_text(self.uploaded, self.failed, self.cancelled, self.paused, self.held)

    @property
    def worth_a_notification(self) -> bool:
        # Only cancelled, paused or stopped by the user's own hand: nothing to tell them.
        return bool(self.uploaded or self.failed)


class BackgroundEventsHandler(QObject):
    """Summarises each finished batch once. ``is_window_visible`` is asked at the moment the batch
    finishes (pass ``window.isVisible``)."""

    # The summary was not notified: the window is visible, or no notification could be shown
    # (the status bar has it either way).
    summary_for_status_bar = Signal(str)
    # The summary of every finished batch, however it was shown (for logs and tests).
    batch_summarised = Signal(str)

    def __init__(
        self,
        notifier: Notifier,
        is_window_visible: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._is_window_visible = is_window_visible

    def batch_finished(self, status: BatchStatus) -> BatchSummary:
        """The batch is over: summarise it, once."""
        summary = BatchSummary.of(status)
        text = summary.text
        log.info("batch finished: %s", text)
        self.batch_summarised.emit(text)
        if self._is_window_visible() or not summary.worth_a_notification:
            self.summary_for_status_bar.emit(text)
            return summary
        level = NotificationLevel.WARNING if summary.failed else NotificationLevel.INFORMATION
        if not self._notifier.notify(summary.title, text, level=level):
            # No tray to notify through: leave it where the user will see it when they come back.
            self.summary_for_status_bar.emit(text)
        return summary
