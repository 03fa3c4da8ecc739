"""A lean HTTP/1.1 transport for httpx: keep-alive connections on asyncio protocols, framed by h11.

Why: httpx's default transport (httpcore + anyio + h11) spends most of the CPU time of a small
upload on bookkeeping — cancel scopes, a readability poll and ``getpeername`` per request, the
pool's locks — so many small uploads were several times slower than curl. Uploads need only a
narrow slice of HTTP/1.1: one request at a time per connection, a streamed body with a known
length (or chunked), and a response read in full. This transport does that slice on an
``asyncio.Protocol`` and nothing else.

Framing is not ours: an ``h11.Connection`` per connection writes the request head and the body
framing (Content-Length or chunked), and reads every byte the server sends: it decides where a
response ends, whether the connection can carry another request, and refuses what is malformed
or ambiguous (a Content-Length that is not plain digits, conflicting Content-Lengths, bad chunk
sizes, a head that does not end within ``_MAX_HEAD`` bytes ...). This transport only moves bytes
between the socket and h11, and waits: on the socket or on a timer, never in a loop.

It keeps httpx's contract: ``AsyncClient`` still builds requests, handles cookies and headers;
timeouts come from the request's ``timeout`` extension (connect, read, write, pool); failures
are raised as the same httpx exceptions the default transport raises (``ConnectError``,
``ConnectTimeout``, ``ReadTimeout``, ``WriteTimeout``, ``PoolTimeout``, ``ReadError``,
``WriteError``, ``RemoteProtocolError``, ``LocalProtocolError``), with the ``ssl`` or h11 error as
``__cause__``; a response sent before the body was fully written (413, 401 ...) is returned, as
httpcore does. TLS goes through asyncio's SSL support with the client's ``SSLContext``. Not
supported, so the session falls back to httpx's own transport for them: proxies and HTTP/2.

Where it is stricter than httpx's own transport (tests/hostile runs both against the same bytes):
a response head may be 16 KiB (httpcore allows 100 KiB), a response with both Content-Length and
Transfer-Encoding is refused (h11 lets Transfer-Encoding win), at most ``_MAX_INTERIM`` interim
(1xx) responses are skipped before the final one, and a connection on which the server sent bytes
beyond a response (a 204 with a body) is closed, not reused (httpcore would read them as the
start of the next answer).
"""

from __future__ import annotations

from .transport import Http1Transport

__all__ = ["Http1Transport"]
