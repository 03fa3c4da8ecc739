"""Render the SVG app icon into the formats the Windows and macOS bundles need.

    python packaging/render_icons.py OUT_DIR     # -> OUT_DIR/skylift.ico, Skylift.icns, skylift-<N>.png

skylift.spec runs this on Windows and macOS before building; on Linux the SVG is used as it is.
Uses Qt's own SVG renderer and image writers (PySide6-Essentials has ico and icns writers).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "skylift.svg"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/icons")
    out.mkdir(parents=True, exist_ok=True)
    _app = QGuiApplication(sys.argv[:1])
    for size in (16, 32, 48, 64, 128, 256, 512, 1024):
        if not render(size).save(str(out / f"skylift-{size}.png")):
            raise SystemExit(f"could not write skylift-{size}.png")
    # Windows shows the 256 px image (PNG-compressed in the .ico) scaled to every size it needs.
    if not render(256).save(str(out / "skylift.ico"), "ico"):
        raise SystemExit("could not write skylift.ico")
    if not render(1024).save(str(out / "Skylift.icns"), "icns"):
        raise SystemExit("could not write Skylift.icns")
    print(f"icons written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
