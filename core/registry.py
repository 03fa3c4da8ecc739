"""The protocol registry: one entry per wire protocol, and each protocol's options.

A protocol is one module in ``core/protocols/`` that defines its options (a frozen
``ProtocolOptions`` dataclass) and its ``UploadProtocol``, and registers both here with
``register``. Nothing else names protocols: the destination holds the options, the store and the
window's settings serialise them through ``ProtocolOptions.to_json``/``from_json``, the session asks
the entry whether the protocol resumes, the CLI lists the names, the window's Destinations dialog
shows one form per entry. Every module of the package is imported on the first lookup, so adding a
protocol is adding its module (and its form in the window).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .protocols.base import UploadProtocol

__all__ = ["ProtocolOptions", "ProtocolSpec", "protocol_names", "register", "spec_for"]


@dataclass(frozen=True, kw_only=True)
class ProtocolOptions:
    """A protocol's settings in a destination. Subclasses are frozen dataclasses whose fields are
    plain values (str, int, bool, None, or a mapping of str to str) and set ``protocol``."""

    protocol: ClassVar[str] = ""
    # Headers the protocol sets itself and a user may not give (lower case).
    fixed_headers: ClassVar[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Mapping):
                object.__setattr__(self, item.name, types.MappingProxyType(dict(value)))

    def to_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            values[item.name] = dict(value) if isinstance(value, Mapping) else value
        return values

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, strict: bool = True) -> ProtocolOptions:
        """Options from ``values`` (a command line's, the settings', the store's). None means the
        default. A value for a field this protocol does not have is refused when ``strict`` (a
        user asked for something that would be ignored) and dropped otherwise (stored data)."""
        names = {item.name for item in dataclasses.fields(cls)}
        given = {k: v for k, v in values.items() if v is not None}
        foreign = sorted(set(given) - names)
        if foreign and strict:
            option = foreign[0].replace("_", " ")
            raise ValueError(f"{option} does not apply to {cls.protocol} uploads")
        return cls(**{k: v for k, v in given.items() if k in names})

    def check_batch(self, url: str, names: Sequence[str]) -> None:
        """Refuse (``BatchRefused``), before anything is sent, files that would overwrite each
        other at ``url`` under these server names. Nothing to refuse by default."""

    @property
    def method(self) -> str | None:
        """The HTTP method a protocol sends the file with, where the user can choose it."""
        return None


@dataclass(frozen=True)
class ProtocolSpec:
    name: str
    # What the window and --help call it (English; the window translates its own words).
    label: str
    # Whether an interrupted attempt can continue from the server's offset.
    resumable: bool
    options: type[ProtocolOptions]
    create: Callable[[], UploadProtocol]


_REGISTRY: dict[str, ProtocolSpec] = {}
_loaded = False


def register(spec: ProtocolSpec) -> None:
    if spec.options.protocol != spec.name:
        raise ValueError(f"{spec.options.__name__}.protocol must be {spec.name!r}")
    _REGISTRY[spec.name] = spec


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import protocols

    for module in pkgutil.iter_modules(protocols.__path__):
        importlib.import_module(f"{protocols.__name__}.{module.name}")


def spec_for(name: str) -> ProtocolSpec:
    _load()
    try:
        return _REGISTRY[str(name)]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown protocol {name!r} (known: {known})") from None


def protocol_names() -> list[str]:
    _load()
    return sorted(_REGISTRY)
