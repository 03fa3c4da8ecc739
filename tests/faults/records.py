"""What the fault server saw and kept: one ``Stored`` per upload it stored, one ``RequestRecord`` per
request it began to serve, and ``Counters`` over the whole run. Tests read these from their own
thread while the server's loop writes them; a snapshot is taken under the server's lock."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tests.faults.faults import Fault

__all__ = ["Counters", "RequestEnd", "RequestRecord", "Stored", "StoredKind"]


class StoredKind(enum.StrEnum):
    MULTIPART = "multipart"
    RAW = "raw"
    TUS = "tus"


@dataclass(frozen=True)
class Stored:
    """One upload the server has in full."""

    kind: StoredKind
    # The request path percent-decoded (tus: the upload's path, /files/<id>), and as it came.
    path: str
    raw_path: str
    size: int
    sha256: str
    # multipart: the file part's filename as the server decoded it (python-multipart undoes the
    # backslash quoted-pairs, the bytes are read as UTF-8; the HTML5-style %22 that httpx's
    # ``files=`` sends for a quote stays as it is); tus: the ``filename`` metadata.
    filename: str | None = None
    # multipart: the file part's field name, the other (non-file) fields, and the part's
    # Content-Disposition exactly as it came.
    field_name: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    raw_disposition: bytes | None = None
    # tus: the decoded Upload-Metadata.
    metadata: dict[str, str] = field(default_factory=dict)
    # time.monotonic() when the upload was stored, and when its success answer was handed to the
    # socket (None: never answered, as with ``store_then_close``). A duplicate whose first copy was
    # never answered, or answered after the client had given up, is in the at-most-once window that
    # no client can close; any other duplicate is the client's fault.
    stored_at: float = 0.0
    responded_at: float | None = None

    @property
    def answered(self) -> bool:
        return self.responded_at is not None


class RequestEnd(enum.StrEnum):
    """How the server finished with a request."""

    IN_PROGRESS = "in progress"
    ANSWERED = "answered"
    # The server reset the connection (a fault).
    RESET = "reset"
    # The server closed the connection without an answer (a fault).
    CLOSED = "closed without answer"
    # The client closed or reset the connection first.
    CLIENT_GONE = "client gone"
    # ``down()`` or ``stop()`` dropped the connection.
    SERVER_DOWN = "server down"


@dataclass
class RequestRecord:
    """One request as the server handled it (header names lower-cased). ``body_read`` grows while
    the body arrives."""

    index: int
    connection: int
    method: str
    path: str
    raw_path: str
    headers: dict[str, str]
    started_at: float
    # Bytes of the request head (request line, headers, blank line) on the wire.
    head_size: int = 0
    # Body bytes the handler read; a lingering close's discarded bytes are counted apart.
    body_read: int = 0
    body_discarded: int = 0
    status: int | None = None
    # Set before the answer (or reset, or close) goes out, so a client that saw it finds it here;
    # ``ended_at`` once the server is done (for an answer: after its body, however long).
    end: RequestEnd = RequestEnd.IN_PROGRESS
    ended_at: float | None = None
    # The fault this request got (for ``reset_every``: only on the request that was reset).
    fault: Fault | None = None
    # Response body bytes the client's TCP acknowledged: for an endless answer, an upper bound of
    # what the client read (its kernel may hold a receive buffer's worth it never read).
    response_bytes: int = 0


@dataclass
class Counters:
    connections: int = 0
    requests: int = 0
    answered: int = 0
    resets: int = 0
    closed_without_answer: int = 0
    client_gone: int = 0
    faults_applied: int = 0
    stored: int = 0
    body_bytes: int = 0
    restarts: int = 0
