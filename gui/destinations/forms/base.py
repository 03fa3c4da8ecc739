"""The seam between the Destinations dialog and a protocol: a ``ProtocolForm`` edits one protocol's
options (``core.registry.ProtocolOptions``, a frozen dataclass) and nothing else. Its rows go into
the dialog's form, shown while that protocol is chosen, so the fields a protocol does not use are
never there to fill in.

A form subclass builds its widgets and adds them with ``add_row``, shows options with ``load``, and
gives the options its fields describe with ``options`` (``dataclasses.replace`` of those loaded, so
what it does not edit stays), or raises ``FieldProblem`` naming the field. Its strings use the
"DestinationsDialog" translation context (``QCoreApplication.translate``), as the dialog's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QComboBox, QWidget

from core import ProtocolOptions, spec_for
from core.inputs import check_method

from ..fields import FieldProblem, field_problem

__all__ = ["MethodChooser", "ProtocolForm"]

# The method box's first item: the protocol's natural method (compared as shown, so translated).
_METHOD_DEFAULT = QT_TRANSLATE_NOOP("DestinationsDialog", "Default")


class ProtocolForm:
    """A protocol without a form of its own gets this one: no fields, its options kept as loaded."""

    # The protocol's label as its spec gives it, marked for translation in the "DestinationsDialog"
    # context (``QT_TRANSLATE_NOOP``); the protocol chooser shows the spec's label, translated.
    label: ClassVar[object] = ""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.defaults: ProtocolOptions = spec_for(protocol).options()
        self._loaded = self.defaults
        # (label, field), in order; the dialog adds them to its form.
        self.rows: list[tuple[str, QWidget]] = []

    @property
    def title(self) -> str:
        """The protocol's name in the protocol chooser, translated."""
        return QCoreApplication.translate("DestinationsDialog", spec_for(self.protocol).label)

    def add_row(self, label: str, widget: QWidget) -> None:
        self.rows.append((label, widget))

    def load(self, options: ProtocolOptions) -> None:
        """Show ``options`` (of this form's protocol) in the fields."""
        self._loaded = options

    def load_values(self, values: Mapping[str, Any]) -> None:
        """Show what of ``values`` (another protocol's, by option name) this protocol uses."""
        try:
            options = spec_for(self.protocol).options.from_values(values, strict=False)
        except (ValueError, TypeError):
            options = self.defaults  # values this protocol refuses: its defaults
        self.load(options)

    def options(self) -> ProtocolOptions:
        """The options as the fields describe them; raises ``FieldProblem`` naming the field."""
        return self._loaded

    def problem(self, widget: QWidget, text: object) -> FieldProblem:
        label = next((label for label, field in self.rows if field is widget), "")
        return field_problem(label, widget, text)


class MethodChooser(QComboBox):
    """The HTTP method of a protocol that lets the user choose it: "Default" (the protocol's own)
    or one picked or typed."""

    def __init__(self, default: str) -> None:
        super().__init__(editable=True)
        self._default = default
        self._default_text = QCoreApplication.translate("DestinationsDialog", str(_METHOD_DEFAULT))
        self.addItems([self._default_text, "POST", "PUT", "PATCH"])

    def set_method(self, method: str) -> None:
        self.setCurrentText(self._default_text if method == self._default else method)

    def method(self) -> str:
        """The method chosen; raises ``core.inputs.InputError`` for one that is not a method."""
        typed = self.currentText().strip()
        if not typed or typed == self._default_text:
            return self._default
        return check_method(typed)
