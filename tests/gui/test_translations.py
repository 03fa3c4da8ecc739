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
from gui.i18n import install_translators, translations_dir, ui_locale
from gui.queue import Column
from gui.tray import TrayController
from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(PySide6.__file__).parent
LANGUAGES = ("zh_CN",)

# Words that stay as they are in every language: the brand, protocol and scheme names, units.
ALLOWED = frozenset(
    "Skylift HTTP HTTPS URL CA PEM tus multipart form-data PUT POST PATCH Bearer Basic "  # noqa: SIM905
    "KiB MiB GiB TiB K M G s RFC filename".split()
)
# Whole texts that are technical values, not words: a form field's default name, an example header.
TECHNICAL = {"file", "X-Upload-Token"}


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
            unfinished.append(message.findtext("source"))
    assert not unfinished, f"untranslated in {path.name}: {unfinished}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_ts_files_hold_every_string_of_the_code(tmp_path: Path, language: str) -> None:
    """pyside6-lupdate over every module of gui/ finds nothing the committed .ts lacks (run the workflow in
    resources/translations/README.md after changing visible strings)."""
    committed = translations_dir() / f"skylift_{language}.ts"
    fresh = tmp_path / committed.name
    shutil.copyfile(committed, fresh)
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py"))
    run = subprocess.run(
        [str(TOOLS / "lupdate"), *sources, "-no-obsolete", "-ts", str(fresh)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    new, gone = ts_keys(fresh) - ts_keys(committed), ts_keys(committed) - ts_keys(fresh)
    assert not new and not gone, f"new strings: {sorted(new)}; gone: {sorted(gone)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_qm_files_are_compiled_from_the_ts(tmp_path: Path, language: str) -> None:
    source = translations_dir() / f"skylift_{language}.ts"
    compiled = tmp_path / f"skylift_{language}.qm"
    run = subprocess.run(
        [str(TOOLS / "lrelease"), str(source), "-qm", str(compiled)],
        capture_output=True,
        text=True,
        timeout=120,
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
    text = re.sub(r"https?://\S+|\b[\w.-]+:\d+/\S*", " ", text)  # URLs, host:port/path
    text = re.sub(r"\S+\.(bin|txt|jpg|png)\b", " ", text)  # file names
    text = re.sub(r"\(&?[A-Za-z]\)", "", text).replace("&", "")  # mnemonics: "文件(&F)", "&File"
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
        add_destination(app.destinations, f"{receiver.url}/up", name="接收端")
        app.window.reload_destinations()
        app.window.add_paths(files)
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="uploads to complete")
        app.window.view.selectRow(0)
        texts = list(visible_texts(app.window))
        model = app.model
        for column in Column:
            texts.append(
                (
                    f"header {column.name}",
                    str(model.headerData(column, PySide6.QtCore.Qt.Orientation.Horizontal)),
                )
            )
            texts.append((f"row 0 {column.name}", str(model.data(model.index(0, column)) or "")))
        texts.append(("status bar", app.window.statusBar().currentMessage()))

        # The dialogs: details of a row, the destinations editor (its OK/Cancel come from qtbase).
        app.window.rows.show_details()
        assert app.window.rows.details_dialog is not None
        texts += visible_texts(app.window.rows.details_dialog)
        app.window.rows.details_dialog.close()
        app.window.edit_destinations()
        dialog = app.window.destinations.dialog
        assert dialog is not None
        texts += visible_texts(dialog)
        form = dialog.form
        for row in range(form.rowCount()):
            label = form.itemAt(row, form.ItemRole.LabelRole)
            if label is not None and isinstance(label.widget(), QLabel):
                texts.append((f"destinations form row {row}", label.widget().text()))
        dialog.reject()

        # The tray icon's menu and tooltip.
        tray = TrayController(is_window_visible=app.window.isVisible, parent=app.window)
        menu = tray._menu  # the menu is built once and refreshed before it opens
        menu.aboutToShow.emit()
        texts += [(f"tray menu {a.objectName()!r}", a.text()) for a in menu.actions()]
        texts.append(("tray tooltip", tray._tray.toolTip()))
        left = [(w, t) for w, t in texts if t and t not in TECHNICAL and english_words(t)]
        assert not left, "English left in the zh_CN window:\n" + "\n".join(f"  {w}: {t!r}" for w, t in left)


def test_language_follows_the_system_unless_skylift_lang_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SKYLIFT_LANG", "zh_CN")
    assert ui_locale().name() == "zh_CN"
    monkeypatch.delenv("SKYLIFT_LANG")
    assert ui_locale() == QLocale.system()


def test_a_language_without_translation_falls_back_to_english(qapp: QApplication) -> None:
    previous = QLocale()
    installed = install_translators(qapp, QLocale("fr_FR"))
    try:
        assert not any(t.filePath().endswith(".qm") and "skylift_" in t.filePath() for t in installed)
        assert QCoreApplication.translate("MainWindow", "Pause all") == "Pause all"
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(previous)


def test_chinese_translator_translates(chinese: list[QTranslator]) -> None:
    assert QCoreApplication.translate("MainWindow", "Pause all") == "全部暂停"
    assert (
        QCoreApplication.translate("Formatting", "{count} files uploaded").format(count=3)
        == "已上传 3 个文件"
    )
