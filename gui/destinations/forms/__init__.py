"""One form per protocol for the Destinations dialog, by protocol name. Each module of this package
registers its form (``register_form("multipart", MultipartForm)``) and is imported on the first
lookup, as ``core.registry`` does with ``core/protocols``: adding a protocol's form is adding its
module here. A protocol the core has and no module here gets ``ProtocolForm``: nothing to edit."""

from __future__ import annotations

import importlib
import pkgutil

from core import spec_for

from .base import MethodChooser, ProtocolForm

__all__ = ["MethodChooser", "ProtocolForm", "form_for", "register_form"]

_FORMS: dict[str, type[ProtocolForm]] = {}
_loaded = False


def register_form(protocol: str, form: type[ProtocolForm]) -> None:
    """``form`` edits the options of ``protocol`` (a name of ``core.protocol_names()``)."""
    spec_for(protocol)  # a form for a protocol the core does not know is a mistake: raises
    _FORMS[protocol] = form


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in pkgutil.iter_modules(__path__):
            if module.name != "base":
                importlib.import_module(f"{__name__}.{module.name}")


def form_for(protocol: str) -> ProtocolForm:
    """A new form for ``protocol``'s options (raises ``ValueError`` for a protocol core lacks)."""
    _load()
    spec_for(protocol)
    return _FORMS.get(protocol, ProtocolForm)(protocol)
