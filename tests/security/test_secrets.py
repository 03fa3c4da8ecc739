"""Secrets never reach the disk or the screen: credentials in URLs (userinfo, presigned query
values), secret headers of every spelling, and a server that echoes them back. Searched for by
value in every file under the state folder and in everything skylift-cli prints, with -v."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clis import run_cli
from tests.conftest import make_file
from tests.security.servers import EchoServer, basic

ROOT = Path(__file__).resolve().parents[2]

SECRETS = {
    "url password": "pa55-URLSECRET1",
    "X-Amz-Signature": "SIGSECRET2abcdef",
    "X-Amz-Credential": "CREDSECRET3",
    "X-Amz-Security-Token": "SECTOKSECRET4",
    "token": "TOKSECRET5",
    "sig": "AZSIGSECRET6",
    "Authorization": "BEARERSECRET7",
    "X-Upload-Key": "UPKEYSECRET8",
    "X-Access-Key": "ACCSECRET9",
    "Api_Key": "APIKSECRET10",
    "X-Auth": "XAUTHSECRET11",
    "X-Auth-Token": "XATSECRET12",
    "Cookie": "COOKSECRET13",
}
HEADERS = [
    f"Authorization: Bearer {SECRETS['Authorization']}",
    f"X-Upload-Key: {SECRETS['X-Upload-Key']}",
    f"X-Access-Key: {SECRETS['X-Access-Key']}",
    f"Api_Key: {SECRETS['Api_Key']}",
    f"X-Auth: {SECRETS['X-Auth']}",
    f"X-Auth-Token: {SECRETS['X-Auth-Token']}",
    f"Cookie: sid={SECRETS['Cookie']}",
    "X-Trace: visible-trace",
]


def secret_url(server: EchoServer, path: str, *, userinfo: bool = False) -> str:
    """A presigned-style URL; with ``userinfo`` also a password in it (httpx then sends Basic
    auth from it, in place of any Authorization header)."""
    names = ("X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "token", "sig")
    query = "&".join(f"{name}={SECRETS[name]}" for name in names)
    user = f"alice:{SECRETS['url password']}@" if userinfo else ""
    return f"http://{user}127.0.0.1:{server.port}{path}?{query}&plain=visible"


def every_secret() -> list[str]:
    return [*SECRETS.values(), basic("alice", SECRETS["url password"])]


def leaks_in(text: str | bytes, where: str) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [f"{value} in {where}" for value in every_secret() if value.encode() in data]


def leaks_on_disk(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            found += leaks_in(path.read_bytes(), str(path.relative_to(folder)))
    return found


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run_cli("-v", *args, timeout=timeout)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer(fail_first=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_secrets_in_urls_and_headers_reach_the_server_and_nothing_else(
    echo: EchoServer, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    source = make_file(tmp_path / "report.pdf", 200_000)
    printed: list[tuple[str, str]] = []
    header_args = [arg for header in HEADERS for arg in ("--header", header)]
    # The killed upload's URL carries a password: its Basic auth stands for the Bearer token.
    other_args = [arg for header in HEADERS[1:] for arg in ("--header", header)]

    # 1. An upload whose first answer (a 500) and second (a 201) echo every credential back.
    first = cli(
        "upload",
        secret_url(echo, "/up"),
        str(source),
        *header_args,
        "--json",
        "--session",
        "sec",
        "--state-dir",
        str(state),
    )
    printed += [(first.stdout, "upload stdout"), (first.stderr, "upload stderr")]
    assert first.returncode == 0, first.stderr
    [record] = [json.loads(line) for line in first.stdout.splitlines()]
    assert record["state"] == "completed"
    assert "<redacted>" in record["response"]

    # 2. The queue, as text and as JSON.
    for args in ((), ("--json",)):
        listing = cli("queue", "--state-dir", str(state), *args)
        assert listing.returncode == 0, listing.stderr
        printed += [(listing.stdout, f"queue {args} stdout"), (listing.stderr, "queue stderr")]
        assert "X-Amz-Signature=<redacted>" in listing.stdout and "plain=visible" in listing.stdout

    # 3. A killed upload, resumed without the secrets (they are named, not guessed), then with them.
    big = make_file(tmp_path / "video.mov", 8 << 20)
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.cli",
            "-v",
            "upload",
            secret_url(echo, "/big", userinfo=True),
            str(big),
            *other_args,
            "--limit-rate",
            "2M",
            "--session",
            "killed",
            "--state-dir",
            str(state),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate()
    printed += [(out, "killed stdout"), (err, "killed stderr")]

    waiting = cli("resume", "--session", "killed", "--state-dir", str(state))
    printed += [(waiting.stdout, "resume stdout"), (waiting.stderr, "resume stderr")]
    assert waiting.returncode == 1
    assert "need secrets that are never stored" in waiting.stderr
    for name in (
        "X-Upload-Key",
        "X-Access-Key",
        "Api_Key",
        "X-Auth",
        "X-Auth-Token",
        "Cookie",
    ):
        assert f'--header "{name}: ..."' in waiting.stderr, waiting.stderr
    assert "(with its credentials)" in waiting.stderr
    resumed = cli(
        "resume",
        "--session",
        "killed",
        "--state-dir",
        str(state),
        *other_args,
        "--url",
        secret_url(echo, "/big", userinfo=True),
        "--json",
    )
    printed += [(resumed.stdout, "resume stdout"), (resumed.stderr, "resume stderr")]
    assert resumed.returncode == 0, resumed.stderr
    assert [json.loads(line)["state"] for line in resumed.stdout.splitlines()] == ["completed"]

    # The server got every secret each time it mattered: the test is not vacuous.
    last = echo.seen[-1]
    assert last.size > 8 << 20 and "X-Amz-Signature=SIGSECRET2abcdef" in last.url
    assert last.headers["Authorization"] == f"Basic {basic('alice', SECRETS['url password'])}"
    assert echo.seen[1].headers["Authorization"] == f"Bearer {SECRETS['Authorization']}"
    assert last.headers["Api_Key"] == SECRETS["Api_Key"]
    assert all(seen.headers.get("X-Trace") == "visible-trace" for seen in echo.seen)

    leaks = leaks_on_disk(state)
    for text, where in printed:
        leaks += leaks_in(text, where)
    assert leaks == []
    # What is not secret is kept and shown as it was.
    assert "visible-trace" in (state / "state.db").read_bytes().decode("latin-1") or any(
        "visible-trace" in p.read_bytes().decode("latin-1") for p in state.glob("state.db*")
    )
