"""Raw uploads: the file's bytes are the body; the method is the only choice."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core import ProtocolOptions
from core.inputs import InputError
from core.protocols.raw import RawOptions

from . import register_form
from .base import MethodChooser, ProtocolForm

__all__ = ["RawForm"]


class RawForm(ProtocolForm):
    label = QT_TRANSLATE_NOOP("DestinationsDialog", "Raw file body (PUT to a folder URL)")

    def __init__(self, protocol: str) -> None:
        super().__init__(protocol)
        assert isinstance(self.defaults, RawOptions)
        self.method = MethodChooser(self.defaults.method)
        self.add_row(QCoreApplication.translate("DestinationsDialog", "&Method:"), self.method)
        self.load(self.defaults)

    def load(self, options: ProtocolOptions) -> None:
        assert isinstance(options, RawOptions)
        super().load(options)
        self.method.set_method(options.method)

    def options(self) -> ProtocolOptions:
        loaded = self._loaded
        assert isinstance(loaded, RawOptions)
        try:
            method = self.method.method()
        except InputError as error:
            raise self.problem(self.method, error) from None
        return replace(loaded, method=method)


register_form(RawOptions.protocol, RawForm)
