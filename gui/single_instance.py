"""One Skylift window per state folder: a second start hands its work to the first and exits.

The first process to take ``<state_dir>/instance.lock`` (a ``QLockFile``) is the primary: it listens on
a ``QLocalServer`` whose name is derived from the resolved state folder (and the user), so separate
profiles and test runs never meet. A later ``skylift PATH... [--url ...]`` finds the lock taken,
connects with a ``QLocalSocket``, sends one JSON line (paths made absolute, destination options), waits
for the primary's acknowledgement, and exits 0. The primary emits ``request_received`` with it.

Why a lock file and not just "listen, or connect if the name is taken": a socket left behind by a
crash looks taken, and two starts racing between bind and listen could both decide they are first.
The lock settles who is primary (the kernel drops it with the process); the primary then removes any
stale socket before listening. The socket is created with ``UserAccessOption``: other users cannot
hand it files to upload.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

__all__ = [
    "InstanceRequest",
    "InstanceRole",
    "SingleInstance",
    "bring_to_front",
    "server_name",
]

log = logging.getLogger(__name__)

# A request is one JSON line; a 10,000-path drop is a few MB. Anything larger is not from Skylift.
MAX_REQUEST_BYTES = 64 << 20
_ACK = b'{"ok": true}\n'


class InstanceRole(Enum):
    PRIMARY = "primary"  # this process owns the state folder and listens
    SECONDARY = "secondary"  # another process owns it; forward the request and exit


@dataclasses.dataclass(frozen=True)
class InstanceRequest:
    """What a second start asks of the running window.

    ``options`` carries the destination and state options of the command line as JSON-able values
    (``url``, ``protocol``, ``method``, ``field``, ``form``, ``header``...); the application decides
    their meaning. ``activation_token`` lets the primary take the focus on Wayland/X11 (the launcher's
    XDG_ACTIVATION_TOKEN / DESKTOP_STARTUP_ID; focus-stealing prevention ignores requests without one).
    """

    paths: tuple[str, ...] = ()
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    activation_token: str = ""

    @classmethod
    def from_command_line(
        cls, paths: Sequence[str | os.PathLike[str]], options: Mapping[str, Any] | None = None
    ) -> InstanceRequest:
        """Paths made absolute against this process's working folder (the primary has another)."""
        token = os.environ.get("XDG_ACTIVATION_TOKEN") or os.environ.get("DESKTOP_STARTUP_ID") or ""
        return cls(
            paths=tuple(os.path.abspath(os.fspath(p)) for p in paths),
            options=dict(options or {}),
            activation_token=token,
        )

    def to_json(self) -> bytes:
        body = {"paths": list(self.paths), "options": dict(self.options), "token": self.activation_token}
        return json.dumps(body, ensure_ascii=False).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> InstanceRequest:
        body = json.loads(data)
        if not isinstance(body, dict):
            raise ValueError("request is not an object")
        paths, options, token = body.get("paths", []), body.get("options", {}), body.get("token", "")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ValueError("paths must be a list of strings")
        if not isinstance(options, dict) or not isinstance(token, str):
            raise ValueError("options must be an object, token a string")
        return cls(paths=tuple(paths), options=options, activation_token=token)


