"""Build the PyInstaller bundle and run packaging/smoke_test.py on it (one test; a minute or two)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.processes import ROOT, child_env
from tests.requirements import in_ci


@pytest.mark.timeout(900)
def test_bundle_builds_and_uploads_a_file_headless(tmp_path: Path) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is not installed (pip install -e '.[packaging]')"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "build"),
            str(ROOT / "packaging" / "skylift.spec"),
        ],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=800,
    )
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-5000:]
    executable = tmp_path / "dist" / "Skylift" / "skylift"
    assert executable.is_file()
    bundled = tmp_path / "dist" / "Skylift" / "_internal" / "resources"
    assert (bundled / "translations" / "skylift_zh_CN.qm").is_file()
    assert (bundled / "icons" / "skylift.svg").is_file()

    smoke = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "smoke_test.py"), str(executable)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "smoke test passed" in smoke.stdout
