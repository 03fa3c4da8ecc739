"""Skylift's upload engine: asyncio + httpx, no Qt. The GUI and the CLI both drive it.

The public names are these (``tests/core/test_public_api.py`` pins them); everything else is a
module's own business.
"""

from __future__ import annotations

from .batch import BatchStatus, BatchTracker
from .configuration import URL_CREDENTIALS, Destination, SessionConfiguration, WireProtocol
from .delegate import SessionDelegate
from .errors import (
    BatchRefused,
    CertificateError,
    FileChanged,
    FileProblem,
    FileUnreadable,
    FileVanished,
    RequestSummary,
    RequestTimeout,
    ResourceTimeout,
    ResponseSummary,
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
from .registry import ProtocolOptions, ProtocolSpec, protocol_names, spec_for
from .retry import RetryPolicy
from .session import MissingSecrets, SessionState, UploadSession
from .task import TaskSnapshot, TaskState

__all__ = [
    "URL_CREDENTIALS",
    "BatchRefused",
    "BatchStatus",
    "BatchTracker",
    "CertificateError",
    "Destination",
    "FileChanged",
    "FileProblem",
    "FileUnreadable",
    "FileVanished",
    "MissingSecrets",
    "ProtocolOptions",
    "ProtocolSpec",
    "RequestSummary",
    "RequestTimeout",
    "ResourceTimeout",
    "ResponseSummary",
    "RetriesExhausted",
    "RetryPolicy",
    "ServerStatusError",
    "SessionConfiguration",
    "SessionDelegate",
    "SessionError",
    "SessionIdentifierInUse",
    "SessionInvalidated",
    "SessionManager",
    "SessionState",
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
    "protocol_names",
    "spec_for",
]
