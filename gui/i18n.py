"""Translations: Skylift's own strings (``resources/translations/skylift_<locale>.qm``) and Qt's (standard
buttons, file dialogs) for the system locale, or for ``$SKYLIFT_LANG`` when set (``zh_CN``, ``en``...).

The Qt Linguist workflow (tools from PySide6-Essentials, see ``resources/translations/README.md``)::

    pyside6-lupdate gui/*.py -ts resources/translations/skylift_zh_CN.ts   # collect strings
    pyside6-linguist resources/translations/skylift_zh_CN.ts               # translate
    pyside6-lrelease resources/translations/skylift_*.ts                   # compile .qm
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from .resources import resource_dir

__all__ = ["LANGUAGE_VARIABLE", "install_translators", "translations_dir", "ui_locale"]

log = logging.getLogger(__name__)

LANGUAGE_VARIABLE = "SKYLIFT_LANG"


def translations_dir() -> Path:
    return resource_dir() / "translations"


def ui_locale() -> QLocale:
    """``$SKYLIFT_LANG`` if set (for tests and for users who want another language than the
    system's), else the system locale."""
    override = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    return QLocale(override) if override else QLocale.system()


def install_translators(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Install Skylift's and Qt's translators for ``locale`` (default ``ui_locale()``) on ``app``.

    Returns the installed translators (parented to ``app``, so they live as long as it). English, the
    source language, needs no file; a locale without a translation falls back to English.
    """
    locale = locale or ui_locale()
    # Numbers, dates and QLocale().formattedDataSize() follow the chosen language too.
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    sources = [
        ("skylift", translations_dir()),
        ("qtbase", Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))),
    ]
    for name, folder in sources:
        translator = QTranslator(app)
        # load(QLocale, ...) tries each of the locale's UI languages: zh_Hans_CN, zh_CN, zh...
        if translator.load(locale, name, "_", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            translator.deleteLater()
            if name == "skylift" and locale.language() not in (QLocale.Language.English, QLocale.Language.C):
                log.info("no %s translation for %s in %s", name, locale.name(), folder)
    return installed
