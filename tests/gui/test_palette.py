"""The window follows the system palette: drawn with a dark palette it is dark, its text and icons
readable on it, and the colours that carry meaning (a failure's red, the progress bars) are picked
for the palette in use."""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from core import TaskState
from gui.queue import DetailsDialog
from gui.theme import is_dark, state_bar_colour
from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]

Role = QPalette.ColorRole


def dark_palette() -> QPalette:
    """Roughly what GNOME's and KDE's dark themes hand to Qt."""
    palette = QPalette()
    for role, colour in [
        (Role.Window, "#2b2b2b"),
        (Role.WindowText, "#eeeeee"),
        (Role.Base, "#1e1e1e"),
        (Role.AlternateBase, "#262626"),
        (Role.Text, "#eeeeee"),
        (Role.Button, "#353535"),
        (Role.ButtonText, "#eeeeee"),
        (Role.Highlight, "#3584e4"),
        (Role.HighlightedText, "#ffffff"),
        (Role.PlaceholderText, "#8a8a8a"),
        (Role.Link, "#78aeed"),
        (Role.Light, "#4a4a4a"),
        (Role.Midlight, "#404040"),
        (Role.Mid, "#303030"),
        (Role.Dark, "#1a1a1a"),
        (Role.Shadow, "#000000"),
    ]:
        palette.setColor(role, QColor(colour))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[QPalette]:
    previous = QApplication.palette()
    QApplication.setPalette(dark_palette())
    try:
        yield QApplication.palette()
    finally:
        QApplication.setPalette(previous)


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio: 4.5 is the minimum for body text, 3 for large text and icons."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def background_and_ink(image: QImage) -> tuple[QColor, QColor]:
    """The most common colour of a grabbed region (its background) and the pixel that stands out
    most against it (its text or glyph)."""
    counts = collections.Counter(
        image.pixel(x, y) for y in range(image.height()) for x in range(image.width())
    )
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    ink = max((QColor.fromRgb(rgb) for rgb in counts), key=lambda c: contrast(c, background))
    return background, ink


def opaque_pixels(image: QImage) -> list[QColor]:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)  # not premultiplied
    pixels = [QColor.fromRgba(image.pixel(x, y)) for y in range(image.height()) for x in range(image.width())]
    return [c for c in pixels if c.alpha() >= 200]


def grab(widget: QWidget, name: str) -> QImage:
    image = widget.grab().toImage()
    folder = os.environ.get("SKYLIFT_SCREENSHOTS")
    if folder:  # to look at them: SKYLIFT_SCREENSHOTS=/tmp/shots pytest tests/gui/test_palette.py
        Path(folder).mkdir(parents=True, exist_ok=True)
        image.save(str(Path(folder) / f"{name}.png"))
    return image


async def check_window(tmp_path: Path, receiver: ReceiverServer, palette: QPalette, name: str) -> None:
    files = [make_file(tmp_path / "in" / f"clip-{n}.bin", 20_000) for n in range(2)]
    dark_mode = is_dark(palette)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        window = app.window
        window.reload_destinations()
        window.add_paths(files)
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="the uploads")
        QApplication.processEvents()
        grab(window, f"window-{name}")

        # The table's empty area, the status bar text, a toolbar button: drawn in the palette's colours.
        background, _ = background_and_ink(grab(window.view.viewport(), f"table-{name}"))
        assert (background.lightness() < 100) is dark_mode, background.name()
        for widget in (
            window.status_bar.status_label,
            window.toolbar.widgetForAction(window.action("add_files")),
        ):
            assert widget is not None
            background, ink = background_and_ink(grab(widget, f"{widget.objectName() or 'button'}-{name}"))
            assert (background.lightness() < 100) is dark_mode, (widget, background.name())
            assert contrast(ink, background) >= 4.5, (widget, ink.name(), background.name())
        # The monochrome action icons are drawn in the palette's text colour.
        strokes = opaque_pixels(window.action("pause_all").icon().pixmap(24, 24).toImage())
        text = palette.color(Role.ButtonText)
        assert strokes and all(abs(c.lightness() - text.lightness()) < 8 for c in strokes), text.name()

        # A failure's reason: red, and readable on the dialog's background.
        app.window.view.selectRow(0)
        failed = app.rows()[0].evolve(state=TaskState.FAILED, error="HTTP 413 Payload Too Large")
        details = DetailsDialog(failed, destination_label="Receiver", parent=window)
        details.show()
        QApplication.processEvents()
        grab(details, f"details-{name}")
        red = details.error.palette().color(Role.WindowText)
        assert red.hue() in range(0, 15) or red.hue() >= 345, red.name()
        assert contrast(red, details.palette().color(Role.Window)) >= 4.5, red.name()
        details.close()

    # White "100%" on every coloured progress bar stays readable.
    for state in (TaskState.COMPLETED, TaskState.FAILED, TaskState.RETRY_WAIT):
        colour = state_bar_colour(state, palette)
        assert colour is not None and contrast(colour, QColor("#ffffff")) >= 3, (state, colour.name())


async def test_window_follows_a_light_palette(
    tmp_path: Path, receiver: ReceiverServer, qapp: QApplication
) -> None:
    assert not is_dark(QApplication.palette())
    await check_window(tmp_path, receiver, QApplication.palette(), "light")


async def test_window_follows_a_dark_palette(
    tmp_path: Path, receiver: ReceiverServer, dark: QPalette
) -> None:
    assert is_dark(dark)
    await check_window(tmp_path, receiver, dark, "dark")


async def test_switching_to_dark_redraws_the_icons(tmp_path: Path, dark: QPalette) -> None:
    previous = QApplication.palette()
    QApplication.setPalette(QApplication.style().standardPalette())
    async with running_app(tmp_path / "state") as app:

        def glyph_lightness() -> int:
            return max(
                c.lightness()
                for c in opaque_pixels(app.window.action("pause_all").icon().pixmap(24, 24).toImage())
            )

        assert glyph_lightness() < 100
        QApplication.setPalette(previous)  # the dark one: the desktop switched to dark
        # Palette changes reach the widgets as posted events.
        await until(lambda: glyph_lightness() > 200, what="the icons in the dark palette's text colour")
