"""The window's commands on the selected rows: pause, resume, cancel, retry, remove, details, open
the folder, copy what the server answered. Which of them a selection enables is
``gui.queue.row_actions``'s rule; this module only applies it to the actions."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import quote

from PySide6.QtCore import QByteArray, QCoreApplication, QItemSelectionModel, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMenu

from core import TaskSnapshot
from core.redaction import redact_url

from ..formatting import redact_urls_in, returned_url
from ..queue import Column, DetailsDialog, Role, RowAction, TaskKey, row_actions, toggle_pauses
from .actions import ROW_MENU, fill_menu, row_specs

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["RowCommands"]

_MAX_FOLDERS_OPENED = 5


class RowCommands:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.details_dialog: DetailsDialog | None = None
        self._row_actions: dict[RowAction, QAction] = {}

    def attach(self, actions: dict[str, QAction]) -> None:
        """The row actions: keys act on the table's selection only while the table has the focus."""
        view = self._window.view
        for spec in row_specs():
            action = actions[spec.name]
            assert spec.row is not None
            self._row_actions[spec.row] = action
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            view.addAction(action)

    # -- the selection ----------------------------------------------------------------------------

    def selected_keys(self) -> list[TaskKey]:
        window = self._window
        rows = window.view.selectionModel().selectedRows()
        keys = [window.proxy.data(index, Role.KEY) for index in rows]
        return [key for key in keys if key is not None]

    def selected_snapshots(self) -> list[TaskSnapshot]:
        window = self._window
        rows = window.view.selectionModel().selectedRows()
        return [s for s in (window.proxy.data(index, Role.SNAPSHOT) for index in rows) if s is not None]

    def select_rows(self, keys: list[TaskKey]) -> None:
        """Select the rows of these tasks (tests and "show this upload" requests)."""
        window = self._window
        selection = window.view.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for key in keys:
            row = window.model.row_of(key)
            if row is not None:
                index = window.proxy.mapFromSource(window.model.index(row, 0))
                selection.select(index, flags)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def update_actions(self) -> None:
        model = self._window.model
        held = self._window.controller.held_sessions
        allowed = row_actions(self.selected_snapshots(), waiting=model.is_waiting, held=held.__contains__)
        for row, action in self._row_actions.items():
            action.setEnabled(row in allowed)

    # -- commands ---------------------------------------------------------------------------------

    def pause_selected(self) -> None:
        self._window.controller.pause(self.selected_keys())

    def resume_selected(self) -> None:
        self._window.controller.resume(self.selected_keys())

    def toggle_selected(self) -> None:
        if toggle_pauses(self.selected_snapshots()):
            self.pause_selected()
        else:
            self.resume_selected()

    def cancel_selected(self) -> None:
        self._window.controller.cancel(self.selected_keys())

    def retry_selected(self) -> None:
        self._window.controller.retry(self.selected_keys())

    def retry_selected_with_current_settings(self) -> None:
        self._window.controller.retry_with_current_settings(self.selected_keys())

    def remove_selected(self) -> None:
        self._window.controller.remove(self.selected_keys())

    def enter_credentials(self) -> None:
        model = self._window.model
        keys = [key for key in self.selected_keys() if model.is_waiting(key)]
        self._window.controller.ask_for_credentials(keys or model.waiting_keys())

    def show_details(self) -> None:
        window = self._window
        index = window.view.currentIndex()
        task = window.proxy.data(index, Role.SNAPSHOT) if index.isValid() else None
        if task is None:
            tasks = self.selected_snapshots()
            task = tasks[0] if tasks else None
        if task is None:
            return
        if self.details_dialog is not None:
            self.details_dialog.close()
        label = window.proxy.data(index.siblingAtColumn(Column.DESTINATION)) if index.isValid() else ""
        dialog = DetailsDialog(task, destination_label=str(label or ""), parent=window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._details_gone)
        self.details_dialog = dialog
        dialog.show()

    def _details_gone(self) -> None:
        self.details_dialog = None

    def open_containing_folder(self) -> None:
        folders = list(dict.fromkeys(t.path.parent for t in self.selected_snapshots()))
        for folder in folders[:_MAX_FOLDERS_OPENED]:
            # From the path's own bytes: a name that is not UTF-8 cannot become a QString.
            encoded = quote(os.fsencode(folder), safe="/")
            QDesktopServices.openUrl(QUrl.fromEncoded(QByteArray(f"file://{encoded}".encode("ascii"))))

    def copy_returned_url(self) -> None:
        # Never a credential: a signed URL the server handed back is copied with its secrets redacted.
        urls = [
            redact_url(u) for u in (returned_url(t.response_text) for t in self.selected_snapshots()) if u
        ]
        if urls:
            QGuiApplication.clipboard().setText("\n".join(urls))
            copied = (
                QCoreApplication.translate("MainWindow", "Copied {count} URL")
                if len(urls) == 1
                else QCoreApplication.translate("MainWindow", "Copied {count} URLs")
            )
            self._window.statusBar().showMessage(copied.format(count=f"{len(urls):,}"), 3000)
        else:
            self.copy_response()

    def copy_response(self) -> None:
        texts = [redact_urls_in(t.response_text) for t in self.selected_snapshots() if t.response_text]
        if texts:
            QGuiApplication.clipboard().setText("\n".join(texts))
            text = QCoreApplication.translate("MainWindow", "Copied the server's response")
            self._window.statusBar().showMessage(text, 3000)

    def show_context_menu(self, position: QPoint) -> None:
        window = self._window
        menu = QMenu(window)
        if not window.view.indexAt(position).isValid():
            fill_menu(menu, window.named_actions, ("add_files", "add_folder"))
        else:
            self.update_actions()
            fill_menu(menu, window.named_actions, ROW_MENU)
        menu.popup(window.view.viewport().mapToGlobal(position))
