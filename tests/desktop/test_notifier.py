"""gui.notifications.FreedesktopNotifier against a real notification daemon (dunst) on a private
session bus: what it sends arrives, and a click on *our* notification, not another program's, is
reported. In-process on the qasync loop (the notifier needs a bus, not a screen)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from gui.notifications import DesktopNotifier, FreedesktopNotifier, NotificationLevel, NotifierState
from tests.desktop.session import DesktopSession


async def until(condition: Callable[[], object], what: str, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run(qapp: QApplication, scenario: Callable[[], object]) -> None:
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        runner.run(scenario())  # type: ignore[arg-type]


def test_notification_arrives_and_only_our_clicks_count(
    qapp: QApplication, desktop: DesktopSession, tmp_path: Path
) -> None:
    clicks: list[str] = []

    async def scenario() -> None:
        ours = FreedesktopNotifier(bus=desktop.bus_address)
        other = FreedesktopNotifier(bus=desktop.bus_address, app_name="Other program")
        ours.clicked.connect(lambda: clicks.append("ours"))
        other.clicked.connect(lambda: clicks.append("other"))
        try:
            await until(lambda: ours.is_ready and other.is_ready, "the notifiers to connect")

            # Another program's notification, clicked: not ours.
            assert other.notify("Elsewhere", "something else", level=NotificationLevel.INFORMATION)
            await until(lambda: desktop.displayed_notifications() == 1, "the other notification")
            desktop.click_notification(0)
            await until(lambda: clicks == ["other"], "the other program's click")
            desktop.notifications()  # closes it

            assert ours.notify("Uploads finished", "3 files uploaded")
            await until(lambda: desktop.displayed_notifications() == 1, "our notification")
            desktop.click_notification(0)
            await until(lambda: clicks == ["other", "ours"], "our click")
        finally:
            await ours.aclose()
            await other.aclose()
        assert not ours.is_ready

    run(qapp, scenario)
    shown = [(n.app_name, n.summary, n.body) for n in desktop.notifications()]
    assert shown == [
        ("Other program", "Elsewhere", "something else"),
        ("Skylift", "Uploads finished", "3 files uploaded"),
    ]


def test_without_a_server_notify_says_no(qapp: QApplication, tmp_path: Path) -> None:
    """A bus address nobody listens on: the notifier stays unready and ``notify`` returns False, so
    the caller shows the message in the window instead."""

    async def scenario() -> None:
        notifier = FreedesktopNotifier(bus=f"unix:path={tmp_path / 'no-bus'}")
        try:
            await asyncio.sleep(0)  # let it try
            await until(lambda: notifier._task.done(), "the connection attempt to end")
            assert not notifier.is_ready
            assert notifier.notify("Uploads finished", "1 file uploaded") is False
        finally:
            await notifier.aclose()

    run(qapp, scenario)


def test_a_message_sent_while_connecting_waits_for_the_connection(
    qapp: QApplication, desktop: DesktopSession
) -> None:
    """Right after start-up the native notifier is still connecting: a batch that ends then is
    shown through it once connected (clickable), not through the tray."""

    async def scenario() -> None:
        tray = QSystemTrayIcon()
        native = FreedesktopNotifier(bus=desktop.bus_address)
        notifier = DesktopNotifier(tray, native)
        try:
            assert native.state is NotifierState.CONNECTING
            assert notifier.notify("Uploads finished", "2 files uploaded")
            await until(lambda: desktop.displayed_notifications() == 1, "the notification")
        finally:
            await notifier.aclose()
        assert native.state is NotifierState.UNAVAILABLE
        # Once closed, nothing is shown: offscreen there is no tray either, so the caller is told.
        assert notifier.notify("Uploads finished", "1 file uploaded") is False

    run(qapp, scenario)
    assert [(n.app_name, n.body) for n in desktop.notifications()] == [("Skylift", "2 files uploaded")]
