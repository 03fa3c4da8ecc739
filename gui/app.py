"""``skylift``: the window. The composition root: command line, QApplication, the qasync loop, and
the objects of the app wired together. Nothing else in ``gui`` reaches for the QApplication.

Start-up: parse the command line; hand the request to an already running Skylift for the same state
folder (``gui.single_instance``) and exit, or become the primary; then run ``run_app`` on the Qt
event loop through qasync, where asyncio and Qt share the GUI thread. Shut-down: ``run_app`` returns
after the sessions are closed (running uploads recorded as interrupted, to continue on the next
start) and the state database is flushed; the loop then ends. Nothing calls ``QApplication.quit()``
while clean-up is pending.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core import SessionIdentifierInUse, SessionManager, SkyliftError, WireProtocol
from core.cli.arguments import add_destination_options, add_state_options, add_transfer_options, parse_url
from core.identity import APP_NAME
from core.paths import default_state_dir
from core.redaction import REDACTED, is_secret_header, redact_url

from .batch import BatchStatus
from .controller import UploadController
from .destinations import ADHOC_ID, DestinationSecrets, DestinationStore, SavedDestination, describe_url
from .file_open import FileOpenFilter
from .main_window import MainWindow
from .resources import app_icon
from .settings import AppSettings

__all__ = [
    "adhoc_destination",
    "apply_request",
    "build_parser",
    "forwarded_args",
    "main",
    "redacted_command_line",
    "request_options",
    "run_app",
]

log = logging.getLogger(__name__)


EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


# The options that describe the ad-hoc destination: they need --url, and a second start hands
# every one of them to the running window.
DESTINATION_OPTIONS = (
    "protocol",
    "method",
    "field",
    "form",
    "header",
    "chunk_size",
    "concurrency",
    "limit_rate",
    "request_timeout",
    "ca_file",
)
FORWARDED_OPTIONS = ("url", *DESTINATION_OPTIONS)


class _ArgumentParser(argparse.ArgumentParser):
    """With ``raise_errors`` (a request handed over by a second start), a usage error raises
    ``ValueError`` instead of printing and exiting the running window."""

    raise_errors = False

    def error(self, message: str) -> Any:
        if self.raise_errors:
            raise ValueError(message)
        return super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="skylift",
        description="Skylift's window: drop files and folders to upload them.",
        epilog="With --url, PATHs are queued to that ad-hoc destination; without it, to the "
        "destination chosen last in the window.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to upload")
    parser.add_argument(
        "--url", type=parse_url, help="upload to this URL (an ad-hoc destination, like skylift-cli upload)"
    )
    # The same destination, transfer and state options as `skylift-cli upload`, checked the same way.
    add_destination_options(parser)
    add_transfer_options(parser)
    add_state_options(parser)
    parser.add_argument("--tray", action="store_true", help="start hidden in the system tray")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument(
        "--install-desktop-entry", action="store_true", help="add Skylift to the desktop's menu"
    )
    parser.add_argument("--uninstall-desktop-entry", action="store_true", help="remove that menu entry")
    parser.add_argument(
        "--exit-when-done",
        action="store_true",
        help="quit when the queued uploads have finished, with status 1 if any failed (scripts, smoke test)",
    )
    return parser


def adhoc_destination(args: argparse.Namespace) -> tuple[SavedDestination, DestinationSecrets] | None:
    """The command line's destination, with its secrets (URL credentials, secret headers) taken
    out: the window keeps those in memory for this run only."""
    if not args.url:
        return None
    full = SavedDestination(
        id=ADHOC_ID,
        name=QCoreApplication.translate("App", "{destination} (command line)").format(
            destination=describe_url(args.url)
        ),
        url=args.url,
        protocol=WireProtocol(args.protocol),
        method=args.method,
        field_name=args.field or "file",
        form_fields=dict(args.form),
        headers=dict(args.header),
        concurrency=args.concurrency or 4,
        bandwidth_limit=args.limit_rate,
        chunk_size=args.chunk_size,
        ca_file=str(args.ca_file) if args.ca_file else None,
        request_timeout=args.request_timeout,
        adhoc=True,
    )
    return full.sanitized()


def _given(args: argparse.Namespace, names: Sequence[str]) -> list[str]:
    defaults = build_parser().parse_args([])
    return [name for name in names if getattr(args, name) != getattr(defaults, name)]


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    given = _given(args, DESTINATION_OPTIONS)
    if given and not args.url:
        parser.error(f"--{given[0].replace('_', '-')} describes an ad-hoc destination: give --url too")


# -- errors -----------------------------------------------------------------------------------------


class ErrorReporter:
    """``sys.excepthook`` and the loop's exception handler: log it, and tell the user once at a time.
    Exceptions in ``@asyncSlot`` methods and in callbacks end up here instead of vanishing."""

    def __init__(self) -> None:
        self._box: QMessageBox | None = None

    def install(self) -> None:
        sys.excepthook = self.excepthook

    def excepthook(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.critical("unexpected error", exc_info=(kind, error, tb))
        self._show(f"{kind.__name__}: {error}", "".join(traceback.format_exception(kind, error, tb)))

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException):
            self.excepthook(type(error), error, error.__traceback__)
        else:
            log.error("event loop: %s", context.get("message"))

    def _show(self, text: str, details: str) -> None:
        if QApplication.instance() is None or self._box is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            APP_NAME,
            QCoreApplication.translate("App", "Skylift ran into an unexpected error."),
        )
        details = QCoreApplication.translate(
            "App", "{error}\n\nUploads continue; the details are in the log."
        )
        box.setInformativeText(details.format(error=text))
        box.setDetailedText(details)
        box.setObjectName("unexpected_error")
        box.finished.connect(self._closed)
        self._box = box
        box.open()

    def _closed(self) -> None:
        self._box = None


class MainThreadGarbageCollector(QObject):
    """Python's cycle collector, run on the GUI thread only.

    Left automatic, it runs in whichever thread happens to allocate (the folder walk, the state
    store's writer, the file reads of the core), and a QObject caught in a reference cycle is then
    destroyed off the GUI thread ("Timers cannot be stopped from another thread", or a crash). So
    automatic collection is off and this timer collects each generation when its threshold is
    passed, as the automatic collector would, but here."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        gen0, gen1, gen2 = gc.get_count()
        if gen0 > self.thresholds[0]:
            gc.collect(0)
            if gen1 > self.thresholds[1]:
                gc.collect(1)
                if gen2 > self.thresholds[2]:
                    gc.collect(2)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


# -- tray and the background-events handler (gui/tray.py, gui/background.py) -------------------------


def attach_tray(window: MainWindow, controller: UploadController) -> Any | None:
    """The tray icon and the batch-finished notification, wired to the window and the sessions.
    Returns the TrayController (None if the tray modules cannot be loaded)."""
    try:
        from .background import BackgroundEventsHandler
        from .tray import TrayController
    except ImportError as error:
        log.warning("no tray support: %s", error)
        return None

    tray = TrayController(is_window_visible=window.isVisible, parent=window)
    tray.show_requested.connect(window.show_and_raise)
    tray.hide_requested.connect(window.close)
    tray.quit_requested.connect(window.request_quit)
    tray.pause_all.connect(controller.pause_all)
    tray.resume_all.connect(controller.resume_all)
    tray.cancel_all.connect(window.request_cancel_all)
    window.tray_available = lambda: tray.available

    # One notification per finished batch while the window is hidden. The status bar shows the
    # summary from the window's own batch bookkeeping (MainWindow.show_status_message).
    handler = BackgroundEventsHandler(tray.notifier, window.isVisible, parent=window)
    controller.bridge.tasks_completed.connect(handler.tasks_completed)
    controller.bridge.events_finished.connect(handler.session_finished)
    controller.tasks_removed.connect(handler.forget)

    model = controller.model
    model.batch_changed.connect(tray.update_status)
    model.counts_changed.connect(lambda: tray.update_status(model.batch_status()))
    tray.show()
    return tray


# -- the app ----------------------------------------------------------------------------------------


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
        manager = SessionManager(state_dir)
    except SkyliftError as error:
        await _fatal(QCoreApplication.translate("App", "Skylift cannot start: {error}").format(error=error))
        return EXIT_ERROR
    settings = AppSettings(state_dir)
    destinations = DestinationStore(settings)
    adhoc = adhoc_destination(args)
    if adhoc is not None:
        destinations.set_adhoc(*adhoc)
    controller = UploadController(manager, destinations)
    window = MainWindow(controller, settings)
    if log_file is not None:
        from .logging_setup import create_show_log_action

        window.help_menu.addAction(create_show_log_action(window, log_file))
    controller.batch_finished.connect(lambda status: log.info("batch finished: %s", status.summary))
    quit_now = asyncio.Event()
    window.quit_requested.connect(quit_now.set)
    if adhoc is not None:
        window.reload_destinations()
        window.select_destination(ADHOC_ID)
    tray = attach_tray(window, controller)
    if args.tray and tray is not None and tray.available:
        log.info("started hidden in the tray")
    else:
        window.show()
    if manager.recovery_notice:
        window.show_notice("warning", manager.recovery_notice)

    collector = MainThreadGarbageCollector(window)
    # Ctrl+C in a terminal quits as the Quit menu does (the timer lets Python see the signal).
    wake = QTimer(window)
    wake.start(250)
    wake.timeout.connect(lambda: None)
    signal.signal(signal.SIGINT, lambda *_: loop.call_soon_threadsafe(window.request_quit))

    if instance is not None:
        instance.request_received.connect(
            lambda request: apply_request(
                request, window=window, destinations=destinations, controller=controller
            )
        )

    try:
        await controller.start()
    except SessionIdentifierInUse as error:
        window.hide()
        await _fatal(QCoreApplication.translate("App", "Skylift cannot start: {error}").format(error=error))
        await controller.shutdown()
        return EXIT_ERROR
    exit_status = EXIT_OK
    if args.exit_when_done:
        # Quit when this batch ends; the status says whether every file made it.
        def batch_done(status: BatchStatus) -> None:
            nonlocal exit_status
            exit_status = EXIT_ERROR if status.files_failed else EXIT_OK
            quit_now.set()

        controller.batch_finished.connect(batch_done)
        if not args.paths:
            quit_now.set()
    if args.paths:
        window.add_paths(list(args.paths))
    file_open.deliver_to(window.add_paths)
    await quit_now.wait()

    log.info("shutting down")
    window.hide()
    if tray is not None:
        await tray.aclose()  # hides the icon and closes the notifier's D-Bus connection
    await controller.shutdown()
    collector.stop()
    window.deleteLater()
    return exit_status


def apply_request(
    request: Any, *, window: MainWindow, destinations: DestinationStore, controller: UploadController
) -> None:
    """What a second ``skylift [PATH...] [--url URL --options...]`` hands over (an
    ``InstanceRequest``): the window comes to the front; every destination option is applied to the
    ad-hoc destination (its secrets reach the uploads that wait for them, its transfer settings
    the live session); the paths are queued."""
    from .single_instance import bring_to_front

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
            destinations.set_adhoc(*given)
            controller.adhoc_changed()
            window.reload_destinations()
            window.select_destination(ADHOC_ID)
    if request.paths:
        window.add_paths([Path(p) for p in request.paths])


async def _fatal(text: str) -> None:
    """Tell the user why the app stops, without a nested event loop (we are inside an asyncio task)."""
    log.error(text)
    closed = asyncio.get_running_loop().create_future()
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, text)
    box.finished.connect(lambda _result: closed.done() or closed.set_result(None))
    box.open()
    await closed


