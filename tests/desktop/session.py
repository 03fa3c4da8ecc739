"""A real, private Linux desktop for tests: Xvfb, a window manager (JWM, with no tray of its own), a
D-Bus session bus, a StatusNotifier tray host (``gtk-sni-tray-standalone --watcher``) and a
notification daemon (``dunst``).

The pytest process itself stays offscreen: Qt picks its platform and its bus once per process, so
the application under test runs in a subprocess with ``session.env``. Everything is started in
order, waited for by condition (names on the bus, a window manager on the screen; no sleeps), and
stopped in reverse order by PID. See ../shared/recipes/desktop-tests.md.

The app is observed only from outside, as a user or the desktop would: the tray watcher and the
item's D-Bus interfaces (StatusNotifierItem, its exported menu), the notification daemon's history,
and the X server's windows (``xdotool``, ``wmctrl``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from tests.requirements import require_tool

__all__ = ["DesktopSession", "Notification", "TrayItem", "Window", "desktop_session", "wait_until"]

WATCHER = "org.kde.StatusNotifierWatcher"
NOTIFICATIONS = "org.freedesktop.Notifications"
# The commands the session runs -> their Debian package (.ci/desktop-packages.txt installs them).
TOOLS = {
    "Xvfb": "xvfb",
    "jwm": "jwm",
    "wmctrl": "wmctrl",
    "dbus-daemon": "dbus",
    "dbus-send": "dbus",
    "gtk-sni-tray-standalone": "haskell-gtk-sni-tray-utils",
    "dunst": "dunst",
    "dunstctl": "dunst",
    # `dunstctl history` runs busctl; systemd is in the base image (listing it in
    # .ci/desktop-packages.txt would upgrade systemd itself).
    "busctl": "systemd",
    "xdotool": "xdotool",
}
# A window manager and nothing else: no <Tray>, so that it offers no XEmbed tray of its own.
JWM_CONFIG = """<?xml version="1.0"?>
<JWM>
  <FocusModel>click</FocusModel>
