"""Raw uploads: the file's bytes are the request body (PUT by default, or POST)."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from .base import AttemptContext, UploadResponse, send_file_request

__all__ = ["RawProtocol", "raw_target_url"]


def raw_target_url(url: str, relative_name: str) -> str:
    """A URL ending in ``/`` names a folder: the file's relative path is appended, percent-encoded
    (a name that is not valid UTF-8 as its own bytes, so the server stores the very same name)."""
    if not url.endswith("/"):
        return url
    return url + "/".join(quote(part, safe="", errors="surrogateescape") for part in relative_name.split("/"))


class RawProtocol:
    resumable = False

    async def send(self, context: AttemptContext) -> UploadResponse:
        task = context.task
        content_type = mimetypes.guess_type(task.relative_name)[0] or "application/octet-stream"
        return await send_file_request(
            context,
            method=task.destination.effective_method,
            url=raw_target_url(task.destination.url, task.relative_name),
            headers={"Content-Type": content_type},
        )