def request_options(args: argparse.Namespace) -> dict[str, Any]:
    """The destination options of this command line (those given), as JSON-able values, for a
    running Skylift to apply (``forwarded_args`` reads them back)."""
    options: dict[str, Any] = {}
    for name in _given(args, FORWARDED_OPTIONS):
        value = getattr(args, name)
        if isinstance(value, Path):
            value = str(value)
        elif name in ("form", "header"):
            value = [list(pair) for pair in value]
        options[name] = value
    return options


def forwarded_args(options: dict[str, Any]) -> argparse.Namespace:
    """A second start's ``request_options`` as parsed arguments, checked again as the command line
    is (a request from another version may differ). Raises ``ValueError`` with one line."""
    argv: list[str] = []
    for name, value in options.items():
        if name not in FORWARDED_OPTIONS or value is None:
            continue  # an option this version does not know: ignored
        flag = f"--{name.replace('_', '-')}"
        if name in ("form", "header"):
            if not isinstance(value, list):
                raise ValueError(f"{flag}: not a list")
            separator = "=" if name == "form" else ": "
            for pair in value:
                if isinstance(pair, str):  # as older versions sent them: "Name: value", "key=value"
                    argv.append(f"{flag}={pair}")
                elif isinstance(pair, list) and len(pair) == 2:
                    argv.append(f"{flag}={pair[0]}{separator}{pair[1]}")
                else:
                    raise ValueError(f"{flag}: not a pair")
        else:
            argv.append(f"{flag}={value}")
    parser = build_parser()
    assert isinstance(parser, _ArgumentParser)
    parser.raise_errors = True
    return parser.parse_args(argv)


