"""macOS "Open with" arrives as QFileOpenEvent: the filter hands the file to the window's queue,
keeping what arrives before the window is ready (Finder's launch event)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from gui.file_open import FileOpenFilter


def test_file_open_events_queue_files_including_those_before_the_window(
    qapp: QApplication, tmp_path: Path
) -> None:
    opened: list[list[Path]] = []
    file_open = FileOpenFilter()
    qapp.installEventFilter(file_open)
    try:
        early, late = tmp_path / "launch.mov", tmp_path / "holiday.mp4"
        QApplication.sendEvent(qapp, QFileOpenEvent(str(early)))
        assert opened == [] and file_open.pending == [early]
        file_open.deliver_to(opened.append)
        assert opened == [[early]] and file_open.pending == []
        QApplication.sendEvent(qapp, QFileOpenEvent(str(late)))
        assert opened == [[early], [late]]
        # Other events pass through untouched.
        QApplication.sendEvent(qapp, QEvent(QEvent.Type.User))
        assert opened == [[early], [late]]
    finally:
        qapp.removeEventFilter(file_open)
