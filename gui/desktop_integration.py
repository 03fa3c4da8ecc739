"""The application id, and the per-user desktop entry: menu item, icon, "Open with Skylift".

A wheel cannot put files where the desktop looks for them when it is installed into a virtual
environment (pipx, ``python -m venv``), and a PyInstaller folder has no installer at all, so the app
installs its own entry on request::

    skylift --install-desktop-entry      # or: python -m gui.desktop_integration install
    skylift --uninstall-desktop-entry    # or: python -m gui.desktop_integration uninstall

It writes, under ``$XDG_DATA_HOME`` (``~/.local/share``): ``applications/<id>.desktop`` with ``Exec``
pointing at this very installation, ``icons/hicolor/scalable/apps/<id>.svg`` and
``metainfo/<id>.metainfo.xml``, then refreshes the MIME cache (``update-desktop-database``) when that
tool exists, so file managers list Skylift under "Open with" at once.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from core.identity import APP_ID

__all__ = ["APP_ID", "install_desktop_entry", "launch_command", "uninstall_desktop_entry", "xdg_data_home"]

# Reverse-DNS id: the .desktop and metainfo file names, the icon name, the Wayland app_id
# (QGuiApplication.setDesktopFileName) and the D-Bus-style name all use it.


def xdg_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """How to start this installation of Skylift, as an absolute command."""
    if getattr(sys, "frozen", False):  # PyInstaller: the bundle's own executable
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.executable).parent / ("skylift.exe" if os.name == "nt" else "skylift")
    if script.is_file():  # the gui-script beside this interpreter (venv, pipx, --user)
        return [str(script)]
    found = shutil.which("skylift")
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "gui.app"]


def _exec_quote(argument: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec asks (then escape for the string type)."""
    if re.fullmatch(r"[\w/.+,:@=-]+", argument):
        quoted = argument
    else:
        quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'
    # A literal % is %% in Exec; then the value is a string, where a backslash is written \\.
    return quoted.replace("%", "%%").replace("\\", "\\\\")


def _entry_text(template: str, command: Sequence[str]) -> str:
    exec_prefix = " ".join(_exec_quote(part) for part in command)
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            # "Exec=skylift %F" -> "Exec=/abs/skylift %F" (and the same for desktop actions).
            _, _, rest = line.partition("=")
            _, _, arguments = rest.partition(" ")
            line = f"Exec={exec_prefix}{' ' + arguments if arguments else ''}"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _targets(data_home: Path) -> dict[str, Path]:
    return {
        "desktop": data_home / "applications" / f"{APP_ID}.desktop",
        "icon": data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        "metainfo": data_home / "metainfo" / f"{APP_ID}.metainfo.xml",
    }


def install_desktop_entry(
    *, data_home: Path | None = None, command: Sequence[str] | None = None
) -> list[Path]:
    """Install the entry, icon and metainfo for the current user; returns the files written."""
    from .resources import resource_dir  # Qt is only needed here, not for the id

    data_home = data_home or xdg_data_home()
    command = list(command or launch_command())
    resources = resource_dir()
    targets = _targets(data_home)
    for target in targets.values():
        target.parent.mkdir(parents=True, exist_ok=True)
    template = (resources / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    targets["desktop"].write_text(_entry_text(template, command), encoding="utf-8")
    shutil.copyfile(resources / "icons" / "skylift.svg", targets["icon"])
    shutil.copyfile(resources / f"{APP_ID}.metainfo.xml", targets["metainfo"])
    _refresh_caches(data_home)
    return list(targets.values())


def uninstall_desktop_entry(*, data_home: Path | None = None) -> list[Path]:
    """Remove what ``install_desktop_entry`` wrote; returns the files removed."""
    data_home = data_home or xdg_data_home()
    removed = []
    for target in _targets(data_home).values():
        if target.exists():
            target.unlink()
            removed.append(target)
    _refresh_caches(data_home)
    return removed


def _refresh_caches(data_home: Path) -> None:
    tool = shutil.which("update-desktop-database")
    applications = data_home / "applications"
    if tool and applications.is_dir():
        subprocess.run([tool, "-q", str(applications)], check=False, timeout=60)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gui.desktop_integration", description="Add or remove Skylift's desktop entry."
    )
    parser.add_argument("action", choices=["install", "uninstall"])
    parser.add_argument("--data-home", type=Path, help="instead of $XDG_DATA_HOME (~/.local/share)")
    args = parser.parse_args(argv)
    if args.action == "install":
        files = install_desktop_entry(data_home=args.data_home)
        verb = "installed"
    else:
        files = uninstall_desktop_entry(data_home=args.data_home)
        verb = "removed"
    for file in files:
        print(f"{verb} {file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
