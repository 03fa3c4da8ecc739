"""The window's command line: the CLI's own option checks, every option handed over by a second start
reaching the running window (and its live session), and a command line logged without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import TaskState, WireProtocol
from gui.app import (
    adhoc_destination,
    apply_request,
    build_parser,
    forwarded_args,
    main,
    redacted_command_line,
    request_options,
)
from gui.destinations import ADHOC_ID
from gui.single_instance import InstanceRequest
from tests.conftest import make_file, sha256_of
from tests.gui.conftest import GuiApp, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]


def test_every_option_survives_the_hand_over(ca_file: Path) -> None:
    argv = [
        "--url",
        "https://u:pw-1a2b3c@files.example/up?sig=s1g-9d8e",
        "--protocol",
        "tus",
        "--method",
        "put",
        "--field",
        "media",
        "--form",
        "album=2026",
        "--header",
        "X-Client: tests",
        "--header",
        "Authorization: Bearer t0k-55aa",
        "--chunk-size",
        "50M",
        "--concurrency",
        "3",
        "--limit-rate",
        "2M",
        "--request-timeout",
        "30",
        "--ca-file",
        str(ca_file),
    ]
    args = build_parser().parse_args(argv)
    options = request_options(args)
    # What travels over the local socket is JSON, and comes back the same.
    again = forwarded_args(json.loads(json.dumps(options)))
    for name in ("url", "protocol", "method", "field", "form", "header", "chunk_size"):
        assert getattr(again, name) == getattr(args, name), name
    for name in ("concurrency", "limit_rate", "request_timeout", "ca_file"):
        assert getattr(again, name) == getattr(args, name), name
    given = adhoc_destination(again)
    assert given is not None
    destination, secrets = given
    assert (destination.concurrency, destination.bandwidth_limit, destination.chunk_size) == (
        3,
        2 << 20,
        50 << 20,
    )
    assert destination.ca_file == str(ca_file) and destination.request_timeout == 30
    assert destination.method == "PUT" and destination.protocol is WireProtocol.TUS
    # Its secrets are kept apart: the destination itself holds none.
    assert destination.url == "https://u:<redacted>@files.example/up?sig=<redacted>"
    assert dict(destination.headers) == {"X-Client": "tests"} and destination.secret_headers == (
        "Authorization",
    )
    assert secrets.url == args.url and dict(secrets.headers) == {"Authorization": "Bearer t0k-55aa"}
    core = destination.core_destination(secrets)
    assert (
        core.url == args.url and core.options.chunk_size == 50 << 20 and core.unstored_secrets == frozenset()
    )
    configuration = destination.session_configuration(secrets)
    assert configuration.ca_file == ca_file and configuration.bandwidth_limit == 2 << 20
    assert configuration.max_concurrent_uploads == 3 and configuration.request_timeout == 30


def test_only_given_options_are_handed_over() -> None:
    assert request_options(build_parser().parse_args(["a.bin"])) == {}
    assert request_options(build_parser().parse_args(["--url", "http://h.example/up"])) == {
        "url": "http://h.example/up"
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--url", "https://h.example:99999/up"], "port 99999"),
        (["--url", "ftp://h.example/"], "http:// or https://"),
        (["--url", "https://h.example/", "--limit-rate", "fast"], "not a rate"),
        (["--url", "https://h.example/", "--concurrency", "0"], "between 1 and 64"),
        (["--url", "https://h.example/", "--ca-file", "/nonexistent.pem"], "CA file not found"),
        (["--url", "https://h.example/", "--header", "Content-Length: 3"], "set by Skylift itself"),
        (["--limit-rate", "2M", "x.bin"], "give --url too"),
        (["--ca-file", __file__, "x.bin"], "--ca-file"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert expected in error and "Traceback" not in error


def test_a_bad_hand_over_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="not a rate"):
        forwarded_args({"url": "https://h.example/", "limit_rate": "fast"})
    # As an older version sends them; and options this version does not know are left out.
    older = forwarded_args({"url": "https://h.example/", "header": ["X-A: 1"], "limit_rate": "2M"})
    assert older.header == [("X-A", "1")] and older.limit_rate == 2 << 20
    assert forwarded_args({"url": "https://h.example/", "colour": "blue"}).url == "https://h.example/"


def test_the_command_line_is_logged_without_secrets() -> None:
    argv = [
        "--url",
        "https://u:pw-1a2b3c@files.example/up?X-Amz-Signature=s1g-9d8e&a=1",
        "--header",
        "Authorization: Bearer t0k-55aa",
        "--header=X-Api-Key: k3y-77",
        "--head",
        "Cookie: c00kie-1",
        "--form",
        "session=s3ss-2",
        "--header",
        "X-Client: tests",
        "clip.bin",
    ]
    shown = " ".join(redacted_command_line(argv))
    for secret in ("pw-1a2b3c", "s1g-9d8e", "t0k-55aa", "k3y-77", "c00kie-1", "s3ss-2"):
        assert secret not in shown, shown
    assert "X-Client: tests" in shown and "clip.bin" in shown and "a=1" in shown


@pytest.mark.asyncio
async def test_a_second_start_hands_every_option_to_the_running_window(
    tmp_path: Path, tls_receiver: ReceiverServer, ca_file: Path
) -> None:
    files = [make_file(tmp_path / "in" / f"clip-{n}.bin", 100_000 + n) for n in range(2)]
    url = f"{tls_receiver.url}/up"

    def second_start(app: GuiApp, *argv: str, paths: list[Path]) -> None:
        options = request_options(build_parser().parse_args(list(argv)))
        apply_request(InstanceRequest.from_command_line(paths, json.loads(json.dumps(options))), app=app.app)

    async with running_app(tmp_path / "state") as app:
        second_start(
            app,
            "--url",
            url,
            "--ca-file",
            str(ca_file),
            "--limit-rate",
            "4M",
            "--concurrency",
            "3",
            "--method",
            "PUT",
            "--field",
            "media",
            "--form",
            "album=2026",
            "--header",
            "X-Client: second-start",
            paths=[files[0]],
        )
        adhoc = app.destinations.adhoc
        assert adhoc is not None and app.window.current_destination() == adhoc
        await until(
            lambda: app.states() == [TaskState.COMPLETED],
            what=lambda: f"the upload ({[(t.state, t.error) for t in app.rows()]})",
        )
        [received] = tls_receiver.received
        assert received.method == "PUT" and received.field_name == "media"
        assert received.form == {"album": "2026"} and received.headers["X-Client"] == "second-start"
        assert received.sha256 == sha256_of(files[0])
        session = app.manager.sessions[adhoc.session_id]
        configuration = session.configuration
        assert configuration.ca_file == ca_file
        assert configuration.bandwidth_limit == 4 << 20 and configuration.max_concurrent_uploads == 3

        # The same URL with another rate: the live session takes it.
        second_start(app, "--url", url, "--ca-file", str(ca_file), "--limit-rate", "1M", paths=[files[1]])
        await until(lambda: app.states() == [TaskState.COMPLETED] * 2, what="the second upload")
        session = app.manager.sessions[adhoc.session_id]
        assert session.configuration.bandwidth_limit == 1 << 20
        assert app.window.destinations.combo.currentData() == ADHOC_ID


def test_the_window_command_line_shares_the_cli_options() -> None:
    args = build_parser().parse_args(["--url", "https://x.example/up/"])
    assert args.ca_file is None and args.limit_rate is None and args.concurrency is None
    for flag in ("--ca-file", "--limit-rate", "--concurrency", "--request-timeout", "--chunk-size"):
        assert flag in build_parser().format_help()
