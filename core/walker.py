"""Given paths -> the files to upload, with the names they get on the server, and what was skipped.

The one folder walk of Skylift: ``skylift-cli upload`` and the window (drops, *Add folder…*, paths
on its command line) both call :func:`collect_files`, so a tree is named the same way on the server
whichever of them sends it. Plain functions on plain data: safe in a worker thread
(``asyncio.to_thread``), where the window runs it so that a 10,000-file folder never freezes it.

The rules:

- A given file is named by its own name; a given folder keeps its own name as the first part of
  every file's name, ``photos/2024/a.jpg`` (like ``cp -r photos dest/``). Paths are absolute as
  given (``os.path.abspath``), never resolved: a symbolic link is named by the link, the path the
  user sees.
- Folders are walked recursively, each folder's files first and then its sub-folders, both sorted
  by ``str.casefold`` with the exact name breaking ties.
- Symbolic links to folders are followed (a server cannot store a link; FileZilla follows them
  too). A folder that is already an ancestor on the current walk path (same ``st_dev``/``st_ino``)
  is a link loop: reported, not entered.
- Whatever cannot be uploaded is reported as a :class:`PathProblem` and the rest is still collected:
  missing paths, broken links, link loops, unreadable folders and files, fifos, sockets, devices.
- The same file (same ``os.path.realpath``) reached twice under the same server name counts once.
- Names pass through unchanged, including undecodable bytes (``surrogateescape``): they are what
  gets uploaded. Only the text shown (``str(problem)``) is escaped, with :func:`core.text.printable`.
"""

from __future__ import annotations

import enum
import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .text import printable

__all__ = ["CollectedFiles", "PathProblem", "ProblemKind", "SpecialFile", "collect_files"]


class ProblemKind(enum.StrEnum):
    """Why a path was skipped. The values are stable identifiers (for scripts and translations)."""

    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    FOLDER_UNREADABLE = "folder_unreadable"
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    BROKEN_LINK = "broken_link"
    LINK_LOOP = "link_loop"
    OTHER = "other"

    @property
    def description(self) -> str:
        """The reason in English, as the CLI prints it (the window translates the kind instead)."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    ProblemKind.NOT_FOUND: "no such file or folder",
    ProblemKind.PERMISSION_DENIED: "permission denied",
    ProblemKind.FOLDER_UNREADABLE: "cannot read folder",
    ProblemKind.NOT_A_REGULAR_FILE: "not a regular file",
    ProblemKind.BROKEN_LINK: "broken symbolic link",
    ProblemKind.LINK_LOOP: "symbolic link loop",
    ProblemKind.OTHER: "cannot read",
}

# Kinds whose description says all there is; the others add their detail in parentheses.
_SELF_EXPLANATORY = frozenset({ProblemKind.NOT_FOUND, ProblemKind.PERMISSION_DENIED})


class SpecialFile(enum.StrEnum):
    """What a path that is not a regular file is: NOT_A_REGULAR_FILE's detail."""

    FIFO = "named pipe"
    SOCKET = "socket"
    CHARACTER_DEVICE = "character device"
    BLOCK_DEVICE = "block device"
    UNKNOWN = "unknown file type"


@dataclass(frozen=True)
class PathProblem:
    """A path that was skipped: where, why (``kind``), and what the system said (``detail``, English:
    the OS's ``strerror``, the type of a special file, where a broken link points)."""

    path: Path
    kind: ProblemKind
    detail: str = ""

    @property
    def reason(self) -> str:
        """The reason on one line, in English: ``cannot read folder (Permission denied)``."""
        description = self.kind.description
        if not self.detail or self.kind in _SELF_EXPLANATORY:
            return description
        return f"{description} ({printable(self.detail)})"

    def __str__(self) -> str:
        return f"{printable(str(self.path))}: {self.reason}"


@dataclass
class CollectedFiles:
    """The outcome of a walk: the files to upload, in order, and the paths that were skipped."""

    # (absolute path, name on the server as a POSIX relative path).
    files: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[PathProblem] = field(default_factory=list)

    def problem_lines(self) -> list[str]:
        """One printable line per problem, ``path: reason``."""
        return [str(problem) for problem in self.problems]


def collect_files(paths: Iterable[Path | str]) -> CollectedFiles:
    """Every given file and every regular file under every given folder (see the module's rules)."""
    return _Walk().run(paths)


# -- the walk ---------------------------------------------------------------------------------------

# (st_dev, st_ino) of a folder -> its path, for the folders on the current walk path.
_Ancestors = dict[tuple[int, int], str]


@dataclass
class _Folder:
    path: str  # absolute, as walked (through links)
    name: str  # its name on the server ("" for a root folder that has none, like "/")
    real: str  # os.path.realpath(path), to tell the same file reached twice
    ancestors: _Ancestors  # including this folder itself


