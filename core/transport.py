"""The HTTP client a session uses, and how httpx's exceptions become Skylift's one-line errors."""

from __future__ import annotations

import logging
import os
import ssl
import urllib.request
from pathlib import Path

import httpx
import truststore

from .errors import CertificateError, RequestSummary, RequestTimeout, TransferError, UploadError
from .http1 import Http1Transport
from .identity import USER_AGENT
from .redaction import redact_url
from .units import format_size

__all__ = ["create_client", "map_http_error", "map_transport_error", "redact_text"]


# httpx logs every request's URL at INFO (and httpcore its steps at DEBUG): with credentials in a
# URL (a presigned S3 link, userinfo) that would put secrets in any log. Silenced at the source;
# Skylift logs what it does itself, redacted.
for _library in ("httpx", "httpcore"):
    logging.getLogger(_library).setLevel(logging.WARNING)


def ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """The operating system's trust store, plus ``ca_file`` if given. Verification is never off."""
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def create_client(*, max_connections: int, ca_file: Path | None) -> httpx.AsyncClient:
    context = ssl_context(ca_file)
    transport: httpx.AsyncBaseTransport | None = None
    # The lean HTTP/1.1 transport (core/http1.py) makes small uploads ~2x faster than httpcore's.
    # It speaks no proxy protocol: with a proxy configured httpx's own transport (which honours
    # the *_PROXY variables) is used. SKYLIFT_HTTP_TRANSPORT=httpcore forces httpx's own.
    # A proxy is what httpx would use: an http, https or all entry (as httpx reads them). NO_PROXY
    # alone ({'no': '*'}) or an ftp proxy configures none.
    proxies = urllib.request.getproxies()
    proxied = any(proxies.get(scheme) for scheme in ("http", "https", "all"))
    if os.environ.get("SKYLIFT_HTTP_TRANSPORT", "").lower() != "httpcore" and not proxied:
        transport = Http1Transport(ssl_context=context, max_connections=max_connections, keepalive_expiry=30)
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=30,
    )
    return httpx.AsyncClient(
        verify=context,
        limits=limits,
        transport=transport,
        # Timeouts are set per request from the session configuration.
        timeout=None,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def _certificate_problem(error: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def map_http_error(
    error: httpx.HTTPError | httpx.InvalidURL, *, bytes_sent: int, timeout: float
) -> UploadError:
    """Every httpx error as one line; the original stays as ``__cause__`` for the log."""
    mapped = _map(error, bytes_sent=bytes_sent, timeout=timeout)
    mapped.__cause__ = error
    try:
        request = error.request if isinstance(error, httpx.HTTPError) else None
    except RuntimeError:  # httpx raises when the error has no request
        request = None
    if request is not None:
        mapped.request = RequestSummary(request.method, redact_url(str(request.url)))
    return mapped


def _map(error: httpx.HTTPError | httpx.InvalidURL, *, bytes_sent: int, timeout: float) -> UploadError:
    if isinstance(error, httpx.TransportError):
        return map_transport_error(error, bytes_sent=bytes_sent, timeout=timeout)
    if isinstance(error, httpx.DecodingError):
        return UploadError(f"the server's response could not be decoded: {redact_text(str(error))}")
    if isinstance(error, httpx.TooManyRedirects):
        return UploadError("too many redirects")
    if isinstance(error, httpx.InvalidURL):
        return UploadError(f"invalid URL: {redact_text(str(error))}")
    return UploadError(f"{type(error).__name__}: {redact_text(str(error))}")


def redact_text(text: str) -> str:
    """httpx's messages sometimes quote the URL: never its credentials."""
    return " ".join(redact_url(word) if "://" in word else word for word in text.split(" "))


def map_transport_error(error: httpx.TransportError, *, bytes_sent: int, timeout: float) -> UploadError:
    """One line that says what happened on the wire, and how far the attempt got."""
    where = f" after {format_size(bytes_sent)}" if bytes_sent else ""
    if isinstance(error, httpx.ConnectTimeout):
        return RequestTimeout(f"could not connect within {timeout:g} s")
    if isinstance(error, httpx.WriteTimeout):
        return RequestTimeout(f"server accepted no data for {timeout:g} s{where}")
    if isinstance(error, httpx.TimeoutException):
        return RequestTimeout(f"no response from server for {timeout:g} s{where}")
    certificate = _certificate_problem(error)
    if certificate is not None:
        return CertificateError(f"certificate not trusted: {certificate.verify_message}")
    if isinstance(error, httpx.ConnectError):
        detail = str(error) or type(error).__name__
        return TransferError(f"could not connect: {detail}")
    if isinstance(error, httpx.RemoteProtocolError):
        return TransferError(f"server closed the connection{where}")
    if isinstance(error, (httpx.ReadError, httpx.WriteError)):
        return TransferError(f"connection reset{where}")
    if isinstance(error, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        # Our own request cannot be sent as it is: another attempt would fail the same way.
        return UploadError(f"the request cannot be sent: {redact_text(str(error))}")
    return TransferError(f"{type(error).__name__}: {redact_text(str(error))}{where}")
