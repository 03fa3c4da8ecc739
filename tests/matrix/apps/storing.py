"""What every Python app of the matrix does with a file it received: store it under the name it
would use (the ``relativePath`` form field when one came, else the file name as the framework
gave it) and describe what it saw. Imported by the app scripts beside it."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

PATH_FIELD = "relativePath"


def target(storage: Path, name: str) -> Path | None:
    """Where ``name`` goes under ``storage``; None for a name that would leave it."""
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    return storage.joinpath(*parts)


def store(storage: Path, name: str, source: BinaryIO) -> Path | None:
    path = target(storage, name)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        while block := source.read(1 << 20):
            out.write(block)
    return path


def describe(*, filename: str | None, form: dict[str, str], stored: str, path: Path) -> dict[str, object]:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return {
        "filename": filename,
        "form": form,
        "stored": stored,
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
    }
