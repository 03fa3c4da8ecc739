"""The Destinations dialog: the list of named destinations, the form of the one selected
(``gui.destinations.editor``), and OK.

Every field is checked when the form is committed (OK, or switching to another destination); what
is wrong is said in one line under the form, naming the field, and the field gets the focus.
Secrets typed here (the token or password, credentials in the URL, secret headers) are written to
the keyring on OK, in a job that waits for the store's worker thread; without a usable keyring the
dialog says so once and offers to keep them for this session only, or to go back. It never claims
to have stored what it did not.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..theme import error_text_colour
from .editor import DestinationEditor
from .fields import FieldProblem
from .keyring_access import SecretStoreUnavailable
from .model import SavedDestination, new_destination_id
from .secrets import SecretChange
from .store import DestinationStore

__all__ = ["DestinationsDialog"]


class DestinationsDialog(QDialog):
    """Define, edit and remove named destinations. Opened window-modal with ``open()``."""

    # The id of the destination that was selected when the dialog was accepted.
    saved = Signal(str)

    def __init__(
        self, store: DestinationStore, *, select: str | None = None, parent: QWidget | None = None
    ) -> None:
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

        self.editor = DestinationEditor()
        self.problem = QLabel()
        self.problem.setObjectName("destination_problem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        palette = self.problem.palette()
        palette.setColor(palette.ColorRole.WindowText, error_text_colour(palette))
        self.problem.setPalette(palette)
        self.problem.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        for button in self.buttons.buttons():
            button.setAccessibleName(button.text().replace("&", ""))
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addLayout(left)
        # At the top: a protocol with few rows leaves the space below them empty.
        body.addWidget(self.editor, 1, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

        self.list.currentRowChanged.connect(self._switch)
        for entry in self._entries:
            self.list.addItem(QListWidgetItem(entry.label))
        if not self._entries:
            self.add_destination()
        else:
            ids = [e.id for e in self._entries]
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)
        self.resize(760, 640)

    @property
    def form(self) -> QFormLayout:
        """The editor's form (its rows: the common fields and every protocol's)."""
        return self.editor.form

    # -- list ---------------------------------------------------------------------------------------

    def add_destination(self) -> None:
        if not self._commit_form():
            return
        entry = SavedDestination(id=new_destination_id(), name="", url="https://")
        self._entries.append(entry)
        self.list.addItem(QListWidgetItem(self.tr("New destination")))
        self.list.setCurrentRow(len(self._entries) - 1)
        self.editor.name.setFocus()

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
            self.editor.clear()

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
            entry = self._entries[row]
            self.editor.load(entry, secret_placeholder=self._secret_placeholder(entry))

    # -- form <-> entry -----------------------------------------------------------------------------

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

    def _commit_form(self) -> bool:
        row = self._current
        if not (0 <= row < len(self._entries)):
            return True
        entry = self._entries[row]
        try:
            updated, change = self.editor.read(entry, self._changes.get(entry.id))
        except FieldProblem as problem:
            self._show_problem(problem.widget, str(problem))
            return False
        self._show_problem(None)
        if change is not None:
            earlier = self._changes.get(entry.id)
            self._changes[entry.id] = change if earlier is None else earlier.then(change)
        self._entries[row] = updated
        self.editor.secret.clear()
        self.editor.secret.setPlaceholderText(self._secret_placeholder(updated))
        self.editor.url.setText(updated.url)
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

    # -- OK -----------------------------------------------------------------------------------------

    def accept(self) -> None:
        if self._job is not None:
            return  # the keyring is being written
        if not self._commit_form():
            return
        names = [e.name.casefold() for e in self._entries]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            text = self.tr("Two destinations are called {name}; names must be different.")
            self._show_problem(self.editor.name, text.format(name=repr(duplicate)))
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
                self.editor.set_session_only(True)
                if 0 <= self._current < len(self._entries):
                    placeholder = self._secret_placeholder(self._entries[self._current])
                    self.editor.secret.setPlaceholderText(placeholder)
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
