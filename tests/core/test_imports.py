"""The engine stays Qt-free, and its public surface is what the docs say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import core
from core import errors

ROOT = Path(__file__).resolve().parents[2]

_IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import core
names = sorted(m.name for m in pkgutil.walk_packages(core.__path__, "core."))
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "qasync", "gui"))
print(json.dumps({"modules": names, "qt": qt}))
"""


def test_core_and_every_submodule_import_without_qt() -> None:
    # A fresh interpreter: this test process may well have Qt loaded by the GUI tests.
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {
        path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
        for path in (ROOT / "core").rglob("*.py")
        if path.name != "__init__.py"
    }
    assert expected <= set(report["modules"])
    assert report["qt"] == []


def test_public_names_exist() -> None:
    assert sorted(core.__all__) == sorted(set(core.__all__))
    for name in core.__all__:
        assert getattr(core, name) is not None, name


def test_exception_tree_is_as_documented() -> None:
    tree = {
        errors.SessionError: errors.SkyliftError,
        errors.SessionIdentifierInUse: errors.SessionError,
        errors.SessionInvalidated: errors.SessionError,
        errors.StateStoreError: errors.SkyliftError,
        errors.UploadError: errors.SkyliftError,
        errors.FileProblem: errors.UploadError,
        errors.FileUnreadable: errors.FileProblem,
        errors.FileChanged: errors.FileProblem,
        errors.FileVanished: errors.FileProblem,
        errors.ServerStatusError: errors.UploadError,
        errors.TransferError: errors.UploadError,
        errors.RequestTimeout: errors.TransferError,
        errors.CertificateError: errors.TransferError,
        errors.ResourceTimeout: errors.UploadError,
        errors.RetriesExhausted: errors.UploadError,
        errors.UploadCancelled: errors.UploadError,
    }
    for child, parent in tree.items():
        assert child.__mro__[1] is parent, child
    assert errors.SkyliftError.__mro__[1] is Exception
