"""Session configuration and upload destinations: frozen values, checked when made."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .inputs import check_header
from .redaction import redact_url, redacted_headers
from .retry import RetryPolicy
from .text import printable
from .urls import check_url

__all__ = ["URL_CREDENTIALS", "Destination", "SessionConfiguration", "WireProtocol"]

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


@dataclass(frozen=True, kw_only=True)
class Destination:
    """Where and how a file is sent."""

    url: str
    protocol: WireProtocol = WireProtocol.MULTIPART
    # None picks the protocol's natural method: POST for multipart, PUT for raw.
    method: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    field_name: str = "file"
    form_fields: Mapping[str, str] = field(default_factory=dict)
    # tus: bytes per PATCH, for servers or proxies that limit request bodies; None sends the rest of
    # the file in one PATCH (fastest). Memory stays flat either way.
    chunk_size: int | None = None
    # multipart: also send each file's relative path ("album/2026/a.jpg") in a form field of this
    # name, before the file, for servers that keep only the base name of ``filename`` (Django,
    # multer, busboy by default); Uppy and Dropzone do the same ("relativePath", "fullPath").
    path_field: str | None = None
    # multipart: add ``filename*=UTF-8''...`` (RFC 8187) for servers that read ``filename`` as
    # latin1 (multer, busboy by default) but understand the extended form.
    filename_star: bool = False
    # Secrets this destination had that were not kept (a destination read back from the state
    # database): secret header names, and URL_CREDENTIALS when its URL held credentials. A task
    # waits for them (``UploadSession.supply_secrets``) instead of going without.
    unstored_secrets: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        check_url(self.url)
        for name, value in self.headers.items():
            check_header(name, value)
        if self.protocol != WireProtocol.RAW and any(n.lower() == "content-type" for n in self.headers):
            # Form uploads carry their boundary in it, tus its own media type.
            raise ValueError(
                f"{WireProtocol(self.protocol).value} uploads set their own Content-Type; remove that header"
            )
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("chunk_size must be positive or None")
        object.__setattr__(self, "protocol", WireProtocol(self.protocol))
        object.__setattr__(self, "headers", _frozen(self.headers))
        object.__setattr__(self, "form_fields", _frozen(self.form_fields))
        object.__setattr__(self, "unstored_secrets", frozenset(self.unstored_secrets))
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

    def __repr__(self) -> str:
        # Never the secrets: a repr ends up in logs and tracebacks.
        return (
            f"Destination(url={redact_url(self.url)!r}, protocol={self.protocol.value!r}, "
            f"headers={redacted_headers(self.headers)!r})"
        )

    @property
    def effective_method(self) -> str:
        if self.method:
            return self.method
        return "PUT" if self.protocol is WireProtocol.RAW else "POST"


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
