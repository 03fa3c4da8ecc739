"""The system-tray icon: a menu, a tooltip with the batch progress, an icon that shows what the
uploads are doing, and the notifications hung on it.

The controller knows nothing of sessions or windows: it emits requests (show, hide, pause all, ...)
that ``gui/app.py`` connects, and it is told the queue's status (``update_status`` with a
``gui.batch.QueueStatus``). The tray can be
missing (GNOME without the AppIndicator extension, offscreen tests): check ``available`` before
hiding a window to it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from .batch import QueueStatus, batch_summary_text
from .notifications import DesktopNotifier, create_notifier
from .resources import icon

__all__ = [
    "TrayController",
    "TrayIconState",
    "batch_icon_state",
    "batch_tooltip",
    "restore_window",
]


class TrayIconState(enum.Enum):
    """What the uploads are doing; the value names the icon in resources/icons/."""

    IDLE = "tray-idle"
    ACTIVE = "tray-active"
    PAUSED = "tray-paused"
    ERROR = "tray-error"


def batch_icon_state(status: QueueStatus) -> TrayIconState:
    """The tray icon: running or waiting work first, then paused or stopped, then failures."""
    if status.active or status.waiting:
        return TrayIconState.ACTIVE
    if status.paused or status.held:
        return TrayIconState.PAUSED
    batch = status.batch or status.last
    if batch is not None and batch.failed:
        return TrayIconState.ERROR
    return TrayIconState.IDLE


def batch_tooltip(status: QueueStatus) -> str:
    """E.g. "Skylift — 3 of 12 files, 45%": the open batch (cancelled files left out), or how the
    last one ended."""
    batch = status.batch
    if batch is None:
        if status.last is not None:
            text = batch_summary_text(status.last)
            return QCoreApplication.translate("TrayController", "Skylift — {status}").format(status=text)
        return QCoreApplication.translate("TrayController", "Skylift — no uploads")
    total = batch.files - batch.cancelled
    if total == 1:
        text = QCoreApplication.translate("TrayController", "{done} of {total} file, {percent}%")
    else:
        text = QCoreApplication.translate("TrayController", "{done} of {total} files, {percent}%")
    text = text.format(done=batch.completed, total=total, percent=status.percent)
    if batch_icon_state(status) is TrayIconState.PAUSED:
        text = QCoreApplication.translate("TrayController", "paused, {progress}").format(progress=text)
    if batch.failed:
        text = QCoreApplication.translate("TrayController", "{progress}, {failed} failed").format(
            progress=text, failed=batch.failed
        )
    return QCoreApplication.translate("TrayController", "Skylift — {status}").format(status=text)


class TrayController(QObject):
    """The tray icon and its menu. Connect the request signals; call ``update_status`` as the batch
    moves (cheap when nothing changed, so calling it from a progress timer is fine)."""

    show_requested = Signal()
    hide_requested = Signal()
    quit_requested = Signal()
    pause_all = Signal()
    resume_all = Signal()
    cancel_all = Signal()

    def __init__(
        self,
        *,
        is_window_visible: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._is_window_visible = is_window_visible
        self._status = QueueStatus()
        self._icon_state: TrayIconState | None = None
        self._tray = QSystemTrayIcon(self)
        self._tray.activated.connect(self._on_activated)

        # The menu keeps its actions and refreshes them just before it opens: a menu exported over
        # D-Bus (StatusNotifier hosts) keeps item ids stable that way, so hosts don't flicker.
        # No shortcuts (a tray menu has no window to take keys): & mnemonics for the keyboard.
        self._menu = QMenu()
        self._toggle_action = QAction(self._menu)
        self._toggle_action.triggered.connect(self._toggle_window)
        self._pause_action = QAction(self.tr("&Pause all"), self._menu)
        self._pause_action.triggered.connect(self.pause_all)
        self._resume_action = QAction(self.tr("&Resume all"), self._menu)
        self._resume_action.triggered.connect(self.resume_all)
        self._cancel_action = QAction(self.tr("&Cancel all"), self._menu)
        self._cancel_action.triggered.connect(self.cancel_all)
        self._quit_action = QAction(self.tr("&Quit"), self._menu)
        self._quit_action.triggered.connect(self.quit_requested)
        self._menu.addAction(self._toggle_action)
        self._menu.addSeparator()
        self._menu.addActions([self._pause_action, self._resume_action, self._cancel_action])
        self._menu.addSeparator()
        self._menu.addAction(self._quit_action)
        self._menu.aboutToShow.connect(self.refresh_menu)
        self._tray.setContextMenu(self._menu)

        self._notifier = create_notifier(self._tray)
        self._notifier.clicked.connect(self.show_requested)
        self._apply(self._status)

    # -- queries ----------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether a tray exists now (it can come and go with the desktop's panel)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    @property
    def notifier(self) -> DesktopNotifier:
        """Where the batch notifications go; clicking one emits ``show_requested``."""
        return self._notifier

    @property
    def tray_icon(self) -> QSystemTrayIcon:
        return self._tray

    @property
    def menu(self) -> QMenu:
        return self._menu

    @property
    def status(self) -> QueueStatus:
        return self._status

    @property
    def icon_state(self) -> TrayIconState:
        return batch_icon_state(self._status)

    # -- commands ---------------------------------------------------------------------------------

    def show(self) -> None:
        self._tray.show()

    def hide(self) -> None:
        self._tray.hide()

    def update_status(self, status: QueueStatus) -> None:
        # The speed changes on every progress tick and the tray does not show it: ignore it.
        if replace(status, speed=self._status.speed) != self._status:
            self._apply(status)

    def refresh_menu(self) -> None:
        visible = self._is_window_visible()
        self._toggle_action.setText(self.tr("&Hide Skylift") if visible else self.tr("&Show Skylift"))
        status = self._status
        self._pause_action.setEnabled(bool(status.active or status.waiting))
        self._resume_action.setEnabled(bool(status.paused or status.held))
        self._cancel_action.setEnabled(bool(status.unfinished))

    def shutdown(self) -> None:
        """Take the icon off the tray before the app exits (otherwise some hosts keep a ghost)."""
        self._tray.hide()
        self._menu.deleteLater()

    async def aclose(self) -> None:
        """``shutdown``, and close the notifier's connection to the desktop (call before the
        event loop ends)."""
        self.shutdown()
        await self._notifier.aclose()

    # -- internals --------------------------------------------------------------------------------

    def _apply(self, status: QueueStatus) -> None:
        self._status = status
        state = batch_icon_state(status)
        if state is not self._icon_state:
            # Every change is a D-Bus signal to the tray host: only when the state really moved.
            self._icon_state = state
            self._tray.setIcon(icon(state.value))
        tooltip = batch_tooltip(status)
        if tooltip != self._tray.toolTip():
            self._tray.setToolTip(tooltip)
        self.refresh_menu()

    def _toggle_window(self) -> None:
        if self._is_window_visible():
            self.hide_requested.emit()
        else:
            self.show_requested.emit()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self._toggle_window()
        elif reason is QSystemTrayIcon.ActivationReason.DoubleClick:
            self.show_requested.emit()


def restore_window(window: QWidget) -> None:
    """Bring a hidden or minimised window back in front of the user."""
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()
