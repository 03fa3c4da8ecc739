"""``skylift``: the window. ``main()`` parses the command line, makes the QApplication, hands the
request to an already running Skylift for the same state folder (``gui.single_instance``) and
exits, or becomes the primary and runs ``run_app`` on the Qt event loop through qasync, where
asyncio and Qt share the GUI thread. ``run_app`` builds the app (``build_app``), runs it until the
user quits, then returns after the sessions are closed (running uploads recorded as interrupted, to
continue on the next start) and the state database is flushed; the loop then ends. Nothing calls
``QApplication.quit()`` while clean-up is pending.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core import BatchStatus, SessionIdentifierInUse, SkyliftError
from core.identity import APP_NAME
from core.paths import default_state_dir

from ..file_open import FileOpenFilter
from ..resources import app_icon
from .args import (
    EXIT_ERROR,
    EXIT_OK,
    adhoc_destination,
    build_parser,
    check_args,
    redacted_command_line,
    request_options,
)
from .compose import apply_request, build_app
from .errors import ErrorReporter, MainThreadGarbageCollector

__all__ = ["main", "run_app"]

log = logging.getLogger("gui.app")


async def run_app(
    args: argparse.Namespace,
    state_dir: Path,
    *,
    instance: Any | None = None,
    reporter: ErrorReporter | None = None,
    log_file: Path | None = None,
) -> int:
    """Build the app on the running qasync loop, run it until the user quits, then shut down cleanly."""
    loop = asyncio.get_running_loop()
    if reporter is not None:
        loop.set_exception_handler(reporter.loop_exception)
    # macOS delivers "Open with" and Dock drops as events, not arguments, from launch on.
    file_open = FileOpenFilter()
    QApplication.instance().installEventFilter(file_open)  # type: ignore[union-attr]
    try:
        app = build_app(state_dir, adhoc=adhoc_destination(args))
    except SkyliftError as error:
        await _fatal(QCoreApplication.translate("App", "Skylift cannot start: {error}").format(error=error))
        return EXIT_ERROR
    window = app.window
    if log_file is not None:
        from ..logging_setup import create_show_log_action

        window.menus["help"].addAction(create_show_log_action(window, log_file))
    quit_now = asyncio.Event()
    window.quit_requested.connect(quit_now.set)
    tray = app.tray
    if args.tray and tray is not None and tray.available:
        log.info("started hidden in the tray")
    else:
        window.show()
    if app.manager.recovery_notice:
        window.show_notice("warning", app.manager.recovery_notice)

    collector = MainThreadGarbageCollector(window)
    # Ctrl+C in a terminal quits as the Quit menu does (the timer lets Python see the signal).
    wake = QTimer(window)
    wake.start(250)
    wake.timeout.connect(lambda: None)
    signal.signal(signal.SIGINT, lambda *_: loop.call_soon_threadsafe(window.request_quit))

    if instance is not None:
        instance.request_received.connect(lambda request: apply_request(request, app=app))

    try:
        await app.start()
    except SessionIdentifierInUse as error:
        window.hide()
        await _fatal(QCoreApplication.translate("App", "Skylift cannot start: {error}").format(error=error))
        collector.stop()
        await app.close()
        return EXIT_ERROR
    exit_status = EXIT_OK
    if args.exit_when_done:
        # Quit when this batch ends; the status says whether every file made it.
        def batch_done(status: BatchStatus) -> None:
            nonlocal exit_status
            exit_status = EXIT_ERROR if status.failed else EXIT_OK
            quit_now.set()

        app.controller.status.batch_finished.connect(batch_done)
        if not args.paths:
            quit_now.set()
    if args.paths:
        window.add_paths(list(args.paths))
    file_open.deliver_to(window.add_paths)
    await quit_now.wait()

    log.info("shutting down")
    # Before the window (its parent) goes: automatic collection is back for the shutdown.
    collector.stop()
    await app.close()
    return exit_status


async def _fatal(text: str) -> None:
    """Tell the user why the app stops, without a nested event loop (we are inside an asyncio task)."""
    log.error(text)
    closed = asyncio.get_running_loop().create_future()
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, text)

    def done(_result: int) -> None:
        if not closed.done():
            closed.set_result(None)

    box.finished.connect(done)
    box.open()
    await closed


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    check_args(parser, args)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from ..desktop_integration import main as desktop_main

        return desktop_main(["install" if args.install_desktop_entry else "uninstall"])

    from ..logging_setup import register_secret, setup_logging

    # Nothing logs these (redacted_command_line), but the log filter knows them if anything does.
    adhoc = adhoc_destination(args)
    for value in adhoc[1].values() if adhoc is not None else ():
        register_secret(value)
    state_dir = args.state_dir or default_state_dir()
    # Until this process knows it is the primary, it must not rotate the primary's log file.
    setup_logging(state_dir=args.state_dir, verbose=args.verbose, to_file=False)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    try:
        from ..desktop_integration import APP_ID
        from ..i18n import install_translators

        app.setDesktopFileName(APP_ID)
        install_translators(app)
    except ImportError:  # pragma: no cover - optional modules
        pass
    # The tray keeps the app alive with the window hidden; quitting goes through run_app's clean-up.
    app.setQuitOnLastWindowClosed(False)

    from ..single_instance import InstanceRequest, InstanceRole, SingleInstance

    instance = SingleInstance(state_dir)
    if instance.start() is InstanceRole.SECONDARY:
        request = InstanceRequest.from_command_line(args.paths, request_options(args))
        if instance.forward(request):
            return EXIT_OK
        print("skylift: another Skylift is running for this state folder but did not answer", file=sys.stderr)
        return EXIT_ERROR
    log_file = setup_logging(state_dir=args.state_dir, verbose=args.verbose)
    log.info("Skylift started (pid %d): state folder %s, log %s", os.getpid(), state_dir, log_file)
    log.debug("command line: %s", redacted_command_line(arguments))

    reporter = ErrorReporter()
    reporter.install()
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(
                run_app(args, state_dir, instance=instance, reporter=reporter, log_file=log_file)
            )
    finally:
        instance.close()
