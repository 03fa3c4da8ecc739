"""The parent collections of a raw upload into a folder URL, made with WebDAV ``MKCOL``.

Standard WebDAV servers (Apache mod_dav, rclone, wsgidav, nginx without ``create_full_put_path``)
refuse a ``PUT`` into a folder that does not exist (409, 404 or 500). Before the first file of a
folder goes, each missing collection is made, top-down, with a trailing slash: 201 made it, 405
means it exists (so does a second 201, from rclone); a 409 means its parent is missing too, so the
walk goes up and comes back down. Each folder is asked about once per destination and session
(concurrent uploads into one folder share one ``MKCOL``). A server that knows no ``MKCOL`` (501,
400, 404, 403) is left to decide at the ``PUT``; a ``PUT`` that fails with 409, 404 or 500 anyway
(the folder was deleted meanwhile) makes the collections again, once.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from urllib.parse import quote

import httpx

from ..errors import ServerStatusError
from ..redaction import redact_url
from .base import AttemptContext, send_capped

__all__ = ["MISSING_PARENT", "Collections"]

log = logging.getLogger(__name__)

# What a PUT into a missing folder gets from common servers (see recipes: 409 Apache/wsgidav, 404
# rclone, 500 nginx).
MISSING_PARENT = frozenset({409, 404, 500})
_EXISTS = frozenset({201, 405})


# Per session (one HTTP client per session): folder URL -> whether it exists now.
_known_per_client: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, asyncio.Future[bool]]] = (
    weakref.WeakKeyDictionary()
)


class Collections:
    """The folders known to exist under one session's destinations."""

    def __init__(self, context: AttemptContext) -> None:
        self.context = context
        self._known = _known_per_client.setdefault(context.client, {})
        # The MKCOL answers of this attempt, by folder URL: said when a PUT still finds no folder.
        self.answers: dict[str, int] = {}

    async def ensure(self, base_url: str, relative_name: str, *, again: bool = False) -> None:
        """Make every folder of ``relative_name`` under ``base_url`` (a folder URL, ending in /)."""
        parts = relative_name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            url = base_url + "".join(quote(p, safe="", errors="surrogateescape") + "/" for p in parts[:depth])
            if again:
                self._known.pop(url, None)
            if not await self._make(url):
                return  # the server knows no MKCOL: the PUT will tell

    async def _make(self, url: str) -> bool:
        """True when the collection exists now; False when the server does not do MKCOL."""
        known = self._known.get(url)
        if known is None:
            known = asyncio.get_running_loop().create_future()
            self._known[url] = known
            try:
                known.set_result(await self._mkcol(url))
            except BaseException as error:
                del self._known[url]  # not known after all: the next upload asks again
                known.set_exception(error)
                known.exception()  # retrieved here; the waiters below see it raised
                raise
        return await asyncio.shield(known)

    async def _mkcol(self, url: str, *, walked: bool = False) -> bool:
        client = self.context.client
        request = client.build_request(
            "MKCOL", url, headers=self.context.headers, timeout=self.context.timeout
        )
        response = await send_capped(client, request)
        self.answers[url] = response.status
        if response.status in _EXISTS:
            return True
        if response.status == 409 and not walked:
            # The parent is missing: make it, then this one.
            parent = url[: url.rstrip("/").rfind("/") + 1]
            if parent and parent != url and await self._make(parent):
                return await self._mkcol(url, walked=True)
        if response.status in (501, 400, 403, 404, 409, 415):
            log.info("%s did not make collection %s: HTTP %s", "MKCOL", redact_url(url), response.status)
            return False
        if response.status in (401, 407):
            raise ServerStatusError(response.status, response.reason, "the server refused to make the folder")
        raise ServerStatusError(
            response.status, response.reason, f"the server could not make the folder {redact_url(url)}"
        )
