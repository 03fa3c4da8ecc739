"""The window's command line: parsed and checked as ``skylift-cli upload``'s is, the ad-hoc
destination it describes, and what a second start hands to the running window."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from core import WireProtocol
from core.cli.arguments import add_destination_options, add_state_options, add_transfer_options, parse_url
from core.redaction import REDACTED, is_secret_header, redact_url

from ..destinations import ADHOC_ID, DestinationSecrets, SavedDestination, describe_url

__all__ = [
    "DESTINATION_OPTIONS",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "FORWARDED_OPTIONS",
    "adhoc_destination",
    "build_parser",
    "check_args",
    "forwarded_args",
    "redacted_command_line",
    "request_options",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


# The options that describe the ad-hoc destination: they need --url, and a second start hands
# every one of them to the running window.
DESTINATION_OPTIONS = (
    "protocol",
    "method",
    "field",
    "form",
    "header",
    "chunk_size",
    "concurrency",
    "limit_rate",
    "request_timeout",
    "ca_file",
)
FORWARDED_OPTIONS = ("url", *DESTINATION_OPTIONS)


class _ArgumentParser(argparse.ArgumentParser):
    """With ``raise_errors`` (a request handed over by a second start), a usage error raises
    ``ValueError`` instead of printing and exiting the running window."""

    raise_errors = False

    def error(self, message: str) -> Any:
        if self.raise_errors:
            raise ValueError(message)
        return super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog="skylift",
        description="Skylift's window: drop files and folders to upload them.",
        epilog="With --url, PATHs are queued to that ad-hoc destination; without it, to the "
        "destination chosen last in the window.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to upload")
    parser.add_argument(
        "--url", type=parse_url, help="upload to this URL (an ad-hoc destination, like skylift-cli upload)"
    )
    # The same destination, transfer and state options as `skylift-cli upload`, checked the same way.
    add_destination_options(parser)
    add_transfer_options(parser)
    add_state_options(parser)
    parser.add_argument("--tray", action="store_true", help="start hidden in the system tray")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument(
        "--install-desktop-entry", action="store_true", help="add Skylift to the desktop's menu"
    )
    parser.add_argument("--uninstall-desktop-entry", action="store_true", help="remove that menu entry")
    parser.add_argument(
        "--exit-when-done",
        action="store_true",
        help="quit when the queued uploads have finished, with status 1 if any failed (scripts, smoke test)",
    )
    return parser


def adhoc_destination(args: argparse.Namespace) -> tuple[SavedDestination, DestinationSecrets] | None:
    """The command line's destination, with its secrets (URL credentials, secret headers) taken
    out: the window keeps those in memory for this run only."""
    if not args.url:
        return None
    full = SavedDestination(
        id=ADHOC_ID,
        name=QCoreApplication.translate("App", "{destination} (command line)").format(
            destination=describe_url(args.url)
        ),
        url=args.url,
        protocol=WireProtocol(args.protocol),
        method=args.method,
        field_name=args.field or "file",
        form_fields=dict(args.form),
        headers=dict(args.header),
        concurrency=args.concurrency or 4,
        bandwidth_limit=args.limit_rate,
        chunk_size=args.chunk_size,
        ca_file=str(args.ca_file) if args.ca_file else None,
        request_timeout=args.request_timeout,
        adhoc=True,
    )
    return full.sanitized()


def _given(args: argparse.Namespace, names: Sequence[str]) -> list[str]:
    defaults = build_parser().parse_args([])
    return [name for name in names if getattr(args, name) != getattr(defaults, name)]


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    given = _given(args, DESTINATION_OPTIONS)
    if given and not args.url:
        parser.error(f"--{given[0].replace('_', '-')} describes an ad-hoc destination: give --url too")


def request_options(args: argparse.Namespace) -> dict[str, Any]:
    """The destination options of this command line (those given), as JSON-able values, for a
    running Skylift to apply (``forwarded_args`` reads them back)."""
    options: dict[str, Any] = {}
    for name in _given(args, FORWARDED_OPTIONS):
        value = getattr(args, name)
        if isinstance(value, Path):
            value = str(value)
        elif name in ("form", "header"):
            value = [list(pair) for pair in value]
        options[name] = value
    return options


def forwarded_args(options: dict[str, Any]) -> argparse.Namespace:
    """A second start's ``request_options`` as parsed arguments, checked again as the command line
    is (a request from another version may differ). Raises ``ValueError`` with one line."""
    argv: list[str] = []
    for name, value in options.items():
        if name not in FORWARDED_OPTIONS or value is None:
            continue  # an option this version does not know: ignored
        flag = f"--{name.replace('_', '-')}"
        if name in ("form", "header"):
            if not isinstance(value, list):
                raise ValueError(f"{flag}: not a list")
            separator = "=" if name == "form" else ": "
            for pair in value:
                if isinstance(pair, str):  # as older versions sent them: "Name: value", "key=value"
                    argv.append(f"{flag}={pair}")
                elif isinstance(pair, list) and len(pair) == 2:
                    argv.append(f"{flag}={pair[0]}{separator}{pair[1]}")
                else:
                    raise ValueError(f"{flag}: not a pair")
        else:
            argv.append(f"{flag}={value}")
    parser = build_parser()
    assert isinstance(parser, _ArgumentParser)
    parser.raise_errors = True
    return parser.parse_args(argv)


def redacted_command_line(arguments: Sequence[str]) -> list[str]:
    """The command line as it may be logged: URLs redacted, values of secret headers and form
    fields replaced (at the source, not left for the log filter to catch)."""
    shown: list[str] = []
    takes_pair = False
    for argument in arguments:
        text = argument
        flag, equals, value = argument.partition("=") if argument.startswith("--") else ("", "", argument)
        pair = value if (takes_pair or (equals and _is_pair_option(flag))) else None
        if pair is not None:
            name, sep, _ = pair.partition(":" if ":" in pair else "=")
            if sep and is_secret_header(name):
                pair = f"{name}{sep} {REDACTED}" if sep == ":" else f"{name}{sep}{REDACTED}"
            text = f"{flag}={pair}" if equals else pair
        if "://" in text:
            head, _, url = text.partition("=") if text.startswith("--") else ("", "", text)
            text = f"{head}={redact_url(url)}" if head else redact_url(url)
        takes_pair = not equals and _is_pair_option(argument)
        shown.append(text)
    return shown


def _is_pair_option(flag: str) -> bool:
    # argparse accepts unambiguous abbreviations (--head for --header).
    return len(flag) > 3 and ("--header".startswith(flag) or "--form".startswith(flag))
