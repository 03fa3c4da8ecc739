"""Translations: the .ts sources are complete and current, the .qm files are compiled from them, and the
window rendered in Simplified Chinese shows no English left (brand names, units and numbers aside)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QToolButton,
    QWidget,
)

from core import TaskState
from gui.i18n import install_translators, translations_dir
from gui.models import Column
from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(PySide6.__file__).parent
LANGUAGES = ("zh_CN", "en")

# Words that stay as they are in every language: the brand, protocols, units, key names.
ALLOWED = {
    "Skylift", "HTTP", "HTTPS", "URL", "URLs", "tus", "multipart", "PUT", "POST", "PATCH", "ID",
    "KB", "MB", "GB", "TB", "bytes", "s", "ms", "B", "Ctrl", "Shift", "Alt", "Del", "Esc", "Space",
    "Enter", "Return", "Backspace", "Ins", "Meta", "Tab", "F1", "OK", "JSON", "keyring", "Content-Type",
}


def ts_messages(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("message"))


def ts_keys(path: Path) -> set[tuple[str, str]]:
    keys = set()
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            keys.add((name, message.findtext("source") or ""))
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language: str) -> None:
    path = translations_dir() / f"skylift_{language}.ts"
    unfinished = []
    for message in ts_messages(path):
        translation = message.find("translation")
        assert translation is not None
        forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
            if language == "en" and message.get("numerus") != "yes":
                continue  # English: only the plural forms need a translation
            unfinished.append(message.findtext("source"))
    assert not unfinished, f"untranslated in {path.name}: {unfinished}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_ts_files_hold_every_string_of_the_code(tmp_path: Path, language: str) -> None:
    """pyside6-lupdate over gui/*.py finds nothing the committed .ts lacks (run the workflow in
    resources/translations/README.md after changing visible strings)."""
    committed = translations_dir() / f"skylift_{language}.ts"
    fresh = tmp_path / committed.name
    shutil.copyfile(committed, fresh)
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").glob("*.py"))
    extra = ["-pluralonly"] if language == "en" else []
    run = subprocess.run(
        [str(TOOLS / "lupdate"), *sources, "-no-obsolete", *extra, "-ts", str(fresh)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert ts_keys(fresh) == ts_keys(committed), (
        f"new: {sorted(ts_keys(fresh) - ts_keys(committed))}; gone: {sorted(ts_keys(committed) - ts_keys(fresh))}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_qm_files_are_compiled_from_the_ts(tmp_path: Path, language: str) -> None:
    source = translations_dir() / f"skylift_{language}.ts"
    compiled = tmp_path / f"skylift_{language}.qm"
    run = subprocess.run(
        [str(TOOLS / "lrelease"), str(source), "-qm", str(compiled)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert compiled.read_bytes() == (translations_dir() / compiled.name).read_bytes(), (
        "the committed .qm is stale: run pyside6-lrelease"
    )


# -- the window in Simplified Chinese --------------------------------------------------------------


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    previous = QLocale()
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        yield installed
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(previous)


def english_words(text: str) -> list[str]:
    """Words of Latin letters left in ``text`` that are not allowed through untranslated."""
    text = re.sub(r"https?://\S+", " ", text)  # URLs
    text = re.sub(r"\S+\.(bin|txt|jpg|png)\b", " ", text)  # file names
    text = text.replace("&", "")  # mnemonics
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    return [w for w in words if w not in ALLOWED]


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a user can see or hear in the window: widgets, actions with their
    tooltips, menus, column headers, the status bar and accessible names."""
    yield "window title", window.windowTitle()
    for widget in [window, *window.findChildren(QWidget)]:
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        if widget.accessibleName():
            yield f"{name} accessible name", widget.accessibleName()
        if widget.toolTip():
            yield f"{name} tooltip", widget.toolTip()
        if isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton):
            yield f"{name} text", widget.text()
        if isinstance(widget, QLabel):
            yield f"{name} text", widget.text()
        if isinstance(widget, QLineEdit):
            yield f"{name} placeholder", widget.placeholderText()
        if isinstance(widget, QGroupBox):
            yield f"{name} title", widget.title()
        if isinstance(widget, QMenu):
            yield f"{name} title", widget.title()
        if isinstance(widget, QTabWidget):
            for index in range(widget.count()):
                yield f"{name} tab", widget.tabText(index)
        if isinstance(widget, QComboBox):
            for index in range(widget.count()):
                yield f"{name} item", widget.itemText(index)
        if widget.windowTitle() and widget.isWindow():
            yield f"{name} window title", widget.windowTitle()
    for action in window.findChildren(PySide6.QtGui.QAction):
        where = f"action {action.objectName()!r}"
        yield f"{where} text", action.text()
        yield f"{where} tooltip", action.toolTip()
        yield f"{where} status tip", action.statusTip()


@pytest.mark.asyncio
@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
async def test_window_in_simplified_chinese_has_no_english_left(
    tmp_path: Path, receiver: ReceiverServer, chinese: list[QTranslator]
) -> None:
    assert any(t.language() == "zh_CN" for t in chinese), "skylift_zh_CN.qm did not load"
    files = [make_file(tmp_path / "in" / f"clip-{n}.bin", 50_000) for n in range(2)]
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up", name="Receiver")
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="uploads to complete")
        app.window.view.selectRow(0)
        texts = list(visible_texts(app.window))
        model = app.model
        for column in Column:
            texts.append((f"header {column.name}", str(model.headerData(column, PySide6.QtCore.Qt.Orientation.Horizontal))))
            texts.append((f"row 0 {column.name}", str(model.data(model.index(0, column)) or "")))
        texts.append(("status bar", app.window.statusBar().currentMessage()))
        left = [(where, text) for where, text in texts if text and english_words(text)]
        assert not left, "English left in the zh_CN window:\n" + "\n".join(f"  {w}: {t!r}" for w, t in left)
