"""What is a secret, and how it is kept out of everything Skylift writes or prints.

One rule for names, used for header names and URL query parameters alike: anything named like a
key, token, secret, password, auth, session, signature, credential or cookie is a secret
(``Authorization``, ``X-Api-Key``, ``Api_Key``, ``X-Auth``, ``X-Amz-Signature``, ``access_token``,
Azure SAS ``sig``). A URL's userinfo password is a secret too.

Secrets live in memory (and, for the window's saved destinations, in the OS keyring). They are
never written to the state database, the settings or the logs, and never printed: every URL, header
set and server text that leaves Skylift goes through ``redact_url``, ``redacted_headers`` or
``scrub`` here, at the source, never filtered out of a log afterwards.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "has_url_secrets",
    "is_secret_header",
    "is_secret_name",
    "is_secret_query_parameter",
    "redact_url",
    "redacted_headers",
    "scrub",
    "secret_values",
]

REDACTED = "<redacted>"
_SECRET_WORDS = (
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "auth",
    "session",
    "signature",
    "credential",
    "cookie",
)
# Query parameters that are secrets by convention although their names are short (Azure SAS).
_SECRET_QUERY_NAMES = frozenset({"sig", "pw", "pwd", "pass"})


def is_secret_name(name: str) -> bool:
    lowered = name.strip().lower()
    return any(word in lowered for word in _SECRET_WORDS)


def is_secret_header(name: str) -> bool:
    return is_secret_name(name)


def is_secret_query_parameter(name: str) -> bool:
    lowered = unquote_plus(name).strip().lower()
    return lowered in _SECRET_QUERY_NAMES or is_secret_name(lowered)


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if is_secret_header(k) else v) for k, v in headers.items()}


def _split(url: str) -> tuple[str, str, str, str, str] | None:
    try:
        return tuple(urlsplit(url))  # type: ignore[return-value]
    except ValueError:
        return None


def redact_url(url: str) -> str:
    """``url`` with its userinfo password and its secret query values replaced by ``<redacted>``;
    everything else exactly as it was. A URL that cannot be parsed is redacted whole."""
    parts = _split(url)
    if parts is None:
        # Unparseable (an unclosed IPv6 bracket...): still shown, without userinfo or query.
        crude = re.sub(r"//[^/?#]*@", f"//{REDACTED}@", url)
        return crude.split("?", 1)[0] + (f"?{REDACTED}" if "?" in crude else "")
    scheme, netloc, path, query, fragment = parts
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if colon else f"{REDACTED}@{host}"
    if query:
        pairs = []
        for pair in query.split("&"):
            name, equals, _value = pair.partition("=")
            pairs.append(f"{name}={REDACTED}" if equals and is_secret_query_parameter(name) else pair)
        query = "&".join(pairs)
    return urlunsplit((scheme, netloc, path, query, fragment))


def has_url_secrets(url: str) -> bool:
    return redact_url(url) != url


def secret_values(headers: Mapping[str, str], url: str | None = None) -> set[str]:
    """The secret values in play for a request: secret header values, the URL's password and its
    secret query values (raw and decoded). Short values are left out: scrubbing "1" would
    mangle any text."""
    values = {v for k, v in headers.items() if is_secret_header(k)}
    for name, value in headers.items():
        if is_secret_header(name) and " " in value:
            values.add(value.split(" ", 1)[1])  # "Bearer <token>": the token alone, as echoed
    if url:
        parts = _split(url)
        if parts is not None:
            netloc, query = parts[1], parts[3]
            if "@" in netloc:
                userinfo = netloc.rpartition("@")[0]
                user, _, password = userinfo.partition(":")
                values.update({password, unquote(password)})
                # The Basic credentials httpx makes of them, as a server would echo them.
                plain = f"{unquote(user)}:{unquote(password)}".encode()
                values.add(base64.b64encode(plain).decode("ascii"))
            for pair in query.split("&"):
                name, equals, value = pair.partition("=")
                if equals and is_secret_query_parameter(name):
                    values.update({value, unquote_plus(value)})
    return {v for v in values if len(v) >= 4}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` (a server's answer, an error) with every known secret value replaced: a server
    that echoes the token it was sent must not get it into the state or onto the screen."""
    ordered = sorted(set(secrets), key=len, reverse=True)
    if not ordered or not text:
        return text
    pattern = re.compile("|".join(re.escape(secret) for secret in ordered))
    return pattern.sub(REDACTED, text)
