"""A loopback receiver that requires a credential, as real servers do, and echoes what it got.

``AuthReceiver(header="Authorization", value="Bearer abc")`` answers 401 to any request without
exactly that header value (nothing is read or stored), and, like some servers, echoes the
credential it was sent in its answers: the window must neither show nor store the echo.
``query=("X-Amz-Signature", "...")`` requires a query parameter too (presigned URLs).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from tests.servers import ReceiverServer

__all__ = ["AuthReceiver", "running_auth_receiver"]


class AuthReceiver(ReceiverServer):
    name = "auth receiver"

    def __init__(
        self,
        *,
        header: str = "Authorization",
        value: str,
        query: tuple[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(ssl_context=ssl_context)
        self.header = header
        self.value = value
        self.query = query
        # Requests answered 401: the headers they came with.
        self.refused: list[dict[str, str]] = []

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        got = request.headers.get(self.header)
        query_ok = self.query is None or request.query.get(self.query[0]) == self.query[1]
        if got != self.value or not query_ok:
            self.refused.append(dict(request.headers))
            return web.json_response(
                {"error": "unauthorized", "you_sent": got}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        response = await super()._respond(request)
        if isinstance(response, web.Response) and response.status == 201 and response.text:
            answer = json.loads(response.text)
            answer["you_sent"] = got  # the echo a careless server gives
            return web.json_response(answer, status=201)
        return response


@contextmanager
def running_auth_receiver(**kwargs: object) -> Iterator[AuthReceiver]:
    server = AuthReceiver(**kwargs)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()
