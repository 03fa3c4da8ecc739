"""Named destinations: where uploads go and how they are sent, and where their secrets are kept.

A destination's settings are kept in the settings file, with its secrets taken out: the URL is
saved redacted (``core.redaction.redact_url``: a userinfo password and signed query values become
``<redacted>``), and of its secret headers (``core.redaction.is_secret_header``, the one rule) only
the names. The secrets themselves — the token or password, the full URL with its credentials, the
values of secret headers — are a ``DestinationSecrets``, kept in the operating system's keyring (the
``keyring`` package) as one entry per destination, or, when there is no usable keyring and the user
agrees, in memory for this run only.

The secrets reach the wire through the destination's *session*: its ``default_headers`` (never
persisted by the core) and the full URL given to ``core_destination``. A task names the secrets it
used (the core stores the names, never the values), so after a restart a task whose secrets cannot
be found waits for them (``UploadSession.missing_secrets``) instead of going without.

Every keyring call runs in a worker thread (``asyncio.to_thread``): a keyring service can take its
time (a D-Bus round trip, an unlock prompt), and the window must not freeze meanwhile.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core import Destination, SessionConfiguration, WireProtocol
from core.configuration import URL_CREDENTIALS
from core.identity import KEYRING_SERVICE
from core.inputs import parse_form_line, parse_header_line
from core.redaction import has_url_secrets, is_secret_header, redact_url, redacted_headers, secret_values
from core.registry import spec_for

from .logging_setup import register_secret
from .settings import AppSettings

__all__ = [
    "ADHOC_ID",
    "KEYRING_SERVICE",
    "AuthKind",
    "DestinationSecrets",
    "DestinationStore",
    "SavedDestination",
    "SecretChange",
    "SecretStoreUnavailable",
    "describe_url",
    "new_destination_id",
    "parse_form",
    "parse_headers",
]


ADHOC_ID = "adhoc"
SESSION_PREFIX = "gui"
# A keyring entry that holds more than a token is a JSON object with this marker; anything else
# is a plain token (as Skylift stored it before, and still does when there is nothing more).
_KEYRING_FORMAT = "skylift-destination-secrets"


class AuthKind(enum.StrEnum):
    NONE = "none"
    BEARER = "bearer"
    BASIC = "basic"
    HEADER = "header"

    @property
    def label(self) -> str:
        labels = {
            AuthKind.NONE: QT_TRANSLATE_NOOP("DestinationsDialog", "None"),
            AuthKind.BEARER: QT_TRANSLATE_NOOP("DestinationsDialog", "Bearer token"),
            AuthKind.BASIC: QT_TRANSLATE_NOOP("DestinationsDialog", "User and password (Basic)"),
            AuthKind.HEADER: QT_TRANSLATE_NOOP("DestinationsDialog", "Token in a header"),
        }
        return QCoreApplication.translate("DestinationsDialog", str(labels[self]))


class SecretStoreUnavailable(Exception):
    """The keyring cannot be used (no backend, locked, refused); ``str()`` says what to do."""


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


# -- secrets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DestinationSecrets:
    """What a destination needs that is never written to Skylift's files."""

    # The token (Bearer, token in a header) or the password (Basic).
    token: str = ""
    # The full URL, with its credentials; "" when the URL has none.
    url: str = ""
    # Secret headers by name (X-Upload-Key, Cookie...).
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen({k: v for k, v in self.headers.items() if v}))

    def __repr__(self) -> str:
        url = redact_url(self.url)
        return f"DestinationSecrets(token={bool(self.token)}, url={url!r}, headers={sorted(self.headers)})"

    @property
    def is_empty(self) -> bool:
        return not (self.token or self.url or self.headers)

    def values(self) -> set[str]:
        """Every secret value in here, for the log's last line of defence (``register_secret``)."""
        values = secret_values(self.headers, self.url or None)
        if self.token:
            values.add(self.token)
        return values

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def over(self, base: DestinationSecrets) -> DestinationSecrets:
        """These secrets where they are given, ``base``'s elsewhere."""
        headers = {k: v for k, v in base.headers.items() if self.header(k) is None}
        return DestinationSecrets(
            token=self.token or base.token, url=self.url or base.url, headers={**headers, **self.headers}
        )

    def to_keyring(self) -> str:
        if not self.url and not self.headers:
            return self.token  # a plain token, readable by every Skylift version
        return json.dumps(
            {"format": _KEYRING_FORMAT, "token": self.token, "url": self.url, "headers": dict(self.headers)}
        )

    @classmethod
    def from_keyring(cls, text: str | None) -> DestinationSecrets:
        if not text:
            return cls()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("format") == _KEYRING_FORMAT:
                headers = data.get("headers")
                return cls(
                    token=str(data.get("token") or ""),
                    url=str(data.get("url") or ""),
                    headers={str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {},
                )
        return cls(token=text)


@dataclass(frozen=True)
class SecretChange:
    """What an edit does to a destination's secrets; ``None`` keeps what is stored.

    ``headers``, when given, is the whole set of secret headers the destination now has: a value,
    or ``None`` to keep the stored value of that header; a stored header not named is dropped.
    """

    token: str | None = None
    url: str | None = None
    headers: Mapping[str, str | None] | None = None

    def __repr__(self) -> str:
        # Never the values: a repr ends up in logs and tracebacks.
        headers = None if self.headers is None else sorted(self.headers)
        url = None if self.url is None else redact_url(self.url)
        return f"SecretChange(token={self.token is not None}, url={url!r}, headers={headers})"

    @classmethod
    def remove_all(cls) -> SecretChange:
        return cls(token="", url="", headers={})

    def then(self, later: SecretChange) -> SecretChange:
        """This change followed by ``later`` (the form committed twice before OK)."""
        headers = self.headers
        if later.headers is not None:
            earlier = {k.lower(): v for k, v in (self.headers or {}).items()}
            headers = {k: (v if v is not None else earlier.get(k.lower())) for k, v in later.headers.items()}
        return SecretChange(
            token=self.token if later.token is None else later.token,
            url=self.url if later.url is None else later.url,
            headers=headers,
        )

    def apply(self, stored: DestinationSecrets) -> DestinationSecrets:
        headers: dict[str, str] = dict(stored.headers)
        if self.headers is not None:
            headers = {}
            for name, value in self.headers.items():
                kept = value if value is not None else stored.header(name)
                if kept:
                    headers[name] = kept
        return DestinationSecrets(
            token=stored.token if self.token is None else self.token,
            url=stored.url if self.url is None else self.url,
            headers=headers,
        )


# -- destinations ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SavedDestination:
    id: str
    name: str
    # As it may be shown and saved: credentials in it are <redacted> (the full URL is a secret).
    url: str
    protocol: WireProtocol = WireProtocol.MULTIPART
    method: str | None = None
    field_name: str = "file"
    form_fields: Mapping[str, str] = field(default_factory=dict)
    # Headers that are not secrets; the names of the secret ones are in ``secret_headers``.
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_headers: tuple[str, ...] = ()
    # The full URL holds credentials (a userinfo password, a signed query), kept as a secret.
    url_secrets: bool = False
    concurrency: int = 4
    # Bytes per second for the destination's whole session; None for no limit.
    bandwidth_limit: int | None = None
    # tus: bytes per PATCH; None sends the rest of the file in one.
    chunk_size: int | None = None
    # A PEM file of CA certificates trusted for this destination, on top of the system's.
    ca_file: str | None = None
    # Seconds without progress before an attempt fails (None: the core's default).
    request_timeout: float | None = None
    auth: AuthKind = AuthKind.NONE
    username: str = ""
    auth_header: str = ""
    # A token or password was given (where it is kept: ``in_keyring``, else this run's memory).
    has_token: bool = False
    # The keyring holds this destination's secrets.
    in_keyring: bool = False
    # From the command line (``skylift --url``): shown, never saved.
    adhoc: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocol", WireProtocol(self.protocol))
        object.__setattr__(self, "auth", AuthKind(self.auth))
        object.__setattr__(self, "form_fields", _frozen(self.form_fields))
        object.__setattr__(self, "headers", _frozen(self.headers))
        object.__setattr__(self, "secret_headers", tuple(self.secret_headers))

    def __repr__(self) -> str:
        headers = redacted_headers(self.headers)
        return f"SavedDestination(id={self.id!r}, url={redact_url(self.url)!r}, headers={headers!r})"

    @property
    def session_id(self) -> str:
        """One upload session per destination: its concurrency, bandwidth limit and credentials are
        session settings, and the identifier lets a relaunch re-attach to its unfinished uploads.
        Command-line destinations get one session per URL, so that the credentials given for one
        URL are never handed to the tasks of another."""
        if self.adhoc:
            digest = hashlib.sha256(redact_url(self.url).encode("utf-8", "surrogateescape")).hexdigest()
            return f"{SESSION_PREFIX}-cli-{digest[:16]}"
        return f"{SESSION_PREFIX}-{self.id}"

    @property
    def label(self) -> str:
        return self.name or describe_url(self.url)

    @property
    def auth_header_name(self) -> str:
        """The header the token travels in ("" without authentication)."""
        if self.auth == AuthKind.NONE:
            return ""
        if self.auth == AuthKind.HEADER:
            return self.auth_header
        return "Authorization"

    @property
    def secret_names(self) -> frozenset[str]:
        """What this destination needs from its secrets: header names, and URL_CREDENTIALS."""
        names = set(self.secret_headers)
        if self.auth_header_name:
            names.add(self.auth_header_name)
        if self.url_secrets:
            names.add(URL_CREDENTIALS)
        return frozenset(names)

    def auth_headers(self, token: str | None) -> dict[str, str]:
        if not token or self.auth == AuthKind.NONE:
            return {}
        # Nothing should log these, but the log filter redacts them too if anything does.
        register_secret(token)
        if self.auth == AuthKind.BEARER:
            return {"Authorization": f"Bearer {token}"}
        if self.auth == AuthKind.BASIC:
            encoded = base64.b64encode(f"{self.username}:{token}".encode()).decode("ascii")
            register_secret(encoded)
            return {"Authorization": f"Basic {encoded}"}
        return {self.auth_header: token} if self.auth_header else {}

    def secret_header_values(self, secrets: DestinationSecrets | None) -> dict[str, str]:
        """The secret headers that ``secrets`` can fill in (the token's header included)."""
        secrets = secrets or DestinationSecrets()
        values = {name: value for name in self.secret_headers if (value := secrets.header(name))}
        values.update(self.auth_headers(secrets.token))
        return values

    def missing_secrets(self, secrets: DestinationSecrets | None) -> frozenset[str]:
        given = {name.lower() for name in self.secret_header_values(secrets)}
        missing = {
            name for name in self.secret_names if name != URL_CREDENTIALS and name.lower() not in given
        }
        if self.url_secrets and not (secrets and secrets.url):
            missing.add(URL_CREDENTIALS)
        return frozenset(missing)

    def core_destination(self, secrets: DestinationSecrets | None = None) -> Destination:
        """The core's destination with what ``secrets`` holds. A secret that is not at hand is named
        in ``unstored_secrets``: the core holds such a task back until it is given."""
        url = secrets.url if (self.url_secrets and secrets and secrets.url) else self.url
        values = {
            "method": self.method,
            "field_name": self.field_name,
            "form_fields": self.form_fields,
            "chunk_size": self.chunk_size,
        }
        return Destination(
            url=url,
            options=spec_for(self.protocol).options.from_values(values, strict=False),
            headers={**self.headers, **self.secret_header_values(secrets)},
            unstored_secrets=self.missing_secrets(secrets),
        )

    def session_configuration(self, secrets: DestinationSecrets | None = None) -> SessionConfiguration:
        optional: dict[str, Any] = {}
        if self.request_timeout is not None:
            optional["request_timeout"] = self.request_timeout
        return SessionConfiguration(
            identifier=self.session_id,
            max_concurrent_uploads=self.concurrency,
            bandwidth_limit=self.bandwidth_limit,
            ca_file=Path(self.ca_file) if self.ca_file else None,
            # Re-attached tasks (their secrets were never stored) get them from here.
            default_headers=self.secret_header_values(secrets),
            **optional,
        )

    def sanitized(self) -> tuple[SavedDestination, DestinationSecrets]:
        """This destination with its secrets taken out (URL redacted, secret headers named only),
        and those secrets. For destinations made from typed or old, unsanitised values."""
        url_secrets = has_url_secrets(self.url)
        secret = {k: v for k, v in self.headers.items() if is_secret_header(k)}
        names = list(self.secret_headers)
        lowered = {n.lower() for n in names}
        names += [n for n in secret if n.lower() not in lowered]
        clean = replace(
            self,
            url=redact_url(self.url),
            url_secrets=self.url_secrets or url_secrets,
            headers={k: v for k, v in self.headers.items() if not is_secret_header(k)},
            secret_headers=tuple(names),
        )
        return clean, DestinationSecrets(url=self.url if url_secrets else "", headers=secret)

    @property
    def holds_plaintext_secrets(self) -> bool:
        return has_url_secrets(self.url) or any(is_secret_header(k) for k in self.headers)

    def to_json(self) -> dict[str, Any]:
        clean, _ = self.sanitized()  # never a secret value in the settings file, whatever came in
        return {
            "id": clean.id,
            "name": clean.name,
            "url": clean.url,
            "url_secrets": clean.url_secrets,
            "protocol": clean.protocol.value,
            "method": clean.method,
            "field_name": clean.field_name,
            "form_fields": dict(clean.form_fields),
            "headers": dict(clean.headers),
            "secret_headers": list(clean.secret_headers),
            "concurrency": clean.concurrency,
            "bandwidth_limit": clean.bandwidth_limit,
            "chunk_size": clean.chunk_size,
            "ca_file": clean.ca_file,
            "auth": clean.auth.value,
            "username": clean.username,
            "auth_header": clean.auth_header,
            "has_token": clean.has_token,
            "in_keyring": clean.in_keyring,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SavedDestination:
        # "has_secret" (older versions): the token was in the keyring.
        legacy = bool(data.get("has_secret", False))
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            url=str(data["url"]),
            url_secrets=bool(data.get("url_secrets", False)),
            protocol=WireProtocol(data.get("protocol", "multipart")),
            method=data.get("method") or None,
            field_name=str(data.get("field_name") or "file"),
            form_fields={str(k): str(v) for k, v in dict(data.get("form_fields") or {}).items()},
            headers={str(k): str(v) for k, v in dict(data.get("headers") or {}).items()},
            secret_headers=tuple(str(n) for n in data.get("secret_headers") or ()),
            concurrency=int(data.get("concurrency") or 4),
            bandwidth_limit=int(data["bandwidth_limit"]) if data.get("bandwidth_limit") else None,
            chunk_size=int(data["chunk_size"]) if data.get("chunk_size") else None,
            ca_file=str(data["ca_file"]) if data.get("ca_file") else None,
            auth=AuthKind(data.get("auth", "none")),
            username=str(data.get("username", "")),
            auth_header=str(data.get("auth_header", "")),
            has_token=bool(data.get("has_token", legacy)),
            in_keyring=bool(data.get("in_keyring", legacy)),
        )


def new_destination_id() -> str:
    return uuid.uuid4().hex[:12]


def describe_url(url: str) -> str:
    """Host, port and path: what a destination is called until it has a name (no credentials)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return redact_url(url)
    path = parts.path.rstrip("/")
    return f"{parts.hostname or redact_url(url)}{':' + str(port) if port else ''}{path}"


def parse_headers(lines: list[str] | str) -> dict[str, str]:
    """``Name: value`` lines (as curl's ``-H``), each checked by ``core.inputs``; blank lines are
    skipped. Raises ``ValueError`` naming the line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    headers: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            name, value = parse_header_line(line)
        except ValueError as error:
            raise ValueError(_line_problem(number, error)) from None
        headers[name] = value
    return headers


def parse_form(lines: list[str] | str) -> dict[str, str]:
    """``key=value`` lines (as curl's ``-F``), each checked by ``core.inputs``."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    fields: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            key, value = parse_form_line(line)
        except ValueError as error:
            raise ValueError(_line_problem(number, error)) from None
        fields[key] = value
    return fields


def _line_problem(number: int, error: BaseException) -> str:
    text = QCoreApplication.translate("DestinationsDialog", "line {number}: {problem}")
    return text.format(number=number, problem=error)


# -- storage --------------------------------------------------------------------------------------


def _keyring_problem(error: BaseException) -> SecretStoreUnavailable:
    text = QCoreApplication.translate(
        "DestinationsDialog",
        "The system keyring cannot be used, so the destination's token or password cannot be stored or "
        "read ({problem}). Start or unlock a keyring service (GNOME Keyring, KWallet, macOS Keychain or "
        "Windows Credential Manager) and try again.",
    )
    return SecretStoreUnavailable(text.format(problem=f"{type(error).__name__}: {error}"))


def _account(destination_id: str) -> str:
    return f"destination:{destination_id}"


def _read_keyring(destination_id: str) -> str | None:
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, _account(destination_id))
    except Exception as error:
        raise _keyring_problem(error) from None


def _write_keyring(destination_id: str, secrets: DestinationSecrets) -> None:
    import keyring
    import keyring.errors

    try:
        if secrets.is_empty:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # nothing stored
                keyring.delete_password(KEYRING_SERVICE, _account(destination_id))
        else:
            keyring.set_password(KEYRING_SERVICE, _account(destination_id), secrets.to_keyring())
    except Exception as error:
        raise _keyring_problem(error) from None


class DestinationStore:
    """The saved destinations (settings file) and their secrets (keyring, or this run's memory)."""

    def __init__(self, settings: AppSettings) -> None:
        self._settings = settings
        self._adhoc: SavedDestination | None = None
        # Secrets kept for this run only, by destination id: no usable keyring (the user chose
        # so), the command line's, typed when uploads asked for them. Never written anywhere.
        self._session_secrets: dict[str, DestinationSecrets] = {}

    # -- destinations -------------------------------------------------------------------------------

    def saved(self) -> list[SavedDestination]:
        result = []
        for data in self._settings.destinations:
            try:
                destination = SavedDestination.from_json(data)
            except (KeyError, ValueError, TypeError):
                continue  # a hand-edited entry that makes no sense: skip it rather than fail start-up
            if destination.holds_plaintext_secrets:
                # Written by an older version: used sanitised; migrate_plaintext_secrets moves
                # the values to the keyring and rewrites the file.
                destination, found = destination.sanitized()
                self._session_secrets[destination.id] = self._session_secrets.get(
                    destination.id, DestinationSecrets()
                ).over(found)
            result.append(destination)
        return result

    def all(self) -> list[SavedDestination]:
        """The ad-hoc destination (if any) first, then the saved ones."""
        return ([self._adhoc] if self._adhoc else []) + self.saved()

    @property
    def adhoc(self) -> SavedDestination | None:
        return self._adhoc

    def set_adhoc(
        self, destination: SavedDestination | None, secrets: DestinationSecrets | None = None
    ) -> None:
        """The command line's destination (sanitised) and its secrets, kept for this run only."""
        if destination is not None and destination.holds_plaintext_secrets:
            destination, found = destination.sanitized()
            secrets = found.over(secrets or DestinationSecrets())
        self._adhoc = destination
        self._session_secrets.pop(ADHOC_ID, None)
        if destination is not None and secrets is not None and not secrets.is_empty:
            for value in secrets.values():
                register_secret(value)
            self._session_secrets[ADHOC_ID] = secrets

    def get(self, destination_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.id == destination_id), None)

    def by_session(self, session_id: str) -> SavedDestination | None:
        return next((d for d in self.all() if d.session_id == session_id), None)

    def save(self, destinations: list[SavedDestination]) -> None:
        self._settings.destinations = [d.to_json() for d in destinations if not d.adhoc]
        self._settings.sync()

    @property
    def last_used(self) -> str | None:
        return self._settings.last_destination

    @last_used.setter
    def last_used(self, destination_id: str | None) -> None:
        self._settings.last_destination = destination_id

    # -- secrets ------------------------------------------------------------------------------------

    def has_session_secrets(self, destination_id: str) -> bool:
        return destination_id in self._session_secrets

    def remember_for_session(self, destination_id: str, secrets: DestinationSecrets) -> None:
        """Keep ``secrets`` (over what is kept already) in memory until the app quits."""
        for value in secrets.values():
            register_secret(value)
        kept = self._session_secrets.get(destination_id, DestinationSecrets())
        self._session_secrets[destination_id] = secrets.over(kept)

    async def load_secrets(self, destination: SavedDestination) -> tuple[DestinationSecrets, str | None]:
        """The destination's secrets (this run's memory over the keyring), and why the keyring
        could not be read, if it could not. Never raises for the keyring: what is missing shows
        as missing (``SavedDestination.missing_secrets``) and the uploads wait for it."""
        secrets = DestinationSecrets()
        problem = None
        if destination.in_keyring and not destination.adhoc:
            try:
                secrets = DestinationSecrets.from_keyring(
                    await asyncio.to_thread(_read_keyring, destination.id)
                )
            except SecretStoreUnavailable as error:
                problem = str(error)
        kept = self._session_secrets.get(destination.id)
        if kept is not None:
            secrets = kept.over(secrets)
        for value in secrets.values():
            register_secret(value)
        return secrets, problem

    async def store_secrets(
        self, changes: Mapping[str, SecretChange], *, session_only: bool = False
    ) -> dict[str, bool]:
        """Apply edits to destinations' secrets: in the keyring (raises ``SecretStoreUnavailable``
        if it cannot be used), or with ``session_only`` in memory for this run. Returns, by
        destination id, whether the keyring holds its secrets now."""
        in_keyring: dict[str, bool] = {}
        for destination_id, change in changes.items():
            stored = DestinationSecrets()
            try:
                stored = DestinationSecrets.from_keyring(
                    await asyncio.to_thread(_read_keyring, destination_id)
                )
            except SecretStoreUnavailable:
                if not session_only:
                    raise
            kept = self._session_secrets.get(destination_id)
            if kept is not None:
                stored = kept.over(stored)
            updated = change.apply(stored)
            for value in updated.values():
                register_secret(value)
            if session_only:
                if updated.is_empty:
                    self._session_secrets.pop(destination_id, None)
                else:
                    self._session_secrets[destination_id] = updated
                in_keyring[destination_id] = False
            else:
                await asyncio.to_thread(_write_keyring, destination_id, updated)
                self._session_secrets.pop(destination_id, None)
                in_keyring[destination_id] = not updated.is_empty
        return in_keyring

    async def migrate_plaintext_secrets(self) -> str | None:
        """Settings written by an older version may hold credentials in plain text (a URL with a
        password, secret headers). Move them to the keyring (or, without one, keep them in memory
        for this run) and rewrite the settings file without them. Returns a notice, or None."""
        raw = self._settings.destinations
        moved: list[str] = []
        for data in raw:
            try:
                if SavedDestination.from_json(data).holds_plaintext_secrets:
                    moved.append(str(data.get("name") or data.get("id")))
            except (KeyError, ValueError, TypeError):
                continue
        if not moved:
            return None
        destinations = self.saved()  # sanitised; the values found are in this run's memory
        changes = {}
        for destination in destinations:
            found = self._session_secrets.get(destination.id)
            if found is not None:
                change = SecretChange(
                    url=found.url or None,
                    headers={**{n: None for n in destination.secret_headers}, **found.headers},
                )
                changes[destination.id] = change
        try:
            kept = await self.store_secrets(changes)
            where = QCoreApplication.translate("DestinationsDialog", "They are in the system keyring now.")
        except SecretStoreUnavailable as error:
            kept = {}  # what the keyring held before (a token) may still be read another time
            where = QCoreApplication.translate(
                "DestinationsDialog",
                "The keyring cannot be used ({problem}), so they are kept for this session only: "
                "after a restart, uploads that need them wait until you enter them again.",
            ).format(problem=error)
        self.save([replace(d, in_keyring=kept.get(d.id, d.in_keyring)) for d in destinations])
        text = QCoreApplication.translate(
            "DestinationsDialog",
            "The settings file held credentials in plain text (destinations: {names}); they were "
            "removed from it. {where}",
        )
        return text.format(names=", ".join(moved), where=where)
