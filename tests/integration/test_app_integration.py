"""The real ``skylift`` (python -m gui.app, offscreen) in subprocesses: single instance, the log, the
token that never reaches it, --exit-when-done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.redaction import REDACTED
from tests.conftest import make_file, sha256_of
from tests.integration.processes import Child, child_env
from tests.servers import ReceiverServer

TOKEN = "tok-4b1d9e0c7a2f58e3"


def app_env(tmp_path: Path) -> dict[str, str]:
    # Settings and keyring stay inside the test: no keyring backend, QSettings under the state dir.
    return child_env(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        SKYLIFT_LANG="en",
    )


def run_app(tmp_path: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gui.app", *args],
        cwd=tmp_path,
        env=app_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_until(condition: object, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_second_skylift_hands_its_file_to_the_running_one(
    tmp_path: Path, receiver: ReceiverServer, children: list[Child]
) -> None:
    state = tmp_path / "state"
    log_file = state / "logs" / "skylift.log"
    primary = Child(
        [sys.executable, "-m", "gui.app", "--state-dir", str(state), "--url", f"{receiver.url}/first"],
        cwd=tmp_path,
        env=app_env(tmp_path),
    )
    children.append(primary)
    # Once the primary holds the state folder's lock, a second start forwards to it (and retries
    # the connection until the primary listens).
    wait_until(lambda: (state / "instance.lock").exists(), what=f"the primary's lock ({primary.stderr})")

    upload = make_file(tmp_path / "handed over.bin", 200_000)
    second = run_app(
        tmp_path, "--state-dir", str(state), "--url", f"{receiver.url}/second", upload.name, timeout=60
    )
    assert second.returncode == 0, second.stderr
    # The running window queued it, to the destination the second start asked for.
    [received] = receiver.wait_for(1)
    assert received.path == "/second" and received.sha256 == sha256_of(upload)
    assert primary.process.poll() is None

    os.kill(primary.process.pid, signal.SIGINT)  # quits as the Quit menu does
    assert primary.process.wait(60) == 0, primary.stderr
    assert "handed over by another start" in log_file.read_text()


def test_verbose_run_with_a_token_uploads_and_never_logs_it(tmp_path: Path, receiver: ReceiverServer) -> None:
    """--exit-when-done quits with 0 once the file is up; the token went to the server in two headers
    and the URL, and appears neither in the log file nor on stderr."""
    state = tmp_path / "state"
    upload = make_file(tmp_path / "secret report.bin", 300_000)
    done = run_app(
        tmp_path,
        "--state-dir",
        str(state),
        "--verbose",
        "--exit-when-done",
        "--url",
        f"{receiver.url}/up?access_token={TOKEN}",
        "--header",
        f"Authorization: Bearer {TOKEN}",
        "--header",
        f"X-Api-Key: {TOKEN}",
        upload.name,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [received] = receiver.received
    assert received.headers["Authorization"] == f"Bearer {TOKEN}"
    assert received.headers["X-Api-Key"] == TOKEN
    assert received.sha256 == sha256_of(upload)

    log_text = "".join(p.read_text() for p in (state / "logs").glob("skylift.log*"))
    # Verbose logging ran (the command line, Skylift's own task lines), while httpx's request lines,
    # which would carry URLs with their credentials, are silenced at the source.
    assert "DEBUG gui.app: command line:" in log_text and "INFO core.session: task " in log_text
    assert "HTTP Request:" not in log_text
    assert TOKEN not in log_text
    assert REDACTED in log_text
    assert TOKEN not in done.stderr and TOKEN not in done.stdout
    # Nor the file's bytes (qasync's debug lines print executor results, the chunks read included).
    assert repr(upload.read_bytes()[:24])[2:-1] not in log_text
    assert len(log_text) < 100_000


def test_exit_when_done_reports_a_failed_upload(tmp_path: Path, receiver: ReceiverServer) -> None:
    receiver.script("/reject", fail_with=[403], body="no uploads for you")
    upload = make_file(tmp_path / "refused.bin", 10_000)
    done = run_app(
        tmp_path,
        "--state-dir",
        str(tmp_path / "state"),
        "--exit-when-done",
        "--url",
        f"{receiver.url}/reject",
        upload.name,
    )
    assert done.returncode == 1, done.stderr[-3000:]
