"""Skylift's upload engine: asyncio + httpx, no Qt. The GUI and the CLI both drive it."""

from __future__ import annotations

from .configuration import Destination, SessionConfiguration, WireProtocol
from .delegate import SessionDelegate
from .errors import (
    BatchRefused,
    CertificateError,
    FileChanged,
    FileProblem,
    FileUnreadable,
    FileVanished,
    RequestTimeout,
    ResourceTimeout,
    RetriesExhausted,
    ServerStatusError,
    SessionError,
    SessionIdentifierInUse,
    SessionInvalidated,
    SkyliftError,
    StateStoreBusy,
    StateStoreError,
    StateStoreUnwritable,
    TransferError,
    UploadCancelled,
    UploadError,
)
from .manager import SessionManager
from .retry import RetryPolicy
from .session import UploadSession
from .task import TaskSnapshot, TaskState

__all__ = [
    "BatchRefused",
    "CertificateError",
    "Destination",
    "FileChanged",
    "FileProblem",
    "FileUnreadable",
    "FileVanished",
    "RequestTimeout",
    "ResourceTimeout",
    "RetriesExhausted",
    "RetryPolicy",
    "ServerStatusError",
    "SessionConfiguration",
    "SessionDelegate",
    "SessionError",
    "SessionIdentifierInUse",
    "SessionInvalidated",
    "SessionManager",
    "SkyliftError",
    "StateStoreBusy",
    "StateStoreError",
    "StateStoreUnwritable",
    "TaskSnapshot",
    "TaskState",
    "TransferError",
    "UploadCancelled",
    "UploadError",
    "UploadSession",
    "WireProtocol",
]
