"""The main window: the queue table, its actions, drops, the status bar, and closing to the tray.

Dialogs never run a nested event loop (no ``exec()``): confirmations, file pickers and the
destinations dialog are opened with ``open()`` and continue in a slot. A nested loop inside an
asyncio task step would let other tasks run re-entrantly, which asyncio forbids.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from core import TaskSnapshot, TaskState
from core.identity import APP_NAME
from core.redaction import redact_url
from core.text import printable

from .batch import BatchStatus
from .controller import UploadController
from .credentials import CredentialsDialog, CredentialsRequest
from .destinations import DestinationsDialog, SavedDestination
from .formatting import format_bytes, format_duration, format_speed, redact_urls_in, returned_url
from .queue import Column, DetailsDialog, Role, TaskKey, UploadTableView, local_paths
from .resources import action_icon, app_icon
from .settings import AppSettings

__all__ = ["MainWindow"]


_ACTIVE = (TaskState.UPLOADING, TaskState.PROCESSING, TaskState.RETRY_WAIT)
_RUNNABLE = (TaskState.QUEUED, TaskState.INTERRUPTED)
_MANAGE = "__manage__"
_MAX_FOLDERS_OPENED = 5


class MainWindow(QMainWindow):
    # The user asked to quit and confirmed it if uploads were running: the app shuts down.
    quit_requested = Signal()

    def __init__(
        self, controller: UploadController, settings: AppSettings, *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.model = controller.model
        # Set by the app when a tray icon exists; asked at the moment the window closes.
        self.tray_available: Callable[[], bool] = lambda: False
        self._quitting = False
        self._confirm: QMessageBox | None = None
        self._pending_paths: list[Path] = []
        self.details_dialog: DetailsDialog | None = None
        self.destinations_dialog: DestinationsDialog | None = None
        self.credentials_dialog: CredentialsDialog | None = None
        self._credential_requests: list[CredentialsRequest] = []
        self._summary: str | None = None

        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setUnifiedTitleAndToolBarOnMac(True)

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Role.SORT)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = UploadTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(self.tr("Upload queue"))
        self.view.apply_default_widths()
        self.view.enable_sorting()
        self.setCentralWidget(self.view)

        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._create_status_bar()

        self.view.files_dropped.connect(self.add_paths)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.doubleClicked.connect(lambda _index: self.show_details())
        self.view.selectionModel().selectionChanged.connect(self._update_row_actions)
        self.model.counts_changed.connect(self._update_actions)
        self.model.batch_changed.connect(self._show_batch)
        controller.batch_finished.connect(self._batch_finished)
        controller.notice.connect(self.show_notice)
        controller.store_problem.connect(self.show_store_problem)
        controller.sessions_changed.connect(self._update_actions)
        controller.files_queued.connect(self._files_queued)
        controller.credentials_needed.connect(self.ask_credentials)

        self.restore_layout()
        self.reload_destinations()
        self._update_actions()

    # -- construction -----------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        *,
        icon: str | None = None,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        fallback: str = "",
        tip: str = "",
        name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            # Kept on the action: the icon is redrawn in the new text colour when the palette changes.
            action.setProperty("icon_name", icon)
            action.setIcon(action_icon(icon))
        if isinstance(shortcut, QKeySequence.StandardKey):
            # The platform's own keys; some platforms have none for a key (Windows: Quit).
            action.setShortcuts(shortcut)
            if action.shortcut().isEmpty() and fallback:
                action.setShortcut(QKeySequence(fallback))
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setObjectName(name or text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _create_actions(self) -> None:
        a = self._action
        self.action_add_files = a(
            self.tr("Add files…"),
            self.choose_files,
            icon="add-file",
            shortcut=QKeySequence.StandardKey.Open,
            tip=self.tr("Choose files to upload"),
            name="add_files",
        )
        self.action_add_folder = a(
            self.tr("Add folder…"),
            self.choose_folder,
            icon="add-folder",
            shortcut="Ctrl+Shift+O",
            tip=self.tr("Choose a folder to upload with everything in it"),
            name="add_folder",
        )
        self.action_destinations = a(
            self.tr("Destinations…"),
            self.edit_destinations,
            icon="destinations",
            shortcut="Ctrl+D",
            tip=self.tr("Define where uploads go"),
            name="destinations",
        )
        self.action_quit = a(
            self.tr("Quit"),
            self.request_quit,
            shortcut=QKeySequence.StandardKey.Quit,
            fallback="Ctrl+Q",
            name="quit",
        )
        self.action_pause_all = a(
            self.tr("Pause all"),
            self.controller.pause_all,
            icon="pause",
            shortcut="Ctrl+Shift+P",
            tip=self.tr("Pause every upload"),
            name="pause_all",
        )
        self.action_resume_all = a(
            self.tr("Resume all"),
            self.controller.resume_all,
            icon="resume",
            shortcut="Ctrl+Shift+U",
            tip=self.tr("Resume paused uploads and continue a stopped queue"),
            name="resume_all",
        )
        self.action_stop_after = a(
            self.tr("Stop after running"),
            self.controller.stop_after_running,
            icon="stop-after",
            shortcut="Ctrl+Shift+T",
            tip=self.tr("Stop after running uploads: they finish, queued ones wait until you resume"),
            name="stop_after_running",
        )
        self.action_cancel_all = a(
            self.tr("Cancel all"),
            self.request_cancel_all,
            icon="cancel",
            shortcut="Ctrl+Shift+X",
            tip=self.tr("Cancel every unfinished upload now"),
            name="cancel_all",
        )
        self.action_retry_failed = a(
            self.tr("Retry failed"),
            self.controller.retry_failed,
            icon="retry",
            shortcut="Ctrl+Shift+F",
            tip=self.tr("Try every failed upload again"),
            name="retry_failed",
        )
        self.action_clear_finished = a(
            self.tr("Clear finished"),
            self.controller.clear_finished,
            icon="clear",
            shortcut="Ctrl+Shift+Del",
            tip=self.tr("Remove uploaded and cancelled files from the list"),
            name="clear_finished",
        )

        # Per-row actions: in the context menu and the Upload menu, with keys while the table has focus.
        self.action_pause = a(
            self.tr("Pause"), self.pause_selected, icon="pause", shortcut="Ctrl+P", name="pause"
        )
        self.action_resume = a(
            self.tr("Resume"), self.resume_selected, icon="resume", shortcut="Ctrl+R", name="resume"
        )
        self.action_toggle = a(
            self.tr("Pause or resume"), self.toggle_selected, shortcut="Space", name="toggle"
        )
        self.action_cancel = a(
            self.tr("Cancel"), self.cancel_selected, icon="cancel", shortcut="Ctrl+.", name="cancel"
        )
        self.action_retry = a(
            self.tr("Retry"), self.retry_selected, icon="retry", shortcut="Ctrl+Shift+R", name="retry"
        )
        self.action_retry_current = a(
            self.tr("Retry with current settings"),
            self.retry_selected_with_current_settings,
            icon="retry",
            shortcut="Ctrl+Alt+R",
            tip=self.tr("Try again with the destination as it is now (its URL, headers and credentials)"),
            name="retry_current",
        )
        self.action_credentials = a(
            self.tr("Enter credentials…"),
            self.enter_credentials,
            shortcut="Ctrl+K",
            tip=self.tr("Give the credentials these uploads wait for"),
            name="enter_credentials",
        )
        # Only the Delete key: the platform's Delete sequence includes Ctrl+D on X11, which is
        # Destinations… (and would be taken by this action whenever the table has the focus).
        self.action_remove = a(
            self.tr("Remove from list"),
            self.remove_selected,
            icon="remove",
            shortcut=QKeySequence(Qt.Key.Key_Delete),
            name="remove",
        )
        self.action_details = a(
            self.tr("Details…"), self.show_details, icon="details", shortcut="Ctrl+I", name="details"
        )
        self.action_open_folder = a(
            self.tr("Open containing folder"),
            self.open_containing_folder,
            icon="folder",
            shortcut="Ctrl+E",
            name="open_folder",
        )
        self.action_copy_url = a(
            self.tr("Copy returned URL"),
            self.copy_returned_url,
            icon="copy",
            shortcut=QKeySequence.StandardKey.Copy,
            name="copy_url",
        )
        self.action_copy_response = a(
            self.tr("Copy server response"), self.copy_response, shortcut="Ctrl+Shift+C", name="copy_response"
        )
        self.row_actions = [
            self.action_pause,
            self.action_resume,
            self.action_toggle,
            self.action_cancel,
            self.action_retry,
            self.action_retry_current,
            self.action_credentials,
            self.action_remove,
            self.action_details,
            self.action_open_folder,
            self.action_copy_url,
            self.action_copy_response,
        ]
        for action in self.row_actions:
            # Keys act on the table's selection only while the table has the focus.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.action_add_files, self.action_add_folder])
        file_menu.addSeparator()
        file_menu.addAction(self.action_destinations)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        self.queue_menu = bar.addMenu(self.tr("&Queue"))
        self.queue_menu.addActions(
            [self.action_pause_all, self.action_resume_all, self.action_stop_after, self.action_cancel_all]
        )
        self.queue_menu.addSeparator()
        self.queue_menu.addActions([self.action_retry_failed, self.action_clear_finished])
        self.upload_menu = bar.addMenu(self.tr("&Upload"))
        self._fill_row_menu(self.upload_menu)
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.action_about = self._action(
            self.tr("About Skylift"),
            self._about,
            shortcut=QKeySequence.StandardKey.HelpContents,
            fallback="F1",
            name="about",
        )
        self.help_menu.addAction(self.action_about)

    def _fill_row_menu(self, menu: QMenu) -> None:
        menu.addActions([self.action_pause, self.action_resume, self.action_cancel, self.action_retry])
        menu.addActions([self.action_retry_current, self.action_credentials])
        menu.addSeparator()
        menu.addActions([self.action_details, self.action_open_folder])
        menu.addActions([self.action_copy_url, self.action_copy_response])
        menu.addSeparator()
        menu.addAction(self.action_remove)

    def _create_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main toolbar"), self)
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        bar.addActions([self.action_add_files, self.action_add_folder])
        bar.addSeparator()
        bar.addActions(
            [self.action_pause_all, self.action_resume_all, self.action_stop_after, self.action_cancel_all]
        )
        bar.addSeparator()
        bar.addAction(self.action_retry_failed)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        label = QLabel(self.tr("Upload to "))
        bar.addWidget(label)
        self.destination_combo = QComboBox()
        self.destination_combo.setObjectName("destination_combo")
        self.destination_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.destination_combo.setMinimumContentsLength(14)
        self.destination_combo.setToolTip(self.tr("Where dropped and added files go"))
        label.setBuddy(self.destination_combo)
        self.destination_combo.activated.connect(self._destination_chosen)
        bar.addWidget(self.destination_combo)
        self.destination_combo.setAccessibleName(self.tr("Upload to"))
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if button is not None and not action.isSeparator() and action.text():
                # Screen readers name a button by this, not by the action's text with its "…".
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        self.toolbar = bar
        self.addToolBar(bar)

    def _create_status_bar(self) -> None:
        self.status_label = QLabel(self.tr("Ready"))
        self.status_label.setObjectName("status_label")
        self.status_label.setAccessibleName(self.tr("Status"))
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speed_label")
        # A fixed width: a speed that changes four times a second must not relayout the status bar.
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("999.9 MiB/s") + 8)
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Shown while the queue cannot be saved (disk full, database locked): never silent.
        self.store_problem_label = QLabel("")
        self.store_problem_label.setObjectName("store_problem_label")
        self.store_problem_label.setAccessibleName(self.tr("Saving the queue"))
        self.store_problem_label.setStyleSheet("color: #c62828; font-weight: bold;")
        self.store_problem_label.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.store_problem_label)
        self.statusBar().addPermanentWidget(self.speed_label)
        self.statusBar().setSizeGripEnabled(True)

    # -- layout persistence -----------------------------------------------------------------------

    def restore_layout(self) -> None:
        geometry = self.settings.window_geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 640)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
        header = self.settings.header_state
        if header is not None:
            self.view.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.header_state = self.view.horizontalHeader().saveState()
        self.settings.sync()

    # -- destinations -----------------------------------------------------------------------------

    def reload_destinations(self) -> None:
        combo = self.destination_combo
        store = self.controller.destinations
        wanted = store.last_used
        current = combo.currentData() if combo.currentData() != _MANAGE else None
        combo.blockSignals(True)
        combo.clear()
        for destination in store.all():
            combo.addItem(action_icon("destinations"), destination.label, destination.id)
            tip = printable(redact_url(destination.url))
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if combo.count():
            combo.insertSeparator(combo.count())
        combo.addItem(self.tr("Manage destinations…"), _MANAGE)
        for choice in (wanted, current):
            index = combo.findData(choice) if choice else -1
            if index >= 0:
                combo.setCurrentIndex(index)
                break
        else:
            combo.setCurrentIndex(0 if combo.count() > 1 else -1)
        combo.blockSignals(False)
        self._update_placeholder()

    def current_destination(self) -> SavedDestination | None:
        destination_id = self.destination_combo.currentData()
        if not destination_id or destination_id == _MANAGE:
            return None
        return self.controller.destinations.get(destination_id)

    def select_destination(self, destination_id: str) -> None:
        index = self.destination_combo.findData(destination_id)
        if index >= 0:
            self.destination_combo.setCurrentIndex(index)
            self._remember_destination()

    def _destination_chosen(self, index: int) -> None:
        if self.destination_combo.itemData(index) == _MANAGE:
            self.reload_destinations()  # put the selection back on a destination
            self.edit_destinations()
            return
        self._remember_destination()

    def _remember_destination(self) -> None:
        destination = self.current_destination()
        if destination is not None and not destination.adhoc:
            self.controller.destinations.last_used = destination.id
        self._update_placeholder()

    def _update_placeholder(self) -> None:
        destination = self.current_destination()
        if destination is None:
            self.view.placeholder = self.tr("Drop files or folders here")
            self.view.placeholder_hint = self.tr("Skylift will ask where to upload them")
        else:
            self.view.placeholder = self.tr(
                "Drop files or folders here to upload them to {destination}"
            ).format(destination=destination.label)
            self.view.placeholder_hint = self.tr("or use Add files… and Add folder…")
        self.view.viewport().update()

    def edit_destinations(self) -> None:
        if self.destinations_dialog is not None and self.destinations_dialog.isVisible():
            self.destinations_dialog.raise_()
            return
        current = self.current_destination()
        dialog = DestinationsDialog(
            self.controller.destinations, select=current.id if current else None, parent=self
        )
        dialog.saved.connect(self._destinations_saved)
        dialog.finished.connect(self._destinations_closed)
        self.destinations_dialog = dialog
        dialog.open()

    def _destinations_saved(self, destination_id: str) -> None:
        dialog = self.destinations_dialog
        if dialog is not None and dialog.session_only:
            self.statusBar().showMessage(
                self.tr("Saved. The keyring cannot be used: secrets are kept for this session only."), 10000
            )
        self.controller.refresh_destinations()
        self.reload_destinations()
        if destination_id:
            self.select_destination(destination_id)
        if self._pending_paths and self.current_destination() is not None:
            paths, self._pending_paths = self._pending_paths, []
            self.add_paths(paths)

    def _destinations_closed(self, _result: int) -> None:
        if self.current_destination() is None and self._pending_paths:
            self._pending_paths = []
            self.statusBar().showMessage(
                self.tr("Nothing was added: there is no destination to upload to."), 8000
            )

    # -- adding files -----------------------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> None:
        """Queue files and folders to the chosen destination (asks for one if there is none)."""
        if not paths:
            return
        destination = self.current_destination()
        if destination is None:
            self._pending_paths = list(paths)
            self.edit_destinations()
            return
        self._remember_destination()
        count = len(paths)
        adding = (
            self.tr("Adding {count} item to {destination}…")
            if count == 1
            else self.tr("Adding {count} items to {destination}…")
        )
        self.statusBar().showMessage(adding.format(count=f"{count:,}", destination=destination.label), 4000)
        self.controller.add_paths(paths, destination)

    def choose_files(self) -> None:
        dialog = QFileDialog(self, self.tr("Add files"), self.settings.last_folder)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(lambda files: self._chosen([Path(f) for f in files]))
        dialog.open()

    def choose_folder(self) -> None:
        dialog = QFileDialog(self, self.tr("Add folder"), self.settings.last_folder)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda folder: self._chosen([Path(folder)]))
        dialog.open()

    def _chosen(self, paths: list[Path]) -> None:
        if paths:
            self.settings.last_folder = str(paths[0].parent if paths[0].is_file() else paths[0])
            self.add_paths(paths)

    def _files_queued(self, label: str, count: int) -> None:
        added = (
            self.tr("Added {count} file for {destination}")
            if count == 1
            else self.tr("Added {count} files for {destination}")
        )
        self.statusBar().showMessage(added.format(count=f"{count:,}", destination=label), 4000)

    # Drops onto the toolbar or status bar count too; the table handles its own.

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # -- selection and per-row commands -----------------------------------------------------------

    def selected_keys(self) -> list[TaskKey]:
        rows = self.view.selectionModel().selectedRows()
        keys = [self.proxy.data(index, Role.KEY) for index in rows]
        return [key for key in keys if key is not None]

    def selected_snapshots(self) -> list[TaskSnapshot]:
        rows = self.view.selectionModel().selectedRows()
        return [s for s in (self.proxy.data(index, Role.SNAPSHOT) for index in rows) if s is not None]

    def select_rows(self, keys: list[TaskKey]) -> None:
        """Select the rows of these tasks (tests and "show this upload" requests)."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for key in keys:
            row = self.model.row_of(key)
            if row is not None:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                selection.select(index, flags)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def pause_selected(self) -> None:
        self.controller.pause(self.selected_keys())

    def resume_selected(self) -> None:
        self.controller.resume(self.selected_keys())

    def toggle_selected(self) -> None:
        tasks = self.selected_snapshots()
        if any(t.state in (*_ACTIVE, *_RUNNABLE) for t in tasks):
            self.pause_selected()
        else:
            self.resume_selected()

    def cancel_selected(self) -> None:
        self.controller.cancel(self.selected_keys())

    def retry_selected(self) -> None:
        self.controller.retry(self.selected_keys())

    def retry_selected_with_current_settings(self) -> None:
        self.controller.retry_with_current_settings(self.selected_keys())

    def enter_credentials(self) -> None:
        keys = [key for key in self.selected_keys() if self.model.is_waiting(key)]
        self.controller.ask_for_credentials(keys or self.model.waiting_keys())

    # -- credentials that uploads wait for ---------------------------------------------------------

    def ask_credentials(self, request: CredentialsRequest) -> None:
        """Uploads wait for secrets that were never stored: ask, one dialog at a time."""
        shown = self.credentials_dialog
        if (shown is not None and shown.request.key == request.key) or any(
            r.key == request.key for r in self._credential_requests
        ):
            return
        self._credential_requests.append(request)
        self._next_credentials()

    def _next_credentials(self) -> None:
        if self.credentials_dialog is not None or not self._credential_requests:
            return
        request = self._credential_requests.pop(0)
        dialog = CredentialsDialog(request, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.supplied.connect(self.controller.supply_credentials)
        dialog.rejected.connect(lambda: self.controller.decline_credentials(request))
        dialog.finished.connect(self._credentials_closed)
        self.credentials_dialog = dialog
        dialog.open()

    def _credentials_closed(self, _result: int) -> None:
        dialog, self.credentials_dialog = self.credentials_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        self._next_credentials()

    def remove_selected(self) -> None:
        self.controller.remove(self.selected_keys())

    def show_details(self) -> None:
        index = self.view.currentIndex()
        task = self.proxy.data(index, Role.SNAPSHOT) if index.isValid() else None
        if task is None:
            tasks = self.selected_snapshots()
            task = tasks[0] if tasks else None
        if task is None:
            return
        if self.details_dialog is not None:
            self.details_dialog.close()
        label = self.proxy.data(index.siblingAtColumn(Column.DESTINATION)) if index.isValid() else ""
        self.details_dialog = DetailsDialog(task, destination_label=str(label or ""), parent=self)
        self.details_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog.destroyed.connect(self._details_gone)
        self.details_dialog.show()

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
            copied = self.tr("Copied {count} URL") if len(urls) == 1 else self.tr("Copied {count} URLs")
            self.statusBar().showMessage(copied.format(count=f"{len(urls):,}"), 3000)
        else:
            self.copy_response()

    def copy_response(self) -> None:
        texts = [redact_urls_in(t.response_text) for t in self.selected_snapshots() if t.response_text]
        if texts:
            QGuiApplication.clipboard().setText("\n".join(texts))
            self.statusBar().showMessage(self.tr("Copied the server's response"), 3000)

    def _show_context_menu(self, position: QPoint) -> None:
        if not self.view.indexAt(position).isValid():
            menu = QMenu(self)
            menu.addActions([self.action_add_files, self.action_add_folder])
            menu.popup(self.view.viewport().mapToGlobal(position))
            return
        self._update_row_actions()
        menu = QMenu(self)
        self._fill_row_menu(menu)
        menu.popup(self.view.viewport().mapToGlobal(position))

    def _update_row_actions(self) -> None:
        tasks = self.selected_snapshots()
        states = {t.state for t in tasks}
        self.action_pause.setEnabled(bool(states & {*_ACTIVE, *_RUNNABLE}))
        stopped = self.controller.stopped_sessions
        resumable = TaskState.PAUSED in states or any(
            t.state in _RUNNABLE and t.session_id in stopped for t in tasks
        )
        self.action_resume.setEnabled(resumable)
        self.action_toggle.setEnabled(bool(tasks))
        self.action_cancel.setEnabled(any(not s.is_final for s in states))
        self.action_retry.setEnabled(bool(states & {TaskState.FAILED, TaskState.CANCELLED}))
        self.action_retry_current.setEnabled(bool(states & {TaskState.FAILED, TaskState.CANCELLED}))
        self.action_credentials.setEnabled(
            any(self.model.is_waiting((t.session_id, t.task_id)) for t in tasks)
        )
        self.action_remove.setEnabled(bool(tasks))
        self.action_details.setEnabled(bool(tasks))
        self.action_open_folder.setEnabled(bool(tasks))
        has_response = any(t.response_text for t in tasks)
        self.action_copy_response.setEnabled(has_response)
        self.action_copy_url.setEnabled(any(returned_url(t.response_text) for t in tasks) or has_response)

    def _update_actions(self) -> None:
        model = self.model
        controller = self.controller
        self.action_pause_all.setEnabled(model.count(*_ACTIVE, *_RUNNABLE) > 0)
        self.action_resume_all.setEnabled(controller.can_resume())
        self.action_stop_after.setEnabled(controller.can_stop_after_running())
        unfinished = model.count(*_ACTIVE, *_RUNNABLE, TaskState.PAUSED)
        self.action_cancel_all.setEnabled(unfinished > 0)
        self.action_retry_failed.setEnabled(model.count(TaskState.FAILED) > 0)
        self.action_clear_finished.setEnabled(model.count(TaskState.COMPLETED, TaskState.CANCELLED) > 0)
        self._update_row_actions()

    # -- confirmations ----------------------------------------------------------------------------

    def request_cancel_all(self) -> None:
        """Cancel every unfinished upload; asks first when uploads are running."""
        if not self.controller.has_running_uploads():
            self.controller.cancel_all()
            return
        running = self.model.count(*_ACTIVE, *_RUNNABLE)
        text = (
            self.tr(
                "{count} upload is running or queued. Cancelled uploads stop now; you can retry them later."
            )
            if running == 1
            else self.tr(
                "{count} uploads are running or queued. Cancelled uploads stop now; you can retry them later."
            )
        )
        self._ask(
            "confirm_cancel_all",
            self.tr("Cancel all uploads?"),
            text.format(count=f"{running:,}"),
            self.tr("Cancel uploads"),
            self.tr("Keep uploading"),
            self.controller.cancel_all,
        )

    def request_quit(self) -> None:
        """Quit; asks first when uploads are running (they continue on the next start)."""
        if not self.controller.has_running_uploads():
            self._quit_now()
            return
        if not self.isVisible():
            self.show_and_raise()
        running = self.model.count(*_ACTIVE, *_RUNNABLE)
        text = (
            self.tr(
                "{count} upload is not finished. They stop now and continue the next time you start Skylift."
            )
            if running == 1
            else self.tr(
                "{count} uploads are not finished. They stop now and continue the next time you start Skylift."  # noqa: E501
            )
        )
        self._ask(
            "confirm_quit",
            self.tr("Quit Skylift?"),
            text.format(count=f"{running:,}"),
            self.tr("Quit"),
            self.tr("Keep uploading"),
            self._quit_now,
        )

    def _ask(self, name: str, title: str, text: str, yes: str, no: str, then: Callable[[], object]) -> None:
        if self._confirm is not None:
            self._confirm.raise_()
            return
        box = QMessageBox(QMessageBox.Icon.Question, title, title, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName(name)
        box.setInformativeText(text)
        accept = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(no, QMessageBox.ButtonRole.RejectRole))
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def done(_result: int) -> None:
            self._confirm = None
            if box.clickedButton() is accept:
                then()
            box.deleteLater()

        box.finished.connect(done)
        self._confirm = box
        box.open()

    def _quit_now(self) -> None:
        self._quitting = True
        self.save_layout()
        self.quit_requested.emit()

    # -- status -----------------------------------------------------------------------------------

    def _show_batch(self, status: BatchStatus) -> None:
        if status.files_unfinished and status.files_total:
            self._summary = None
            counted = status.files_total - status.files_cancelled
            uploaded = (
                self.tr("{done} of {total} file uploaded")
                if counted == 1
                else self.tr("{done} of {total} files uploaded")
            )
            parts = [uploaded.format(done=status.files_completed, total=f"{counted:,}")]
            if status.files_failed:
                parts.append(self.tr("{count} failed").format(count=status.files_failed))
            parts.append(
                self.tr("{sent} of {total}").format(
                    sent=format_bytes(status.bytes_sent), total=format_bytes(status.bytes_total)
                )
            )
            eta = format_duration(status.eta)
            if eta:
                parts.append(self.tr("{duration} left").format(duration=eta))
            stopped = self.controller.stopped_sessions
            if stopped and not status.running and self.model.count_in_sessions(stopped, *_RUNNABLE):
                parts.append(self.tr("stopped — Resume all continues"))
            self.status_label.setText(" · ".join(parts))
            self.speed_label.setText(format_speed(status.speed))
            percent = int(status.bytes_sent * 100 / status.bytes_total) if status.bytes_total else 0
            title = f"{percent}% — {APP_NAME}"
            if title != self.windowTitle():
                self.setWindowTitle(title)
        elif self._summary is None:
            self.status_label.setText(
                self.tr("Ready") if not self.model.rowCount() else self.tr("All uploads finished")
            )
            self.speed_label.setText("")
            self.setWindowTitle(APP_NAME)

    def _batch_finished(self, status: BatchStatus) -> None:
        self.show_status_message(status.summary)

    def show_status_message(self, text: str) -> None:
        """A finished batch's summary ("12 files uploaded, 1 failed"): stays until the next batch."""
        self._summary = text
        self.status_label.setText(text)
        self.speed_label.setText("")
        self.setWindowTitle(APP_NAME)

    def show_store_problem(self, problem: str | None) -> None:
        """The queue cannot be saved (the store keeps retrying), or it can again."""
        label = self.store_problem_label
        if problem is None:
            if label.isVisible():
                label.hide()
                self.statusBar().showMessage(self.tr("The upload queue is being saved again."), 8000)
            return
        label.setText(self.tr("Queue not saved"))
        label.setToolTip(problem)
        if not label.isVisible():
            label.show()
            text = self.tr(
                "The upload queue cannot be saved: {problem}. Uploads go on, and saving is retried; "
                "if Skylift quits before it works again, some uploads may be sent again next time."
            )
            self.show_notice("warning", text.format(problem=problem))

    def show_notice(self, level: str, text: str) -> None:
        if level == "info":
            self.statusBar().showMessage(text, 8000)
            return
        icon = QMessageBox.Icon.Critical if level == "error" else QMessageBox.Icon.Warning
        box = QMessageBox(icon, APP_NAME, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName(f"notice_{level}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Skylift"),
            "<h3>Skylift</h3><p>{}</p>".format(
                self.tr("A desktop upload manager: resumable, crash-proof uploads of big files over HTTP.")
            ),
        )

    # -- showing, hiding, closing -----------------------------------------------------------------

    def show_and_raise(self) -> None:
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting:
            event.accept()
            return
        self.save_layout()
        event.ignore()
        if self.tray_available():
            # Uploads keep going; the tray icon brings the window back.
            self.hide()
        elif self.controller.has_running_uploads():
            # No tray to hide in: never vanish with uploads running and no way back.
            self.showMinimized()
        else:
            self.request_quit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # The desktop switched between light and dark: redraw the monochrome icons.
            self._recolour_icons()
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized() and self.tray_available():
            # Minimising hides to the tray; deferred, as hiding inside the state change confuses some WMs.
            QTimer.singleShot(0, self._hide_if_minimized)

    def _recolour_icons(self) -> None:
        palette = self.palette()
        for action in self.findChildren(QAction):
            name = action.property("icon_name")
            if name:
                action.setIcon(action_icon(str(name), palette))
        combo = self.destination_combo
        for index in range(combo.count()):
            if combo.itemData(index) not in (None, _MANAGE):
                combo.setItemIcon(index, action_icon("destinations", palette))

    def _hide_if_minimized(self) -> None:
        if self.isMinimized() and self.tray_available():
            self.hide()
