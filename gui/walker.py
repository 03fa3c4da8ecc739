"""Dropped paths -> the files to upload, with the names they get on the server.

Runs in a worker thread (``asyncio.to_thread``): a folder of 10,000 files takes a moment to walk
and must not freeze the window. Plain functions on plain data, no Qt.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

__all__ = ["CollectedFiles", "collect_files"]


@dataclass
class CollectedFiles:
    # (absolute path, name on the server): a dropped folder keeps its own name as the first part,
    # "photos/2024/a.jpg", like ``cp -r photos dest/``.
    files: list[tuple[Path, str]] = field(default_factory=list)
    # Paths that were skipped, with the reason: unreadable, special files, vanished.
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def problem_text(self, limit: int = 5) -> str:
        # Called on the GUI thread; the reasons were marked for translation where they were found.
        lines = [
            QCoreApplication.translate("CollectedFiles", "{path}: {reason}").format(
                path=path, reason=QCoreApplication.translate("CollectedFiles", reason)
            )
            for path, reason in self.problems[:limit]
        ]
        if len(self.problems) > limit:
            more = QCoreApplication.translate("CollectedFiles", "… and {count} more")
            lines.append(more.format(count=len(self.problems) - limit))
        return "\n".join(lines)


# Reasons, in English here (the walk runs in a worker thread); problem_text() translates them.
_CANNOT_READ = str(QT_TRANSLATE_NOOP("CollectedFiles", "cannot read"))
_CANNOT_READ_FOLDER = str(QT_TRANSLATE_NOOP("CollectedFiles", "cannot read folder"))
_NOT_A_FILE = str(QT_TRANSLATE_NOOP("CollectedFiles", "not a regular file"))
_PERMISSION_DENIED = str(QT_TRANSLATE_NOOP("CollectedFiles", "permission denied"))


def collect_files(paths: Iterable[Path]) -> CollectedFiles:
    """Files as given and every regular file under given folders, sorted by name within each folder.
    Symbolic links to folders are not followed (no loops); the same file given twice counts once."""
    result = CollectedFiles()
    seen: set[Path] = set()
    for given in paths:
        path = Path(os.path.abspath(given))
        try:
            st = os.stat(path)
        except OSError as error:
            result.problems.append((path, error.strerror or _CANNOT_READ))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(path, result, seen)
        else:
            _add(path, path.name, st, result, seen)
    return result


def _walk(root: Path, result: CollectedFiles, seen: set[Path]) -> None:
    base = root.parent

    def on_error(error: OSError) -> None:
        result.problems.append((Path(error.filename or root), error.strerror or _CANNOT_READ_FOLDER))

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs.sort(key=str.casefold)
        folder_path = Path(folder)
        for name in sorted(files, key=str.casefold):
            path = folder_path / name
            try:
                st = os.stat(path)
            except OSError as error:
                result.problems.append((path, error.strerror or _CANNOT_READ))
                continue
            _add(path, path.relative_to(base).as_posix(), st, result, seen)


def _add(path: Path, name: str, st: os.stat_result, result: CollectedFiles, seen: set[Path]) -> None:
    if not stat.S_ISREG(st.st_mode):
        result.problems.append((path, _NOT_A_FILE))
        return
    if not os.access(path, os.R_OK):
        result.problems.append((path, _PERMISSION_DENIED))
        return
    if path in seen:
        return
    seen.add(path)
    result.files.append((path, name))
