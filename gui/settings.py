"""Typed settings over QSettings, kept in an INI file inside the state folder.

Keeping the file beside the state database means ``--state-dir`` (and ``SKYLIFT_STATE_DIR``) moves
everything a run owns at once, and a test's temporary state folder isolates its settings too.
Secrets never go here: destination tokens live in the operating system's keyring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["AppSettings"]

SETTINGS_FILE = "skylift-gui.ini"


class AppSettings:
    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / SETTINGS_FILE
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._settings.sync()

    # -- window layout ----------------------------------------------------------------------------

    @property
    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._settings.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._settings.setValue("window/state", value)

    @property
    def header_state(self) -> QByteArray | None:
        return self._bytes("queue/header")

    @header_state.setter
    def header_state(self, value: QByteArray) -> None:
        self._settings.setValue("queue/header", value)

    # -- destinations (secrets excluded: see gui.destinations) ------------------------------------

    @property
    def destinations(self) -> list[dict[str, Any]]:
        text = self._settings.value("destinations/list", "[]")
        try:
            data = json.loads(str(text))
        except ValueError:
            return []
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    @destinations.setter
    def destinations(self, value: list[dict[str, Any]]) -> None:
        self._settings.setValue("destinations/list", json.dumps(value))

    @property
    def last_destination(self) -> str | None:
        value = self._settings.value("destinations/last_used", None)
        return str(value) if value else None

    @last_destination.setter
    def last_destination(self, value: str | None) -> None:
        self._settings.setValue("destinations/last_used", value or "")

    @property
    def last_folder(self) -> str:
        return str(self._settings.value("dialogs/last_folder", "") or "")

    @last_folder.setter
    def last_folder(self, value: str) -> None:
        self._settings.setValue("dialogs/last_folder", value)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None
