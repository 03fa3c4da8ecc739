"""Colours that follow the system palette, light or dark.

Nothing in the app sets a style or a palette: the platform's own (with the desktop's light/dark
choice) is used as is. Where a colour carries meaning (a failed upload is red), it is picked for the
palette in use, so that it stays readable on both a light and a dark background.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from core import TaskState

__all__ = ["error_text_colour", "is_dark", "state_bar_colour"]

# A failure's reason as text: (on a light window, on a dark one), GNOME's reds, each 4.5:1 or more.
_ERROR_TEXT = ("#c01c28", "#ff7b63")
# Filled progress bars carry white "100%": shades with 3:1 or more against white, which also stand
# out from a dark table. (GNOME's yellow #e5a50a was 2.2:1: too light for the white text.)
_STATE_BARS = {
    TaskState.COMPLETED: "#26a269",
    TaskState.FAILED: "#e01b24",
    TaskState.RETRY_WAIT: "#c88800",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) draws light text on a dark window."""
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def error_text_colour(palette: QPalette | None = None) -> QColor:
    return QColor(_ERROR_TEXT[is_dark(palette)])


def state_bar_colour(state: TaskState, palette: QPalette) -> QColor | None:
    """The progress bar's fill for ``state``; None for the style's own highlight (running uploads)."""
    if state in (TaskState.PAUSED, TaskState.CANCELLED):
        # Stopped: the palette's muted text colour, grey on light and dark alike.
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    colour = _STATE_BARS.get(state)
    return QColor(colour) if colour else None
