"""Wire protocols, one module each, registered in ``core.registry`` with their options."""

from __future__ import annotations

from .base import AttemptContext, DiscardContext, UploadProtocol, UploadResponse

__all__ = ["AttemptContext", "DiscardContext", "UploadProtocol", "UploadResponse"]
