"""tus options in a destination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...configuration import WireProtocol
from ...registry import ProtocolOptions

__all__ = ["TusOptions"]


@dataclass(frozen=True, kw_only=True)
class TusOptions(ProtocolOptions):
    protocol: ClassVar[str] = WireProtocol.TUS
    # tus sends its own media type (application/offset+octet-stream).
    fixed_headers: ClassVar[frozenset[str]] = frozenset({"content-type"})

    # Bytes per PATCH, for servers or proxies that limit request bodies; None sends the rest of the
    # file in one PATCH (fastest). Memory stays flat either way.
    chunk_size: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("the chunk size must be positive")
