"""The window's side of the folder walk: core.walker does the walk, this module words its problems.

``collect_files`` is core's (the CLI uses the same one, so a tree gets the same names on the
server either way); the controller runs it in a worker thread. The reasons are translated here, on
the GUI thread, from the problem's kind.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.text import printable
from core.walker import CollectedFiles, PathProblem, ProblemKind, SpecialFile, collect_files

__all__ = [
    "CollectedFiles",
    "PathProblem",
    "ProblemKind",
    "collect_files",
    "problem_reason",
    "problem_text",
    "skipped_notice",
]

_CONTEXT = "CollectedFiles"

_REASONS = {
    ProblemKind.NOT_FOUND: QT_TRANSLATE_NOOP("CollectedFiles", "no such file or folder"),
    ProblemKind.PERMISSION_DENIED: QT_TRANSLATE_NOOP("CollectedFiles", "permission denied"),
    ProblemKind.FOLDER_UNREADABLE: QT_TRANSLATE_NOOP("CollectedFiles", "cannot read folder"),
    ProblemKind.NOT_A_REGULAR_FILE: QT_TRANSLATE_NOOP("CollectedFiles", "not a regular file"),
    ProblemKind.BROKEN_LINK: QT_TRANSLATE_NOOP("CollectedFiles", "broken symbolic link"),
    ProblemKind.LINK_LOOP: QT_TRANSLATE_NOOP("CollectedFiles", "symbolic link loop"),
    ProblemKind.OTHER: QT_TRANSLATE_NOOP("CollectedFiles", "cannot read"),
}

# The type of a special file (NOT_A_REGULAR_FILE's detail), translated too.
_FILE_TYPES: dict[str, object] = {
    SpecialFile.FIFO: QT_TRANSLATE_NOOP("CollectedFiles", "named pipe"),
    SpecialFile.SOCKET: QT_TRANSLATE_NOOP("CollectedFiles", "socket"),
    SpecialFile.CHARACTER_DEVICE: QT_TRANSLATE_NOOP("CollectedFiles", "character device"),
    SpecialFile.BLOCK_DEVICE: QT_TRANSLATE_NOOP("CollectedFiles", "block device"),
    SpecialFile.UNKNOWN: QT_TRANSLATE_NOOP("CollectedFiles", "unknown file type"),
}

# Kinds whose detail is the system's own message, worth showing as it is (it names the cause:
# "Permission denied", "Input/output error"). The others say it all in their translated reason.
_SHOWS_SYSTEM_MESSAGE = frozenset({ProblemKind.FOLDER_UNREADABLE, ProblemKind.OTHER})


def _translate(text: object) -> str:
    return QCoreApplication.translate(_CONTEXT, str(text))


def problem_reason(problem: PathProblem) -> str:
    """Why ``problem.path`` was skipped, in the user's language, on one line."""
    reason = _translate(_REASONS[problem.kind])
    if problem.kind is ProblemKind.NOT_A_REGULAR_FILE and problem.detail in _FILE_TYPES:
        detail = _translate(_FILE_TYPES[problem.detail])
    elif problem.kind in _SHOWS_SYSTEM_MESSAGE and problem.detail:
        detail = printable(problem.detail)
    else:
        return reason
    return QCoreApplication.translate("CollectedFiles", "{reason} ({detail})").format(
        reason=reason, detail=detail
    )


def problem_text(collected: CollectedFiles, limit: int = 5) -> str:
    """The first ``limit`` problems, one ``path: reason`` line each, then how many more there are.
    Called on the GUI thread (translation needs the installed translators)."""
    lines = [
        QCoreApplication.translate("CollectedFiles", "{path}: {reason}").format(
            path=printable(str(problem.path)), reason=problem_reason(problem)
        )
        for problem in collected.problems[:limit]
    ]
    if len(collected.problems) > limit:
        more = QCoreApplication.translate("CollectedFiles", "… and {count} more")
        lines.append(more.format(count=len(collected.problems) - limit))
    return "\n".join(lines)


def skipped_notice(collected: CollectedFiles) -> str | None:
    """What the user is told about the paths a drop or a dialog could not add, if any."""
    count = len(collected.problems)
    if not count:
        return None
    text = (
        QCoreApplication.translate("UploadController", "{count} item was skipped:\n{problems}")
        if count == 1
        else QCoreApplication.translate("UploadController", "{count} items were skipped:\n{problems}")
    )
    return text.format(count=count, problems=problem_text(collected))
