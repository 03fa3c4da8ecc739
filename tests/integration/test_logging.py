"""The log file: where it lives, rotation, --verbose, "Show log", and secrets never written."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

import core
from core.redaction import REDACTED
from gui import logging_setup
from gui.logging_setup import SecretRedactor, create_show_log_action, log_dir, setup_logging
from tests.conftest import make_file
from tests.servers import ReceiverServer

TOKEN = "sk-live-7f3a9c1e5b2d4f60"


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SKYLIFT_STATE_DIR", raising=False)
    root = logging.getLogger()
    level = root.level
    # A fresh redactor per test: what one test taught it must not make another pass.
    monkeypatch.setattr(logging_setup, "redactor", SecretRedactor())
    yield
    setup_logging(to_file=False, to_stderr=False)
    root.setLevel(level)


@pytest.mark.parametrize(
    "message",
    [
        f"Authorization: Bearer {TOKEN}",
        f"authorization:{TOKEN}",
        f"headers={{'Authorization': 'Bearer {TOKEN}', 'Accept': '*/*'}}",
        f'{{"X-Api-Key": "{TOKEN}"}}',
        f"[(b'Authorization', b'Bearer {TOKEN}'), (b'Host', b'example')]",
        f"POST https://example.test/up?access_token={TOKEN}&name=a.bin",
        f"https://uploader:{TOKEN}@example.test/up",
        f"argv ['--header', 'X-Auth-Token: {TOKEN}', 'file.bin']",
        f"Cookie: session={TOKEN}; theme=dark",
        f"retrying with Bearer {TOKEN} in 3 s",
        f"password={TOKEN}",
    ],
)
def test_redactor_removes_the_token(message: str) -> None:
    redacted = SecretRedactor().redact(message)
    assert TOKEN not in redacted
    assert REDACTED in redacted


def test_redactor_keeps_ordinary_text() -> None:
    redactor = SecretRedactor()
    for text in (
        "task gui/3 holiday.jpg: completed",
        "uploaded 12 files, 1 failed: HTTP 500",
        "the token, which expired, was renewed",
        "Content-Type: multipart/form-data; boundary=abc",
        "POST http://127.0.0.1:8080/up?name=a.bin",
    ):
        assert redactor.redact(text) == text


def test_a_value_seen_once_is_redacted_everywhere_after() -> None:
    redactor = SecretRedactor()
    redactor.redact(f"Authorization: Bearer {TOKEN}")
    assert redactor.redact(f"raw {TOKEN}!") == f"raw {REDACTED}!"
    redactor.add_secret("hunter2-password")
    assert redactor.redact("typed hunter2-password") == f"typed {REDACTED}"


def test_log_file_lives_under_the_state_dir_or_the_platform_folder(tmp_path: Path) -> None:
    assert log_dir(tmp_path) == tmp_path / "logs"
    assert log_dir(None) == platformdirs.user_log_path("Skylift", appauthor=False)


def test_state_dir_from_the_environment_keeps_the_log_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKYLIFT_STATE_DIR", str(tmp_path / "profile"))
    assert log_dir() == tmp_path / "profile" / "logs"


def test_verbose_writes_debug_lines_and_quiet_does_not(tmp_path: Path) -> None:
    log_file = setup_logging(state_dir=tmp_path / "quiet", to_stderr=False)
    assert log_file is not None
    logging.getLogger("core.session").debug("debug line")
    logging.getLogger("core.session").info("info line")
    verbose_file = setup_logging(state_dir=tmp_path / "loud", verbose=True, to_stderr=False)
    assert verbose_file is not None
    logging.getLogger("gui.app").debug("debug line")
    setup_logging(to_file=False, to_stderr=False)  # closes the files
    assert "info line" in log_file.read_text() and "debug line" not in log_file.read_text()
    assert "debug line" in verbose_file.read_text()


def test_the_log_rotates(tmp_path: Path) -> None:
    log_file = setup_logging(state_dir=tmp_path, to_stderr=False)
    assert log_file is not None
    line = "x" * 1000
    for _ in range(logging_setup.MAX_LOG_BYTES // 1000 + 10):
        logging.getLogger("core").info(line)
    assert log_file.with_name("skylift.log.1").exists()
    assert log_file.stat().st_size < logging_setup.MAX_LOG_BYTES


def test_tracebacks_are_redacted(tmp_path: Path) -> None:
    log_file = setup_logging(state_dir=tmp_path, to_stderr=False)
    assert log_file is not None
    try:
        raise RuntimeError(f"server refused headers {{'Authorization': 'Bearer {TOKEN}'}}")
    except RuntimeError:
        logging.getLogger("core.session").exception("upload task crashed")
    text = log_file.read_text()
    assert "RuntimeError" in text and TOKEN not in text


def test_show_log_opens_the_log_file(qapp: object, tmp_path: Path) -> None:
    log_file = setup_logging(state_dir=tmp_path, to_stderr=False)
    assert log_file is not None

    class Opener(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.opened: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.opened.append(url)

    opener = Opener()
    # Qt's own seam for "open this URL": the desktop's viewer is replaced by our handler.
    QDesktopServices.setUrlHandler("file", opener, "open")
    try:
        owner = QObject()
        action = create_show_log_action(owner, log_file)
        assert action.shortcut().toString() and action.text()
        action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [url.toLocalFile() for url in opener.opened] == [str(log_file)]


def test_token_of_a_destination_never_reaches_the_log(tmp_path: Path, receiver: ReceiverServer) -> None:
    """A verbose run uploads with an Authorization header to a real loopback receiver; the header
    reaches the server, and the token is nowhere in the log, whatever logged it."""
    log_file = setup_logging(state_dir=tmp_path / "state", verbose=True, to_stderr=False)
    assert log_file is not None
    file = make_file(tmp_path / "report.bin", 300_000)
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Api-Key": TOKEN}
    destination = core.Destination(url=f"{receiver.url}/up?token={TOKEN}", headers=headers)
    log = logging.getLogger("gui.app")

    async def run() -> None:
        manager = core.SessionManager(tmp_path / "state")
        session = manager.create_session(core.SessionConfiguration(identifier="secret-test"))
        # What a careless caller might log: the destination itself, the headers, the URL.
        log.debug("queueing %s to %r", file, destination)
        log.info("headers: %s", dict(destination.headers))
        session.upload_file(file, destination)
        await session.wait_until_quiet()
        await manager.close()

    asyncio.run(run())
    setup_logging(to_file=False, to_stderr=False)
    [received] = receiver.wait_for(1)
    assert received.headers["Authorization"] == f"Bearer {TOKEN}"
    text = log_file.read_text()
    assert "HTTP Request" in text or "completed" in text  # verbose logging really ran
    assert TOKEN not in text
    assert REDACTED in text
