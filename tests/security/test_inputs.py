"""No traceback for any input: every option of skylift-cli, given something that cannot be used,
ends in one line that says what is wrong (exit 2); names printed to a terminal cannot split lines
or drive it; and ``resume`` continues with the session's own transfer settings."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trustme

from tests.clis import run_cli
from tests.conftest import make_file
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, timeout=timeout)


BAD_UPLOADS = {
    "port out of range": (["http://127.0.0.1:99999/up"], "port 99999 is not"),
    "space in the URL": (["http://127.0.0.1/a b"], "the URL contains a space"),
    "unclosed IPv6 bracket": (["http://[::1"], "not a valid URL (Invalid IPv6 URL)"),
    "no host": (["http:///up"], "the URL has no host"),
    "not http": (["ftp://127.0.0.1/"], "must start with http:// or https://"),
    "port zero": (["http://127.0.0.1:0/"], "port 0 is not between 1 and 65535"),
    "non-ASCII header value": (["http://127.0.0.1/", "--header", "X-Name: café"], "outside printable ASCII"),
    "header without colon": (["http://127.0.0.1/", "--header", "NoColon"], "not a header"),
    "header name with space": (["http://127.0.0.1/", "--header", "Bad Name: v"], "not a header name"),
    "framing header": (["http://127.0.0.1/", "--header", "content-length: 5"], "set by Skylift itself"),
    "request timeout 0": (["http://127.0.0.1/", "--request-timeout", "0"], "more than 0 seconds"),
    "request timeout nan": (["http://127.0.0.1/", "--request-timeout", "nan"], "more than 0 seconds"),
    "request timeout text": (["http://127.0.0.1/", "--request-timeout", "soon"], "a number of seconds"),
    "session with a slash": (["http://127.0.0.1/", "--session", "a/b"], "not a session identifier"),
    "rate abc": (["http://127.0.0.1/", "--limit-rate", "abc"], "not a rate"),
    "rate zero": (["http://127.0.0.1/", "--limit-rate", "0"], "more than zero"),
    "chunk size abc": (["http://127.0.0.1/", "--protocol", "tus", "--chunk-size", "big"], "not a size"),
    "concurrency 0": (["http://127.0.0.1/", "--concurrency", "0"], "between 1 and 64"),
    "concurrency text": (["http://127.0.0.1/", "--concurrency", "many"], "not a whole number"),
    "method with a space": (["http://127.0.0.1/", "--method", "P T"], "not an HTTP method"),
    "empty field name": (["http://127.0.0.1/", "--field", ""], "not a form field name"),
    "form without =": (["http://127.0.0.1/", "--form", "novalue"], "not a form field"),
    "unknown protocol": (["http://127.0.0.1/", "--protocol", "ftp"], "invalid choice"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_every_bad_upload_option_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    args, expected = BAD_UPLOADS[case]
    url, *options = args
    source = make_file(tmp_path / "f.bin", 10)
    result = cli("upload", url, str(source), *options, "--state-dir", str(tmp_path / "state"))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr.splitlines()[-1], result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "CA file not found"),
        (b"", "CA file is empty"),
        (b"not a certificate", "holds no PEM certificate"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "cannot be loaded"),
    ],
    ids=["missing", "empty", "not PEM", "broken PEM"],
)
def test_a_ca_file_that_cannot_be_used_is_one_line(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_bytes(content)
    result = cli("upload", "http://127.0.0.1/", str(make_file(tmp_path / "f", 1)), "--ca-file", str(ca))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in result.stderr.splitlines()[-1]


def test_a_link_to_itself_is_named_as_a_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = cli("upload", "http://127.0.0.1/", str(loop))
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[-1]
        == f"skylift-cli: error: {loop}: symbolic link loop (Too many levels of symbolic links)"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["resume", "--session", "x/y"],
        ["resume", "--url", "http://h:70000/"],
        ["resume", "--header", "Host: x"],
        ["resume", "--limit-rate", "-1"],
        ["queue", "--bogus"],
        ["nonsense"],
    ],
)
def test_other_commands_refuse_bad_options_in_one_line(command: list[str], tmp_path: Path) -> None:
    result = cli(*command, "--state-dir", str(tmp_path / "state"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("skylift-cli")


def test_names_with_line_breaks_and_escapes_cannot_split_lines_or_reach_the_terminal(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    nasty = "evil\r\nfailed other.bin: forged\x1b[2J\x1b]0;pwned\x07.bin"
    make_file(folder / nasty, 100)
    receiver.script("/bad", fail_with=[400], body="no\r\nforged line\x1b[31m")
    state = tmp_path / "state"
    upload = cli("upload", f"{receiver.url}/bad", str(folder), "--state-dir", str(state))
    assert upload.returncode == 1
    [line] = upload.stderr.splitlines()
    assert line.startswith(
        "failed in/evil\\x0d\\x0afailed other.bin: forged\\x1b[2J\\x1b]0;pwned\\x07.bin: HTTP 400"
    )
    assert "\x1b" not in upload.stderr
    listing = cli("queue", "--state-dir", str(state))
    assert (
        len(listing.stdout.splitlines()) == 1 and "\x1b" not in listing.stdout and "\r" not in listing.stdout
    )
    record = json.loads(cli("queue", "--json", "--state-dir", str(state)).stdout)
    assert record["name"] == f"in/{nasty}"  # JSON carries the exact name, escaped by JSON itself


def test_resume_continues_with_the_sessions_ca_file_and_rate(
    tmp_path: Path, tls_receiver: ReceiverServer, ca_file: Path, certificate_authority: trustme.CA
) -> None:
    """A company-CA upload killed mid-way resumes without --ca-file: the session's settings are
    kept (never its secrets), so the certificate check still passes."""
    tls_receiver.script("/slow", read_delay=0.002)
    big = make_file(tmp_path / "big.bin", 6 << 20)
    state = tmp_path / "state"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.cli",
            "upload",
            f"{tls_receiver.url}/slow",
            str(big),
            "--ca-file",
            str(ca_file),
            "--limit-rate",
            "2M",
            "--concurrency",
            "2",
            "--request-timeout",
            "30",
            "--session",
            "company",
            "--state-dir",
            str(state),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.stderr is not None
    child.stderr.close()
    db = sqlite3.connect(state / "state.db")
    try:
        [(settings,)] = db.execute("SELECT settings FROM sessions WHERE session_id = 'company'").fetchall()
    finally:
        db.close()
    assert json.loads(settings) == {
        "bandwidth_limit": 2 << 20,
        "ca_file": str(ca_file),
        "max_concurrent_uploads": 2,
        "request_timeout": 30.0,
        "resource_timeout": 7 * 24 * 3600.0,
    }
    resumed = cli("resume", "--session", "company", "--state-dir", str(state), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert [json.loads(line)["state"] for line in resumed.stdout.splitlines()] == ["completed"]
    # Without the stored CA the certificate check would have failed.
    assert tls_receiver.received and tls_receiver.received[-1].size == 6 << 20
