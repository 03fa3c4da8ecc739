"""The .desktop file and the AppStream metainfo pass the freedesktop validators, and agree with the
application id the code uses."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from gui.desktop_integration import (
    APP_ID,
    install_desktop_entry,
    launch_command,
    uninstall_desktop_entry,
)
from tests.requirements import require_tool

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"


def test_desktop_file_is_valid() -> None:
    tool = require_tool("desktop-file-validate", why="Debian package desktop-file-utils")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    # It prints nothing at all for a clean file; hints and warnings count as failures here.
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_metainfo_is_valid() -> None:
    tool = require_tool("appstreamcli", why="Debian package appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", "--explain", str(METAINFO)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Infos (tags newer than this appstreamcli knows) are fine; warnings and errors are not.
    problems = [line for line in result.stdout.splitlines() if line.startswith(("W:", "E:"))]
    assert not problems, result.stdout


def test_files_agree_on_the_application_id_and_open_files() -> None:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Icon"] == APP_ID
    # %F: a file manager's "Open with Skylift" passes every selected file and folder.
    assert desktop["Exec"].split()[0] == "skylift" and "%F" in desktop["Exec"].split()
    assert "application/octet-stream" in desktop["MimeType"].split(";")
    assert "inode/directory" in desktop["MimeType"].split(";")

    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert (RESOURCES / f"{APP_ID}.svg").resolve().is_file()


def test_desktop_entry_installs_for_the_user_and_uninstalls(tmp_path: Path) -> None:
    validate = require_tool("desktop-file-validate", why="Debian package desktop-file-utils")
    data_home = tmp_path / "data home"  # a space: Exec must quote the command
    command = [str(tmp_path / "my apps" / "skylift"), "--state-dir", str(tmp_path / "50%")]
    written = install_desktop_entry(data_home=data_home, command=command)
    entry = data_home / "applications" / f"{APP_ID}.desktop"
    assert entry in written and all(path.is_file() for path in written)
    assert (data_home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").read_bytes() == (
        RESOURCES / "icons" / "skylift.svg"
    ).read_bytes()

    result = subprocess.run([validate, str(entry)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    text = entry.read_text(encoding="utf-8")
    quoted = f'"{tmp_path}/my apps/skylift" --state-dir "{tmp_path}/50%%"'
    assert f"Exec={quoted} %F\n" in text
    assert f"Exec={quoted} --tray\n" in text  # the desktop action too
    # update-desktop-database ran: the MIME cache maps any file to Skylift for "Open with".
    cache = data_home / "applications" / "mimeinfo.cache"
    if shutil.which("update-desktop-database"):
        assert f"application/octet-stream={APP_ID}.desktop" in cache.read_text()

    removed = uninstall_desktop_entry(data_home=data_home)
    assert sorted(removed) == sorted(written)
    assert not entry.exists()


def test_launch_command_points_at_this_installation() -> None:
    command = launch_command()
    assert Path(command[0]).is_absolute()
