"""Named destinations: where uploads go, how they are sent, and the dialog that edits them.

A destination's settings are kept in the settings file; its token or password only ever in the
operating system's keyring (the ``keyring`` package). The secret reaches the wire as a header in the
destination's *session* configuration (``default_headers``): the core never persists those, so the
secret stays out of the state database, and a relaunch re-reads it from the keyring when it
re-creates the session.
"""

from __future__ import annotations

import base64
import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import Destination, SessionConfiguration, WireProtocol
from core.redaction import is_secret_header

from .logging_setup import register_secret
from .settings import AppSettings

__all__ = [
    "ADHOC_ID",
    "AuthKind",
    "DestinationStore",
    "DestinationsDialog",
    "SavedDestination",
    "SecretStoreUnavailable",
    "parse_headers",
]

KEYRING_SERVICE = "Skylift"
ADHOC_ID = "adhoc"
SESSION_PREFIX = "gui"


class AuthKind(enum.StrEnum):
    NONE = "none"
    BEARER = "bearer"
    BASIC = "basic"
    HEADER = "header"

    @property
    def label(self) -> str:
        labels = {
            AuthKind.NONE: QT_TRANSLATE_NOOP("DestinationsDialog", "None"),
            AuthKind.BEARER: QT_TRANSLATE_NOOP("DestinationsDialog", "Bearer token"),
            AuthKind.BASIC: QT_TRANSLATE_NOOP("DestinationsDialog", "User and password (Basic)"),
            AuthKind.HEADER: QT_TRANSLATE_NOOP("DestinationsDialog", "Token in a header"),
        }
        return QCoreApplication.translate("DestinationsDialog", str(labels[self]))


class SecretStoreUnavailable(Exception):
    """The keyring cannot be used (no backend, locked, refused); ``str()`` says what to do."""


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, kw_only=True)
class SavedDestination:
    id: str
    name: str
    url: str
    protocol: WireProtocol = WireProtocol.MULTIPART
    method: str | None = None
    field_name: str = "file"
    form_fields: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 4
    # Bytes per second for the destination's whole session; None for no limit.
    bandwidth_limit: int | None = None
    auth: AuthKind = AuthKind.NONE
    username: str = ""
    auth_header: str = ""
    # Whether a secret was stored in the keyring (so the dialog need not read the keyring to know).
    has_secret: bool = False
    # From the command line (``skylift --url``): shown, never saved.
    adhoc: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocol", WireProtocol(self.protocol))
        object.__setattr__(self, "auth", AuthKind(self.auth))
        object.__setattr__(self, "form_fields", _frozen(self.form_fields))
        object.__setattr__(self, "headers", _frozen(self.headers))

    @property
    def session_id(self) -> str:
        """One upload session per destination: its concurrency, bandwidth limit and credentials are
        session settings, and the identifier lets a relaunch re-attach to its unfinished uploads."""
        return SESSION_PREFIX if self.adhoc else f"{SESSION_PREFIX}-{self.id}"

    @property
    def needs_secret(self) -> bool:
        return self.auth is not AuthKind.NONE

    @property
    def label(self) -> str:
        return self.name or describe_url(self.url)

    def core_destination(self) -> Destination:
        return Destination(
            url=self.url,
            protocol=self.protocol,
            method=self.method,
            headers=self.headers,
            field_name=self.field_name,
            form_fields=self.form_fields,
        )

    def auth_headers(self, secret: str | None) -> dict[str, str]:
        if not secret or self.auth is AuthKind.NONE:
            return {}
        # The log filter redacts these values wherever they would appear, in whatever form.
        register_secret(secret)
        if self.auth is AuthKind.BEARER:
            return {"Authorization": f"Bearer {secret}"}
        if self.auth is AuthKind.BASIC:
            token = base64.b64encode(f"{self.username}:{secret}".encode()).decode("ascii")
            register_secret(token)
            return {"Authorization": f"Basic {token}"}
        return {self.auth_header: secret}

    def session_configuration(self, secret: str | None) -> SessionConfiguration:
        return SessionConfiguration(
            identifier=self.session_id,
            max_concurrent_uploads=self.concurrency,
            bandwidth_limit=self.bandwidth_limit,
            default_headers=self.auth_headers(secret),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "protocol": self.protocol.value,
            "method": self.method,
            "field_name": self.field_name,
            "form_fields": dict(self.form_fields),
            "headers": dict(self.headers),
            "concurrency": self.concurrency,
            "bandwidth_limit": self.bandwidth_limit,
            "auth": self.auth.value,
            "username": self.username,
            "auth_header": self.auth_header,
            "has_secret": self.has_secret,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SavedDestination:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            url=str(data["url"]),
            protocol=WireProtocol(data.get("protocol", "multipart")),
            method=data.get("method") or None,
            field_name=str(data.get("field_name") or "file"),
            form_fields=dict(data.get("form_fields") or {}),
            headers=dict(data.get("headers") or {}),
            concurrency=int(data.get("concurrency") or 4),
            bandwidth_limit=data.get("bandwidth_limit") or None,
            auth=AuthKind(data.get("auth", "none")),
            username=str(data.get("username", "")),
            auth_header=str(data.get("auth_header", "")),
            has_secret=bool(data.get("has_secret", False)),
        )


