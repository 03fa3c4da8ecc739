"""Asking for secrets that were never stored, when uploads wait for them.

Secrets never reach the state database. After a restart, a task whose destination had secrets the
window cannot find again (a command-line ``--header "Authorization: ..."``, a saved destination
whose keyring entry is gone or was kept for a session only) waits, queued, instead of going without
them (``UploadSession.missing_secrets``). The controller asks for them with a ``CredentialsRequest``;
this dialog names the destination, its URL (redacted) and what is needed, and gives back what the
user typed. Cancelling leaves the uploads waiting (shown as "waiting for credentials"), never failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.configuration import URL_CREDENTIALS
from core.inputs import InputError, check_header
from core.redaction import redact_url
from core.text import printable
from core.urls import InvalidURL, check_url

from .destinations import AuthKind, SavedDestination
from .theme import error_text_colour

__all__ = ["CredentialsDialog", "CredentialsRequest", "SuppliedCredentials"]


@dataclass(frozen=True)
class CredentialsRequest:
    """Uploads of one session wait for these secrets."""

    session_id: str
    # The destination's name as the window shows it.
    label: str
    # The destination URL, redacted.
    url: str
    # Secret header names, and URL_CREDENTIALS for the URL's own credentials.
    names: tuple[str, ...]
    task_ids: tuple[int, ...]
    # The saved destination, when there is one (its token is asked for as a token, not a header).
    destination: SavedDestination | None = None
    # Why they are not at hand, if known (the keyring cannot be read).
    problem: str | None = None

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.session_id, self.url, self.names)


@dataclass(frozen=True)
class SuppliedCredentials:
    token: str = ""
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        url = redact_url(self.url)
        return f"SuppliedCredentials(token={bool(self.token)}, url={url!r}, headers={sorted(self.headers)})"


class CredentialsDialog(QDialog):
    """Opened window-modal with ``open()``; emits ``supplied`` on OK with what was typed."""

    supplied = Signal(object, object)  # CredentialsRequest, SuppliedCredentials

    def __init__(self, request: CredentialsRequest, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(self.tr("Credentials needed"))
        self.setObjectName("credentials_dialog")
        count = len(request.task_ids)
        intro = (
            self.tr(
                "{count} upload to {destination} waits for credentials that Skylift never stores on disk."
            )
            if count == 1
            else self.tr(
                "{count} uploads to {destination} wait for credentials that Skylift never stores on disk."
            )
        )
        text = intro.format(count=f"{count:,}", destination=printable(request.label))
        heading = QLabel(text)
        heading.setWordWrap(True)
        url = QLabel(printable(request.url))
        url.setWordWrap(True)
        url.setAccessibleName(self.tr("Destination URL"))
        form = QFormLayout()
        form.addRow(self.tr("URL:"), url)
        self.fields: dict[str, QLineEdit] = {}
        destination = request.destination
        token_header = destination.auth_header_name.lower() if destination is not None else ""
        for name in request.names:
            edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            edit.setObjectName(f"credential {name}")
            if name == URL_CREDENTIALS:
                label = self.tr("Full &URL with its credentials:")
                edit.setPlaceholderText(printable(request.url))
            elif destination is not None and name.lower() == token_header:
                if destination.auth == AuthKind.BASIC:
                    label = self.tr("&Password for {user}:").format(user=printable(destination.username))
                else:
                    label = self.tr("&Token:")
            else:
                label = self.tr("Value of {header}:").format(header=printable(name))
            self.fields[name] = edit
            form.addRow(label, edit)
            edit.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.problem = QLabel()
        self.problem.setObjectName("credentials_problem")
        self.problem.setWordWrap(True)
        palette = self.problem.palette()
        palette.setColor(palette.ColorRole.WindowText, error_text_colour(palette))
        self.problem.setPalette(palette)
        self.problem.setText(printable(request.problem) if request.problem else "")
        self.problem.setVisible(bool(request.problem))
        note = QLabel(
            self.tr("They are kept in memory for this session only. Without them, the uploads stay queued.")
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Continue uploads"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Not now"))
        for button in buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def accept(self) -> None:
        try:
            supplied = self._supplied()
        except ValueError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.supplied.emit(self.request, supplied)
        super().accept()

    def _supplied(self) -> SuppliedCredentials:
        token = url = ""
        headers: dict[str, str] = {}
        destination = self.request.destination
        token_header = destination.auth_header_name.lower() if destination is not None else ""
        for name, edit in self.fields.items():
            value = edit.text().strip()
            if not value:
                edit.setFocus()
                raise ValueError(self.tr("Fill in every field, or choose Not now."))
            if name == URL_CREDENTIALS:
                try:
                    check_url(value)
                except InvalidURL as error:
                    raise ValueError(str(error)) from None
                if redact_url(value) != self.request.url:
                    edit.setFocus()
                    raise ValueError(
                        self.tr("This is not the URL the uploads wait for ({url}).").format(
                            url=printable(self.request.url)
                        )
                    )
                url = value
            elif token_header and name.lower() == token_header:
                token = edit.text()
            else:
                try:
                    check_header(name, value)
                except InputError as error:
                    raise ValueError(str(error)) from None
                headers[name] = value
        return SuppliedCredentials(token=token, url=url, headers=headers)
