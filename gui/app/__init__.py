"""The app: ``run`` (``main()`` and ``run_app``), ``compose`` (``build_app``, the composition
root), ``args`` (the command line), ``errors`` (uncaught errors, the GUI-thread garbage
collector)."""

from __future__ import annotations

from .args import adhoc_destination, build_parser, forwarded_args, redacted_command_line, request_options
from .compose import SkyliftApp, apply_request, build_app
from .run import main, run_app

__all__ = [
    "SkyliftApp",
    "adhoc_destination",
    "apply_request",
    "build_app",
    "build_parser",
    "forwarded_args",
    "main",
    "redacted_command_line",
    "request_options",
    "run_app",
]
