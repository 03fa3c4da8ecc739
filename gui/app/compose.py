"""``build_app``: the composition root. The objects of the app, made and wired together in one
place, for ``main()``, the tests (``tests/gui/conftest.py``) and ``bench/ui_stalls.py`` alike.

The manager owns the sessions and the state database; the controller turns window commands into
session commands; the window shows the controller's model and the queue status; the tray and the
background-events handler hear the one batch of the core (``gui.batch``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from core import SessionManager

from ..background import BackgroundEventsHandler
from ..controller import UploadController
from ..destinations import ADHOC_ID, DestinationSecrets, DestinationStore, SavedDestination
from ..settings import AppSettings
from ..tray import TrayController
from ..window import MainWindow
from .args import adhoc_destination, forwarded_args

__all__ = ["SkyliftApp", "apply_request", "build_app"]

log = logging.getLogger("gui.app")


@dataclass
class SkyliftApp:
    state_dir: Path
    manager: SessionManager
    settings: AppSettings
    destinations: DestinationStore
    controller: UploadController
    window: MainWindow
    # None when built without one (tests of the window alone).
    tray: TrayController | None
    background: BackgroundEventsHandler | None

    async def start(self) -> None:
        """Show the earlier runs' tasks and continue their unfinished work."""
        await self.controller.start()

    async def close(self) -> None:
        """Hide, take the tray icon away, close every session (running uploads continue on the
        next start) and the state database."""
        self.window.hide()
        if self.tray is not None:
            await self.tray.aclose()  # hides the icon and closes the notifier's D-Bus connection
        await self.controller.shutdown()
        self.window.deleteLater()
        self.controller.deleteLater()


def build_app(
    state_dir: Path,
    *,
    adhoc: tuple[SavedDestination, DestinationSecrets] | None = None,
    tray: bool = True,
    busy_timeout: float = 10.0,
) -> SkyliftApp:
    """Everything but the QApplication and the event loop. Raises ``SkyliftError`` when the state
    database cannot be opened."""
    manager = SessionManager(state_dir, busy_timeout=busy_timeout)
    settings = AppSettings(state_dir)
    destinations = DestinationStore(settings)
    if adhoc is not None:
        destinations.set_adhoc(*adhoc)
    controller = UploadController(manager, destinations)
    window = MainWindow(controller, settings)
    if adhoc is not None:
        window.reload_destinations()
        window.select_destination(ADHOC_ID)
    tray_controller = handler = None
    if tray:
        tray_controller, handler = attach_tray(window, controller)
    return SkyliftApp(
        state_dir, manager, settings, destinations, controller, window, tray_controller, handler
    )


def attach_tray(
    window: MainWindow, controller: UploadController
) -> tuple[TrayController, BackgroundEventsHandler]:
    """The tray icon and the batch-finished notification, wired to the window and the batch."""
    tray = TrayController(is_window_visible=window.isVisible, parent=window)
    tray.show_requested.connect(window.show_and_raise)
    tray.hide_requested.connect(window.close)
    tray.quit_requested.connect(window.request_quit)
    tray.pause_all.connect(controller.pause_all)
    tray.resume_all.connect(controller.resume_all)
    tray.cancel_all.connect(window.request_cancel_all)
    window.tray_available = lambda: tray.available

    # One notification per finished batch (across every destination) while the window is hidden;
    # the status bar shows the same summary from the queue status (QueueStatus.last) in any case.
    handler = BackgroundEventsHandler(tray.notifier, window.isVisible, parent=window)
    controller.status.batch_finished.connect(handler.batch_finished)
    controller.status.changed.connect(tray.update_status)
    tray.update_status(controller.status.status)
    tray.show()
    return tray, handler


def apply_request(request: Any, *, app: SkyliftApp) -> None:
    """What a second ``skylift [PATH...] [--url URL --options...]`` hands over (an
    ``InstanceRequest``): the window comes to the front; every destination option is applied to the
    ad-hoc destination (its secrets reach the uploads that wait for them, its transfer settings
    the live session); the paths are queued."""
    from ..single_instance import bring_to_front

    window = app.window
    bring_to_front(window, request.activation_token)
    options = dict(request.options)
    if options.get("url"):
        try:
            given = adhoc_destination(forwarded_args(options))
        except ValueError as error:
            text = QCoreApplication.translate(
                "App", "The options handed over by another start of Skylift were not used: {problem}"
            )
            window.show_notice("error", text.format(problem=error))
            return
        if given is not None:
            app.destinations.set_adhoc(*given)
            app.controller.adhoc_changed()
            window.reload_destinations()
            window.select_destination(ADHOC_ID)
    if request.paths:
        window.add_paths([Path(p) for p in request.paths])
