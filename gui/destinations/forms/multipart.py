"""multipart/form-data: the method, the file's field name, extra form fields, and two options for
servers that keep only a file's base name or read names as latin1."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit

from core import ProtocolOptions
from core.inputs import InputError, parse_form_line
from core.protocols.multipart import MultipartOptions
from core.redaction import is_secret_header

from ..fields import parse_lines
from . import register_form
from .base import MethodChooser, ProtocolForm

__all__ = ["MultipartForm"]

# What a form field name cannot hold: it travels quoted in a Content-Disposition line.
_NOT_IN_NAMES = '\r\n\0"'


class MultipartForm(ProtocolForm):
    label = QT_TRANSLATE_NOOP("DestinationsDialog", "Form upload (multipart/form-data)")

    def __init__(self, protocol: str) -> None:
        super().__init__(protocol)
        assert isinstance(self.defaults, MultipartOptions)
        self.method = MethodChooser(self.defaults.method)
        self.field_name = QLineEdit(placeholderText="file")
        self.form_fields = QPlainTextEdit(
            placeholderText=QCoreApplication.translate("DestinationsDialog", "key=value, one per line")
        )
        self.form_fields.setTabChangesFocus(True)
        self.form_fields.setFixedHeight(self.form_fields.fontMetrics().lineSpacing() * 3 + 14)
        self.path_field = QLineEdit(
            placeholderText=QCoreApplication.translate("DestinationsDialog", "Not sent")
        )
        self.path_field.setToolTip(
            QCoreApplication.translate(
                "DestinationsDialog",
                "Also send each file's relative path (with its folders) in a form field of this name, "
                "for servers that keep only the base name of the file",
            )
        )
        self.filename_star = QCheckBox(
            QCoreApplication.translate("DestinationsDialog", "Also sen&d the name as RFC 8187 filename*")
        )
        # Its row has no label to name it.
        self.filename_star.setAccessibleName(self.filename_star.text().replace("&", ""))
        self.add_row(QCoreApplication.translate("DestinationsDialog", "&Method:"), self.method)
        self.add_row(QCoreApplication.translate("DestinationsDialog", "&Field name:"), self.field_name)
        self.add_row(QCoreApplication.translate("DestinationsDialog", "F&orm fields:"), self.form_fields)
        self.add_row(
            QCoreApplication.translate("DestinationsDialog", "&Relative path field:"), self.path_field
        )
        self.add_row("", self.filename_star)
        self.load(self.defaults)

    def load(self, options: ProtocolOptions) -> None:
        assert isinstance(options, MultipartOptions)
        super().load(options)
        self.method.set_method(options.method)
        self.field_name.setText(options.field_name)
        self.form_fields.setPlainText("\n".join(f"{k}={v}" for k, v in options.form_fields.items()))
        self.path_field.setText(options.path_field or "")
        self.filename_star.setChecked(options.filename_star)

    def options(self) -> ProtocolOptions:
        loaded = self._loaded
        assert isinstance(loaded, MultipartOptions)
        try:
            method = self.method.method()
        except InputError as error:
            raise self.problem(self.method, error) from None
        field_name = self._name(self.field_name) or "file"
        try:
            form = parse_lines(self.form_fields.toPlainText(), parse_form_line)
        except ValueError as error:
            raise self.problem(self.form_fields, error) from None
        secret_field = next((k for k in form if is_secret_header(k)), None)
        if secret_field is not None:
            raise self.problem(
                self.form_fields,
                QCoreApplication.translate(
                    "DestinationsDialog",
                    "{name} looks like a credential, and form fields are saved as they are: send it "
                    "in a header (Headers or Authentication), where it is kept as a secret",
                ).format(name=secret_field),
            )
        return replace(
            loaded,
            method=method,
            field_name=field_name,
            form_fields=form,
            path_field=self._name(self.path_field) or None,
            filename_star=self.filename_star.isChecked(),
        )

    def _name(self, line: QLineEdit) -> str:
        name = line.text().strip()
        if any(c in name for c in _NOT_IN_NAMES):
            text = QCoreApplication.translate("DestinationsDialog", "not a form field name: {name}")
            raise self.problem(line, text.format(name=name))
        return name


register_form(MultipartOptions.protocol, MultipartForm)
