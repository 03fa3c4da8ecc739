"""multipart/form-data (RFC 7578) streamed from disk with an exact Content-Length."""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import quote

from ..configuration import WireProtocol
from ..registry import ProtocolOptions, ProtocolSpec, register
from ..text import wire_text
from .base import AttemptContext, UploadProtocol, UploadResponse, send_file_request

__all__ = ["MultipartOptions", "MultipartProtocol", "multipart_envelope", "quote_header_parameter"]


def quote_header_parameter(value: str) -> str:
    """A quoted-string for a Content-Disposition parameter that no name can break out of.

    UTF-8 is sent as is (RFC 7578 4.2, what browsers do); backslash and quote are escaped as
    quoted-pairs, which standard parsers (python-multipart, aiohttp, Werkzeug) undo; CR, LF and other
    control characters are percent-encoded as the HTML standard does, so no header or part can be
    injected. A byte that is not valid UTF-8 (an undecodable file name) is sent as U+FFFD.
    """
    out = []
    for char in wire_text(value):
        if char in '\\"':
            out.append("\\" + char)
        elif ord(char) < 0x20 or char == "\x7f":
            out.append(f"%{ord(char):02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def multipart_envelope(
    *,
    boundary: str,
    field_name: str,
    filename: str,
    content_type: str,
    form_fields: Mapping[str, str],
    path_field: str | None = None,
    filename_star: bool = False,
) -> tuple[bytes, bytes]:
    """The bytes before and after the file's content (see ``Destination.path_field`` and
    ``Destination.filename_star`` for the two options)."""
    fields = dict(form_fields)
    if path_field:
        fields[path_field] = filename
    lines = []
    for name, value in fields.items():
        lines.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name={quote_header_parameter(name)}"
            f"\r\n\r\n{wire_text(value)}\r\n"
        )
    extended = f"; filename*=UTF-8''{quote(wire_text(filename), safe='')}" if filename_star else ""
    lines.append(
        f"--{boundary}\r\nContent-Disposition: form-data; name={quote_header_parameter(field_name)}; "
        f"filename={quote_header_parameter(filename)}{extended}\r\nContent-Type: {content_type}\r\n\r\n"
    )
    return "".join(lines).encode("utf-8"), f"\r\n--{boundary}--\r\n".encode("ascii")


@dataclass(frozen=True, kw_only=True)
class MultipartOptions(ProtocolOptions):
    protocol: ClassVar[str] = WireProtocol.MULTIPART
    # The boundary travels in it.
    fixed_headers: ClassVar[frozenset[str]] = frozenset({"content-type"})

    method: str = "POST"
    field_name: str = "file"
    form_fields: Mapping[str, str] = field(default_factory=dict)
    # Also send each file's relative path ("album/2026/a.jpg") in a form field of this name,
    # before the file, for servers that keep only the base name of ``filename`` (Django, multer,
    # busboy by default); Uppy and Dropzone do the same ("relativePath", "fullPath").
    path_field: str | None = None
    # Add ``filename*=UTF-8''...`` (RFC 8187) for servers that read ``filename`` as latin1 (multer,
    # busboy by default) but understand the extended form.
    filename_star: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "method", self.method.upper())
        if not self.field_name:
            raise ValueError("a form upload needs a field name")


class MultipartProtocol(UploadProtocol):
    async def send(self, context: AttemptContext) -> UploadResponse:
        task = context.task
        options = task.destination.options
        assert isinstance(options, MultipartOptions)
        destination = task.destination
        # Random per attempt: 32 hex digits cannot plausibly occur in the file's content.
        boundary = f"skylift-{secrets.token_hex(16)}"
        content_type = mimetypes.guess_type(task.relative_name)[0] or "application/octet-stream"
        prefix, suffix = multipart_envelope(
            boundary=boundary,
            field_name=options.field_name,
            filename=task.relative_name,
            content_type=content_type,
            form_fields=options.form_fields,
            path_field=options.path_field,
            filename_star=options.filename_star,
        )
        return await send_file_request(
            context,
            method=options.method,
            url=destination.url,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            prefix=prefix,
            suffix=suffix,
        )


register(
    ProtocolSpec(
        name=MultipartOptions.protocol,
        label="Form upload (multipart/form-data)",
        resumable=False,
        options=MultipartOptions,
        create=MultipartProtocol,
    )
)
