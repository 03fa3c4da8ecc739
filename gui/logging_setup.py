"""Skylift's log: a rotating file in the platform log folder, secrets redacted before anything is written.

- Where: ``platformdirs.user_log_path("Skylift")`` (Linux ``~/.local/state/Skylift/log``, macOS
  ``~/Library/Logs/Skylift``, Windows ``%LOCALAPPDATA%\\Skylift\\Logs``), or ``<state dir>/logs`` when a
  state folder is given (``--state-dir`` or ``$SKYLIFT_STATE_DIR``), so that a profile, and a test, keep
  their log beside their state.
- ``--verbose`` lowers the threshold to DEBUG (the file and stderr); otherwise the file gets INFO and
  stderr WARNING.
- ``SecretRedactor`` sits on every handler (a filter on a logger would miss records propagated from
  child loggers such as ``httpx`` or ``core.session``). It redacts the values of secret headers
  (``core.redaction.is_secret_header``) in any ``name: value`` / ``name=value`` / ``('name', 'value')``
  spelling, ``Bearer`` tokens anywhere, passwords in URLs, and any literal value registered with
  ``register_secret`` (a destination's token from the keyring). Values it redacts by pattern are also
  remembered, so the same token is caught later in a form no pattern knows.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence

from core.paths import APP_NAME
from core.redaction import REDACTED, is_secret_header

__all__ = [
    "LOG_FILE_NAME",
    "SecretRedactor",
    "create_show_log_action",
    "log_dir",
    "open_log_file",
    "redactor",
    "register_secret",
    "setup_logging",
]

LOG_FILE_NAME = "skylift.log"
MAX_LOG_BYTES = 2 << 20
LOG_BACKUPS = 4
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_OUR_HANDLER = "_skylift_handler"

# Values shorter than this are not learned (they would redact ordinary words everywhere).
_MIN_LEARNED = 6
_MAX_LEARNED = 512

_SCHEMES = r"(?:bearer|basic|digest|token|bot|apikey|negotiate|ntlm|hawk|aws4-hmac-sha256)"
_SCHEME_PREFIX = re.compile(rf"{_SCHEMES}\s+", re.IGNORECASE)
# A name, optionally quoted (and bytes-quoted, as in httpcore's header tuples), and a separator. What
# follows is the value: quoted (up to the matching quote), after ':' (to the end of the line: header
# values contain spaces and ';'), or after '=' (to the next delimiter, as in a query string).
_NAME_SEP = re.compile(r"""(?<![\w.-])(?P<name>[A-Za-z][\w.-]*)(?P<nq>['"]?)(?P<sep>\s*[:=]\s*|\s*,\s*)b?""")
_BEARER = re.compile(r"\b(?P<scheme>bearer\s+)(?P<token>[A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<password>[^/\s@]+)(?=@)", re.I)
_EQUALS_END = re.compile(r"[\s&,;'\")\]}>]")
_LINE_END = re.compile(r"[\r\n]")


class SecretRedactor(logging.Filter):
    """A handler filter that rewrites each record's message (and traceback) with secrets redacted."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._traceback_formatter = logging.Formatter()

    def add_secret(self, value: str) -> None:
        """Redact this exact value wherever it appears from now on (a token, a password)."""
        value = value.strip()
        if len(value) >= 4 and REDACTED not in value and not REDACTED.startswith(value):
            with self._lock:
                if len(self._secrets) < _MAX_LEARNED:
                    self._secrets.add(value)
                # An "Authorization" value is also sent without its scheme ("Bearer abc" -> "abc").
                scheme, _, rest = value.partition(" ")
                if rest and re.fullmatch(_SCHEMES, scheme, re.I) and len(rest) >= 4:
                    self._secrets.add(rest.strip())

    def _learn(self, value: str) -> None:
        if len(value) >= _MIN_LEARNED and REDACTED not in value and not REDACTED.startswith(value):
            self.add_secret(value)

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = _URL_PASSWORD.sub(self._url_password, text)
        text = self._redact_pairs(text)
        text = _BEARER.sub(self._bearer, text)
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def _url_password(self, match: re.Match[str]) -> str:
        self._learn(match["password"])
        return match["head"] + REDACTED

    def _bearer(self, match: re.Match[str]) -> str:
        self._learn(match["token"])
        return match["scheme"] + REDACTED

    def _redact_pairs(self, text: str) -> str:
        """Every ``secret-name <sep> value``: the value becomes REDACTED (an auth scheme is kept)."""
        out: list[str] = []
        pos = 0
        while (match := _NAME_SEP.search(text, pos)) is not None:
            secret_name = is_secret_header(match["name"])
            # ("token", which...) in prose is not a ('name', 'value') pair.
            if not secret_name or ("," in match["sep"] and not match["nq"]):
                out.append(text[pos : match.end("name")])
                pos = match.end("name")  # the value may itself hold pairs: "headers: {...}"
                continue
            start = match.end()
            quote = text[start] if start < len(text) and text[start] in "'\"" else ""
            already = start + len(quote)
            if text.startswith(REDACTED, already):
                # Redacted at the source already: kept as it is (and "<redacted" is not learned).
                out.append(text[pos : already + len(REDACTED)])
                pos = already + len(REDACTED)
                continue
            if quote:
                end = start + 1
                while end < len(text) and text[end] != quote:
                    end += 2 if text[end] == "\\" else 1
                value, after = text[start + 1 : end], min(end + 1, len(text))
            else:
                opener = text[match.start() - 1] if match.start() else ""
                if opener in ("'", '"') and not match["nq"]:
                    # 'Authorization: Bearer x' inside a quoted string (an argv list): ends at its quote.
                    found_at = text.find(opener, start)
                    end = found_at if found_at >= 0 else len(text)
                else:
                    delimiter = _EQUALS_END if "=" in match["sep"] else _LINE_END
                    found = delimiter.search(text, start)
                    end = found.start() if found else len(text)
                value, after = text[start:end], end
            scheme = _SCHEME_PREFIX.match(value)
            kept = scheme.group(0) if scheme else ""
            self._learn(value[len(kept) :].strip())
            out.append(f"{text[pos:start]}{quote}{kept}{REDACTED}{quote}")
            pos = after
        out.append(text[pos:])
        return "".join(out)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_skylift_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log what we have rather than nothing
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        record._skylift_redacted = True
        return True


redactor = SecretRedactor()


def register_secret(value: str) -> None:
    """Never let ``value`` reach the log (call it for every token or password the app handles)."""
    redactor.add_secret(value)


def log_dir(state_dir: Path | None = None) -> Path:
    """``<state dir>/logs`` for an explicit profile, else the platform's user log folder."""
    if state_dir is None and os.environ.get("SKYLIFT_STATE_DIR"):
        state_dir = Path(os.environ["SKYLIFT_STATE_DIR"])
    if state_dir is not None:
        return Path(state_dir).expanduser() / "logs"
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def setup_logging(
    *, state_dir: Path | None = None, verbose: bool = False, to_file: bool = True, to_stderr: bool = True
) -> Path | None:
    """Configure the root logger; returns the log file (``None`` with ``to_file=False``).

    Calling it again replaces the handlers it installed before (a second start logs to stderr only
    until it knows it is the primary instance; two processes must not rotate one file).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OUR_HANDLER, False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = logging.Formatter(_FORMAT)
    handlers: list[logging.Handler] = []
    log_file: Path | None = None
    if to_file:
        folder = log_dir(state_dir)
        folder.mkdir(parents=True, exist_ok=True)
        log_file = folder / LOG_FILE_NAME
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        handlers.append(file_handler)
    # A windowed (pythonw / PyInstaller --windowed) process has no stderr at all.
    if to_stderr and sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG if verbose else logging.WARNING)
        handlers.append(console)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redactor)
        setattr(handler, _OUR_HANDLER, True)
        root.addHandler(handler)
    # These libraries' debug lines say nothing useful about uploads and drown the rest; qasync's even
    # print the results of executor calls, which include the bytes read from the files being uploaded.
    for noisy in ("hpack", "h2", "asyncio", "qasync"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    return log_file


def open_log_file(log_file: Path) -> bool:
    """Open the log in the desktop's viewer for text files (flushed first)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    if not log_file.exists():
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.touch()
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file)))


def create_show_log_action(parent: QObject, log_file: Path) -> QAction:
    """A "Show Log" action for the Help menu (Ctrl+Shift+L)."""
    action = QAction(QCoreApplication.translate("LogSetup", "Show &Log"), parent)
    action.setObjectName("action_show_log")
    action.setShortcut(QKeySequence("Ctrl+Shift+L"))
    tip = QCoreApplication.translate("LogSetup", "Open Skylift's log file")
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda: open_log_file(log_file))
    return action
