"""skylift-cli's command line: the parser, and the option types the window's command line shares."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from ..configuration import WireProtocol

__all__ = [
    "add_destination_options",
    "add_session_options",
    "add_state_options",
    "build_parser",
    "parse_form_field",
    "parse_header",
    "parse_rate",
]


def parse_rate(text: str) -> int:
    """``500K``, ``2M``, ``1.5G`` or plain bytes per second (binary units, as curl's --limit-rate)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (try 500K, 2M or 1G)")
    number, unit = float(match.group(1)), match.group(2).lower()
    rate = int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit])
    if rate <= 0:
        raise argparse.ArgumentTypeError("the rate must be positive")
    return rate


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c in text for c in "\r\n"):
        raise argparse.ArgumentTypeError(f"not a header: {text!r} (use 'Name: value')")
    return name.strip(), value.strip()


def parse_form_field(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not a form field: {text!r} (use KEY=VALUE)")
    return key, value


def add_destination_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe where files go; the window's command line shares them."""
    parser.add_argument(
        "--protocol", choices=[p.value for p in WireProtocol], default=WireProtocol.MULTIPART.value
    )
    parser.add_argument("--method", help="HTTP method (default: POST for multipart, PUT for raw)")
    parser.add_argument("--field", default="file", help="form field name of the file (multipart)")
    parser.add_argument(
        "--chunk-size",
        type=parse_rate,
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skylift-cli", description="Upload files over HTTP: multipart, raw PUT/POST or tus."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    upload = commands.add_parser("upload", help="upload files and folders")
    upload.add_argument("url", help="destination URL (for raw, a URL ending in / receives a tree)")
    upload.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    add_destination_options(upload)
    add_session_options(upload)

    queue = commands.add_parser("queue", help="list persisted tasks")
    add_state_options(queue)
    queue.add_argument("--json", action="store_true", help="one JSON object per task")

    resume = commands.add_parser("resume", help="continue interrupted and queued uploads")
    add_session_options(resume)
    resume.add_argument(
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar='"Name: value"',
        help="header to send again (secret headers are not stored, so give them again here)",
    )
    return parser


def add_session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, metavar="N", help="parallel uploads (4)")
    parser.add_argument("--limit-rate", type=parse_rate, metavar="RATE", help="e.g. 500K, 2M (per session)")
    parser.add_argument("--session", metavar="ID", help="session identifier (re-attaches to its tasks)")
    parser.add_argument("--request-timeout", type=float, default=60.0, metavar="S", help="idle timeout (60)")
    parser.add_argument("--ca-file", type=Path, help="extra CA certificates to trust (PEM)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    add_state_options(parser)
