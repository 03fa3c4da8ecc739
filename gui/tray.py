"""The system-tray icon: a menu, a tooltip with the batch progress, an icon that shows what the
uploads are doing, and the notifications hung on it.

The controller knows nothing of sessions or windows: it emits requests (show, hide, pause all, ...)
that ``gui/app.py`` connects, and it is told the batch status (``update_status``). The tray can be
missing (GNOME without the AppIndicator extension, offscreen tests): check ``available`` before
hiding a window to it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from core.task import TaskSnapshot, TaskState

from .notifications import DesktopNotifier, create_notifier
from .resources import icon

__all__ = ["BatchStatus", "TrayController", "TrayIconState", "restore_window"]


class TrayIconState(enum.Enum):
    """What the uploads are doing; the value names the icon in resources/icons/."""

    IDLE = "tray-idle"
    ACTIVE = "tray-active"
    PAUSED = "tray-paused"
    ERROR = "tray-error"


@dataclass(frozen=True, kw_only=True)
class BatchStatus:
    """Counts over the tasks in the window's list (cancelled ones are left out of the totals)."""

    total: int = 0
    completed: int = 0
    failed: int = 0
    # Holding a slot: uploading, waiting for the server, waiting to retry.
    active: int = 0
    # Queued or interrupted: will start when a slot frees.
    waiting: int = 0
    paused: int = 0
    bytes_total: int = 0
    bytes_done: int = 0

    @classmethod
    def from_tasks(cls, tasks: Iterable[TaskSnapshot]) -> BatchStatus:
        total = completed = failed = active = waiting = paused = bytes_total = bytes_done = 0
        for task in tasks:
            state = task.state
            if state is TaskState.CANCELLED:
                continue
            total += 1
            bytes_total += task.total_bytes
            if state is TaskState.COMPLETED:
                completed += 1
                bytes_done += task.total_bytes
                continue
            bytes_done += task.bytes_sent
            if state is TaskState.FAILED:
                failed += 1
            elif state.is_active:
                active += 1
            elif state.is_runnable:
                waiting += 1
            elif state is TaskState.PAUSED:
                paused += 1
        return cls(
            total=total,
            completed=completed,
            failed=failed,
            active=active,
            waiting=waiting,
            paused=paused,
            bytes_total=bytes_total,
            bytes_done=bytes_done,
        )

    @property
    def unfinished(self) -> int:
        return self.active + self.waiting + self.paused

    @property
    def percent(self) -> int:
        if self.bytes_total <= 0:
            return 100 if self.total and not self.unfinished else 0
        # Floor, so that 100% means every byte is there.
        return min(100, self.bytes_done * 100 // self.bytes_total)

    @property
    def icon_state(self) -> TrayIconState:
        if self.active or self.waiting:
            return TrayIconState.ACTIVE
        if self.paused:
            return TrayIconState.PAUSED
        if self.failed:
            return TrayIconState.ERROR
        return TrayIconState.IDLE

    def tooltip(self) -> str:
        """E.g. "Skylift — 3 of 12 files, 45%"."""
        if not self.total:
            return QCoreApplication.translate("TrayController", "Skylift — no uploads")
        if self.total == 1:
            text = QCoreApplication.translate("TrayController", "{done} of {total} file, {percent}%")
        else:
            text = QCoreApplication.translate("TrayController", "{done} of {total} files, {percent}%")
        text = text.format(done=self.completed, total=self.total, percent=self.percent)
        if self.icon_state is TrayIconState.PAUSED:
            text = QCoreApplication.translate("TrayController", "paused, {progress}").format(progress=text)
        if self.failed:
            text = QCoreApplication.translate("TrayController", "{progress}, {failed} failed").format(
                progress=text, failed=self.failed
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
        self._status = BatchStatus()
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
    def status(self) -> BatchStatus:
        return self._status

    @property
    def icon_state(self) -> TrayIconState:
        return self._status.icon_state

    # -- commands ---------------------------------------------------------------------------------

    def show(self) -> None:
        self._tray.show()

    def hide(self) -> None:
        self._tray.hide()

    def set_window_visibility(self, is_window_visible: Callable[[], bool]) -> None:
        """For a window made after the tray."""
        self._is_window_visible = is_window_visible

    def update_status(self, status: BatchStatus) -> None:
        if status != self._status:
            self._apply(status)

    def update_from_tasks(self, tasks: Iterable[TaskSnapshot]) -> None:
        self.update_status(BatchStatus.from_tasks(tasks))

    def refresh_menu(self) -> None:
        visible = self._is_window_visible()
        self._toggle_action.setText(self.tr("&Hide Skylift") if visible else self.tr("&Show Skylift"))
        status = self._status
        self._pause_action.setEnabled(bool(status.active or status.waiting))
        self._resume_action.setEnabled(bool(status.paused))
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

    def _apply(self, status: BatchStatus) -> None:
        self._status = status
        state = status.icon_state
        if state is not self._icon_state:
            # Every change is a D-Bus signal to the tray host: only when the state really moved.
            self._icon_state = state
            self._tray.setIcon(icon(state.value))
        tooltip = status.tooltip()
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
