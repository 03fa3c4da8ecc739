"""Wire protocols, one module each, behind the ``UploadProtocol`` seam."""

from __future__ import annotations

from ..configuration import WireProtocol
from .base import AttemptContext, UploadProtocol, UploadResponse
from .multipart import MultipartProtocol
from .raw import RawProtocol

__all__ = ["AttemptContext", "UploadProtocol", "UploadResponse", "protocol_for"]


def protocol_for(wire: WireProtocol) -> UploadProtocol:
    if wire is WireProtocol.MULTIPART:
        return MultipartProtocol()
    if wire is WireProtocol.RAW:
        return RawProtocol()
    raise NotImplementedError(f"the {wire.value} protocol is not available yet")
