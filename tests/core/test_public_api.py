"""The public surface of ``core``, pinned (as httpx pins its own): adding or removing a public name
is a decision, made here on purpose; and none of them shadows an httpx name."""

from __future__ import annotations

import httpx

import core
from core import errors

PUBLIC = {
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
}


def test_the_public_names_are_exactly_these() -> None:
    assert set(core.__all__) == PUBLIC
    assert sorted(core.__all__) == sorted(set(core.__all__)), "a name is listed twice"
    assert {name for name in dir(core) if not name.startswith("_") and name[0].isupper()} - PUBLIC <= set()


def test_no_public_name_shadows_httpx() -> None:
    assert PUBLIC & set(httpx.__all__) == set()


def test_every_error_is_in_the_documented_tree() -> None:
    documented = errors.__doc__ or ""
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, errors.SkyliftError):
            assert name in documented, f"{name} is missing from the tree in core/errors.py"


def test_the_registered_protocols() -> None:
    assert core.protocol_names() == ["multipart", "raw", "tus"]
    for name in core.protocol_names():
        spec = core.spec_for(name)
        assert spec.options.protocol == name and spec.label
        assert isinstance(spec.create(), core.protocols.UploadProtocol)
