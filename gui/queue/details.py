"""The details of one upload: the full failure reason, the server's answer, where it went."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core import TaskSnapshot, TaskState
from core.redaction import redact_url
from core.text import printable

from ..formatting import format_bytes, redact_urls_in, returned_url, state_text
from ..theme import error_text_colour

__all__ = ["DetailsDialog"]


def _when(timestamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp)) if timestamp else "—"


class DetailsDialog(QDialog):
    def __init__(self, task: TaskSnapshot, *, destination_label: str, parent: QWidget | None = None):
        super().__init__(parent)
        # Names and URLs from outside: escaped (printable) and without credentials (redact_url), and
        # shown as plain text, never as rich text that a file name could carry.
        name = printable(task.relative_name)
        self.setWindowTitle(self.tr("{name} — Details").format(name=name))
        self.task = task
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        def add(label: str, text: str, *, name: str = "", rich: bool = False) -> QLabel:
            value = QLabel(text)
            value.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name:
                value.setObjectName(name)
            form.addRow(label, value)
            return value

        destination = task.destination
        add(self.tr("Name:"), name)
        add(self.tr("File:"), printable(str(task.path)))
        size = self.tr("{size} ({count} bytes)").format(
            size=format_bytes(task.total_bytes), count=f"{task.total_bytes:,}"
        )
        add(self.tr("Size:"), size)
        where = printable(redact_url(destination.url))
        add(
            self.tr("Destination:"),
            f"{printable(destination_label)}\n{destination.options.method or destination.protocol} {where}",
        )
        add(self.tr("Protocol:"), destination.protocol)
        add(self.tr("State:"), state_text(task, now=time.time()), name="state")
        sent = self.tr("{sent} of {total}").format(
            sent=format_bytes(task.bytes_sent), total=format_bytes(task.total_bytes)
        )
        add(self.tr("Sent:"), sent)
        add(self.tr("Attempts:"), str(task.attempts))
        add(self.tr("Added:"), _when(task.created_at))
        add(self.tr("Finished:"), _when(task.finished_at))
        if task.http_status is not None:
            add(self.tr("HTTP status:"), str(task.http_status))
        self.error = add(self.tr("Error:"), printable(task.error) if task.error else "—", name="error")
        self._apply_error_colour()
        url = returned_url(task.response_text)
        if url:
            shown = html.escape(printable(redact_url(url)))
            link = add(self.tr("Returned URL:"), f'<a href="{shown}">{shown}</a>', name="url", rich=True)
            link.setOpenExternalLinks(True)
            link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.response = QPlainTextEdit(redact_urls_in(task.response_text or ""))
        self.response.setReadOnly(True)
        self.response.setPlaceholderText(self.tr("No response from the server yet."))
        self.response.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        response_label = QLabel(self.tr("Server &response:"))
        response_label.setBuddy(self.response)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(response_label)
        layout.addWidget(self.response, 1)
        layout.addWidget(buttons)
        self.resize(620, 480)

    def _apply_error_colour(self) -> None:
        """A failure's reason in red: a darker red on a light palette, a lighter one on a dark."""
        palette = QPalette(self.palette())
        if self.task.state is TaskState.FAILED:
            palette.setColor(QPalette.ColorRole.WindowText, error_text_colour(palette))
        self.error.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_error_colour()