def new_destination_id() -> str:
    return uuid.uuid4().hex[:12]


def describe_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return f"{parts.hostname or url}{':' + str(parts.port) if parts.port else ''}{path}"


def parse_headers(lines: list[str] | str) -> dict[str, str]:
    """``Name: value`` lines (as curl's ``-H``); blank lines are skipped."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    headers: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
            raise ValueError(
                QCoreApplication.translate(
                    "DestinationsDialog", "line {number}: expected 'Name: value', got {line}"
                ).format(number=number, line=repr(line.strip()))
            )
        headers[name.strip()] = value.strip()
    return headers


def parse_form(lines: list[str] | str) -> dict[str, str]:
    """``key=value`` lines (as curl's ``-F``)."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    fields: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ValueError(
                QCoreApplication.translate(
                    "DestinationsDialog", "line {number}: expected 'key=value', got {line}"
                ).format(number=number, line=repr(line.strip()))
            )
        fields[key.strip()] = value
    return fields


# -- storage --------------------------------------------------------------------------------------


def _keyring_problem(error: BaseException) -> SecretStoreUnavailable:
    text = QCoreApplication.translate(
        "DestinationsDialog",
        "The system keyring cannot be used, so the destination's token or password cannot be stored or "
        "read ({problem}). Start or unlock a keyring service (GNOME Keyring, KWallet, macOS Keychain or "
        "Windows Credential Manager) and try again.",
    )
    return SecretStoreUnavailable(text.format(problem=f"{type(error).__name__}: {error}"))


class DestinationStore:
    """The saved destinations (settings file) and their secrets (keyring)."""

    def __init__(self, settings: AppSettings) -> None:
        self._settings = settings
        self._adhoc: SavedDestination | None = None

    def saved(self) -> list[SavedDestination]:
        result = []
        for data in self._settings.destinations:
            try:
                result.append(SavedDestination.from_json(data))
            except (KeyError, ValueError, TypeError):
                continue  # a hand-edited entry that makes no sense: skip it rather than fail start-up
        return result

    def all(self) -> list[SavedDestination]:
        """The ad-hoc destination (if any) first, then the saved ones."""
        return ([self._adhoc] if self._adhoc else []) + self.saved()

    def set_adhoc(self, destination: SavedDestination | None) -> None:
        self._adhoc = destination

    def get(self, destination_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.id == destination_id), None)

    def by_session(self, session_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.session_id == session_id), None)

    def save(self, destinations: list[SavedDestination]) -> None:
        self._settings.destinations = [d.to_json() for d in destinations if not d.adhoc]
        self._settings.sync()

    @property
    def last_used(self) -> str | None:
        return self._settings.last_destination

    @last_used.setter
    def last_used(self, destination_id: str | None) -> None:
        self._settings.last_destination = destination_id

    # Secrets. Every keyring failure becomes SecretStoreUnavailable with a message for the user.

    @staticmethod
    def _account(destination_id: str) -> str:
        return f"destination:{destination_id}"

    def read_secret(self, destination: SavedDestination) -> str | None:
        if not destination.needs_secret or not destination.has_secret:
            return None
        import keyring

        try:
            return keyring.get_password(KEYRING_SERVICE, self._account(destination.id))
        except Exception as error:
            raise _keyring_problem(error) from None

    def store_secret(self, destination_id: str, secret: str) -> None:
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, self._account(destination_id), secret)
        except Exception as error:
            raise _keyring_problem(error) from None

    def delete_secret(self, destination_id: str) -> None:
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(KEYRING_SERVICE, self._account(destination_id))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored
        except Exception as error:
            raise _keyring_problem(error) from None


