"""Wire protocols, one module each, behind the ``UploadProtocol`` seam."""

from __future__ import annotations

from ..configuration import WireProtocol
from .base import AttemptContext, DiscardContext, UploadProtocol, UploadResponse
from .multipart import MultipartProtocol
from .raw import RawProtocol
from .tus import TusProtocol

__all__ = ["AttemptContext", "DiscardContext", "UploadProtocol", "UploadResponse", "protocol_for"]


def protocol_for(wire: WireProtocol) -> UploadProtocol:
    if wire is WireProtocol.MULTIPART:
        return MultipartProtocol()
    if wire is WireProtocol.RAW:
        return RawProtocol()
    if wire is WireProtocol.TUS:
        return TusProtocol()
    raise NotImplementedError(f"the {wire.value} protocol is not available yet")
