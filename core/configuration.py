"""Session configuration and upload destinations: frozen values, checked when made."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .inputs import check_header
from .redaction import has_url_secrets, is_secret_header, redact_url, redacted_headers
from .registry import ProtocolOptions, spec_for
from .retry import RetryPolicy
from .text import printable
from .urls import check_url

__all__ = [
    "URL_CREDENTIALS",
    "Destination",
    "SessionConfiguration",
    "WireProtocol",
    "destination_from_json",
    "destination_to_json",
]

# The name Destination.unstored_secrets uses for the credentials of a URL (userinfo, signed query).
URL_CREDENTIALS = "URL credentials"
# Session identifiers become file names (lock files) and appear in messages.
_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,100}")


class WireProtocol(enum.StrEnum):
    MULTIPART = "multipart"
    RAW = "raw"
    TUS = "tus"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, init=False)
class Destination:
    """Where and how a file is sent: the URL, the protocol's options (``ProtocolOptions``, one
    frozen dataclass per protocol, see ``core.registry``), the headers, and the names of secrets
    that were not kept.

    Made either with ``options=`` or, for short, with ``protocol=`` and that protocol's option
    values: ``Destination(url=u, protocol="raw")``, ``Destination(url=u, field_name="video")``
    (multipart is the default), ``Destination(url=u, protocol="tus", chunk_size=50 << 20)``.
    """

    url: str
    options: ProtocolOptions
    headers: Mapping[str, str]
    # Secrets this destination had that were not kept (a destination read back from the state
    # database): secret header names, and URL_CREDENTIALS when its URL held credentials. A task
    # waits for them (``UploadSession.supply_secrets``) instead of going without.
    unstored_secrets: frozenset[str]

    def __init__(
        self,
        *,
        url: str,
        options: ProtocolOptions | None = None,
        protocol: str | None = None,
        headers: Mapping[str, str] | None = None,
        unstored_secrets: frozenset[str] | set[str] = frozenset(),
        **option_values: object,
    ) -> None:
        if options is None:
            spec = spec_for(protocol or WireProtocol.MULTIPART)
            options = spec.options.from_values(option_values)
        elif option_values or (protocol is not None and protocol != options.protocol):
            raise TypeError("give either options= or protocol= with its option values")
        check_url(url)
        headers = dict(headers or {})
        for name, value in headers.items():
            check_header(name, value)
            if name.lower() in options.fixed_headers:
                raise ValueError(f"{options.protocol} uploads set their own {name}; remove that header")
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "headers", _frozen(headers))
        object.__setattr__(self, "unstored_secrets", frozenset(unstored_secrets))

    def __repr__(self) -> str:
        # Never the secrets: a repr ends up in logs and tracebacks.
        return (
            f"Destination(url={redact_url(self.url)!r}, protocol={self.protocol!r}, "
            f"headers={redacted_headers(self.headers)!r})"
        )

    @property
    def protocol(self) -> str:
        return self.options.protocol

    def replace(self, **changes: object) -> Destination:
        values: dict[str, object] = {
            "url": self.url,
            "options": self.options,
            "headers": self.headers,
            "unstored_secrets": self.unstored_secrets,
        }
        values.update(changes)
        return Destination(**values)  # type: ignore[arg-type]


def destination_to_json(destination: Destination) -> dict[str, object]:
    """The one serialisation of a destination, for the state database and the window's settings:
    the URL with its credentials redacted, the protocol's options, the headers that are not
    secret, and the names of the secrets left out (which a reader gets back as
    ``unstored_secrets``). Secret values are never in it."""
    secret_headers = {name for name in destination.headers if is_secret_header(name)}
    secret_headers |= {name for name in destination.unstored_secrets if name != URL_CREDENTIALS}
    return {
        "url": redact_url(destination.url),
        "url_secrets": has_url_secrets(destination.url) or URL_CREDENTIALS in destination.unstored_secrets,
        "protocol": destination.protocol,
        "options": destination.options.to_json(),
        "headers": {k: v for k, v in destination.headers.items() if not is_secret_header(k)},
        "secret_headers": sorted(secret_headers),
    }


# What destinations were stored as before options had their own object (flat, every field).
_FLAT_OPTIONS = ("method", "field_name", "form_fields", "chunk_size", "path_field", "filename_star")


def destination_from_json(data: Mapping[str, Any]) -> Destination:
    """``destination_to_json`` read back (also the older flat form). Raises ValueError, KeyError or
    TypeError on data that is not a destination."""
    spec = spec_for(str(data.get("protocol") or WireProtocol.MULTIPART))
    values = data.get("options")
    if not isinstance(values, Mapping):
        values = {name: data.get(name) for name in _FLAT_OPTIONS}
    unstored = set(data.get("secret_headers") or ())
    if data.get("url_secrets"):
        unstored.add(URL_CREDENTIALS)
    return Destination(
        url=str(data["url"]),
        options=spec.options.from_values(values, strict=False),
        headers=dict(data.get("headers") or {}),
        unstored_secrets=frozenset(unstored),
    )


@dataclass(frozen=True, kw_only=True)
class SessionConfiguration:
    """Like URLSessionConfiguration.background(withIdentifier:): the identifier keys persisted state."""

    identifier: str
    max_concurrent_uploads: int = 4
    # An attempt fails when no byte moves for this long (connect, send or wait for the response).
    request_timeout: float = 60.0
    # The whole task, retries included, must end within this.
    resource_timeout: float = 7 * 24 * 3600.0
    # Quick retries, then on until the resource timeout (an outage of the server is waited out).
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy.patient)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    # Bytes per second shared by every upload in the session; None for no limit.
    bandwidth_limit: int | None = None
    # Extra CA bundle trusted on top of the operating system's store.
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.identifier):
            raise ValueError(
                f"invalid session identifier {printable(self.identifier)!r}: use letters, digits, "
                "'.', '_' and '-' (at most 100)"
            )
        if self.max_concurrent_uploads < 1:
            raise ValueError("max_concurrent_uploads must be at least 1")
        for name in ("request_timeout", "resource_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(
                    f"{name.replace('_', ' ')} must be a positive number of seconds, not {value}"
                )
        if self.bandwidth_limit is not None and self.bandwidth_limit <= 0:
            raise ValueError("bandwidth_limit must be positive or None")
        object.__setattr__(self, "default_headers", _frozen(self.default_headers))

    def transfer_settings(self) -> dict[str, object]:
        """What ``resume`` continues with: never the headers (they may hold secrets)."""
        return {
            "max_concurrent_uploads": self.max_concurrent_uploads,
            "request_timeout": self.request_timeout,
            "resource_timeout": self.resource_timeout,
            "bandwidth_limit": self.bandwidth_limit,
            "ca_file": None if self.ca_file is None else str(self.ca_file),
        }

    @classmethod
    def from_settings(
        cls, identifier: str, settings: Mapping[str, object] | None, **given: object
    ) -> SessionConfiguration:
        """A configuration from stored ``transfer_settings``, where ``given`` values that are not
        None win (a command line's options). Stored values that make no sense are ignored."""
        values: dict[str, object] = {}
        for name, value in (settings or {}).items():
            if name in _TRANSFER_SETTINGS and value is not None:
                values[name] = Path(str(value)) if name == "ca_file" else value
        values.update({name: value for name, value in given.items() if value is not None})
        try:
            return cls(identifier=identifier, **values)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return cls(identifier=identifier, **{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (
            f"SessionConfiguration(identifier={self.identifier!r}, "
            f"default_headers={redacted_headers(self.default_headers)!r})"
        )


_TRANSFER_SETTINGS = frozenset(
    {"max_concurrent_uploads", "request_timeout", "resource_timeout", "bandwidth_limit", "ca_file"}
)