# -- the dialog -----------------------------------------------------------------------------------

_PROTOCOLS = [
    (WireProtocol.MULTIPART, QT_TRANSLATE_NOOP("DestinationsDialog", "Form upload (multipart/form-data)")),
    (WireProtocol.RAW, QT_TRANSLATE_NOOP("DestinationsDialog", "Raw file body (PUT to a folder URL)")),
    (WireProtocol.TUS, QT_TRANSLATE_NOOP("DestinationsDialog", "tus resumable upload")),
]
# The method box's first item: the protocol's natural method (compared as shown, so translated).
_METHOD_DEFAULT = QT_TRANSLATE_NOOP("DestinationsDialog", "Default")


class DestinationsDialog(QDialog):
    """Define, edit and remove named destinations. Opened window-modal with ``open()``."""

    # The id of the destination that was selected when the dialog was accepted.
    saved = Signal(str)

    def __init__(self, store: DestinationStore, *, select: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Destinations"))
        self.setModal(True)
        self._store = store
        self._entries: list[SavedDestination] = store.saved()
        # Destinations whose secret is in the keyring now (a new one is only pending until OK).
        self._stored = {e.id for e in self._entries if e.has_secret}
        # id -> new secret ("" means remove it); written to the keyring only on OK.
        self._secrets: dict[str, str] = {}
        self._current = -1

        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.list.setAccessibleName(self.tr("Destinations"))
        add = QToolButton(text="+", toolTip=self.tr("Add a destination"))
        remove = QToolButton(text="\u2212", toolTip=self.tr("Remove the selected destination"))  # minus sign
        # The buttons show a symbol: screen readers say what they do.
        add.setAccessibleName(add.toolTip())
        remove.setAccessibleName(remove.toolTip())
        add.clicked.connect(self.add_destination)
        remove.clicked.connect(self.remove_destination)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(add)
        buttons_row.addWidget(remove)
        buttons_row.addStretch()
        left = QVBoxLayout()
        left.addWidget(self.list)
        left.addLayout(buttons_row)

        self.name = QLineEdit(placeholderText=self.tr("My server"))
        self.url = QLineEdit(placeholderText="https://example.com/upload")
        self.protocol = QComboBox()
        for protocol, text in _PROTOCOLS:
            self.protocol.addItem(self.tr(str(text)), protocol)
        self.method = QComboBox(editable=True)
        self._method_default = self.tr(str(_METHOD_DEFAULT))
        self.method.addItems([self._method_default, "POST", "PUT", "PATCH"])
        self.field_name = QLineEdit(placeholderText="file")
        self.form_fields = QPlainTextEdit(placeholderText=self.tr("key=value, one per line"))
        self.headers = QPlainTextEdit(
            placeholderText=self.tr("Name: value, one per line (no credentials here)")
        )
        for editor in (self.form_fields, self.headers):
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 14)
        self.concurrency = QSpinBox(minimum=1, maximum=32, value=4)
        self.bandwidth = QSpinBox(minimum=0, maximum=10_000_000, singleStep=100, suffix=self.tr(" KiB/s"))
        self.bandwidth.setSpecialValueText(self.tr("Unlimited"))
        self.auth = QComboBox()
        for kind in AuthKind:
            self.auth.addItem(kind.label, kind)
        self.username = QLineEdit()
        self.auth_header = QLineEdit(placeholderText="X-Upload-Token")
        self.secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.secret_note = QLabel(self.tr("Stored in the system keyring, never in Skylift's files."))
        self.secret_note.setWordWrap(True)
        self.secret_note.setEnabled(False)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow(self.tr("&Name:"), self.name)
        self.form.addRow(self.tr("&URL:"), self.url)
        self.form.addRow(self.tr("&Protocol:"), self.protocol)
        self.form.addRow(self.tr("&Method:"), self.method)
        self.form.addRow(self.tr("&Field name:"), self.field_name)
        self.form.addRow(self.tr("F&orm fields:"), self.form_fields)
        self.form.addRow(self.tr("&Headers:"), self.headers)
        self.form.addRow(self.tr("&Concurrent uploads:"), self.concurrency)
        self.form.addRow(self.tr("&Bandwidth limit:"), self.bandwidth)
        self.form.addRow(self.tr("&Authentication:"), self.auth)
        self.form.addRow(self.tr("U&ser:"), self.username)
        self.form.addRow(self.tr("Header nam&e:"), self.auth_header)
        self.form.addRow(self.tr("&Token:"), self.secret)
        self.form.addRow("", self.secret_note)
        self.editor = QWidget()
        self.editor.setLayout(self.form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.editor, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.buttons)

        self.protocol.currentIndexChanged.connect(self._update_enabled)
        self.auth.currentIndexChanged.connect(self._update_enabled)
        self.list.currentRowChanged.connect(self._switch)
        for entry in self._entries:
            self.list.addItem(QListWidgetItem(entry.label))
        if not self._entries:
            self.add_destination()
        else:
            ids = [e.id for e in self._entries]
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)
        self.resize(720, 520)

    # -- list ---------------------------------------------------------------------------------------

    def add_destination(self) -> None:
        if not self._commit_form():
            return
        entry = SavedDestination(id=new_destination_id(), name="", url="https://")
        self._entries.append(entry)
        self.list.addItem(QListWidgetItem(self.tr("New destination")))
        self.list.setCurrentRow(len(self._entries) - 1)
        self.name.setFocus()

    def remove_destination(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        entry = self._entries.pop(row)
        self._forget_secret(entry.id)
        self._current = -1
        self.list.takeItem(row)
        if not self._entries:
            self._clear_form()

    def _switch(self, row: int) -> None:
        if row == self._current:
            return
        if self._current >= 0 and not self._commit_form():
            self.list.blockSignals(True)
            self.list.setCurrentRow(self._current)
            self.list.blockSignals(False)
            return
        self._current = row
        if 0 <= row < len(self._entries):
            self._load_form(self._entries[row])

    # -- form <-> entry -----------------------------------------------------------------------------

    def _load_form(self, entry: SavedDestination) -> None:
        self.editor.setEnabled(True)
        self.name.setText(entry.name)
        self.url.setText(entry.url)
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(entry.protocol)))
        self.method.setCurrentText(entry.method or self._method_default)
        self.field_name.setText(entry.field_name)
        self.form_fields.setPlainText("\n".join(f"{k}={v}" for k, v in entry.form_fields.items()))
        self.headers.setPlainText("\n".join(f"{k}: {v}" for k, v in entry.headers.items()))
        self.concurrency.setValue(entry.concurrency)
        self.bandwidth.setValue((entry.bandwidth_limit or 0) // 1024)
        self.auth.setCurrentIndex(max(0, self.auth.findData(entry.auth)))
        self.username.setText(entry.username)
        self.auth_header.setText(entry.auth_header)
        self.secret.clear()
        has_secret = bool(self._secrets.get(entry.id)) or (
            entry.id in self._stored and self._secrets.get(entry.id) != ""
        )
        self.secret.setPlaceholderText(self.tr("unchanged (stored in the keyring)") if has_secret else "")
        self._update_enabled()

    def _clear_form(self) -> None:
        for line in (self.name, self.url, self.field_name, self.username, self.auth_header, self.secret):
            line.clear()
        self.form_fields.clear()
        self.headers.clear()
        self.editor.setEnabled(False)

    def _update_enabled(self) -> None:
        multipart = self.protocol.currentData() is WireProtocol.MULTIPART
        self.field_name.setEnabled(multipart)
        self.form_fields.setEnabled(multipart)
        kind = self.auth.currentData()
        self.username.setEnabled(kind is AuthKind.BASIC)
        self.auth_header.setEnabled(kind is AuthKind.HEADER)
        self.secret.setEnabled(kind is not AuthKind.NONE)
        label = self.form.labelForField(self.secret)
        if isinstance(label, QLabel):
            label.setText(self.tr("Pass&word:") if kind is AuthKind.BASIC else self.tr("&Token:"))

    def _form_entry(self, entry: SavedDestination) -> SavedDestination:
        """The entry as the form describes it; raises ValueError with a message for the user."""
        name = self.name.text().strip()
        url = self.url.text().strip()
        if not name:
            raise ValueError(self.tr("Give the destination a name."))
        if not url.lower().startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise ValueError(self.tr("The URL must start with http:// or https://."))
        if urlsplit(url).hostname is None:
            raise ValueError(self.tr("The URL has no host name."))
        try:
            headers = parse_headers(self.headers.toPlainText())
        except ValueError as error:
            raise ValueError(self.tr("Headers, {problem}").format(problem=error)) from None
        secret_headers = [name for name in headers if is_secret_header(name)]
        if secret_headers:
            raise ValueError(
                self.tr(
                    "The header {name} looks like a credential. Headers are saved in plain text: choose an "
                    "Authentication method instead, so that the secret goes to the keyring."
                ).format(name=repr(secret_headers[0]))
            )
        try:
            form = parse_form(self.form_fields.toPlainText())
        except ValueError as error:
            raise ValueError(self.tr("Form fields, {problem}").format(problem=error)) from None
        kind: AuthKind = self.auth.currentData()
        header_name = self.auth_header.text().strip()
        if kind is AuthKind.HEADER and (not header_name or any(c in header_name for c in " :\t")):
            raise ValueError(self.tr("Enter the name of the header that carries the token."))
        method = self.method.currentText().strip().upper()
        new_secret = self.secret.text()
        has_secret = kind is not AuthKind.NONE and (
            bool(new_secret) or bool(self._secrets.get(entry.id)) or entry.id in self._stored
        )
        return replace(
            entry,
            name=name,
            url=url,
            protocol=self.protocol.currentData(),
            method=None if method in ("", self._method_default.upper()) else method,
            field_name=self.field_name.text().strip() or "file",
            form_fields=form,
            headers=headers,
            concurrency=self.concurrency.value(),
            bandwidth_limit=self.bandwidth.value() * 1024 or None,
            auth=kind,
            username=self.username.text(),
            auth_header=header_name,
            has_secret=has_secret,
        )

    def _commit_form(self) -> bool:
        row = self._current
        if not (0 <= row < len(self._entries)):
            return True
        entry = self._entries[row]
        try:
            updated = self._form_entry(entry)
        except ValueError as error:
            self._warn(str(error))
            return False
        if self.secret.text():
            self._secrets[entry.id] = self.secret.text()
            self.secret.clear()
            self.secret.setPlaceholderText(self.tr("unchanged (stored in the keyring)"))
        elif updated.auth is AuthKind.NONE:
            self._forget_secret(entry.id)
        self._entries[row] = updated
        item = self.list.item(row)
        if item is not None:
            item.setText(updated.label)
        return True

    def _forget_secret(self, destination_id: str) -> None:
        """Drop a pending secret; one already in the keyring is deleted from it on OK."""
        self._secrets.pop(destination_id, None)
        if destination_id in self._stored:
            self._secrets[destination_id] = ""

    def _warn(self, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, self.tr("Destinations"), text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("destinations-warning")
        box.open()

    # -- OK ---------------------------------------------------------------------------------------

    def accept(self) -> None:
        if not self._commit_form():
            return
        names = [e.name.casefold() for e in self._entries]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            self._warn(
                self.tr("Two destinations are called {name}; names must be different.").format(
                    name=repr(duplicate)
                )
            )
            return
        try:
            for destination_id, secret in self._secrets.items():
                if secret:
                    self._store.store_secret(destination_id, secret)
                    self._stored.add(destination_id)
                else:
                    self._store.delete_secret(destination_id)
                    self._stored.discard(destination_id)
        except SecretStoreUnavailable as error:
            self._warn(str(error))
            return
        self._secrets.clear()
        self._store.save(self._entries)
        row = self.list.currentRow()
        if 0 <= row < len(self._entries):
            self._store.last_used = self._entries[row].id
            self.saved.emit(self._entries[row].id)
        else:
            self.saved.emit("")
        super().accept()

    @property
    def entries(self) -> list[SavedDestination]:
        return list(self._entries)
