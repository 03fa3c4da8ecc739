"""skylift-cli's command line: the parser, and the option types the window's command line shares.

Every option is checked where it is parsed (``core.inputs``, ``core.urls``): anything that cannot
be used ends in one line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .. import inputs
from ..configuration import WireProtocol
from ..registry import protocol_names
from ..text import printable
from ..urls import InvalidURL, check_url

__all__ = [
    "add_destination_options",
    "add_session_options",
    "add_state_options",
    "build_parser",
    "parse_form_field",
    "parse_header",
    "parse_rate",
]

T = TypeVar("T")
_IDENTIFIER = re.compile(r"[A-Za-z0-9._-]{1,100}")


def _argument(check: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a check that raises ``InputError``/``InvalidURL``."""

    def parse(text: str) -> T:
        try:
            return check(text)
        except (inputs.InputError, InvalidURL) as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = check.__name__
    return parse


parse_rate = _argument(inputs.parse_rate)
parse_header = _argument(inputs.parse_header_line)
parse_form_field = _argument(inputs.parse_form_line)
parse_url = _argument(check_url)
parse_size = _argument(lambda text: inputs.parse_rate(text, what="size"))
parse_timeout = _argument(lambda text: inputs.parse_seconds(text, what="request timeout"))
parse_method = _argument(inputs.check_method)
parse_ca_file = _argument(lambda text: inputs.check_ca_file(Path(text)))


@_argument
def parse_concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise inputs.InputError(f"not a whole number: {printable(text)!r}") from None
    if not 1 <= value <= 64:
        raise inputs.InputError(f"the concurrency must be between 1 and 64, not {value}")
    return value


@_argument
def parse_session(text: str) -> str:
    if not _IDENTIFIER.fullmatch(text):
        raise inputs.InputError(
            f"not a session identifier: {printable(text)!r} (letters, digits, '.', '_' and '-')"
        )
    return text


@_argument
def parse_field(text: str) -> str:
    if not text.strip() or any(c in text for c in "\r\n\0"):
        raise inputs.InputError(f"not a form field name: {printable(text)!r}")
    return text


def add_destination_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe where files go; the window's command line shares them."""
    parser.add_argument("--protocol", choices=protocol_names(), default=WireProtocol.MULTIPART.value)
    parser.add_argument(
        "--method", type=parse_method, help="HTTP method (default: POST for multipart, PUT for raw)"
    )
    parser.add_argument("--field", type=parse_field, help="form field name of the file (multipart; file)")
    parser.add_argument(
        "--path-field",
        type=parse_field,
        metavar="NAME",
        help="multipart: also send each file's relative path in this form field (for servers that keep "
        "only the base name, e.g. Django, multer)",
    )
    parser.add_argument(
        "--filename-star",
        action="store_true",
        default=None,
        help="multipart: add an RFC 8187 filename* (for servers that read filename as latin1)",
    )
    parser.add_argument(
        "--chunk-size",
        type=parse_size,
        metavar="SIZE",
        help="tus: bytes per PATCH (e.g. 50M) for servers or proxies that limit request bodies",
    )
    parser.add_argument(
        "--form",
        type=parse_form_field,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra form field (multipart); repeatable",
    )
    parser.add_argument(
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar='"Name: value"',
        help="extra request header; repeatable. Secret headers (Authorization, tokens) are never stored",
    )


def add_state_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir", type=Path, help="state folder (default: $SKYLIFT_STATE_DIR or the user data folder)"
    )


def add_transfer_options(parser: argparse.ArgumentParser, *, resuming: bool = False) -> None:
    """Concurrency, limits, timeouts, CA: ``resume`` continues with what the session ran with,
    unless given again."""
    again = " (default: what the session ran with)" if resuming else ""
    parser.add_argument(
        "--concurrency", type=parse_concurrency, metavar="N", help=f"parallel uploads (4){again}"
    )
    parser.add_argument(
        "--limit-rate", type=parse_rate, metavar="RATE", help=f"e.g. 500K, 2M (per session){again}"
    )
    parser.add_argument(
        "--request-timeout", type=parse_timeout, metavar="S", help=f"idle timeout in seconds (60){again}"
    )
    parser.add_argument("--ca-file", type=parse_ca_file, help=f"extra CA certificates to trust (PEM){again}")


def add_session_options(parser: argparse.ArgumentParser, *, resuming: bool = False) -> None:
    add_transfer_options(parser, resuming=resuming)
    parser.add_argument(
        "--session", type=parse_session, metavar="ID", help="session identifier (re-attaches to its tasks)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    add_state_options(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skylift-cli", description="Upload files over HTTP: multipart, raw PUT/POST or tus."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    upload = commands.add_parser("upload", help="upload files and folders")
    upload.add_argument(
        "url", type=parse_url, help="destination URL (for raw, a URL ending in / receives a tree)"
    )
    upload.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    add_destination_options(upload)
    add_session_options(upload)

    queue = commands.add_parser("queue", help="list persisted tasks")
    add_state_options(queue)
    queue.add_argument("--json", action="store_true", help="one JSON object per task")

    resume = commands.add_parser("resume", help="continue interrupted and queued uploads")
    add_session_options(resume, resuming=True)
    resume.add_argument(
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar='"Name: value"',
        help="a secret header to send again (secret headers are never stored)",
    )
    resume.add_argument(
        "--url",
        type=parse_url,
        action="append",
        default=[],
        metavar="URL",
        help="a destination URL with its credentials, given again (they are never stored)",
    )
    return parser
