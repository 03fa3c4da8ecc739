"""Finding the files in ``resources/``: from a source checkout, or from a PyInstaller bundle.

Every icon is an SVG in ``resources/icons/``: ``skylift`` (the application), ``tray-*`` (the tray),
``state-<TaskState value>`` (the State column's coloured badges) and ``action-*`` (menus and the
toolbar). Action icons are monochrome: they draw in ``currentColor``, which becomes the palette's
button-text colour here, so they read on a light and a dark palette alike.
"""

from __future__ import annotations

import functools
import logging
import sys
import sysconfig
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from core import TaskState

__all__ = ["action_icon", "app_icon", "icon", "icon_path", "monochrome_icon", "resource_dir", "state_icon"]

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


def app_icon() -> QIcon:
    return icon("skylift")


def state_icon(state: TaskState) -> QIcon:
    """The State column's badge; an interrupted task looks queued (it is queued again)."""
    if state is TaskState.INTERRUPTED:
        state = TaskState.QUEUED
    return icon(f"state-{state.value}")


def action_icon(name: str, palette: QPalette | None = None) -> QIcon:
    """``resources/icons/action-<name>.svg`` in the palette's button-text colour (the application
    palette unless one is given). Call again after a palette change: the colour is part of the key."""
    palette = palette or QGuiApplication.palette()
    colour = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    return monochrome_icon(f"action-{name}", colour.name())


_SIZES = (16, 20, 24, 32)


@functools.cache
def monochrome_icon(name: str, colour: str) -> QIcon:
    """The named SVG with ``currentColor`` drawn in ``colour``, rendered at the usual sizes (1x and 2x).
    Qt's SVG engine cannot be told what ``currentColor`` is, hence the substitution."""
    path = icon_path(name)
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        log.warning("icon %r not found at %s; using a stand-in", name, path)
        return _stand_in()
    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode()))
    result = QIcon()
    for size in _SIZES:
        for scale in (1, 2):
            image = QImage(size * scale, size * scale, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size * scale, size * scale))
            painter.end()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(scale)
            result.addPixmap(pixmap)
    return result


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
