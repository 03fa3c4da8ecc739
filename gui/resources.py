"""Finding the files in ``resources/``: from a source checkout, or from a PyInstaller bundle.

Icons are SVG, drawn by Qt's SVG icon engine at whatever size the tray or window asks for.
"""

from __future__ import annotations

import functools
import logging
import sys
import sysconfig
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

__all__ = ["icon", "icon_path", "resource_dir"]

log = logging.getLogger(__name__)


def resource_dir() -> Path:
    """``resources/`` inside the bundle; beside the ``gui`` package (checkout, editable install); or
    ``<prefix>/share/skylift/resources``, where a wheel's data files land (pip, pipx, pip --user)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if (checkout / "icons" / "skylift.svg").is_file():
        return checkout
    for scheme in (sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")):
        installed = Path(sysconfig.get_path("data", scheme)) / "share" / "skylift" / "resources"
        if installed.is_dir():
            return installed
    return checkout


def icon_path(name: str) -> Path:
    """``resources/icons/<name>.svg``, e.g. ``icon_path("tray-active")``."""
    return resource_dir() / "icons" / f"{name}.svg"


@functools.cache
def icon(name: str) -> QIcon:
    """The named icon; a plain drawn stand-in if the file is missing, so that a tray icon is never
    empty (Qt refuses to show a tray icon without one). Needs a QGuiApplication."""
    path = icon_path(name)
    if path.is_file():
        loaded = QIcon(str(path))
        if not loaded.isNull():
            return loaded
    log.warning("icon %r not found at %s; using a stand-in", name, path)
    return _stand_in()


def _stand_in() -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#2b8be6"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, 28, 28)
    painter.end()
    return QIcon(pixmap)
