"""Desktop notifications behind a small seam (``Notifier``), picked per platform by
``create_notifier``, so that the app and its tests don't care how a platform shows them.

- Linux and other freedesktop systems: ``org.freedesktop.Notifications`` spoken directly over the
  session bus (``FreedesktopNotifier``, jeepney on the asyncio loop). Not through
  ``QSystemTrayIcon.showMessage``: Qt's D-Bus tray sends Information and Warning messages without a
  "default" action, so clicking them does nothing, and it turns *any* notification's action on the
  bus, other programs' included, into ``messageClicked``. Speaking D-Bus directly also works on
  desktops without a tray (GNOME without the AppIndicator extension). If no notification server is
  there, the tray's ``showMessage`` is the fallback.
- Windows and macOS: ``QSystemTrayIcon.showMessage`` (a toast, a user notification), whose
  ``messageClicked`` works there.

``notify`` returns False when nothing could be shown, so that the caller puts the message in the
window instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import sys
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from core.identity import APP_ID, APP_NAME

from .resources import icon_path

__all__ = [
    "DesktopNotifier",
    "FreedesktopNotifier",
    "NotificationLevel",
    "Notifier",
    "NotifierState",
    "TrayNotifier",
    "create_notifier",
]

log = logging.getLogger(__name__)

# Long enough to be read; the server may override it (and keeps its own history).
DEFAULT_TIMEOUT_MS = 10_000

# The .desktop file's name without ".desktop" (resources/, gui/desktop_integration.py).
DESKTOP_ENTRY = APP_ID


class NotifierState(enum.Enum):
    CONNECTING = "connecting"
    READY = "ready"
    UNAVAILABLE = "unavailable"


class NotificationLevel(enum.Enum):
    INFORMATION = "information"
    WARNING = "warning"
    CRITICAL = "critical"


@runtime_checkable
class Notifier(Protocol):
    """Shows one notification. Returns whether it could be shown at all (not whether it was read)."""

    def notify(
        self, title: str, message: str, *, level: NotificationLevel = NotificationLevel.INFORMATION
    ) -> bool: ...


# -- through the tray icon --------------------------------------------------------------------------

_TRAY_ICONS = {
    NotificationLevel.INFORMATION: QSystemTrayIcon.MessageIcon.Information,
    NotificationLevel.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    NotificationLevel.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}


class TrayNotifier(QObject):
    """Notifications through ``QSystemTrayIcon.showMessage``. ``clicked`` is the tray's
    ``messageClicked``."""

    clicked = Signal()

    def __init__(self, tray: QSystemTrayIcon, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        super().__init__(tray)
        self._tray = tray
        self._timeout_ms = timeout_ms
        tray.messageClicked.connect(self.clicked)

    def notify(
        self, title: str, message: str, *, level: NotificationLevel = NotificationLevel.INFORMATION
    ) -> bool:
        # showMessage does nothing (silently) unless the icon is shown in a real tray.
        if not (self._tray.isVisible() and QSystemTrayIcon.isSystemTrayAvailable()):
            return False
        self._tray.showMessage(title, message, _TRAY_ICONS[level], self._timeout_ms)
        return True


# -- org.freedesktop.Notifications ------------------------------------------------------------------

_SERVICE = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
_URGENCY = {NotificationLevel.INFORMATION: 1, NotificationLevel.WARNING: 1, NotificationLevel.CRITICAL: 2}


class FreedesktopNotifier(QObject):
    """The freedesktop notification protocol over the session bus, on the running asyncio loop
    (qasync in the app). ``clicked`` fires when the user clicks one of *our* notifications.

    Connects in the background when made; until the connection is up and a notification server is
    known to be there (running, or startable by D-Bus activation) ``notify`` returns False.
    Call ``aclose()`` before the loop ends.
    """

    clicked = Signal()
    # The connection is up and a notification server is there.
    ready = Signal()
    # No bus, no server, or the connection ended: ``notify`` returns False from now on.
    unavailable = Signal()

    def __init__(
        self,
        *,
        bus: str = "SESSION",
        app_name: str = APP_NAME,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bus = bus
        self._app_name = app_name
        self._timeout_ms = timeout_ms
        self._router: Any = None
        self._state = NotifierState.CONNECTING
        self._ours: set[int] = set()
        self._sending: set[asyncio.Task[None]] = set()
        self._task = asyncio.get_running_loop().create_task(self._serve(), name="skylift-notifications")

    @property
    def state(self) -> NotifierState:
        return self._state

    @property
    def is_ready(self) -> bool:
        return self._state is NotifierState.READY

    def notify(
        self, title: str, message: str, *, level: NotificationLevel = NotificationLevel.INFORMATION
    ) -> bool:
        router = self._router
        if router is None:
            return False
        task = asyncio.get_running_loop().create_task(self._send(router, title, message, level))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        return True

    async def aclose(self) -> None:
        """Let notifications being sent go out, then disconnect."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=2)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _serve(self) -> None:
        from jeepney import MatchRule, MessageType, message_bus  # type: ignore[import-untyped]
        from jeepney.io.asyncio import open_dbus_router  # type: ignore[import-untyped]

        try:
            async with open_dbus_router(self._bus) as router:
                if not await _server_present(router):
                    log.info("no notification server on the session bus")
                    return
                # ActionInvoked and NotificationClosed are broadcast: every client sees every
                # notification's; ours are told apart by their ids.
                rule = MatchRule(type="signal", interface=_SERVICE, path=_PATH)
                await router.send_and_get_reply(message_bus.AddMatch(rule))
                with router.filter(rule, bufsize=64) as signals:
                    self._router = router
                    self._state = NotifierState.READY
                    self.ready.emit()
                    while True:
                        signal = await signals.get()
                        if signal.header.message_type is not MessageType.signal:
                            continue
                        self._on_signal(signal.header.fields, signal.body)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # no bus, refused, broken: the tray remains as a fallback
            log.info("desktop notifications unavailable: %s", error)
        finally:
            self._router = None
            self._state = NotifierState.UNAVAILABLE
            self.unavailable.emit()

    def _on_signal(self, fields: dict[Any, Any], body: tuple[Any, ...]) -> None:
        from jeepney import HeaderFields

        member = fields.get(HeaderFields.member)
        if member == "ActionInvoked" and body[0] in self._ours and body[1] == "default":
            self.clicked.emit()
        elif member == "NotificationClosed":
            self._ours.discard(body[0])

    async def _send(self, router: Any, title: str, message: str, level: NotificationLevel) -> None:
        from jeepney import DBusAddress, MessageType, new_method_call

        icon = icon_path("skylift")
        hints = {"urgency": ("y", _URGENCY[level]), "desktop-entry": ("s", DESKTOP_ENTRY)}
        # The "default" action is what a click on the notification invokes.
        actions = ["default", QCoreApplication.translate("FreedesktopNotifier", "Show Skylift")]
        call = new_method_call(
            DBusAddress(_PATH, bus_name=_SERVICE, interface=_SERVICE),
            "Notify",
            "susssasa{sv}i",
            (
                self._app_name,
                0,
                str(icon) if icon.is_file() else "",
                title,
                message,
                actions,
                hints,
                self._timeout_ms,
            ),
        )
        try:
            reply = await router.send_and_get_reply(call)
        except Exception as error:
            log.warning("notification not sent: %s", error)
            return
        if reply.header.message_type is MessageType.error:
            log.warning("notification refused: %s", reply.body)
            return
        self._ours.add(reply.body[0])


