"""The window's questions: "Cancel all uploads?", "Quit Skylift?", and the credentials that
uploads wait for, one dialog at a time. None runs a nested event loop: each opens with ``open()``
and continues in a slot."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

from core import TaskState

from ..credentials import CredentialsDialog, CredentialsRequest

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["Confirmations", "CredentialsPrompter"]


class Confirmations:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._box: QMessageBox | None = None

    def cancel_all(self) -> None:
        """Cancel every unfinished upload; asks first when uploads are running."""
        window = self._window
        controller = window.controller
        if not controller.has_running_uploads():
            controller.cancel_all()
            return
        running = window.model.count_where(_moving)
        text = (
            QCoreApplication.translate(
                "MainWindow",
                "{count} upload is running or queued. Cancelled uploads stop now; you can retry them later.",
            )
            if running == 1
            else QCoreApplication.translate(
                "MainWindow",
                "{count} uploads are running or queued. Cancelled uploads stop now; you can retry them later.",  # noqa: E501
            )
        )
        self._ask(
            "confirm_cancel_all",
            QCoreApplication.translate("MainWindow", "Cancel all uploads?"),
            text.format(count=f"{running:,}"),
            QCoreApplication.translate("MainWindow", "Cancel uploads"),
            QCoreApplication.translate("MainWindow", "Keep uploading"),
            controller.cancel_all,
        )

    def quit(self, quit_now: Callable[[], None]) -> None:
        """Quit; asks first when uploads are running (they continue on the next start)."""
        window = self._window
        if not window.controller.has_running_uploads():
            quit_now()
            return
        if not window.isVisible():
            window.show_and_raise()
        running = window.model.count_where(_moving)
        text = (
            QCoreApplication.translate(
                "MainWindow",
                "{count} upload is not finished. They stop now and continue the next time you start Skylift.",
            )
            if running == 1
            else QCoreApplication.translate(
                "MainWindow",
                "{count} uploads are not finished. They stop now and continue the next time you start Skylift.",  # noqa: E501
            )
        )
        self._ask(
            "confirm_quit",
            QCoreApplication.translate("MainWindow", "Quit Skylift?"),
            text.format(count=f"{running:,}"),
            QCoreApplication.translate("MainWindow", "Quit"),
            QCoreApplication.translate("MainWindow", "Keep uploading"),
            quit_now,
        )

    def _ask(self, name: str, title: str, text: str, yes: str, no: str, then: Callable[[], object]) -> None:
        if self._box is not None:
            self._box.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, title, title, QMessageBox.StandardButton.NoButton, self._window
        )
        box.setObjectName(name)
        box.setInformativeText(text)
        accept = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def done(_result: int) -> None:
            self._box = None
            if box.clickedButton() is accept:
                then()
            box.deleteLater()

        box.finished.connect(done)
        self._box = box
        box.open()


class CredentialsPrompter:
    """Uploads wait for secrets that were never stored: ask, one dialog at a time, each request
    once."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.dialog: CredentialsDialog | None = None
        self._requests: list[CredentialsRequest] = []

    def ask(self, request: CredentialsRequest) -> None:
        shown = self.dialog
        if (shown is not None and shown.request.key == request.key) or any(
            r.key == request.key for r in self._requests
        ):
            return
        self._requests.append(request)
        self._next()

    def _next(self) -> None:
        if self.dialog is not None or not self._requests:
            return
        request = self._requests.pop(0)
        controller = self._window.controller
        dialog = CredentialsDialog(request, parent=self._window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.supplied.connect(controller.supply_credentials)
        dialog.rejected.connect(lambda: controller.decline_credentials(request))
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._next()


def _moving(state: TaskState) -> bool:
    return state.is_active or state.is_runnable
