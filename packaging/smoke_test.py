"""Start a built Skylift bundle headless, queue one file to a loopback receiver, check that it arrived.

    python packaging/smoke_test.py dist/Skylift/skylift

Standard library only (it checks a bundle, so it must not lean on the development environment). The
app runs with QT_QPA_PLATFORM=offscreen, a temporary --state-dir and --exit-when-done; the smoke test
passes when the app exits 0, the receiver got the file byte for byte as a multipart upload, and the
log file was written in the state folder. Exit status 0 on success, 1 with a reason otherwise.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import hashlib
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path


class Receiver(http.server.ThreadingHTTPServer):
    """Accepts POST uploads on 127.0.0.1 and keeps each multipart file part."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.errors: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/upload"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        found = False
        for part in message.iter_parts() if message.is_multipart() else []:
            filename = part.get_filename()
            if filename:
                self.server.files[filename] = part.get_payload(decode=True) or b""
                found = True
        if not found:
            self.server.errors.append(f"no file part in a {length}-byte {self.headers.get('Content-Type')}")
        self.send_response(201 if found else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def smoke(executable: Path, *, timeout: float) -> str | None:
    """None when the bundle works, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="skylift-smoke-") as temporary:
        folder = Path(temporary)
        upload = folder / "smoke payload.bin"
        content = hashlib.sha256(b"skylift").digest() * 40_000  # 1.25 MB
        upload.write_bytes(content)
        state = folder / "state"
        receiver = Receiver()
        thread = threading.Thread(target=receiver.serve_forever, daemon=True)
        thread.start()
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SKYLIFT_STATE_DIR=str(state))
        env.pop("PYTHONPATH", None)  # the bundle must carry everything itself
        argv = [str(executable), "--state-dir", str(state), "--url", receiver.url, "--exit-when-done"]
        try:
            run = subprocess.run(
                [*argv, str(upload)],
                env=env,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return f"the bundle did not exit within {timeout:.0f} s"
        finally:
            receiver.shutdown()
            receiver.server_close()
        if run.returncode != 0:
            return f"the bundle exited {run.returncode}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
        if receiver.errors:
            return "; ".join(receiver.errors)
        if receiver.files.get(upload.name) != content:
            return f"the receiver did not get {upload.name!r} intact (got {sorted(receiver.files)})"
        logs = list((state / "logs").glob("skylift.log*"))
        if not logs:
            return f"no log file under {state / 'logs'}"
        print(f"smoke test passed: {upload.name} ({len(content)} bytes) uploaded, log at {logs[0].name}")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("executable", type=Path, help="the bundle's executable, e.g. dist/Skylift/skylift")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds the app may take (120)")
    args = parser.parse_args()
    problem = smoke(args.executable.resolve(), timeout=args.timeout)
    if problem:
        print(f"smoke test FAILED: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
