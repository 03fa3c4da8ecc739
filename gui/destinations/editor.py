"""The Destinations dialog's form for one destination: the fields every destination has (name, URL,
protocol, headers, session limits, CA file, authentication) and, under the protocol, the rows of
that protocol's form (``gui.destinations.forms``: one per protocol of ``core.protocol_names()``,
the others' rows hidden).

``read`` checks every field with the core's own checks (``core.urls.check_url``, ``core.inputs``)
and gives the destination as the form describes it and what that does to its secrets, or raises
``FieldProblem``: one line, naming the field. Fields the authentication kind does not use are
disabled. The combo boxes' data come back from PySide6 as plain ``str``: they are compared by
value (``AuthKind(...) ==``), never with ``is`` against the enum members.

The strings keep the dialog's translation context: ``translate("DestinationsDialog", ...)``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from core import protocol_names
from core.inputs import InputError, check_ca_file, check_header, parse_header_line, parse_rate
from core.redaction import REDACTED, has_url_secrets, is_secret_header, redact_url
from core.urls import InvalidURL, check_url

from .fields import FieldProblem, field_label, field_problem, rate_text
from .forms import ProtocolForm, form_for
from .model import AuthKind, SavedDestination
from .secrets import SecretChange

__all__ = ["MAX_CONCURRENCY", "DestinationEditor"]

MAX_CONCURRENCY = 64
translate = QCoreApplication.translate


class DestinationEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(placeholderText=translate("DestinationsDialog", "My server"))
        self.url = QLineEdit(placeholderText="https://example.com/upload")
        self.protocol = QComboBox()
        # One form per protocol the core has, in its order; each adds its rows under the protocol.
        self.forms: dict[str, ProtocolForm] = {str(name): form_for(name) for name in protocol_names()}
        for name, protocol_form in self.forms.items():
            self.protocol.addItem(protocol_form.title, name)
        self.headers = QPlainTextEdit(
            placeholderText=translate(
                "DestinationsDialog", "Name: value, one per line (secret ones go to the keyring)"
            )
        )
        self.headers.setTabChangesFocus(True)
        self.headers.setFixedHeight(self.headers.fontMetrics().lineSpacing() * 3 + 14)
        self.concurrency = QSpinBox(minimum=1, maximum=MAX_CONCURRENCY, value=4)
        self.bandwidth = QLineEdit(
            placeholderText=translate("DestinationsDialog", "Unlimited (or a rate per second, e.g. 2M)")
        )
        self.ca_file = QLineEdit(
            placeholderText=translate("DestinationsDialog", "The system's certificates only")
        )
        self.ca_browse = QToolButton()
        self.ca_browse.setText("…")
        self.ca_browse.setToolTip(translate("DestinationsDialog", "Choose a file of CA certificates (PEM)"))
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

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.addRow(translate("DestinationsDialog", "&Name:"), self.name)
        self.form.addRow(translate("DestinationsDialog", "&URL:"), self.url)
        self.form.addRow(translate("DestinationsDialog", "&Protocol:"), self.protocol)
        for protocol_form in self.forms.values():
            for label, field in protocol_form.rows:
                self.form.addRow(label, field)
        self.form.addRow(translate("DestinationsDialog", "&Headers:"), self.headers)
        self.form.addRow(translate("DestinationsDialog", "&Concurrent uploads:"), self.concurrency)
        self.form.addRow(translate("DestinationsDialog", "&Bandwidth limit:"), self.bandwidth)
        self.form.addRow(translate("DestinationsDialog", "CA f&ile:"), ca_row)
        ca_label = self.form.labelForField(ca_row)
        if isinstance(ca_label, QLabel):
            ca_label.setBuddy(self.ca_file)
        self.form.addRow(translate("DestinationsDialog", "&Authentication:"), self.auth)
        self.form.addRow(translate("DestinationsDialog", "U&ser:"), self.username)
        self.form.addRow(translate("DestinationsDialog", "Header nam&e:"), self.auth_header)
        self.form.addRow(translate("DestinationsDialog", "&Token:"), self.secret)
        self.form.addRow("", self.secret_note)
        self.protocol.currentIndexChanged.connect(self._update_enabled)
        self.auth.currentIndexChanged.connect(self._update_enabled)
        self.set_session_only(False)
        self._update_enabled()

    @property
    def current_form(self) -> ProtocolForm:
        """The form of the protocol chosen."""
        return self.forms[str(self.protocol.currentData())]

    def set_session_only(self, session_only: bool) -> None:
        if session_only:
            text = translate(
                "DestinationsDialog",
                "The keyring cannot be used: secrets are kept for this session only, never written to disk.",
            )
        else:
            text = translate(
                "DestinationsDialog",
                "Secrets (the token or password, credentials in the URL, secret headers) are stored in "
                "the system keyring, never in Skylift's files.",
            )
        self.secret_note.setText(text)

    # -- entry -> form ------------------------------------------------------------------------------

    def load(self, entry: SavedDestination, *, secret_placeholder: str) -> None:
        self.setEnabled(True)
        self.name.setText(entry.name)
        # Credentials in the URL show as <redacted>: left so, they stay as stored.
        self.url.setText(entry.url)
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(str(entry.protocol))))
        # Every form shows what it can use of the entry: switched to, a protocol has them again.
        for name, protocol_form in self.forms.items():
            if name == entry.protocol:
                protocol_form.load(entry.options)
            else:
                protocol_form.load_values(entry.option_values)
        lines = [f"{k}: {v}" for k, v in entry.headers.items()]
        lines += [f"{name}: {REDACTED}" for name in entry.secret_headers]
        self.headers.setPlainText("\n".join(lines))
        self.concurrency.setValue(entry.concurrency)
        self.bandwidth.setText(rate_text(entry.bandwidth_limit))
        self.ca_file.setText(entry.ca_file or "")
        self.auth.setCurrentIndex(max(0, self.auth.findData(entry.auth.value)))
        self.username.setText(entry.username)
        self.auth_header.setText(entry.auth_header)
        self.secret.clear()
        self.secret.setPlaceholderText(secret_placeholder)
        self._update_enabled()

    def clear(self) -> None:
        for line in (self.name, self.url, self.username, self.auth_header, self.secret, self.bandwidth):
            line.clear()
        self.ca_file.clear()
        self.headers.clear()
        for protocol_form in self.forms.values():
            protocol_form.load(protocol_form.defaults)
        self.setEnabled(False)

    def _auth_kind(self) -> AuthKind:
        return AuthKind(self.auth.currentData())

    def _update_enabled(self) -> None:
        chosen = str(self.protocol.currentData())
        for name, protocol_form in self.forms.items():
            for _label, field in protocol_form.rows:
                self.form.setRowVisible(field, name == chosen)
        kind = self._auth_kind()
        self.username.setEnabled(kind == AuthKind.BASIC)
        self.auth_header.setEnabled(kind == AuthKind.HEADER)
        self.secret.setEnabled(kind != AuthKind.NONE)
        label = self.form.labelForField(self.secret)
        if isinstance(label, QLabel):
            basic = kind == AuthKind.BASIC
            label.setText(
                translate("DestinationsDialog", "Pass&word:")
                if basic
                else translate("DestinationsDialog", "&Token:")
            )

    def _choose_ca_file(self) -> None:
        start = self.ca_file.text().strip() or str(Path.home())
        dialog = QFileDialog(self, translate("DestinationsDialog", "CA certificates"), start)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(
            [
                translate("DestinationsDialog", "PEM certificates (*.pem *.crt *.cer)"),
                translate("DestinationsDialog", "All files (*)"),
            ]
        )
        dialog.fileSelected.connect(self.ca_file.setText)
        dialog.open()

    # -- form -> entry ------------------------------------------------------------------------------

    def _problem(self, widget: QWidget, text: object) -> FieldProblem:
        return field_problem(field_label(self.form, widget), widget, text)

    def read(
        self, entry: SavedDestination, pending: SecretChange | None
    ) -> tuple[SavedDestination, SecretChange | None]:
        """The entry as the form describes it, and what that changes in its secrets (``pending``:
        what earlier commits of this form change); raises ``FieldProblem``."""
        name = self.name.text().strip()
        if not name:
            raise FieldProblem(self.name, translate("DestinationsDialog", "Give the destination a name."))
        url, url_secrets, url_change = self._read_url(entry)
        options = self.current_form.options()
        kind = self._auth_kind()
        header_name = self._read_auth_header(entry, kind)
        auth_name = {AuthKind.NONE: "", AuthKind.HEADER: header_name}.get(kind, "Authorization")
        plain, secret = self._read_headers(entry, auth_name)
        try:
            text = self.bandwidth.text()
            bandwidth = parse_rate(text, what="bandwidth limit") if text.strip() else None
        except InputError as error:
            raise self._problem(self.bandwidth, error) from None
        ca_file: str | None = None
        if self.ca_file.text().strip():
            try:
                ca_file = str(check_ca_file(Path(self.ca_file.text().strip()).expanduser()))
            except InputError as error:
                raise self._problem(self.ca_file, error) from None
        concurrency = self.concurrency.value()
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            most = translate("DestinationsDialog", "between 1 and {most}").format(most=MAX_CONCURRENCY)
            raise self._problem(self.concurrency, most)
        username = self._read_username(entry, kind)
        token_change = self._read_token(entry, kind, auth_name, pending)

        names = list(secret)
        known = {n.lower() for n in entry.secret_headers}
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
            headers=plain,
            secret_headers=tuple(names),
            concurrency=concurrency,
            bandwidth_limit=bandwidth,
            ca_file=ca_file,
            auth=kind,
            username=username,
            auth_header=header_name,
            has_token=kind != AuthKind.NONE,
        )
        return updated.with_options(options), change

    def _read_url(self, entry: SavedDestination) -> tuple[str, bool, str | None]:
        """The URL as saved (redacted), whether it has credentials, and the full URL to keep as a
        secret ("" to drop the stored one, None to keep it)."""
        typed = self.url.text().strip()
        if typed == entry.url and entry.url_secrets:
            return entry.url, True, None  # the stored credentials stay
        if REDACTED in typed:
            raise self._problem(
                self.url,
                translate(
                    "DestinationsDialog",
                    "its credentials are hidden as {redacted}: type the URL again in full, or put it "
                    "back as it was",
                ).format(redacted=REDACTED),
            )
        try:
            check_url(typed)
        except InvalidURL as error:
            raise self._problem(self.url, error) from None
        if has_url_secrets(typed):
            return redact_url(typed), True, typed
        return redact_url(typed), False, "" if entry.url_secrets else None

    def _read_auth_header(self, entry: SavedDestination, kind: AuthKind) -> str:
        if kind != AuthKind.HEADER:
            return entry.auth_header
        header_name = self.auth_header.text().strip()
        if not header_name:
            raise self._problem(
                self.auth_header,
                translate("DestinationsDialog", "enter the name of the header that carries the token"),
            )
        try:
            check_header(header_name, "token")
        except InputError as error:
            raise self._problem(self.auth_header, error) from None
        if not is_secret_header(header_name):
            raise self._problem(
                self.auth_header,
                translate(
                    "DestinationsDialog",
                    "{name} is not a name Skylift treats as secret, so a server's echo of it would be "
                    "kept as it is: use a name with token, key, secret, auth or password in it "
                    "(e.g. X-Upload-Token)",
                ).format(name=header_name),
            )
        return header_name

    def _read_headers(
        self, entry: SavedDestination, auth_name: str
    ) -> tuple[dict[str, str], dict[str, str | None]]:
        """The plain headers, and the secret ones (None: keep the stored value)."""
        plain: dict[str, str] = {}
        secret: dict[str, str | None] = {}
        known = {n.lower() for n in entry.secret_headers}
        for number, line in enumerate(self.headers.toPlainText().splitlines(), 1):
            if not line.strip():
                continue
            try:
                header, value = parse_header_line(line)
            except InputError as error:
                where = translate("DestinationsDialog", "line {number}: {problem}")
                raise self._problem(self.headers, where.format(number=number, problem=error)) from None
            if auth_name and header.lower() == auth_name.lower():
                raise self._problem(
                    self.headers,
                    translate(
                        "DestinationsDialog", "{name} is sent by the Authentication setting: remove it here"
                    ).format(name=header),
                )
            if not is_secret_header(header):
                plain[header] = value
            elif value == REDACTED:
                if header.lower() not in known:
                    raise self._problem(
                        self.headers,
                        translate(
                            "DestinationsDialog", "there is no stored value for {name}: type its value"
                        ).format(name=header),
                    )
                secret[header] = None  # kept as stored
            else:
                secret[header] = value
        return plain, secret

    def _read_username(self, entry: SavedDestination, kind: AuthKind) -> str:
        if kind != AuthKind.BASIC:
            return entry.username
        username = self.username.text()
        if not username.strip():
            raise self._problem(self.username, translate("DestinationsDialog", "enter the user name"))
        if ":" in username or not username.isprintable():
            raise self._problem(
                self.username,
                translate("DestinationsDialog", "a user name cannot contain ':' or control characters"),
            )
        return username

    def _read_token(
        self, entry: SavedDestination, kind: AuthKind, auth_name: str, pending: SecretChange | None
    ) -> str | None:
        """The token or password typed ("" to drop the stored one, None to keep it)."""
        token = self.secret.text()
        given = entry.has_token or (pending is not None and bool(pending.token))
        if kind == AuthKind.NONE:
            return "" if given else None
        if token:
            try:
                if kind == AuthKind.BASIC:
                    if not token.isprintable():
                        raise InputError("the password contains control characters")
                else:
                    check_header(auth_name, f"Bearer {token}" if kind == AuthKind.BEARER else token)
            except InputError as error:
                raise self._problem(self.secret, error) from None
            return token
        if not given:
            raise self._problem(
                self.secret,
                translate("DestinationsDialog", "enter the password")
                if kind == AuthKind.BASIC
                else translate("DestinationsDialog", "enter the token"),
            )
        return None
