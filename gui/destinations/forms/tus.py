"""tus: it has its own methods (POST, HEAD, PATCH); the size of each PATCH is the only choice."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QLineEdit

from core import ProtocolOptions
from core.inputs import InputError, parse_rate
from core.protocols.tus import TusOptions

from ..fields import rate_text
from . import register_form
from .base import ProtocolForm

__all__ = ["TusForm"]


class TusForm(ProtocolForm):
    label = QT_TRANSLATE_NOOP("DestinationsDialog", "tus resumable upload")

    def __init__(self, protocol: str) -> None:
        super().__init__(protocol)
        self.chunk_size = QLineEdit(
            placeholderText=QCoreApplication.translate(
                "DestinationsDialog", "Whole file in one request (or e.g. 50M)"
            )
        )
        self.add_row(QCoreApplication.translate("DestinationsDialog", "Chun&k size (tus):"), self.chunk_size)
        self.load(self.defaults)

    def load(self, options: ProtocolOptions) -> None:
        assert isinstance(options, TusOptions)
        super().load(options)
        self.chunk_size.setText(rate_text(options.chunk_size))

    def options(self) -> ProtocolOptions:
        loaded = self._loaded
        assert isinstance(loaded, TusOptions)
        text = self.chunk_size.text()
        try:
            chunk_size = parse_rate(text, what="chunk size") if text.strip() else None
        except InputError as error:
            raise self.problem(self.chunk_size, error) from None
        return replace(loaded, chunk_size=chunk_size)


register_form(TusOptions.protocol, TusForm)
