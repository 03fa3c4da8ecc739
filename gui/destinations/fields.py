"""What the Destinations dialog's parts share: a field that cannot be used (``FieldProblem``, one line
naming the field), and the few conversions between typed text and values."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from core.inputs import parse_form_line, parse_header_line

__all__ = [
    "FieldProblem",
    "field_label",
    "field_problem",
    "parse_form",
    "parse_headers",
    "parse_lines",
    "rate_text",
]


class FieldProblem(ValueError):
    """A field that cannot be used: ``str()`` is one line for the user, ``widget`` the field."""

    def __init__(self, widget: QWidget, text: str) -> None:
        super().__init__(text)
        self.widget = widget


def field_label(form: QFormLayout, widget: QWidget) -> str:
    """The label of ``widget``'s row (or of the label whose buddy it is) in ``form``."""
    label: QWidget | None = form.labelForField(widget)
    if not isinstance(label, QLabel):
        owner = form.parentWidget()
        labels = owner.findChildren(QLabel) if owner is not None else []
        label = next((lb for lb in labels if lb.buddy() is widget), None)
    return label.text() if isinstance(label, QLabel) else ""


def field_problem(label: str, widget: QWidget, text: object) -> FieldProblem:
    """``Field: what is wrong``, about ``widget``, whose row is labelled ``label``."""
    # Without the mnemonic, and the colon as the language writes it (Chinese: a full-width one).
    name = label.replace("&", "").rstrip(":\uff1a").strip()
    message = QCoreApplication.translate("DestinationsDialog", "{field}: {problem}")
    return FieldProblem(widget, message.format(field=name, problem=text))


def parse_lines(lines: list[str] | str, parse: Callable[[str], tuple[str, str]]) -> dict[str, str]:
    """Lines of ``Name: value`` or ``key=value`` through core's parser (``core.inputs``); blank
    lines are skipped. Raises ``ValueError`` naming the line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    values: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            key, value = parse(line)
        except ValueError as error:
            where = QCoreApplication.translate("DestinationsDialog", "line {number}: {problem}")
            raise ValueError(where.format(number=number, problem=error)) from None
        values[key] = value
    return values


def parse_headers(lines: list[str] | str) -> dict[str, str]:
    """``Name: value`` lines (as curl's ``-H``), each checked by ``core.inputs``."""
    return parse_lines(lines, parse_header_line)


def parse_form(lines: list[str] | str) -> dict[str, str]:
    """``key=value`` lines (as curl's ``-F``), each checked by ``core.inputs``."""
    return parse_lines(lines, parse_form_line)


def rate_text(value: int | None) -> str:
    """A byte count as it is typed (``core.inputs.parse_rate`` reads it back): "2M", "500K"."""
    if not value:
        return ""
    for suffix, unit in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)
