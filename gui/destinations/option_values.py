"""A destination's protocol option values as it keeps them: by name, plain values (what
``ProtocolOptions.to_json`` gives), only those chosen, and also the values of the protocols it
does not use now (the settings file has always kept them: switched back, a protocol has them
again). ``SavedDestination.options`` makes the protocol's options of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from core import ProtocolOptions

__all__ = ["frozen", "merged_values", "plain"]


def frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({k: frozen(v) if isinstance(v, Mapping) else v for k, v in mapping.items()})


def plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: plain(v) if isinstance(v, Mapping) else v for k, v in mapping.items()}


def _defaults(options: type[ProtocolOptions]) -> dict[str, Any]:
    values = {}
    for item in dataclasses.fields(options):
        if item.default is not dataclasses.MISSING:
            values[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            values[item.name] = item.default_factory()
    return values


def merged_values(
    kept: Mapping[str, Any], options: ProtocolOptions | None, given: Mapping[str, Any]
) -> dict[str, Any]:
    """``kept`` with ``given`` values over it (None: the protocol's default), then ``options``'.
    A value an option has by default is no choice, so it is not kept: "Default" chosen for the
    multipart method (POST) leaves raw its own default (PUT) after a switch of protocol."""
    values = dict(kept)
    changes = dict(given)
    defaults: dict[str, Any] = {}
    if options is not None:
        changes.update(options.to_json())
        defaults = _defaults(type(options))
    for name, value in changes.items():
        if value is None or (name in defaults and value == defaults[name]):
            values.pop(name, None)
        else:
            values[name] = value
    return values
