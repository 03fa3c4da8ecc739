"""``pip install .`` carries what the app needs at run time: a wheel's data files hold the icons, the
compiled translations, the .desktop file and the metainfo, where gui/resources.py looks for them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gui.desktop_integration import APP_ID
from tests.integration.processes import ROOT, child_env


@pytest.mark.timeout(300)
def test_wheel_installs_resources_and_desktop_files(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info into the source folder.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "node_modules")
    for folder in ("core", "gui", "resources"):
        shutil.copytree(ROOT / folder, source / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    [wheel] = tmp_path.glob("skylift-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    name, version = wheel.name.split("-")[:2]
    data = f"{name}-{version}.data/data/share/"
    expected = {
        f"applications/{APP_ID}.desktop",
        f"metainfo/{APP_ID}.metainfo.xml",
        f"icons/hicolor/scalable/apps/{APP_ID}.svg",
        f"skylift/resources/{APP_ID}.desktop",
        "skylift/resources/icons/skylift.svg",
        "skylift/resources/icons/tray-idle.svg",
        "skylift/resources/translations/skylift_zh_CN.qm",
    }
    assert {data + name for name in expected} <= names, sorted(n for n in names if ".data/" in n)
