"""The main window: the queue table, the actions (``actions``), the status bar (``status``), drops,
and closing to the tray. The row commands (``rows``), the questions it asks (``prompts``) and the
destination choice (``destination_picker``) are its parts.

Dialogs never run a nested event loop (no ``exec()``): confirmations, file pickers and the
destinations dialog are opened with ``open()`` and continue in a slot. A nested loop inside an
asyncio task step would let other tasks run re-entrantly, which asyncio forbids.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QSizePolicy, QToolBar, QWidget

from core import TaskState
from core.identity import APP_NAME

from ..batch import QueueStatus
from ..controller import UploadController
from ..destinations import SavedDestination
from ..queue import Role, UploadTableView, local_paths
from ..resources import action_icon, app_icon
from ..settings import AppSettings
from .actions import TOOLBAR, create_actions, fill_menu_bar
from .destination_picker import DestinationPicker
from .prompts import Confirmations, CredentialsPrompter
from .rows import RowCommands
from .status import StatusBarView

__all__ = ["MainWindow"]


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

        self.rows = RowCommands(self)
        self.confirmations = Confirmations(self)
        self.credentials = CredentialsPrompter(self)
        self.destinations = DestinationPicker(self)
        self.named_actions = create_actions(self, self._slot)
        self.rows.attach(self.named_actions)
        self.menus = fill_menu_bar(self.menuBar(), self.named_actions)
        self.toolbar = self._create_toolbar()
        self.status_bar = StatusBarView(self)

        self.view.files_dropped.connect(self.add_paths)
        self.view.customContextMenuRequested.connect(self.rows.show_context_menu)
        self.view.doubleClicked.connect(lambda _index: self.rows.show_details())
        self.view.selectionModel().selectionChanged.connect(self.rows.update_actions)
        self.model.counts_changed.connect(self.update_actions)
        controller.status.changed.connect(self._show_status)
        controller.notice.connect(self.show_notice)
        controller.store_problem.connect(self.show_store_problem)
        controller.sessions_changed.connect(self.update_actions)
        controller.files_queued.connect(self._files_queued)
        controller.credentials_needed.connect(self.credentials.ask)

        self.restore_layout()
        self.destinations.reload()
        self.update_actions()

    def action(self, name: str) -> QAction:
        """An action of the table in ``gui.window.actions`` by name ("pause_all", "remove"...)."""
        return self.named_actions[name]

    def _slot(self, name: str) -> Callable[[], object]:
        owner: object = self
        *path, method = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        for candidate in (owner, self.rows) if not path else (owner,):
            slot = getattr(candidate, method, None)
            if callable(slot):
                return slot  # type: ignore[no-any-return]
        raise AttributeError(f"no slot {name!r} for a window action")

    def _create_toolbar(self) -> QToolBar:
        bar = QToolBar(self.tr("Main toolbar"), self)
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        for name in TOOLBAR:
            if name is None:
                bar.addSeparator()
            else:
                bar.addAction(self.named_actions[name])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        label = QLabel(self.tr("Upload to "))
        bar.addWidget(label)
        label.setBuddy(self.destinations.combo)
        bar.addWidget(self.destinations.combo)
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if button is not None and not action.isSeparator() and action.text():
                # Screen readers name a button by this, not by the action's text with its "…".
                button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
        self.addToolBar(bar)
        return bar

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
        self.destinations.reload()

    def current_destination(self) -> SavedDestination | None:
        return self.destinations.current()

    def select_destination(self, destination_id: str) -> None:
        self.destinations.select(destination_id)

    def edit_destinations(self) -> None:
        self.destinations.edit()

    # -- adding files -----------------------------------------------------------------------------

    def add_paths(self, paths: list[Path]) -> None:
        """Queue files and folders to the chosen destination (asks for one if there is none)."""
        if not paths:
            return
        destination = self.destinations.current()
        if destination is None:
            self.destinations.pending_paths = list(paths)
            self.destinations.edit()
            return
        self.destinations.remember()
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

    # -- the queue's commands ---------------------------------------------------------------------

    def update_actions(self) -> None:
        model = self.model
        controller = self.controller
        status = controller.status.status
        self.named_actions["pause_all"].setEnabled(bool(status.active or status.waiting or status.held))
        self.named_actions["resume_all"].setEnabled(controller.can_resume())
        self.named_actions["stop_after"].setEnabled(controller.can_stop_after_running())
        self.named_actions["cancel_all"].setEnabled(status.unfinished > 0)
        self.named_actions["retry_failed"].setEnabled(status.failed > 0)
        self.named_actions["clear_finished"].setEnabled(
            model.count(TaskState.COMPLETED, TaskState.CANCELLED) > 0
        )
        self.rows.update_actions()

    def request_cancel_all(self) -> None:
        self.confirmations.cancel_all()

    def request_quit(self) -> None:
        self.confirmations.quit(self._quit_now)

    def _quit_now(self) -> None:
        self._quitting = True
        self.save_layout()
        self.quit_requested.emit()

    # -- status -----------------------------------------------------------------------------------

    def _show_status(self, status: QueueStatus) -> None:
        self.status_bar.show(status)
        self.update_actions()

    def show_store_problem(self, problem: str | None) -> None:
        """The queue cannot be saved (the store keeps retrying), or it can again."""
        if problem is not None and self.status_bar.show_store_problem(problem):
            text = self.tr(
                "The upload queue cannot be saved: {problem}. Uploads go on, and saving is retried; "
                "if Skylift quits before it works again, some uploads may be sent again next time."
            )
            self.show_notice("warning", text.format(problem=problem))
        elif problem is None:
            self.status_bar.show_store_problem(None)

    def show_notice(self, level: str, text: str) -> None:
        if level == "info":
            self.statusBar().showMessage(text, 8000)
            return
        icon = QMessageBox.Icon.Critical if level == "error" else QMessageBox.Icon.Warning
        box = QMessageBox(icon, APP_NAME, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName(f"notice_{level}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
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
        self.destinations.recolour()

    def _hide_if_minimized(self) -> None:
        if self.isMinimized() and self.tray_available():
            self.hide()
