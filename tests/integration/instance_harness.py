"""A minimal program built on gui.single_instance, for the two-process tests.

    python -m tests.integration.instance_harness --state-dir DIR [--url URL] [PATH...]

The primary prints ``primary <pid>`` and then one JSON line per request it receives, showing a
window that each request brings to the front; a secondary forwards its paths and exits 0 (1 when
nobody answered). The primary quits when its standard input closes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication, QMainWindow

from gui.single_instance import InstanceRequest, InstanceRole, SingleInstance, bring_to_front


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--url")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    instance = SingleInstance(args.state_dir)
    if instance.start() is InstanceRole.SECONDARY:
        request = InstanceRequest.from_command_line(args.paths, {"url": args.url})
        return 0 if instance.forward(request) else 1

    window = QMainWindow()
    window.showMinimized()

    def handle(request: InstanceRequest) -> None:
        bring_to_front(window, request.activation_token)
        record = {
            "paths": list(request.paths),
            "options": dict(request.options),
            "token": request.activation_token,
            "visible": window.isVisible(),
            "minimized": window.isMinimized(),
        }
        print(json.dumps(record), flush=True)

    instance.request_received.connect(handle)
    # Quit when the test closes our stdin (or dies): no orphaned primaries.
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: app.quit() if not sys.stdin.buffer.read1(4096) else None)
    print(f"primary {os.getpid()}", flush=True)
    status = app.exec()
    instance.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
