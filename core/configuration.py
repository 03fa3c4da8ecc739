"""Session configuration and upload destinations: frozen values, checked when made."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .retry import RetryPolicy

__all__ = ["Destination", "SessionConfiguration", "WireProtocol"]


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

    def __post_init__(self) -> None:
        if not self.url.lower().startswith(("http://", "https://")):
            raise ValueError(f"destination URL must be http:// or https://, not {self.url!r}")
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("chunk_size must be positive or None")
        object.__setattr__(self, "protocol", WireProtocol(self.protocol))
        object.__setattr__(self, "headers", _frozen(self.headers))
        object.__setattr__(self, "form_fields", _frozen(self.form_fields))
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())

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
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    # Bytes per second shared by every upload in the session; None for no limit.
    bandwidth_limit: int | None = None
    # Extra CA bundle trusted on top of the operating system's store.
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if not self.identifier or any(c in self.identifier for c in "/\\\0"):
            raise ValueError(f"invalid session identifier {self.identifier!r}")
        if self.max_concurrent_uploads < 1:
            raise ValueError("max_concurrent_uploads must be at least 1")
        if self.request_timeout <= 0 or self.resource_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.bandwidth_limit is not None and self.bandwidth_limit <= 0:
            raise ValueError("bandwidth_limit must be positive or None")
        object.__setattr__(self, "default_headers", _frozen(self.default_headers))