async def _server_present(router: Any) -> bool:
    from jeepney import MessageType, message_bus

    for call in (message_bus.NameHasOwner(_SERVICE), message_bus.ListActivatableNames()):
        reply = await router.send_and_get_reply(call)
        if reply.header.message_type is MessageType.error:
            continue
        value = reply.body[0]
        if value is True or (isinstance(value, list) and _SERVICE in value):
            return True
    return False


# -- the platform's choice --------------------------------------------------------------------------


class DesktopNotifier(QObject):
    """The notifier ``create_notifier`` picks: a native one first where there is one, the tray
    icon's messages as the fallback. ``clicked`` fires when the user clicks one of our notifications.

    While the native notifier is still connecting (the first moments after start-up), messages wait
    for it rather than go to the tray, whose notifications cannot be clicked on Linux."""

    clicked = Signal()

    def __init__(self, tray: QSystemTrayIcon, native: FreedesktopNotifier | None = None) -> None:
        super().__init__(tray)
        self._tray = TrayNotifier(tray)
        self._native = native
        self._waiting: list[tuple[str, str, NotificationLevel]] = []
        if native is not None:
            native.setParent(self)
            native.clicked.connect(self.clicked)
            native.ready.connect(self._flush)
            native.unavailable.connect(self._flush)
        else:
            # Only without the native notifier: on Linux, Qt's messageClicked also fires for other
            # programs' notification actions.
            self._tray.clicked.connect(self.clicked)

    @property
    def native(self) -> FreedesktopNotifier | None:
        return self._native

    def notify(
        self, title: str, message: str, *, level: NotificationLevel = NotificationLevel.INFORMATION
    ) -> bool:
        if self._native is not None:
            if self._native.state is NotifierState.CONNECTING:
                self._waiting.append((title, message, level))
                return True
            if self._native.notify(title, message, level=level):
                return True
        return self._tray.notify(title, message, level=level)

    def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        for title, message, level in waiting:
            if not self.notify(title, message, level=level):
                log.info("notification not shown (no server, no tray): %s: %s", title, message)

    async def aclose(self) -> None:
        if self._native is not None:
            await self._native.aclose()


def _wants_freedesktop() -> bool:
    if sys.platform in ("win32", "darwin") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    # Offscreen (tests, headless runs) there is no desktop to notify.
    if QGuiApplication.platformName() == "offscreen":
        return False
    try:
        import jeepney  # noqa: F401  (installed with keyring on Linux)

        asyncio.get_running_loop()
    except (ImportError, RuntimeError):
        return False
    return True


def create_notifier(tray: QSystemTrayIcon) -> DesktopNotifier:
    """The notifier for this platform (see the module docstring). Make it on the running loop."""
    return DesktopNotifier(tray, FreedesktopNotifier() if _wants_freedesktop() else None)
