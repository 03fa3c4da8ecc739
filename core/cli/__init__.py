"""skylift-cli: the upload engine without a window.

Exit status: 0 when every file uploaded, 1 when any failed or a given path could not be read (or
the state database cannot be used), 2 for a usage error, 130 when interrupted (the unfinished
uploads are recorded and ``skylift-cli resume`` continues them).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from ..errors import SkyliftError
from ..manager import SessionManager
from ..text import printable
from ..walker import collect_files
from .arguments import add_destination_options, add_state_options, build_parser, parse_rate
from .commands import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    destination_from_args,
    resume,
    show_queue,
    upload,
)

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "add_destination_options",
    "add_state_options",
    "build_parser",
    "main",
    "parse_rate",
]


async def run(args: argparse.Namespace) -> int:
    manager = SessionManager(args.state_dir)
    code = EXIT_FAILED
    try:
        if args.command == "upload":
            code = await upload(args, manager)
        else:
            code = await resume(args, manager)
    finally:
        # Unfinished uploads (Ctrl-C) are recorded as interrupted for `skylift-cli resume`.
        unsaved = await manager.close()
        if unsaved:
            print(f"warning: {printable(unsaved)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        # Without -v only errors: what a user must know (failures, store trouble) the CLI says
        # itself, in one line.
        level=logging.INFO if args.verbose else logging.ERROR,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "upload":
        try:
            destination_from_args(args, args.url)
        except ValueError as error:
            parser.error(str(error))
        missing = [p for p in args.paths if not p.exists()]
        if missing and len(missing) == len(args.paths):
            # The walker's words: "symbolic link loop", "broken symbolic link", not just "missing".
            problems = collect_files(missing).problems
            parser.error("; ".join(str(problem) for problem in problems) or "no such file or folder")
    try:
        if args.command == "queue":
            return show_queue(args)
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        print(
            "interrupted: unfinished uploads are recorded; `skylift-cli resume` continues them",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except SkyliftError as error:
        print(f"skylift-cli: {printable(str(error))}", file=sys.stderr)
        return EXIT_FAILED