def redacted_command_line(arguments: Sequence[str]) -> list[str]:
    """The command line as it may be logged: URLs redacted, values of secret headers and form
    fields replaced (at the source, not left for the log filter to catch)."""
    shown: list[str] = []
    takes_pair = False
    for argument in arguments:
        text = argument
        flag, equals, value = argument.partition("=") if argument.startswith("--") else ("", "", argument)
        pair = value if (takes_pair or (equals and _is_pair_option(flag))) else None
        if pair is not None:
            name, sep, _ = pair.partition(":" if ":" in pair else "=")
            if sep and is_secret_header(name):
                pair = f"{name}{sep} {REDACTED}" if sep == ":" else f"{name}{sep}{REDACTED}"
            text = f"{flag}={pair}" if equals else pair
        if "://" in text:
            head, _, url = text.partition("=") if text.startswith("--") else ("", "", text)
            text = f"{head}={redact_url(url)}" if head else redact_url(url)
        takes_pair = not equals and _is_pair_option(argument)
        shown.append(text)
    return shown


def _is_pair_option(flag: str) -> bool:
    # argparse accepts unambiguous abbreviations (--head for --header).
    return len(flag) > 3 and ("--header".startswith(flag) or "--form".startswith(flag))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    _check_args(parser, args)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from .desktop_integration import main as desktop_main

        return desktop_main(["install" if args.install_desktop_entry else "uninstall"])

    from .logging_setup import register_secret, setup_logging

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
        from .desktop_integration import APP_ID
        from .i18n import install_translators

        app.setDesktopFileName(APP_ID)
        install_translators(app)
    except ImportError:  # pragma: no cover - optional modules
        pass
    # The tray keeps the app alive with the window hidden; quitting goes through run_app's clean-up.
    app.setQuitOnLastWindowClosed(False)

    from .single_instance import InstanceRequest, InstanceRole, SingleInstance

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


if __name__ == "__main__":
    sys.exit(main())
