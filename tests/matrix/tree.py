"""The awkward tree every matrix server receives, and how to read back what a server stored.

One folder, walked by ``core.walker.collect_files`` exactly as the CLI and the window walk it, so
every name below reaches the server as ``Awkward tree/...``: spaces, CJK with double quotes, Latin
accents (NFC), ``#``, ``?`` and ``%`` (which mean something in a URL), an empty file, two nested
folders (one named with a space, one with non-ASCII), and a 64 MiB pseudo-random file at the
bottom. Base names are all different, so a server that keeps only the base name does not
overwrite one file with another (what it loses is the folders, and the tests say so).
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "BIG_NAME",
    "BIG_SIZE",
    "ROOT_NAME",
    "Tree",
    "build_tree",
    "sha256_file",
    "stored_files",
]

MiB = 1 << 20
ROOT_NAME = "Awkward tree"
BIG_SIZE = 64 * MiB
BIG_NAME = f"{ROOT_NAME}/sub folder/Ünïcode 目录/big 64 MiB.bin"
# Relative name -> size. Contents are pseudo-random, seeded per file, so no two files are equal.
SMALL_FILES: dict[str, int] = {
    f"{ROOT_NAME}/names with spaces.txt": 1_000,
    f'{ROOT_NAME}/季度报告 "终稿".txt': 2_345,
    f"{ROOT_NAME}/naïve café.txt": 777,
    f"{ROOT_NAME}/a#b.txt": 64,
    f"{ROOT_NAME}/what?.txt": 100,
    f"{ROOT_NAME}/100%.txt": 1_001,
    f"{ROOT_NAME}/empty.txt": 0,
    f"{ROOT_NAME}/sub folder/notes 1.txt": 4_096,
    f"{ROOT_NAME}/sub folder/Ünïcode 目录/deep file.txt": 65_537,
}


@dataclass(frozen=True)
class Tree:
    """The tree on disk: its folder and every file's relative name -> sha256."""

    folder: Path
    expected: dict[str, str]

    @property
    def small(self) -> dict[str, str]:
        """Every file but the 64 MiB one (the name-only variants send these)."""
        return {name: digest for name, digest in self.expected.items() if name != BIG_NAME}

    def path(self, relative_name: str) -> Path:
        return self.folder.parent / relative_name


def _write(path: Path, size: int, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = random.Random(seed)
    with open(path, "wb") as file:
        remaining = size
        while remaining:
            block = generator.randbytes(min(remaining, MiB))
            file.write(block)
            remaining -= len(block)


def build_tree(parent: Path) -> Tree:
    expected: dict[str, str] = {}
    for seed, (name, size) in enumerate({**SMALL_FILES, BIG_NAME: BIG_SIZE}.items(), start=1):
        path = parent / name
        _write(path, size, seed)
        expected[name] = sha256_file(path)
    return Tree(parent / ROOT_NAME, expected)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(MiB):
            digest.update(block)
    return digest.hexdigest()


def stored_files(root: Path, *, ignore: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every file under ``root`` as relative POSIX name -> sha256: what the server stored.
    Names are decoded as the file system holds them (UTF-8, undecodable bytes as surrogates);
    entries whose first path component is in ``ignore`` (a server's own bookkeeping) are left out."""
    found: dict[str, str] = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if relative.parts[0] in ignore:
                continue
            found[str(relative)] = sha256_file(path)
    return found
