"""Raw uploads: the file's bytes are the request body (PUT by default, or POST). A tree PUT into a
folder URL makes its folders first (``webdav.Collections``)."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from urllib.parse import quote

from ..errors import BatchRefused
from ..text import printable
from .base import AttemptContext, UploadResponse, send_file_request
from .webdav import MISSING_PARENT, Collections

__all__ = ["RawProtocol", "check_batch", "raw_target_url"]


def raw_target_url(url: str, relative_name: str) -> str:
    """A URL ending in ``/`` names a folder: the file's relative path is appended, percent-encoded
    (a name that is not valid UTF-8 as its own bytes, so the server stores the very same name)."""
    if not url.endswith("/"):
        return url
    return url + "/".join(quote(part, safe="", errors="surrogateescape") for part in relative_name.split("/"))


def check_batch(url: str, names: Sequence[str]) -> None:
    """Refuse, before anything is sent, a batch whose files would overwrite each other: several
    files to one URL that does not end in ``/`` (each PUT would replace the last), or two files
    with the same name under a folder URL."""
    if len(names) > 1 and not url.endswith("/"):
        raise BatchRefused(
            f"{len(names)} files would all be sent to the same URL, each replacing the last; "
            "end the URL with / to send each file under its own name"
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise BatchRefused(f"two different files would both be stored as {printable(name)}")
        seen.add(name)


class RawProtocol:
    resumable = False

    async def send(self, context: AttemptContext) -> UploadResponse:
        task = context.task
        destination = task.destination
        content_type = mimetypes.guess_type(task.relative_name)[0] or "application/octet-stream"
        # A tree PUT into a folder URL: its folders must exist first on a WebDAV server.
        into_folders = (
            destination.effective_method == "PUT"
            and destination.url.endswith("/")
            and "/" in task.relative_name
        )
        collections = Collections(context) if into_folders else None
        if collections is not None:
            await collections.ensure(destination.url, task.relative_name)
        for last_try in (False, True):
            response = await send_file_request(
                context,
                method=destination.effective_method,
                url=raw_target_url(destination.url, task.relative_name),
                headers={},
                defaults={"Content-Type": content_type},
            )
            if collections is None or last_try or response.status not in MISSING_PARENT:
                return response
            # The folder went away since it was made (or was never there): once more.
            context.set_confirmed_offset(0)
            await collections.ensure(destination.url, task.relative_name, again=True)
        raise AssertionError("unreachable")
