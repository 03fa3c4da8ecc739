"""moto's S3 in server mode (what ``moto_server`` runs: its Werkzeug app and request handler), with
the raw request target of every request appended to TARGETS (``METHOD /path?query`` as it came
on the request line, before any decoding): moto checks no presigned signature, so the matrix
checks that each URL arrived exactly as botocore signed it.

python moto_app.py PORT TARGETS
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def recording(app: Any, targets: Path) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    lock = threading.Lock()

    def middleware(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        with lock, open(targets, "a", encoding="latin1") as out:
            out.write(f"{environ['REQUEST_METHOD']} {target}\n")
        return app(environ, start_response)  # type: ignore[no-any-return]

    return middleware


if __name__ == "__main__":
    port, targets = int(sys.argv[1]), Path(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, recording(app, targets), threaded=True, request_handler=MotoRequestHandler)
