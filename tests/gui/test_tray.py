"""The tray controller offscreen: status -> tooltip, icon state and menu; menu actions -> requests.
(Offscreen there is no tray: showing it, notifications and activation over D-Bus are tested for real
in tests/desktop.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import core
from core.task import TaskSnapshot, TaskState
from gui.batch import QueueStatus
from gui.resources import icon, icon_path, resource_dir
from gui.tray import TrayController, TrayIconState, batch_icon_state, batch_tooltip


def task(task_id: int, state: TaskState, sent: int = 0, size: int = 1000) -> TaskSnapshot:
    return TaskSnapshot(
        task_id=task_id,
        session_id="main",
        path=Path(f"/data/{task_id}.bin"),
        relative_name=f"{task_id}.bin",
        destination=core.Destination(url="http://127.0.0.1:9/up"),
        state=state,
        total_bytes=size,
        bytes_sent=sent,
    )


@pytest.mark.parametrize(
    "name",
    [state.value for state in TrayIconState]
    + ["skylift"]
    + [f"state-{s.value}" for s in TaskState if s is not TaskState.INTERRUPTED]
    + [f"action-{n}" for n in ("add-file", "add-folder", "pause", "resume", "stop-after", "cancel", "retry")]
    + [f"action-{n}" for n in ("destinations", "clear", "folder", "copy", "remove", "details")],
)
def test_icons_exist_and_load(qapp: object, name: str) -> None:
    assert icon_path(name).is_file(), resource_dir()
    assert not icon(name).isNull()
    assert not icon(name).pixmap(22, 22).isNull()


def test_status_from_tasks() -> None:
    tasks = [
        task(1, TaskState.COMPLETED),
        task(2, TaskState.COMPLETED),
        task(3, TaskState.UPLOADING, sent=500),
        task(4, TaskState.QUEUED),
        task(5, TaskState.CANCELLED, sent=300),
        task(6, TaskState.FAILED, sent=0),
    ]
    status = QueueStatus.from_tasks(tasks)
    assert status.batch is not None
    batch = status.batch
    counts = (batch.files - batch.cancelled, batch.completed, batch.failed, status.active, status.waiting)
    assert counts == (5, 2, 1, 1, 1)
    assert status.percent == 50  # 2500 of 5000 bytes
    assert batch_icon_state(status) is TrayIconState.ACTIVE
    assert batch_tooltip(status) == "Skylift — 2 of 5 files, 50%, 1 failed"


@pytest.mark.parametrize(
    ("tasks", "state", "tooltip"),
    [
        ([], TrayIconState.IDLE, "Skylift — no uploads"),
        # A batch that ended: how it ended, never a percentage left standing.
        ([task(1, TaskState.COMPLETED)], TrayIconState.IDLE, "Skylift — 1 file uploaded"),
        (
            [task(1, TaskState.COMPLETED), task(2, TaskState.PAUSED, sent=0)],
            TrayIconState.PAUSED,
            "Skylift — 1 file uploaded, 1 paused",
        ),
        (
            [task(1, TaskState.COMPLETED), task(2, TaskState.FAILED)],
            TrayIconState.ERROR,
            "Skylift — 1 file uploaded, 1 failed",
        ),
        (
            [task(1, TaskState.UPLOADING, sent=500), task(2, TaskState.PAUSED, sent=0)],
            TrayIconState.ACTIVE,
            "Skylift — 0 of 2 files, 25%",
        ),
        ([task(1, TaskState.RETRY_WAIT, sent=450)], TrayIconState.ACTIVE, "Skylift — 0 of 1 file, 45%"),
    ],
)
def test_icon_state_and_tooltip(tasks: list[TaskSnapshot], state: TrayIconState, tooltip: str) -> None:
    status = QueueStatus.from_tasks(tasks)
    assert batch_icon_state(status) is state
    assert batch_tooltip(status) == tooltip


def test_controller_follows_the_status(qtbot: QtBot) -> None:
    visible = False
    tray = TrayController(is_window_visible=lambda: visible)
    assert tray.tray_icon.toolTip() == "Skylift — no uploads"
    assert not tray.tray_icon.icon().isNull()

    tray.update_status(
        QueueStatus.from_tasks([task(1, TaskState.UPLOADING, sent=450), task(2, TaskState.QUEUED)])
    )
    assert tray.icon_state is TrayIconState.ACTIVE
    assert tray.tray_icon.toolTip() == "Skylift — 0 of 2 files, 22%"

    tray.menu.aboutToShow.emit()
    texts = [action.text() for action in tray.menu.actions() if not action.isSeparator()]
    assert texts == ["&Show Skylift", "&Pause all", "&Resume all", "&Cancel all", "&Quit"]
    enabled = {action.text(): action.isEnabled() for action in tray.menu.actions()}
    assert enabled["&Pause all"] and enabled["&Cancel all"] and not enabled["&Resume all"]

    visible = True
    tray.menu.aboutToShow.emit()
    assert tray.menu.actions()[0].text() == "&Hide Skylift"


def test_menu_actions_emit_requests(qtbot: QtBot) -> None:
    visible = False
    tray = TrayController(is_window_visible=lambda: visible)
    tray.update_status(QueueStatus.from_tasks([task(1, TaskState.PAUSED)]))
    tray.refresh_menu()
    actions = {action.text(): action for action in tray.menu.actions() if not action.isSeparator()}
    for text, signal in [
        ("&Resume all", tray.resume_all),
        ("&Cancel all", tray.cancel_all),
        ("&Quit", tray.quit_requested),
        ("&Show Skylift", tray.show_requested),
    ]:
        with qtbot.waitSignal(signal, timeout=1000):
            actions[text].trigger()
    visible = True
    tray.refresh_menu()
    with qtbot.waitSignal(tray.hide_requested, timeout=1000):
        tray.menu.actions()[0].trigger()


def test_offscreen_notifier_reports_that_it_cannot_show(qtbot: QtBot) -> None:
    tray = TrayController()
    tray.show()
    # Offscreen there is no tray: the caller must show the message itself.
    assert not tray.available
    assert tray.notifier.notify("Uploads finished", "1 file uploaded") is False
