"""Raw uploads: the file's bytes are the request body (PUT by default, or POST). A tree PUT into a
folder URL makes its folders first (``webdav.Collections``)."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import quote

from ..configuration import WireProtocol
from ..errors import BatchRefused, UploadError
from ..registry import ProtocolOptions, ProtocolSpec, register
from ..text import printable
from .base import AttemptContext, UploadProtocol, UploadResponse, send_file_request
from .webdav import MISSING_PARENT, Collections

__all__ = ["RawOptions", "RawProtocol", "check_batch", "raw_target_url"]


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


@dataclass(frozen=True, kw_only=True)
class RawOptions(ProtocolOptions):
    protocol: ClassVar[str] = WireProtocol.RAW

    method: str = "PUT"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "method", self.method.upper())

    def check_batch(self, url: str, names: Sequence[str]) -> None:
        check_batch(url, names)


class RawProtocol(UploadProtocol):
    async def send(self, context: AttemptContext) -> UploadResponse:
        task = context.task
        destination = task.destination
        method = destination.options.method or "PUT"
        content_type = mimetypes.guess_type(task.relative_name)[0] or "application/octet-stream"
        # A tree PUT into a folder URL: its folders must exist first on a WebDAV server.
        into_folders = method == "PUT" and destination.url.endswith("/") and "/" in task.relative_name
        collections = Collections(context) if into_folders else None
        if collections is not None:
            await collections.ensure(destination.url, task.relative_name)
        for last_try in (False, True):
            response = await send_file_request(
                context,
                method=method,
                url=raw_target_url(destination.url, task.relative_name),
                headers={},
                defaults={"Content-Type": content_type},
            )
            if collections is None or response.status not in MISSING_PARENT:
                return response
            if last_try:
                # The folders were asked for twice and the server still has none (nginx with
                # PUT but no MKCOL in dav_methods answers 405 either way): retrying cannot help.
                raise _cannot_make_folders(collections, response)
            # The folder went away since it was made (or was never there): once more.
            context.set_confirmed_offset(0)
            await collections.ensure(destination.url, task.relative_name, again=True)
        raise AssertionError("unreachable")


register(
    ProtocolSpec(
        name=RawOptions.protocol,
        label="Raw file body (PUT to a folder URL)",
        resumable=False,
        options=RawOptions,
        create=RawProtocol,
    )
)


def _cannot_make_folders(collections: Collections, response: UploadResponse) -> UploadError:
    answers = ", ".join(str(status) for status in sorted(set(collections.answers.values()))) or "nothing"
    return UploadError(
        f"HTTP {response.status}: the server has no folder for this file and did not make one "
        f"(MKCOL answered {answers}); allow MKCOL on the server (or, with nginx, create_full_put_path)",
        request=response.summaries()[0],
        response=response.summaries()[1],
    )
