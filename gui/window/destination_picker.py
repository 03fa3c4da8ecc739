"""The toolbar's "Upload to" choice and the Destinations dialog it opens.

Files dropped while no destination exists wait here until one is saved (then they are added) or
the dialog closes without one (then the user is told that nothing was added).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox

from core.redaction import redact_url
from core.text import printable

from ..destinations import DestinationsDialog, SavedDestination
from ..resources import action_icon

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["MANAGE", "DestinationPicker"]

# The combo's last item: opens the Destinations dialog.
MANAGE = "__manage__"


class DestinationPicker:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.dialog: DestinationsDialog | None = None
        self.pending_paths: list[Path] = []
        combo = QComboBox()
        combo.setObjectName("destination_combo")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(14)
        combo.setToolTip(QCoreApplication.translate("MainWindow", "Where dropped and added files go"))
        combo.setAccessibleName(QCoreApplication.translate("MainWindow", "Upload to"))
        combo.activated.connect(self._chosen)
        self.combo = combo

    def reload(self) -> None:
        combo = self.combo
        store = self._window.controller.destinations
        wanted = store.last_used
        current = combo.currentData() if combo.currentData() != MANAGE else None
        combo.blockSignals(True)
        combo.clear()
        for destination in store.all():
            combo.addItem(action_icon("destinations"), destination.label, destination.id)
            tip = printable(redact_url(destination.url))
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if combo.count():
            combo.insertSeparator(combo.count())
        combo.addItem(QCoreApplication.translate("MainWindow", "Manage destinations…"), MANAGE)
        for choice in (wanted, current):
            index = combo.findData(choice) if choice else -1
            if index >= 0:
                combo.setCurrentIndex(index)
                break
        else:
            combo.setCurrentIndex(0 if combo.count() > 1 else -1)
        combo.blockSignals(False)
        self._update_placeholder()

    def current(self) -> SavedDestination | None:
        destination_id = self.combo.currentData()
        if not destination_id or destination_id == MANAGE:
            return None
        return self._window.controller.destinations.get(destination_id)

    def select(self, destination_id: str) -> None:
        index = self.combo.findData(destination_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
            self.remember()

    def remember(self) -> None:
        destination = self.current()
        if destination is not None and not destination.adhoc:
            self._window.controller.destinations.last_used = destination.id
        self._update_placeholder()

    def recolour(self) -> None:
        combo = self.combo
        palette = self._window.palette()
        for index in range(combo.count()):
            if combo.itemData(index) not in (None, MANAGE):
                combo.setItemIcon(index, action_icon("destinations", palette))

    def _chosen(self, index: int) -> None:
        if self.combo.itemData(index) == MANAGE:
            self.reload()  # put the selection back on a destination
            self.edit()
            return
        self.remember()

    def _update_placeholder(self) -> None:
        view = self._window.view
        destination = self.current()
        if destination is None:
            view.placeholder = QCoreApplication.translate("MainWindow", "Drop files or folders here")
            view.placeholder_hint = QCoreApplication.translate(
                "MainWindow", "Skylift will ask where to upload them"
            )
        else:
            view.placeholder = QCoreApplication.translate(
                "MainWindow", "Drop files or folders here to upload them to {destination}"
            ).format(destination=destination.label)
            view.placeholder_hint = QCoreApplication.translate(
                "MainWindow", "or use Add files… and Add folder…"
            )
        view.viewport().update()

    # -- the dialog -------------------------------------------------------------------------------

    def edit(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return
        current = self.current()
        dialog = DestinationsDialog(
            self._window.controller.destinations, select=current.id if current else None, parent=self._window
        )
        dialog.saved.connect(self._saved)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _saved(self, destination_id: str) -> None:
        window = self._window
        dialog = self.dialog
        if dialog is not None and dialog.session_only:
            text = QCoreApplication.translate(
                "MainWindow", "Saved. The keyring cannot be used: secrets are kept for this session only."
            )
            window.statusBar().showMessage(text, 10000)
        window.controller.refresh_destinations()
        self.reload()
        if destination_id:
            self.select(destination_id)
        if self.pending_paths and self.current() is not None:
            paths, self.pending_paths = self.pending_paths, []
            window.add_paths(paths)

    def _closed(self, _result: int) -> None:
        if self.current() is None and self.pending_paths:
            self.pending_paths = []
            text = QCoreApplication.translate(
                "MainWindow", "Nothing was added: there is no destination to upload to."
            )
            self._window.statusBar().showMessage(text, 8000)
