"""``skylift`` as a user starts it: a real process (offscreen), a real upload, a clean quit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gui.app import build_parser, main
from tests.conftest import make_file, sha256_of
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


def test_command_line_shares_the_cli_destination_options() -> None:
    destination = ["--url", "https://x.example/up/", "--protocol", "raw", "--method", "post", "--field", "f"]
    args = build_parser().parse_args(
        [
            *destination,
            "--form",
            "a=1",
            "--header",
            "X-A: b",
            "--state-dir",
            "/tmp/s",
            "--tray",
            "one.bin",
            "two",
        ]
    )
    # Checked as skylift-cli checks it: the method comes back in capitals.
    assert (args.url, args.protocol, args.method, args.field) == ("https://x.example/up/", "raw", "POST", "f")
    assert args.form == [("a", "1")] and args.header == [("X-A", "b")]
    assert args.tray and [p.name for p in args.paths] == ["one.bin", "two"]


def test_destination_options_need_a_url(capsys: object) -> None:
    try:
        main(["--header", "X-A: b", "file.bin"])
    except SystemExit as exit:
        assert exit.code == 2
    else:
        raise AssertionError("expected a usage error")


def test_skylift_uploads_and_quits_cleanly(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "clip.bin", 3_000_000)
    state = tmp_path / "state"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    log = tmp_path / "app.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gui.app",
                "--url",
                f"{receiver.url}/up",
                "--state-dir",
                str(state),
                str(file),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        [received] = receiver.wait_for(1, timeout=60)
        assert received.sha256 == sha256_of(file)
        # The session records the result before the quit: wait for it in the app's log.
        deadline = time.monotonic() + 30
        while "batch finished: 1 file uploaded" not in _text(state / "logs" / "skylift.log"):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # Ctrl+C: quits like File > Quit (nothing is running)
        assert process.wait(30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text()
    assert "shutting down" in _text(state / "logs" / "skylift.log")


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""