</JWM>
"""

T = TypeVar("T")
TrayItem = tuple[str, str]  # (bus name, object path)


def wait_until(condition: Callable[[], T], *, timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll ``condition`` until it returns something truthy; its value, or TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Notification:
    """One notification as the daemon recorded it."""

    app_name: str
    summary: str
    body: str


@dataclass(frozen=True)
class Window:
    """A top-level window the window manager manages (shown, or minimised: not hidden/withdrawn)."""

    id: int
    title: str
    viewable: bool


@dataclass
class DesktopSession:
    display: str
    bus_address: str
    # The environment for programs that should live on this desktop (DISPLAY, bus, private XDG dirs).
    env: dict[str, str]
    log_dir: Path
    _processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def run(self, *argv: str, check: bool = True) -> str:
        result = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=10)
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    # -- D-Bus --------------------------------------------------------------------------------------

    def dbus_send(self, destination: str, path: str, member: str, *args: str) -> str:
        """``dbus-send --print-reply`` on this session's bus; the reply text."""
        return self.run(
            "dbus-send", "--session", "--print-reply", f"--dest={destination}", path, member, *args
        )

    def has_owner(self, name: str) -> bool:
        reply = self.dbus_send(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        )
        return "boolean true" in reply

    def _property(self, destination: str, path: str, interface: str, name: str) -> str:
        return self.dbus_send(
            destination,
            path,
            "org.freedesktop.DBus.Properties.Get",
            f"string:{interface}",
            f"string:{name}",
        )

    def tray_host_registered(self) -> bool:
        reply = self._property(WATCHER, "/StatusNotifierWatcher", WATCHER, "IsStatusNotifierHostRegistered")
        return "boolean true" in reply

    def tray_items(self) -> list[TrayItem]:
        """Every StatusNotifierItem the watcher knows."""
        reply = self._property(WATCHER, "/StatusNotifierWatcher", WATCHER, "RegisteredStatusNotifierItems")
        items = []
        for entry in re.findall(r'string "([^"]*)"', reply):
            service, slash, path = entry.partition("/")
            items.append((service, slash + path if slash else "/StatusNotifierItem"))
        return items

    def tray_item_property(self, item: TrayItem, name: str) -> str:
        return self._property(*item, "org.kde.StatusNotifierItem", name)

    def activate_tray_item(self, item: TrayItem, x: int = 10, y: int = 10) -> None:
        """What a tray host does on a left click: the app receives ``activated(Trigger)``."""
        self.dbus_send(*item, "org.kde.StatusNotifierItem.Activate", f"int32:{x}", f"int32:{y}")

    def tray_menu(self, item: TrayItem) -> dict[str, int]:
        """The item's exported menu (com.canonical.dbusmenu): label -> item id. Opens it as a host
        does (``AboutToShow`` first, so the app can refresh it)."""
        path = re.search(r'object path "([^"]+)"', self.tray_item_property(item, "Menu"))
        assert path, "the tray item exports no menu"
        service = item[0]
        self.dbus_send(service, path.group(1), "com.canonical.dbusmenu.AboutToShow", "int32:0")
        # The whole tree: (id, {properties}, [children]) structs, with no brackets inside our labels.
        reply = self.dbus_send(
            service, path.group(1), "com.canonical.dbusmenu.GetLayout", "int32:0", "int32:-1", "array:string:"
        )
        menu = {}
        for item_id, body in re.findall(r"int32 (\d+)\s*array \[(.*?)\]", reply, re.DOTALL):
            label = re.search(r'string "label"\s*variant\s*string "([^"]*)"', body)
            disabled = re.search(r'string "enabled"\s*variant\s*boolean false', body)
            if label and not disabled:
                menu[label.group(1).replace("_", "")] = int(item_id)
        return menu

    def click_tray_menu(self, item: TrayItem, label: str) -> None:
        """Choose an (enabled) entry of the tray item's menu, as the tray host does on a click."""
        menu = self.tray_menu(item)
        assert label in menu, f"{label!r} is not an enabled entry of the tray menu {sorted(menu)}"
        path = re.search(r'object path "([^"]+)"', self.tray_item_property(item, "Menu"))
        assert path
        self.dbus_send(
            item[0],
            path.group(1),
            "com.canonical.dbusmenu.Event",
            f"int32:{menu[label]}",
            "string:clicked",
            "variant:int32:0",
            "uint32:0",
        )

    # -- notifications ------------------------------------------------------------------------------

    def notifications(self) -> list[Notification]:
        """Every notification the daemon received so far, oldest first. ``dunstctl history`` lists
        closed notifications only, so everything still open is closed first."""
        self.run("dunstctl", "close-all")
        entries = json.loads(self.run("dunstctl", "history"))["data"][0]
        return [
            Notification(
                app_name=entry["appname"]["data"],
                summary=entry["summary"]["data"],
                body=entry["body"]["data"],
            )
            for entry in sorted(entries, key=lambda e: e["id"]["data"])
        ]

    def displayed_notifications(self) -> int:
        """How many notifications are on screen now (not closed yet)."""
        return int(self.run("dunstctl", "count", "displayed").strip() or 0)

    def click_notification(self, position: int = 0) -> None:
        """What a click on a notification on screen does: the daemon invokes its "default" action
        (ActionInvoked on the bus), or opens its context menu if it has none."""
        self.run("dunstctl", "action", str(position))

    # -- windows --------------------------------------------------------------------------------

    def visible_windows(self, pid: int) -> list[str]:
        """Titles of the viewable (mapped, not minimised, not hidden) top-level windows of ``pid``."""
        return [window.title for window in self.windows(pid) if window.viewable]

    def windows(self, pid: int) -> list[Window]:
        """The managed top-level windows of ``pid``. A window hidden with ``QWidget.hide()`` is
        withdrawn and not listed; a minimised one is listed, not viewable."""
        viewable = {
            int(window)
            for window in self.run(
                "xdotool", "search", "--all", "--onlyvisible", "--pid", str(pid), "--name", "", check=False
            ).split()
        }
        result = subprocess.run(
            ["wmctrl", "-l", "-p"], env=self.env, capture_output=True, text=True, timeout=10
        )
        if result.returncode and "client list" in result.stderr:
            return []  # JWM sets _NET_CLIENT_LIST once it manages a first window
        if result.returncode:
            raise RuntimeError(f"wmctrl -l -p failed: {result.stderr.strip()}")
        windows = []
        for line in result.stdout.splitlines():
            window_id, _desktop, window_pid, _host, *title = line.split(maxsplit=4)
            if int(window_pid) == pid:
                number = int(window_id, 16)
                windows.append(Window(number, title[0] if title else "", number in viewable))
        return windows

    def close_window(self, window: Window) -> None:
        """What the title bar's close button does: the window manager sends WM_DELETE_WINDOW."""
        self.run("wmctrl", "-i", "-c", hex(window.id))

    def minimize_window(self, window: Window) -> None:
        """What the title bar's minimise button does (ICCCM iconify through the window manager)."""
        self.run("xdotool", "windowminimize", str(window.id))

    def press_key(self, window: Window, key: str) -> None:
        """Focus ``window`` and type ``key`` through XTEST, as a keyboard would."""
        self.run("xdotool", "windowactivate", "--sync", str(window.id))
        self.run("xdotool", "key", "--clearmodifiers", key)

    # -- processes ------------------------------------------------------------------------------

    def start(self, name: str, argv: list[str], **popen: object) -> subprocess.Popen[bytes]:
        """A helper process on this desktop, logged to ``log_dir/<name>.log``, stopped at teardown."""
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps its own copy
        popen.setdefault("stdout", log)
        popen.setdefault("stderr", subprocess.STDOUT)
        process: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]
            argv, env=popen.pop("env", dict(self.env)), **popen
        )
        log.close()
        self._processes.append((name, process))
        return process

    def process(self, name: str) -> subprocess.Popen[bytes] | None:
        return next((process for n, process in self._processes if n == name), None)

    def restart(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        """Start ``name`` again after it exited (its log is appended to)."""
        self._processes = [(n, p) for n, p in self._processes if n != name]
        return self.start(name, argv)

    def check_alive(self) -> None:
        for name, process in self._processes:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}: {self.log(name)}")

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        while self._processes:
            _, process = self._processes.pop()
            stop_process(process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    # Its pipes too: an unclosed one is a ResourceWarning (an error in this suite).
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _read_line(stream: IO[bytes], timeout: float, what: str) -> str:
    """One line from a child's pipe, without hanging if the child never writes it."""
    data = b""
    deadline = time.monotonic() + timeout
    fd = stream.fileno()
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError(f"timed out waiting for {what}")
        chunk = os.read(fd, 1)
        if not chunk:
            raise RuntimeError(f"{what}: the process closed its output")
        data += chunk
    return data.decode().strip()


@contextlib.contextmanager
def desktop_session(base: Path, *, tray_host: bool = True, timeout: float = 20) -> Iterator[DesktopSession]:
    """The whole desktop; skips (fails in CI) without the tools. ``tray_host=False`` leaves the tray
    out: a desktop like GNOME without the AppIndicator extension."""
    for tool, package in TOOLS.items():
        require_tool(tool, why=f"the desktop tests need it (Debian package {package})")
    for sub in ("logs", "runtime", "config", "data", "cache", "home"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "runtime").chmod(0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "WAYLAND_", "QT_", "DISPLAY"))
    }
    env.update(
        HOME=str(base / "home"),
        XDG_RUNTIME_DIR=str(base / "runtime"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_CACHE_HOME=str(base / "cache"),
        NO_AT_BRIDGE="1",  # GTK's accessibility bridge would look for a bus of its own
    )
    session = DesktopSession(display="", bus_address="", env=env, log_dir=base / "logs")
    try:
        read_fd, write_fd = os.pipe()
        try:
            session.start(
                "xvfb",
                # -noreset: no server reset when the last client leaves (a client connecting
                # during a reset is refused).
                [
                    "Xvfb",
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(write_fd,),
            )
            os.close(write_fd)
            with os.fdopen(read_fd, "rb") as pipe:
                session.display = ":" + _read_line(pipe, timeout, "Xvfb's display number")
        finally:
            with contextlib.suppress(OSError):
                os.close(write_fd)
        env["DISPLAY"] = session.display

        def accepts_clients() -> bool:
            session.check_alive()
            probe = ["xdotool", "getdisplaygeometry"]
            return subprocess.run(probe, env=env, capture_output=True, timeout=10).returncode == 0

        # Xvfb reports its display a moment before it serves clients.
        wait_until(accepts_clients, timeout=timeout, what="Xvfb to accept clients")

        jwmrc = base / "jwmrc"
        jwmrc.write_text(JWM_CONFIG)
        session.start("wm", ["jwm", "-f", str(jwmrc)])

        bus = session.start(
            "dbus", ["dbus-daemon", "--session", "--nofork", "--print-address"], stdout=subprocess.PIPE
        )
        assert bus.stdout is not None
        session.bus_address = _read_line(bus.stdout, timeout, "the D-Bus session address")
        env["DBUS_SESSION_BUS_ADDRESS"] = session.bus_address

        tray_argv = ["gtk-sni-tray-standalone", "--watcher"]
        tray_starts = 0
        if tray_host:
            session.start("tray", tray_argv)
            tray_starts = 1
        session.start("dunst", ["dunst", "-config", "/dev/null"])

        def ready() -> bool:
            nonlocal tray_starts
            # gtk-sni-tray-standalone 0.1.8 sometimes dies at start-up on a busy machine ("Pattern
            # match failure" in Main.hs: building its host failed): give it up to two more goes.
            tray = session.process("tray")
            if tray is not None and tray.poll() is not None and tray_starts < 3:
                session.restart("tray", tray_argv)
                tray_starts += 1
            session.check_alive()
            if subprocess.run(["wmctrl", "-m"], env=env, capture_output=True, timeout=10).returncode:
                return False
            try:
                if not session.has_owner(NOTIFICATIONS):
                    return False
                return not tray_host or (session.has_owner(WATCHER) and session.tray_host_registered())
            except RuntimeError:  # the tray host went away between two calls: checked again above
                return False

        wait_until(ready, timeout=timeout, what="the window manager, tray host and notification daemon")
        yield session
    finally:
        session.stop()
