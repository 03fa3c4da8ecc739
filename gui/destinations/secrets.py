"""A destination's secrets — the token or password, the full URL with its credentials, the values of
secret headers — and edits to them. They live in the operating system's keyring (one entry per
destination, ``gui.destinations.keyring_access``) or, when the user agrees, in memory for this run:
never in Skylift's files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from core.redaction import redact_url, secret_values

__all__ = ["DestinationSecrets", "SecretChange"]

# A keyring entry that holds more than a token is a JSON object with this marker; anything else
# is a plain token (as Skylift stored it before, and still does when there is nothing more).
_KEYRING_FORMAT = "skylift-destination-secrets"


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
        kept = {k: v for k, v in self.headers.items() if v}
        object.__setattr__(self, "headers", MappingProxyType(kept))

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