def server_name(state_dir: Path) -> str:
    """The local server's name for a state folder: the same folder (however it is spelled) and user
    give the same name; short enough for a Unix socket path under any temp folder."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name (some containers): the folder alone still separates profiles
        user = ""
    resolved = str(Path(state_dir).expanduser().resolve())
    digest = hashlib.sha256(f"{user}\0{resolved}".encode()).hexdigest()[:24]
    return f"skylift-{digest}"


class SingleInstance(QObject):
    """Decides the role of this process for a state folder; the primary serves requests.

    Usage (the primary keeps the object alive for its whole life)::

        instance = SingleInstance(state_dir)
        if instance.start() is InstanceRole.SECONDARY:
            ok = instance.forward(InstanceRequest.from_command_line(args.paths, options))
            sys.exit(0 if ok else 1)
        instance.request_received.connect(window.queue_request)
    """

    request_received = Signal(object)  # InstanceRequest

    def __init__(self, state_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state_dir = Path(state_dir).expanduser()
        self.name = server_name(self.state_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, QByteArray] = {}

    def start(self) -> InstanceRole:
        """Take the state folder (and listen), or find that another process has it."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(self.state_dir / "instance.lock"))
        # Stale only when the recorded process is gone, never merely because the file is old.
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            if lock.error() == QLockFile.LockError.LockFailedError:
                return InstanceRole.SECONDARY
            raise OSError(f"cannot create the instance lock in {self.state_dir} ({lock.error().name})")
        self._lock = lock
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # A socket left by a crashed primary would make listen() fail with AddressInUseError.
        QLocalServer.removeServer(self.name)
        if not server.listen(self.name):
            error = server.errorString()
            self.close()
            raise OSError(f"cannot listen on local socket {self.name!r}: {error}")
        server.newConnection.connect(self._accept)
        self._server = server
        log.info("single instance: primary for %s (socket %s)", self.state_dir, server.fullServerName())
        return InstanceRole.PRIMARY

    def forward(self, request: InstanceRequest, *, timeout: float = 10.0) -> bool:
        """Send ``request`` to the primary and wait for its acknowledgement (blocking; no event loop
        needed). Retries the connection while the primary is still starting up."""
        deadline = time.monotonic() + timeout
        socket = QLocalSocket()
        while True:
            socket.connectToServer(self.name)
            if socket.waitForConnected(_remaining_ms(deadline, 1.0)):
                break
            socket.abort()
            if time.monotonic() >= deadline:
                log.error("no running Skylift answered on %s: %s", self.name, socket.errorString())
                return False
            time.sleep(0.05)  # the primary holds the lock but is not listening yet
        socket.write(request.to_json())
        reply = QByteArray()
        while not reply.contains(b"\n"):
            if not socket.waitForReadyRead(_remaining_ms(deadline)):
                log.error("the running Skylift did not acknowledge: %s", socket.errorString())
                socket.abort()
                return False
            reply.append(socket.readAll())
        socket.disconnectFromServer()
        return bytes(reply.data()).strip() == _ACK.strip()

    def close(self) -> None:
        """Stop listening and release the state folder (also done when the process ends)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    # -- serving ------------------------------------------------------------------------------------

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._buffers[socket] = QByteArray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.append(socket.readAll())
        end = buffer.indexOf(b"\n")
        if end < 0:
            if buffer.size() > MAX_REQUEST_BYTES:
                log.warning("single instance: request over %d bytes dropped", MAX_REQUEST_BYTES)
                self._drop(socket)
            return
        data = bytes(buffer.left(end).data())
        del self._buffers[socket]
        try:
            request = InstanceRequest.from_json(data)
        except ValueError as error:
            log.warning("single instance: malformed request dropped: %s", error)
            socket.abort()
            socket.deleteLater()
            return
        # Acknowledge before handling: the sender may exit now, whatever the window does with it.
        socket.write(_ACK)
        socket.flush()
        socket.disconnectFromServer()
        log.info("single instance: %d path(s) handed over by another start", len(request.paths))
        self.request_received.emit(request)

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.abort()
        socket.deleteLater()


def _remaining_ms(deadline: float, at_most: float | None = None) -> int:
    remaining = max(0.0, deadline - time.monotonic())
    if at_most is not None:
        remaining = min(remaining, at_most)
    return max(1, int(remaining * 1000))


def bring_to_front(window: QWidget, activation_token: str = "") -> None:
    """Show ``window`` (from the tray, minimised or behind others) and ask for the focus.

    On Wayland, Qt's activateWindow() uses XDG_ACTIVATION_TOKEN when set: the token the second start
    got from its launcher lets the compositor give us the focus instead of only flashing the taskbar.
    """
    if activation_token and sys.platform.startswith("linux"):
        os.environ["XDG_ACTIVATION_TOKEN"] = activation_token
    if not window.isVisible():
        window.show()  # hidden to the tray
    if window.isMinimized():
        # Clearing only the minimised flag keeps a maximised window maximised (showNormal would not).
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.raise_()
    window.activateWindow()
