"""The Destinations dialog: define, edit and remove named destinations.

Every field is checked with the core's own checks (``core.urls.check_url``, ``core.inputs``) when
the form is committed (OK, or switching to another destination); what is wrong is said in one line
under the form, naming the field, and the field gets the focus. Secrets typed here (the token or
password, credentials in the URL, secret headers) are written to the keyring on OK, in a worker
thread; without a usable keyring the dialog says so once and offers to keep them for this session
only, or to go back. It never claims to have stored what it did not.

Fields the protocol or the authentication kind does not use are disabled. The combo boxes' data
come back from PySide6 as plain ``str``: they are compared by value (``AuthKind(...) ==``), never
with ``is`` against the enum members.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
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

from core import WireProtocol
from core.inputs import InputError, check_ca_file, check_header, check_method, parse_header_line, parse_rate
from core.redaction import REDACTED, has_url_secrets, is_secret_header, redact_url
from core.urls import InvalidURL, check_url

from .destinations import (
    AuthKind,
    DestinationStore,
    SavedDestination,
    SecretChange,
    SecretStoreUnavailable,
    new_destination_id,
    parse_form,
)
from .theme import error_text_colour

__all__ = ["DestinationsDialog"]

_PROTOCOLS = [
    (WireProtocol.MULTIPART, QT_TRANSLATE_NOOP("DestinationsDialog", "Form upload (multipart/form-data)")),
    (WireProtocol.RAW, QT_TRANSLATE_NOOP("DestinationsDialog", "Raw file body (PUT to a folder URL)")),
    (WireProtocol.TUS, QT_TRANSLATE_NOOP("DestinationsDialog", "tus resumable upload")),
]
# The method box's first item: the protocol's natural method (compared as shown, so translated).
_METHOD_DEFAULT = QT_TRANSLATE_NOOP("DestinationsDialog", "Default")
MAX_CONCURRENCY = 64


class FieldProblem(ValueError):
    """A field that cannot be used: ``str()`` is one line for the user, ``widget`` the field."""

    def __init__(self, widget: QWidget, text: str) -> None:
        super().__init__(text)
        self.widget = widget


def _rate_text(value: int | None) -> str:
    """A byte count as typed: "2M", "500K", "1000"."""
    if not value:
        return ""
    for suffix, unit in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)


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
        # id -> what OK does to the destination's secrets (written to the keyring only then).
        self._changes: dict[str, SecretChange] = {}
        self._current = -1
        # The user chose to keep secrets for this session only (the keyring cannot be used).
        self.session_only = False
        self._job: asyncio.Task[None] | None = None
        self._keyring_box: QMessageBox | None = None

        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.list.setAccessibleName(self.tr("Destinations"))
        add = QToolButton()
        add.setText("+")
        add.setToolTip(self.tr("Add a destination"))
        remove = QToolButton()
        remove.setText("\u2212")  # minus sign
        remove.setToolTip(self.tr("Remove the selected destination"))
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
            self.protocol.addItem(self.tr(str(text)), protocol.value)
        self.method = QComboBox(editable=True)
        self._method_default = self.tr(str(_METHOD_DEFAULT))
        self.method.addItems([self._method_default, "POST", "PUT", "PATCH"])
        self.field_name = QLineEdit(placeholderText="file")
        self.form_fields = QPlainTextEdit(placeholderText=self.tr("key=value, one per line"))
        self.headers = QPlainTextEdit(
            placeholderText=self.tr("Name: value, one per line (secret ones go to the keyring)")
        )
        for editor in (self.form_fields, self.headers):
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 14)
        self.concurrency = QSpinBox(minimum=1, maximum=MAX_CONCURRENCY, value=4)
        self.bandwidth = QLineEdit(placeholderText=self.tr("Unlimited (or a rate per second, e.g. 2M)"))
        self.chunk_size = QLineEdit(placeholderText=self.tr("Whole file in one request (or e.g. 50M)"))
        self.ca_file = QLineEdit(placeholderText=self.tr("The system's certificates only"))
        self.ca_browse = QToolButton()
        self.ca_browse.setText("…")
        self.ca_browse.setToolTip(self.tr("Choose a file of CA certificates (PEM)"))
        self.ca_browse.setAccessibleName(self.ca_browse.toolTip())
        self.ca_browse.clicked.connect(self._choose_ca_file)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        self.auth = QComboBox()
        for kind in AuthKind:
            self.auth.addItem(kind.label, kind.value)
        self.username = QLineEdit()
        self.auth_header = QLineEdit(placeholderText="X-Upload-Token")
        self.secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.secret_note = QLabel()
        self.secret_note.setWordWrap(True)
        self.secret_note.setEnabled(False)
        self.problem = QLabel()
        self.problem.setObjectName("destination_problem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        palette = self.problem.palette()
        palette.setColor(palette.ColorRole.WindowText, error_text_colour(palette))
        self.problem.setPalette(palette)
        self.problem.hide()

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
        self.form.addRow(self.tr("Chun&k size (tus):"), self.chunk_size)
        self.form.addRow(self.tr("CA f&ile:"), ca_row)
        ca_label = self.form.labelForField(ca_row)
        if isinstance(ca_label, QLabel):
            ca_label.setBuddy(self.ca_file)
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
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.protocol.currentIndexChanged.connect(self._update_enabled)
        self.auth.currentIndexChanged.connect(self._update_enabled)
        self.list.currentRowChanged.connect(self._switch)
        for entry in self._entries:
            self.list.addItem(QListWidgetItem(entry.label))
        self._update_note()
        if not self._entries:
            self.add_destination()
        else:
            ids = [e.id for e in self._entries]
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)
        self.resize(760, 640)

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
        # Whatever is kept for it (keyring or memory) goes on OK.
        if entry.in_keyring or entry.id in self._changes or self._store.has_session_secrets(entry.id):
            self._changes[entry.id] = SecretChange.remove_all()
        self._current = -1
        self._show_problem(None)
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
        # Credentials in the URL show as <redacted>: left so, they stay as stored.
        self.url.setText(entry.url)
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(entry.protocol.value)))
        self.method.setCurrentText(entry.method or self._method_default)
        self.field_name.setText(entry.field_name)
        self.form_fields.setPlainText("\n".join(f"{k}={v}" for k, v in entry.form_fields.items()))
        lines = [f"{k}: {v}" for k, v in entry.headers.items()]
        lines += [f"{name}: {REDACTED}" for name in entry.secret_headers]
        self.headers.setPlainText("\n".join(lines))
        self.concurrency.setValue(entry.concurrency)
        self.bandwidth.setText(_rate_text(entry.bandwidth_limit))
        self.chunk_size.setText(_rate_text(entry.chunk_size))
        self.ca_file.setText(entry.ca_file or "")
        self.auth.setCurrentIndex(max(0, self.auth.findData(entry.auth.value)))
        self.username.setText(entry.username)
        self.auth_header.setText(entry.auth_header)
        self.secret.clear()
        self.secret.setPlaceholderText(self._secret_placeholder(entry))
        self._update_enabled()

    def _secret_placeholder(self, entry: SavedDestination) -> str:
        pending = self._changes.get(entry.id)
        if pending is not None and pending.token:
            return self.tr("entered (saved when you press OK)")
        if not entry.has_token:
            return ""
        if entry.in_keyring:
            return self.tr("unchanged (stored in the keyring)")
        if self._store.has_session_secrets(entry.id):
            return self.tr("unchanged (kept for this session only)")
        return self.tr("not stored: enter it again")

    def _clear_form(self) -> None:
        for line in (
            self.name,
            self.url,
            self.field_name,
            self.username,
            self.auth_header,
            self.secret,
            self.bandwidth,
            self.chunk_size,
            self.ca_file,
        ):
            line.clear()
        self.form_fields.clear()
        self.headers.clear()
        self.editor.setEnabled(False)

    def _protocol(self) -> WireProtocol:
        return WireProtocol(self.protocol.currentData())

    def _auth_kind(self) -> AuthKind:
        return AuthKind(self.auth.currentData())

    def _update_enabled(self) -> None:
        protocol = self._protocol()
        multipart = protocol == WireProtocol.MULTIPART
        self.field_name.setEnabled(multipart)
        self.form_fields.setEnabled(multipart)
        # tus has its own methods (POST, HEAD, PATCH); chunks are a tus setting.
        self.method.setEnabled(protocol != WireProtocol.TUS)
        self.chunk_size.setEnabled(protocol == WireProtocol.TUS)
        kind = self._auth_kind()
        self.username.setEnabled(kind == AuthKind.BASIC)
        self.auth_header.setEnabled(kind == AuthKind.HEADER)
        self.secret.setEnabled(kind != AuthKind.NONE)
        label = self.form.labelForField(self.secret)
        if isinstance(label, QLabel):
            label.setText(self.tr("Pass&word:") if kind == AuthKind.BASIC else self.tr("&Token:"))

    def _update_note(self) -> None:
        if self.session_only:
            text = self.tr(
                "The keyring cannot be used: secrets are kept for this session only, never written to disk."
            )
        else:
            text = self.tr(
                "Secrets (the token or password, credentials in the URL, secret headers) are stored in "
                "the system keyring, never in Skylift's files."
            )
        self.secret_note.setText(text)

    def _field_name(self, widget: QWidget) -> str:
        label: QWidget | None = self.form.labelForField(widget)
        if not isinstance(label, QLabel):
            label = next((lb for lb in self.findChildren(QLabel) if lb.buddy() is widget), None)
        text = label.text() if isinstance(label, QLabel) else ""
        # The colon as the language writes it (the Chinese labels end in a full-width one).
        return text.replace("&", "").rstrip(":\uff1a").strip()

    def _problem(self, widget: QWidget, text: object) -> FieldProblem:
        message = self.tr("{field}: {problem}").format(field=self._field_name(widget), problem=text)
        return FieldProblem(widget, message)

    def _form_entry(self, entry: SavedDestination) -> tuple[SavedDestination, SecretChange | None]:
        """The entry as the form describes it, and what that changes in its secrets; raises
        ``FieldProblem`` (one line, naming the field)."""
        name = self.name.text().strip()
        if not name:
            raise FieldProblem(self.name, self.tr("Give the destination a name."))

        typed_url = self.url.text().strip()
        url_change: str | None = None
        if typed_url == entry.url and entry.url_secrets:
            url, url_secrets = entry.url, True  # the stored credentials stay
        else:
            if REDACTED in typed_url:
                raise self._problem(
                    self.url,
                    self.tr(
                        "its credentials are hidden as {redacted}: type the URL again in full, or put it "
                        "back as it was"
                    ).format(redacted=REDACTED),
                )
            try:
                check_url(typed_url)
            except InvalidURL as error:
                raise self._problem(self.url, error) from None
            url_secrets = has_url_secrets(typed_url)
            url = redact_url(typed_url)
            if url_secrets:
                url_change = typed_url
            elif entry.url_secrets:
                url_change = ""  # the credentials were taken out of the URL

        protocol = self._protocol()
        method: str | None = None
        typed_method = self.method.currentText().strip()
        if protocol != WireProtocol.TUS and typed_method and typed_method != self._method_default:
            try:
                method = check_method(typed_method)
            except InputError as error:
                raise self._problem(self.method, error) from None

        field_name = entry.field_name
        form = dict(entry.form_fields)
        if protocol == WireProtocol.MULTIPART:
            field_name = self.field_name.text().strip() or "file"
            if any(c in field_name for c in '\r\n\0"'):
                raise self._problem(
                    self.field_name, self.tr("not a form field name: {name}").format(name=field_name)
                )
            try:
                form = parse_form(self.form_fields.toPlainText())
            except ValueError as error:
                raise self._problem(self.form_fields, error) from None
            secret_field = next((k for k in form if is_secret_header(k)), None)
            if secret_field is not None:
                raise self._problem(
                    self.form_fields,
                    self.tr(
                        "{name} looks like a credential, and form fields are saved as they are: send it "
                        "in a header (Headers or Authentication), where it is kept as a secret"
                    ).format(name=secret_field),
                )

        kind = self._auth_kind()
        header_name = self.auth_header.text().strip() if kind == AuthKind.HEADER else entry.auth_header
        if kind == AuthKind.HEADER:
            if not header_name:
                raise self._problem(
                    self.auth_header, self.tr("enter the name of the header that carries the token")
                )
            try:
                check_header(header_name, "token")
            except InputError as error:
                raise self._problem(self.auth_header, error) from None
            if not is_secret_header(header_name):
                raise self._problem(
                    self.auth_header,
                    self.tr(
                        "{name} is not a name Skylift treats as secret, so a server's echo of it would be "
                        "kept as it is: use a name with token, key, secret, auth or password in it "
                        "(e.g. X-Upload-Token)"
                    ).format(name=header_name),
                )
        auth_name = {AuthKind.NONE: "", AuthKind.HEADER: header_name}.get(kind, "Authorization")

        plain: dict[str, str] = {}
        secret: dict[str, str | None] = {}
        known = {n.lower() for n in entry.secret_headers}
        for number, line in enumerate(self.headers.toPlainText().splitlines(), 1):
            if not line.strip():
                continue
            try:
                header, value = parse_header_line(line)
            except InputError as error:
                problem = self.tr("line {number}: {problem}").format(number=number, problem=error)
                raise self._problem(self.headers, problem) from None
            if auth_name and header.lower() == auth_name.lower():
                raise self._problem(
                    self.headers,
                    self.tr("{name} is sent by the Authentication setting: remove it here").format(
                        name=header
                    ),
                )
            if not is_secret_header(header):
                plain[header] = value
            elif value == REDACTED:
                if header.lower() not in known:
                    raise self._problem(
                        self.headers,
                        self.tr("there is no stored value for {name}: type its value").format(name=header),
                    )
                secret[header] = None  # kept as stored
            else:
                secret[header] = value

        try:
            bandwidth = (
                parse_rate(self.bandwidth.text(), what="bandwidth limit")
                if self.bandwidth.text().strip()
                else None
            )
        except InputError as error:
            raise self._problem(self.bandwidth, error) from None
        chunk_size = entry.chunk_size
        if protocol == WireProtocol.TUS:
            try:
                text = self.chunk_size.text()
                chunk_size = parse_rate(text, what="chunk size") if text.strip() else None
            except InputError as error:
                raise self._problem(self.chunk_size, error) from None
        ca_file: str | None = None
        if self.ca_file.text().strip():
            try:
                ca_file = str(check_ca_file(Path(self.ca_file.text().strip()).expanduser()))
            except InputError as error:
                raise self._problem(self.ca_file, error) from None
        concurrency = self.concurrency.value()
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise self._problem(
                self.concurrency, self.tr("between 1 and {most}").format(most=MAX_CONCURRENCY)
            )

        username = self.username.text() if kind == AuthKind.BASIC else entry.username
        if kind == AuthKind.BASIC:
            if not username.strip():
                raise self._problem(self.username, self.tr("enter the user name"))
            if ":" in username or not username.isprintable():
                raise self._problem(
                    self.username, self.tr("a user name cannot contain ':' or control characters")
                )
        token = self.secret.text()
        pending = self._changes.get(entry.id)
        token_change: str | None = None
        if kind == AuthKind.NONE:
            if entry.has_token or (pending is not None and pending.token):
                token_change = ""
        elif token:
            try:
                if kind == AuthKind.BASIC:
                    if not token.isprintable():
                        raise InputError("the password contains control characters")
                else:
                    check_header(auth_name, f"Bearer {token}" if kind == AuthKind.BEARER else token)
            except InputError as error:
                raise self._problem(self.secret, error) from None
            token_change = token
        elif not (entry.has_token or (pending is not None and pending.token)):
            raise self._problem(
                self.secret,
                self.tr("enter the password") if kind == AuthKind.BASIC else self.tr("enter the token"),
            )

        names = list(secret)
        headers_change: dict[str, str | None] | None = None
        if any(v is not None for v in secret.values()) or {n.lower() for n in names} != known:
            headers_change = secret
        change: SecretChange | None = None
        if token_change is not None or url_change is not None or headers_change is not None:
            change = SecretChange(token=token_change, url=url_change, headers=headers_change)
        updated = replace(
            entry,
            name=name,
            url=url,
            url_secrets=url_secrets,
            protocol=protocol,
            method=method,
            field_name=field_name,
            form_fields=form,
            headers=plain,
            secret_headers=tuple(names),
            concurrency=concurrency,
            bandwidth_limit=bandwidth,
            chunk_size=chunk_size,
            ca_file=ca_file,
            auth=kind,
            username=username,
            auth_header=header_name,
            has_token=kind != AuthKind.NONE,
        )
        return updated, change

    def _commit_form(self) -> bool:
        row = self._current
        if not (0 <= row < len(self._entries)):
            return True
        entry = self._entries[row]
        try:
            updated, change = self._form_entry(entry)
        except FieldProblem as problem:
            self._show_problem(problem.widget, str(problem))
            return False
        self._show_problem(None)
        if change is not None:
            earlier = self._changes.get(entry.id)
            self._changes[entry.id] = change if earlier is None else earlier.then(change)
        self._entries[row] = updated
        self.secret.clear()
        self.secret.setPlaceholderText(self._secret_placeholder(updated))
        self.url.setText(updated.url)
        item = self.list.item(row)
        if item is not None:
            item.setText(updated.label)
        return True

    def _show_problem(self, widget: QWidget | None, text: str = "") -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        if widget is not None:
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    @property
    def problem_text(self) -> str:
        """What is wrong with the form right now ("" when nothing is)."""
        return self.problem.text()

    def _choose_ca_file(self) -> None:
        start = self.ca_file.text().strip() or str(Path.home())
        dialog = QFileDialog(self, self.tr("CA certificates"), start)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("PEM certificates (*.pem *.crt *.cer)"), self.tr("All files (*)")])
        dialog.fileSelected.connect(self.ca_file.setText)
        dialog.open()

    # -- OK ---------------------------------------------------------------------------------------

    def accept(self) -> None:
        if self._job is not None:
            return  # the keyring is being written
        if not self._commit_form():
            return
        names = [e.name.casefold() for e in self._entries]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            text = self.tr("Two destinations are called {name}; names must be different.")
            self._show_problem(self.name, text.format(name=repr(duplicate)))
            return
        if not self._changes:
            self._save()
            return
        self.buttons.setEnabled(False)
        self._job = asyncio.ensure_future(self._store_secrets_and_save(dict(self._changes)))
        self._job.add_done_callback(self._job_done)

    async def _store_secrets_and_save(self, changes: dict[str, SecretChange]) -> None:
        try:
            kept = await self._store.store_secrets(changes, session_only=self.session_only)
        except SecretStoreUnavailable as error:
            self._offer_session_only(str(error))
            return
        for index, entry in enumerate(self._entries):
            if entry.id in kept:
                self._entries[index] = replace(entry, in_keyring=kept[entry.id])
        self._changes.clear()
        self._save()

    def _job_done(self, job: asyncio.Task[None]) -> None:
        self._job = None
        self.buttons.setEnabled(True)
        if not job.cancelled() and (error := job.exception()) is not None:
            sys.excepthook(type(error), error, error.__traceback__)

    def _offer_session_only(self, problem: str) -> None:
        """No usable keyring: say so once, and offer to keep the secrets for this run only."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Destinations"),
            self.tr("The system keyring cannot be used, so nothing was saved."),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("keyring_unavailable")
        box.setInformativeText(
            self.tr(
                "{problem}\n\nSkylift can keep the secrets of these destinations for this session only: "
                "they are used until Skylift quits and are never written to disk. After a restart, uploads "
                "that need them wait until you enter them again."
            ).format(problem=problem)
        )
        keep = box.addButton(self.tr("Keep for this session only"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        self._keyring_box = box

        def done(_result: int) -> None:
            self._keyring_box = None
            chosen = box.clickedButton() is keep
            box.deleteLater()
            if chosen:
                self.session_only = True
                self._update_note()
                if 0 <= self._current < len(self._entries):
                    self.secret.setPlaceholderText(self._secret_placeholder(self._entries[self._current]))
                self.accept()
            else:
                self._show_problem(
                    None,
                    self.tr(
                        "Nothing was saved. Keep the secrets for this session only, remove them, or start "
                        "a keyring service and press OK again."
                    ),
                )

        box.finished.connect(done)
        box.open()

    @property
    def keyring_box(self) -> QMessageBox | None:
        """The "keyring cannot be used" question while it is shown."""
        return self._keyring_box

    def _save(self) -> None:
        self._store.save(self._entries)
        row = self.list.currentRow()
        if 0 <= row < len(self._entries):
            self._store.last_used = self._entries[row].id
            self.saved.emit(self._entries[row].id)
        else:
            self.saved.emit("")
        super().accept()

    def reject(self) -> None:
        if self._job is not None:
            return  # let the keyring write finish: its outcome decides what was saved
        super().reject()

    @property
    def entries(self) -> list[SavedDestination]:
        return list(self._entries)

    def pending_changes(self) -> dict[str, Any]:
        """Destination ids whose secrets OK would change (for tests)."""
        return dict(self._changes)