class _Walk:
    def __init__(self) -> None:
        self.result = CollectedFiles()
        self._seen_files: set[tuple[str, str]] = set()
        self._seen_problems: set[PathProblem] = set()

    def run(self, paths: Iterable[Path | str]) -> CollectedFiles:
        for given in paths:
            self._given(os.path.abspath(given))
        return self.result

    def _given(self, path: str) -> None:
        try:
            st = os.stat(path)
        except OSError as error:
            self._problem(path, *_stat_failure(path, error))
            return
        name = os.path.basename(path)
        if stat.S_ISDIR(st.st_mode):
            key = _folder_key(path, st)
            self._walk(_Folder(path, name, os.path.realpath(path), {key: path}))
        else:
            self._file(path, name, st.st_mode, os.path.realpath(path))

    def _walk(self, root: _Folder) -> None:
        # Depth first without recursion (a deep tree must not hit the recursion limit): sub-folders
        # are pushed in reverse order so that they are popped, and walked whole, in sorted order.
        stack = [root]
        while stack:
            folder = stack.pop()
            subfolders = self._scan(folder)
            stack.extend(reversed(subfolders))

    def _scan(self, folder: _Folder) -> list[_Folder]:
        """Collects the folder's files; returns its sub-folders to walk, sorted."""
        try:
            with os.scandir(folder.path) as scan:
                entries = list(scan)
        except OSError as error:
            self._problem(folder.path, ProblemKind.FOLDER_UNREADABLE, _strerror(error))
            return []
        entries.sort(key=_sort_key)
        subfolders: list[_Folder] = []
        for entry in entries:
            name = f"{folder.name}/{entry.name}" if folder.name else entry.name
            try:
                if entry.is_symlink():
                    self._link(entry, name, folder, subfolders)
                elif entry.is_dir(follow_symlinks=False):
                    # One stat per folder, for the loop check (d_ino alone differs at mount points).
                    st = entry.stat(follow_symlinks=False)
                    real = os.path.join(folder.real, entry.name)
                    self._subfolder(entry.path, name, st, real, folder, subfolders)
                elif entry.is_file(follow_symlinks=False):
                    # The common case: no stat at all (d_type says it is a regular file).
                    self._file(entry.path, name, stat.S_IFREG, os.path.join(folder.real, entry.name))
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    self._file(entry.path, name, mode, os.path.join(folder.real, entry.name))
            except OSError as error:
                # The entry vanished or changed between the listing and the look at it.
                self._problem(entry.path, *_stat_failure(entry.path, error))
        return subfolders

    def _link(self, entry: os.DirEntry[str], name: str, folder: _Folder, subfolders: list[_Folder]) -> None:
        try:
            st = entry.stat(follow_symlinks=True)
        except OSError as error:
            self._problem(entry.path, *_stat_failure(entry.path, error))
            return
        real = os.path.realpath(entry.path)
        if stat.S_ISDIR(st.st_mode):
            self._subfolder(entry.path, name, st, real, folder, subfolders)
        else:
            self._file(entry.path, name, st.st_mode, real)

    def _subfolder(
        self, path: str, name: str, st: os.stat_result, real: str, parent: _Folder, into: list[_Folder]
    ) -> None:
        key = _folder_key(path, st)
        ancestor = parent.ancestors.get(key)
        if ancestor is not None:
            # Entering it would walk the same folders again and again.
            self._problem(path, ProblemKind.LINK_LOOP, f"leads back to {ancestor}")
            return
        into.append(_Folder(path, name, real, {**parent.ancestors, key: path}))

    def _file(self, path: str, name: str, mode: int, real: str) -> None:
        if not stat.S_ISREG(mode):
            self._problem(path, ProblemKind.NOT_A_REGULAR_FILE, _file_type(mode))
            return
        if not os.access(path, os.R_OK):
            self._problem(path, *_unreadable(path))
            return
        key = (real, name)
        if key in self._seen_files:
            return
        self._seen_files.add(key)
        self.result.files.append((Path(path), name))

    def _problem(self, path: str, kind: ProblemKind, detail: str) -> None:
        problem = PathProblem(Path(path), kind, detail)
        if problem not in self._seen_problems:  # the same bad path given twice is one problem
            self._seen_problems.add(problem)
            self.result.problems.append(problem)


def _sort_key(entry: os.DirEntry[str]) -> tuple[str, str]:
    return entry.name.casefold(), entry.name


def _folder_key(path: str, st: os.stat_result) -> tuple[int, int]:
    if st.st_ino == 0:
        # Windows' scandir leaves st_ino and st_dev at zero; os.stat fills them in.
        st = os.stat(path)
    return st.st_dev, st.st_ino


def _strerror(error: OSError) -> str:
    return error.strerror or str(error)


def _stat_failure(path: str, error: OSError) -> tuple[ProblemKind, str]:
    """What a failed ``stat`` (following links) of ``path`` means."""
    detail = _strerror(error)
    if error.errno == errno.ELOOP:
        return ProblemKind.LINK_LOOP, detail
    if error.errno in (errno.EACCES, errno.EPERM):
        return ProblemKind.PERMISSION_DENIED, detail
    if error.errno == errno.ENOENT:
        try:
            target = os.readlink(path)
        except OSError:
            return ProblemKind.NOT_FOUND, detail
        # The link is there and what it points to is not.
        return ProblemKind.BROKEN_LINK, f"points to {target}"
    return ProblemKind.OTHER, detail


def _unreadable(path: str) -> tuple[ProblemKind, str]:
    """Why ``os.access(path, os.R_OK)`` said no: usually the file's permissions; it may also have
    vanished since its folder was listed, or sit in a folder that can be listed but not entered."""
    try:
        os.stat(path)
    except OSError as error:
        return _stat_failure(path, error)
    return ProblemKind.PERMISSION_DENIED, os.strerror(errno.EACCES)


def _file_type(mode: int) -> SpecialFile:
    if stat.S_ISFIFO(mode):
        return SpecialFile.FIFO
    if stat.S_ISSOCK(mode):
        return SpecialFile.SOCKET
    if stat.S_ISCHR(mode):
        return SpecialFile.CHARACTER_DEVICE
    if stat.S_ISBLK(mode):
        return SpecialFile.BLOCK_DEVICE
    return SpecialFile.UNKNOWN
