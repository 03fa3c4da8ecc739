"""A saved destination: where uploads go and how they are sent (the core's ``Destination``: URL,
protocol options, headers), plus what the window adds — its name, the settings of its session
(concurrency, bandwidth, CA file) and how it authenticates.

The settings file holds it with its secrets taken out: the URL redacted (``core.redaction``: a
userinfo password and signed query values become ``<redacted>``), and of its secret headers only
the names. The secrets themselves are a ``DestinationSecrets`` (``gui.destinations.secrets``).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core import Destination, ProtocolOptions, SessionConfiguration, WireProtocol, spec_for
from core.configuration import URL_CREDENTIALS
from core.redaction import has_url_secrets, is_secret_header, redact_url, redacted_headers

from ..logging_setup import register_secret
from .option_values import frozen, merged_values, plain
from .secrets import DestinationSecrets

__all__ = [
    "ADHOC_ID",
    "SESSION_PREFIX",
    "AuthKind",
    "SavedDestination",
    "describe_url",
    "is_gui_session",
    "new_destination_id",
]

ADHOC_ID = "adhoc"
SESSION_PREFIX = "gui"
# How settings written before options had their own object hold them: flat beside the URL.
_FLAT_OPTIONS = ("method", "field_name", "form_fields", "chunk_size")


def is_gui_session(session_id: str) -> bool:
    return session_id == SESSION_PREFIX or session_id.startswith(SESSION_PREFIX + "-")


class AuthKind(enum.StrEnum):
    NONE = "none"
    BEARER = "bearer"
    BASIC = "basic"
    HEADER = "header"

    @property
    def label(self) -> str:
        return QCoreApplication.translate("DestinationsDialog", str(_AUTH_LABELS[self]))


_AUTH_LABELS = {
    AuthKind.NONE: QT_TRANSLATE_NOOP("DestinationsDialog", "None"),
    AuthKind.BEARER: QT_TRANSLATE_NOOP("DestinationsDialog", "Bearer token"),
    AuthKind.BASIC: QT_TRANSLATE_NOOP("DestinationsDialog", "User and password (Basic)"),
    AuthKind.HEADER: QT_TRANSLATE_NOOP("DestinationsDialog", "Token in a header"),
}


@dataclass(frozen=True, init=False)
class SavedDestination:
    """Made like the core's ``Destination``: with ``options=`` (a protocol's options, as the
    dialog's forms give them), or with ``protocol=`` and option values by name (``protocol="tus",
    chunk_size=50 << 20``, as the command line gives them; None is the protocol's default).

    ``option_values`` keeps what was given, also the values another protocol uses, as the settings
    file does: a destination switched from multipart to raw and back has its field name again.
    ``options`` is what uploads use: the protocol's own values."""

    id: str
    name: str
    # As it may be shown and saved: credentials in it are <redacted> (the full URL is a secret).
    url: str
    protocol: str
    option_values: Mapping[str, Any]
    # Headers that are not secrets; the names of the secret ones are in ``secret_headers``.
    headers: Mapping[str, str]
    secret_headers: tuple[str, ...]
    # The full URL holds credentials (a userinfo password, a signed query), kept as a secret.
    url_secrets: bool
    concurrency: int
    # Bytes per second for the destination's whole session; None for no limit.
    bandwidth_limit: int | None
    # A PEM file of CA certificates trusted for this destination, on top of the system's.
    ca_file: str | None
    # Seconds without progress before an attempt fails (None: the core's default).
    request_timeout: float | None
    auth: AuthKind
    username: str
    auth_header: str
    # A token or password was given (where it is kept: ``in_keyring``, else this run's memory).
    has_token: bool
    # The keyring holds this destination's secrets.
    in_keyring: bool
    # From the command line (``skylift --url``): shown, never saved.
    adhoc: bool
    _options: ProtocolOptions = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        *,
        id: str,
        name: str,
        url: str,
        protocol: str = WireProtocol.MULTIPART,
        options: ProtocolOptions | None = None,
        option_values: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        secret_headers: Sequence[str] = (),
        url_secrets: bool = False,
        concurrency: int = 4,
        bandwidth_limit: int | None = None,
        ca_file: str | None = None,
        request_timeout: float | None = None,
        auth: str = AuthKind.NONE,
        username: str = "",
        auth_header: str = "",
        has_token: bool = False,
        in_keyring: bool = False,
        adhoc: bool = False,
        **values: Any,
    ) -> None:
        # ``options`` decides the protocol (``replace(d, options=...)`` passes the old one along).
        spec = spec_for(options.protocol if options is not None else protocol)
        kept = frozen(merged_values(option_values or {}, options, values))
        assign = object.__setattr__
        assign(self, "id", id)
        assign(self, "name", name)
        assign(self, "url", url)
        assign(self, "protocol", spec.options.protocol)  # WireProtocol.TUS, not "tus"
        assign(self, "option_values", kept)
        assign(self, "headers", frozen(headers or {}))
        assign(self, "secret_headers", tuple(secret_headers))
        assign(self, "url_secrets", url_secrets)
        assign(self, "concurrency", concurrency)
        assign(self, "bandwidth_limit", bandwidth_limit)
        assign(self, "ca_file", ca_file)
        assign(self, "request_timeout", request_timeout)
        assign(self, "auth", AuthKind(auth))
        assign(self, "username", username)
        assign(self, "auth_header", auth_header)
        assign(self, "has_token", has_token)
        assign(self, "in_keyring", in_keyring)
        assign(self, "adhoc", adhoc)
        # Checked now: a value the protocol refuses fails here, not at the first upload.
        assign(self, "_options", spec.options.from_values(kept, strict=False))

    def __repr__(self) -> str:
        headers = redacted_headers(self.headers)
        return f"SavedDestination(id={self.id!r}, url={redact_url(self.url)!r}, headers={headers!r})"

    @property
    def options(self) -> ProtocolOptions:
        """The protocol's options, as uploads use them."""
        return self._options

    def with_options(self, options: ProtocolOptions) -> SavedDestination:
        """This destination sent with ``options`` (and their protocol); other protocols' values stay."""
        values = merged_values(self.option_values, options, {})
        return replace(self, protocol=options.protocol, option_values=values)

    # The option values by the names settings used to have, as given (``options`` is what is used).

    @property
    def method(self) -> str | None:
        value = self.option_values.get("method")
        return str(value) if value else None

    @property
    def field_name(self) -> str:
        return str(self.option_values.get("field_name") or "file")

    @property
    def form_fields(self) -> Mapping[str, str]:
        return self.option_values.get("form_fields") or MappingProxyType({})

    @property
    def chunk_size(self) -> int | None:
        value = self.option_values.get("chunk_size")
        return int(value) if value else None

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
        return Destination(
            url=url,
            options=self.options,
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

    # -- the settings file ------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        clean, _ = self.sanitized()  # never a secret value in the settings file, whatever came in
        return {
            "id": clean.id,
            "name": clean.name,
            "url": clean.url,
            "url_secrets": clean.url_secrets,
            "protocol": str(clean.protocol),
            "options": plain(clean.option_values),
            "headers": dict(clean.headers),
            "secret_headers": list(clean.secret_headers),
            "concurrency": clean.concurrency,
            "bandwidth_limit": clean.bandwidth_limit,
            "ca_file": clean.ca_file,
            "auth": clean.auth.value,
            "username": clean.username,
            "auth_header": clean.auth_header,
            "has_token": clean.has_token,
            "in_keyring": clean.in_keyring,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SavedDestination:
        """Also what earlier versions wrote: the options flat beside the URL, and in much older
        ones secrets in plain text (which ``DestinationStore`` moves to the keyring)."""
        values = data.get("options")
        if not isinstance(values, Mapping):
            values = {name: data.get(name) or None for name in _FLAT_OPTIONS}
        # "has_secret" (older versions): the token was in the keyring.
        legacy = bool(data.get("has_secret", False))
        return cls(
            id=str(data["id"]),
            name=str(data.get("name", "")),
            url=str(data["url"]),
            url_secrets=bool(data.get("url_secrets", False)),
            protocol=str(data.get("protocol") or WireProtocol.MULTIPART),
            option_values=values,
            headers={str(k): str(v) for k, v in dict(data.get("headers") or {}).items()},
            secret_headers=tuple(str(n) for n in data.get("secret_headers") or ()),
            concurrency=int(data.get("concurrency") or 4),
            bandwidth_limit=int(data["bandwidth_limit"]) if data.get("bandwidth_limit") else None,
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
