"""The window's icons, drawn from small inline SVGs so they look the same on every desktop
(offscreen and minimal desktops have no icon theme) and need no data files in the package."""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from core import TaskState

__all__ = ["app_icon", "state_icon", "toolbar_icon"]

BLUE = "#3584e4"
GREEN = "#2ec27e"
RED = "#e01b24"
AMBER = "#e5a50a"
GREY = "#9a9996"

_LINE = 'fill="none" stroke="{c}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"'
_WHITE_LINE = 'fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"'

# Outline glyphs for actions, drawn in the palette's text colour.
_TOOLBAR = {
    "add-file": f'<g {_LINE}><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/>'
    '<path d="M14 3v5h5"/><path d="M12 11v6M9 14h6"/></g>',
    "add-folder": f'<g {_LINE}><path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5'
    'a2 2 0 0 1-2-2z"/><path d="M12 10.5v6M9 13.5h6"/></g>',
    "pause": f'<g {_LINE}><rect x="6" y="5" width="4" height="14" rx="1"/>'
    '<rect x="14" y="5" width="4" height="14" rx="1"/></g>',
    "resume": f'<g {_LINE}><path d="M7 4.8v14.4a.8.8 0 0 0 1.2.7l11-7.2a.8.8 0 0 0 0-1.4l-11-7.2'
    'a.8.8 0 0 0-1.2.7z"/></g>',
    "stop-after": f'<g {_LINE}><path d="M5 5.5v13l9-6.5z"/><path d="M18 5v14"/></g>',
    "cancel": f'<g {_LINE}><circle cx="12" cy="12" r="9"/><path d="M9 9l6 6M15 9l-6 6"/></g>',
    "retry": f'<g {_LINE}><path d="M4.5 12a7.5 7.5 0 1 0 2.2-5.3"/><path d="M4.5 3.5v4h4"/></g>',
    "destinations": f'<g {_LINE}><circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z"/></g>',
    "clear": f'<g {_LINE}><path d="M4 7h16M10 11v6M14 11v6"/><path d="M6 7l1 12a2 2 0 0 0 2 2h6'
    'a2 2 0 0 0 2-2l1-12"/><path d="M9 7V4h6v3"/></g>',
    "folder": f'<g {_LINE}><path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5'
    'a2 2 0 0 1-2-2z"/></g>',
    "copy": f'<g {_LINE}><rect x="8" y="8" width="12" height="12" rx="2"/>'
    '<path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2"/></g>',
    "remove": f'<g {_LINE}><path d="M5 12h14"/></g>',
    "details": f'<g {_LINE}><circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.01"/></g>',
}

# Filled badges for the State column: colour says the state at a glance.
_STATES = {
    TaskState.QUEUED: f'<circle cx="12" cy="12" r="8.5" fill="none" stroke="{GREY}" stroke-width="2"/>'
    f'<path d="M12 7.5V12l3 2" fill="none" stroke="{GREY}" stroke-width="2" stroke-linecap="round"/>',
    TaskState.UPLOADING: f'<circle cx="12" cy="12" r="10" fill="{BLUE}"/>'
    f'<path d="M12 16.5v-9M8.3 11 12 7.3l3.7 3.7" {_WHITE_LINE}/>',
    TaskState.PROCESSING: f'<circle cx="12" cy="12" r="10" fill="{BLUE}"/>'
    '<g fill="#fff"><circle cx="7.5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/>'
    '<circle cx="16.5" cy="12" r="1.6"/></g>',
    TaskState.RETRY_WAIT: f'<circle cx="12" cy="12" r="10" fill="{AMBER}"/>'
    f'<path d="M16.5 12a4.5 4.5 0 1 1-1.3-3.2" {_WHITE_LINE}/><path d="M15.8 6.2v3h-3" {_WHITE_LINE}/>',
    TaskState.PAUSED: f'<circle cx="12" cy="12" r="10" fill="{GREY}"/>'
    f'<path d="M9.8 8v8M14.2 8v8" {_WHITE_LINE}/>',
    TaskState.COMPLETED: f'<circle cx="12" cy="12" r="10" fill="{GREEN}"/>'
    f'<path d="M7.5 12.3l3 3 6-6.3" {_WHITE_LINE}/>',
    TaskState.FAILED: f'<circle cx="12" cy="12" r="10" fill="{RED}"/>'
    f'<path d="M8.7 8.7l6.6 6.6M15.3 8.7l-6.6 6.6" {_WHITE_LINE}/>',
    TaskState.CANCELLED: f'<circle cx="12" cy="12" r="10" fill="{GREY}"/><path d="M8 12h8" {_WHITE_LINE}/>',
}
_STATES[TaskState.INTERRUPTED] = _STATES[TaskState.QUEUED]

_APP = (
    f'<rect x="1" y="1" width="22" height="22" rx="5.5" fill="{BLUE}"/>'
    '<path d="M7.2 17.2a3.6 3.6 0 0 1-.4-7.2 5.4 5.4 0 0 1 10.4 1.2 3 3 0 0 1-.6 6z" fill="#fff"/>'
    f'<path d="M12 16v-5.2M9.8 12.8 12 10.6l2.2 2.2" fill="none" stroke="{BLUE}" stroke-width="1.8" '
    'stroke-linecap="round" stroke-linejoin="round"/>'
)

_SIZES = (16, 20, 24, 32, 48, 64, 128, 256)


def _icon(body: str, sizes: tuple[int, ...] = _SIZES) -> QIcon:
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">{body}</svg>'
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    icon = QIcon()
    for size in sizes:
        for scale in (1, 2):
            image = QImage(size * scale, size * scale, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size * scale, size * scale))
            painter.end()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap)
    return icon


@functools.cache
def toolbar_icon(name: str) -> QIcon:
    palette = QGuiApplication.palette()
    colour: QColor = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    return _icon(_TOOLBAR[name].replace("{c}", colour.name()), (16, 20, 24, 32))


@functools.cache
def state_icon(state: TaskState) -> QIcon:
    return _icon(_STATES[state], (16, 20, 24))


@functools.cache
def app_icon() -> QIcon:
    return _icon(_APP)
