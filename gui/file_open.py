"""macOS "Open with Skylift" and files dropped on the Dock icon: Finder sends them to the running
application as ``QFileOpenEvent``s instead of command-line arguments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

__all__ = ["FileOpenFilter"]


class FileOpenFilter(QObject):
    """Installed on the QApplication as early as possible: files opened before the window can take
    them (Finder's launch event) are kept until ``deliver_to`` names where they go."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._add_paths: Callable[[list[Path]], object] | None = None
        self.pending: list[Path] = []

    def deliver_to(self, add_paths: Callable[[list[Path]], object]) -> None:
        self._add_paths = add_paths
        pending, self.pending = self.pending, []
        if pending:
            add_paths(pending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                if self._add_paths is None:
                    self.pending.append(Path(path))
                else:
                    self._add_paths([Path(path)])
                return True
        return super().eventFilter(watched, event)
