"""`skylift --tray` on a real desktop: a real tray host, notification daemon and window manager on a
private Xvfb + D-Bus session (tests/desktop/session.py). The app runs as a subprocess on the xcb
platform and uploads to a real loopback server; it is observed only from outside: through the
server, the notification daemon's history, the tray item's D-Bus interfaces and the X server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import make_file
from tests.desktop.session import DesktopSession, Notification, TrayItem, Window, wait_until
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


class App:
    """The app under test, in its own process on the test desktop."""

    def __init__(self, desktop: DesktopSession, process: subprocess.Popen[bytes], log: Path) -> None:
        self.desktop = desktop
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"the app exited with {self.process.returncode}:\n{self.output()}")

    def tray_item(self) -> TrayItem:
        def item() -> TrayItem | None:
            self.check_running()
            items = self.desktop.tray_items()
            return items[0] if items else None

        found = wait_until(item, timeout=30, what="the app's StatusNotifierItem")
        assert found is not None
        return found

    def wait_for_window(self, title: str = "Skylift") -> Window:
        def shown() -> Window | None:
            self.check_running()
            return next((w for w in self.desktop.windows(self.pid) if w.viewable and title in w.title), None)

        window = wait_until(shown, timeout=30, what=f"a window titled {title!r} to be shown")
        assert window is not None
        return window

    def wait_hidden_to_tray(self) -> None:
        """Hidden, not minimised: the window manager no longer manages (lists) the window."""

        def hidden() -> bool:
            self.check_running()
            return not self.desktop.windows(self.pid)

        wait_until(hidden, timeout=15, what="the window to be hidden to the tray")

    def notifications(self) -> list[Notification]:
        self.check_running()
        return self.desktop.notifications()

    def wait_exit(self, timeout: float = 30) -> int:
        return self.process.wait(timeout)


@contextlib.contextmanager
def running_app(desktop: DesktopSession, args: list[str], log: Path) -> Iterator[App]:
    env = dict(desktop.env, QT_QPA_PLATFORM="xcb", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gui.app", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    app = App(desktop, process, log)
    try:
        yield app
    except BaseException:
        print(f"--- app output ---\n{app.output()}")
        for name in ("tray", "dunst", "wm"):
            print(f"--- {name} ---\n{desktop.log(name)}")
        raise
    finally:
        if process.poll() is None:
            # Ctrl+C quits as the Quit menu does: sessions closed, connections released.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def app_args(url: str, tmp_path: Path, files: list[Path], *, tray: bool = True) -> list[str]:
    return [
        *(["--tray"] if tray else []),
        "--url",
        url,
        "--protocol",
        "multipart",
        "--state-dir",
        str(tmp_path / "state"),
        *map(str, files),
    ]


def test_tray_batch_notification_and_restore(
    desktop: DesktopSession, receiver: ReceiverServer, tmp_path: Path
) -> None:
    files = [make_file(tmp_path / "files" / f"clip-{n}.bin", 300_000 + n) for n in range(3)]
    # One upload is refused for good (400 is not retried): the batch ends "2 uploaded, 1 failed".
    receiver.script("/up", fail_with=[400], body="no thanks")

    with running_app(desktop, app_args(f"{receiver.url}/up", tmp_path, files), tmp_path / "app.log") as app:
        item = app.tray_item()
        first_icon = desktop.tray_item_property(item, "IconPixmap")
        assert "array of bytes" in first_icon
        received = receiver.wait_for(2, timeout=60)
        names = {r.filename for r in received}
        assert len(names) == 2 and names <= {f.name for f in files}, names
        wait_until(
            lambda: app.check_running() or desktop.displayed_notifications(),
            timeout=30,
            what="the batch notification on screen",
        )
        # `--tray` starts hidden in the tray, and the finished batch did not pop the window up.
        assert desktop.windows(app.pid) == []

        # A click on the notification shows the window.
        desktop.click_notification(0)
        app.wait_for_window()
        # A click on the tray item (what the tray host sends) hides it again, the app stays in
        # the tray; another click shows it.
        desktop.activate_tray_item(item)
        app.wait_hidden_to_tray()
        assert desktop.tray_items() == [item]
        desktop.activate_tray_item(item)
        app.wait_for_window()

        # The app has gone round its event loop many times since the batch ended: still exactly
        # one notification, with the batch's summary.
        shown = app.notifications()
        assert len(shown) == 1, shown
        assert shown[0].body == "2 files uploaded, 1 failed"
        assert "finished" in shown[0].summary.lower()
        assert shown[0].app_name == "Skylift"
        # The icon moved on from idle/active (at start) to the error variant.
        assert desktop.tray_item_property(item, "IconPixmap") != first_icon

        # Nothing is running: Quit in the tray menu quits at once, cleanly.
        desktop.click_tray_menu(item, "Quit")
        assert app.wait_exit() == 0
        assert len(desktop.notifications()) == 1


def test_close_and_minimise_hide_to_the_tray_and_uploads_go_on(
    desktop: DesktopSession, receiver: ReceiverServer, tmp_path: Path
) -> None:
    files = [make_file(tmp_path / "files" / "report.pdf", 200_000)]
    # The server stops reading after the first bytes until released: an upload under way for
    # exactly as long as the test needs.
    held = receiver.script("/up", hold_after=1)
    args = app_args(f"{receiver.url}/up", tmp_path, files, tray=False)
    with running_app(desktop, args, tmp_path / "app.log") as app:
        item = app.tray_item()
        window = app.wait_for_window()
        wait_until(lambda: receiver.holding == 1, timeout=30, what="the upload to be under way")

        # The title bar's close button, through the window manager: hidden to the tray, not quit.
        desktop.close_window(window)
        app.wait_hidden_to_tray()
        # The upload goes on while hidden; its end is notified, once.
        held.release()
        receiver.wait_for(1, timeout=30)
        shown = wait_until(app.notifications, timeout=30, what="the batch notification")
        assert [n.body for n in shown] == ["1 file uploaded"]

        desktop.activate_tray_item(item)
        window = app.wait_for_window()
        # Minimising hides to the tray as well (withdrawn, not left iconified in a taskbar).
        desktop.minimize_window(window)
        app.wait_hidden_to_tray()
        desktop.activate_tray_item(item)
        app.wait_for_window()
        assert len(app.notifications()) == 1

        desktop.click_tray_menu(item, "Quit")
        assert app.wait_exit() == 0


def test_quit_from_the_tray_asks_while_uploads_run(
    desktop: DesktopSession, receiver: ReceiverServer, tmp_path: Path
) -> None:
    files = [make_file(tmp_path / "files" / "video.mp4", 200_000)]
    held = receiver.script("/up", hold_after=1)
    with running_app(desktop, app_args(f"{receiver.url}/up", tmp_path, files), tmp_path / "app.log") as app:
        item = app.tray_item()
        wait_until(lambda: receiver.holding == 1, timeout=30, what="the upload to be under way")
        assert desktop.windows(app.pid) == []

        desktop.click_tray_menu(item, "Quit")
        question = app.wait_for_window("Quit Skylift?")
        # Escape answers "Keep uploading": the app stays, the upload is not interrupted.
        desktop.press_key(question, "Escape")
        wait_until(
            lambda: not any("Quit Skylift?" in w.title for w in desktop.windows(app.pid)),
            timeout=15,
            what="the question to close",
        )
        app.check_running()
        assert receiver.holding == 1
        held.release()
        receiver.wait_for(1, timeout=30)

        # Nothing runs any more: Quit does not ask again.
        wait_until(lambda: "Pause all" not in desktop.tray_menu(item), timeout=15, what="the batch to end")
        desktop.click_tray_menu(item, "Quit")
        assert app.wait_exit() == 0
        # The window was up (the question showed it) when the batch ended: the status bar said
        # it, and no notification was sent (the app has exited: nothing more can come).
        assert desktop.notifications() == []


def test_without_a_tray_the_window_never_vanishes(
    desktop_without_tray: DesktopSession, receiver: ReceiverServer, tmp_path: Path
) -> None:
    """`--tray` and the close button on a desktop with no tray: shown, then minimised, never hidden
    with no way back."""
    desktop = desktop_without_tray
    files = [make_file(tmp_path / "files" / "one.bin", 200_000)]
    held = receiver.script("/up", hold_after=1)
    args = app_args(f"{receiver.url}/up", tmp_path, files)
    with running_app(desktop, args, tmp_path / "app.log") as app:
        window = app.wait_for_window()
        wait_until(lambda: receiver.holding == 1, timeout=30, what="the upload to be under way")

        desktop.close_window(window)

        def minimised() -> bool:
            app.check_running()
            return [(w.id, w.viewable) for w in desktop.windows(app.pid)] == [(window.id, False)]

        wait_until(minimised, timeout=15, what="the window to be minimised (still managed)")
        held.release()
        receiver.wait_for(1, timeout=30)

        def finished() -> bool:
            app.check_running()
            return [w.title for w in desktop.windows(app.pid)] == ["Skylift"]  # no "N% — " prefix

        wait_until(finished, timeout=30, what="the batch to end")
        # Ctrl+C in the terminal quits as the Quit menu does; nothing runs, so it does not ask.
        app.process.send_signal(signal.SIGINT)
        assert app.wait_exit() == 0
