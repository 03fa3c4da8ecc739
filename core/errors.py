"""The exception tree. Every failure a user sees is one of these, and ``str(error)`` is one line.

SkyliftError
├── SessionError
│   ├── SessionIdentifierInUse      a live session already has this identifier
│   └── SessionInvalidated          the session accepts no more tasks
├── BatchRefused                    files that would overwrite each other at the destination
├── StateStoreError                 the state database cannot be used
│   ├── StateStoreBusy              another program holds it locked
│   └── StateStoreUnwritable        its disk is full, or its folder read-only
└── UploadError                     a task failed; ``retryable`` says whether another attempt may help
    ├── FileProblem
    │   ├── FileUnreadable          missing at start, a directory, or no permission
    │   ├── FileChanged             size or mtime changed while uploading
    │   └── FileVanished            deleted or replaced while uploading
    ├── ServerStatusError           the server answered with a failing status
    ├── TransferError               the connection failed (reset, refused, TLS, timeout)
    │   ├── RequestTimeout          no byte accepted for the request timeout
    │   └── CertificateError        the server's certificate is not trusted
    ├── ResourceTimeout             the whole task took longer than the resource timeout
    ├── RetriesExhausted            wraps the last retryable error with the attempt count
    └── UploadCancelled             cancelled by the user
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BatchRefused",
    "CertificateError",
    "FileChanged",
    "FileProblem",
    "FileUnreadable",
    "FileVanished",
    "RequestSummary",
    "RequestTimeout",
    "ResourceTimeout",
    "ResponseSummary",
    "RetriesExhausted",
    "ServerStatusError",
    "SessionError",
    "SessionIdentifierInUse",
    "SessionInvalidated",
    "SkyliftError",
    "StateStoreBusy",
    "StateStoreError",
    "StateStoreUnwritable",
    "TransferError",
    "UploadCancelled",
    "UploadError",
]


class SkyliftError(Exception):
    """Base of every error Skylift raises on purpose."""


class SessionError(SkyliftError):
    pass


class SessionIdentifierInUse(SessionError):
    def __init__(self, identifier: str, *, where: str = "in this process") -> None:
        super().__init__(f"session {identifier!r} is already in use {where}")
        self.identifier = identifier


class SessionInvalidated(SessionError):
    def __init__(self, identifier: str) -> None:
        super().__init__(f"session {identifier!r} has been invalidated and accepts no new tasks")
        self.identifier = identifier


class BatchRefused(SkyliftError, ValueError):
    """Nothing of the batch was queued: sent as it is, files would overwrite each other."""


class StateStoreError(SkyliftError):
    pass


class StateStoreBusy(StateStoreError):
    pass


class StateStoreUnwritable(StateStoreError):
    pass


@dataclass(frozen=True)
class RequestSummary:
    """The request an error happened on: method and URL (credentials redacted)."""

    method: str
    url: str

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True)
class ResponseSummary:
    """The answer an error came with: status, reason and the start of the body (secrets scrubbed)."""

    status: int
    reason: str
    body: str = ""

    def __str__(self) -> str:
        text = f"HTTP {self.status} {self.reason}".rstrip()
        return f"{text}: {self.body}" if self.body else text


class UploadError(SkyliftError):
    """A task's failure: ``str()`` is the one line the user sees; ``request``, ``response`` and the
    cause (``__cause__``) are the detail, for the log and the details view (``detail()``).
    ``retryable`` is the retry policy's input."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        cause: BaseException | None = None,
        request: RequestSummary | None = None,
        response: ResponseSummary | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.response = response
        if cause is not None:
            self.__cause__ = cause

    def detail(self) -> str:
        """Several lines: the message, then what it happened on and why."""
        lines = [str(self)]
        if self.request is not None:
            lines.append(f"request: {self.request}")
        if self.response is not None:
            lines.append(f"response: {self.response}")
        if self.__cause__ is not None:
            lines.append(f"cause: {type(self.__cause__).__name__}: {self.__cause__}")
        return "\n".join(lines)


class FileProblem(UploadError):
    pass


class FileUnreadable(FileProblem):
    pass


class FileChanged(FileProblem):
    def __init__(self, detail: str = "") -> None:
        super().__init__("file changed during upload" + (f" ({detail})" if detail else ""))


class FileVanished(FileProblem):
    def __init__(self) -> None:
        super().__init__("file was deleted or replaced during upload")


class ServerStatusError(UploadError):
    """The server answered with a failing status (named so as not to shadow httpx's own
    ``HTTPStatusError``, which Skylift never raises)."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str = "",
        *,
        retry_after: float | None = None,
        request: RequestSummary | None = None,
        response: ResponseSummary | None = None,
    ) -> None:
        text = f"HTTP {status} {reason}".rstrip()
        if message:
            text += f": {message}"
        super().__init__(text, request=request, response=response)
        self.status = status
        self.reason = reason
        self.server_message = message
        self.retryable = status in (408, 429) or status >= 500
        self.retry_after = retry_after


class TransferError(UploadError):
    retryable = True


class RequestTimeout(TransferError):
    pass


class CertificateError(TransferError):
    # Retrying cannot make an untrusted certificate trusted.
    retryable = False


class ResourceTimeout(UploadError):
    pass


class RetriesExhausted(UploadError):
    def __init__(self, last: UploadError, attempts: int) -> None:
        super().__init__(
            f"{last}; gave up after {attempts} attempts",
            cause=last,
            request=last.request,
            response=last.response,
        )
        self.last = last
        self.attempts = attempts


class UploadCancelled(UploadError):
    def __init__(self) -> None:
        super().__init__("cancelled")
