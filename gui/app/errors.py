"""What happens to errors nobody caught, and Python's cycle collector kept on the GUI thread."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core.identity import APP_NAME

__all__ = ["ErrorReporter", "MainThreadGarbageCollector"]

log = logging.getLogger("gui.app")


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
