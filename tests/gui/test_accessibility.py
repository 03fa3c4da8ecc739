"""Every action has a keyboard shortcut (unique within the window) and every control an accessible
name, in the main window, its dialogs and the tray menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QMenu, QWidget, QWidgetAction

from core import TaskState
from gui.logging_setup import create_show_log_action
from gui.tray import TrayController
from gui.window import MainWindow
from gui.window.actions import ROW_MENU, fill_menu
from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]


def window_actions(window: MainWindow) -> list[QAction]:
    """The commands of the window: in its menus, toolbar, context menu and on the table's keys
    (not separators, submenu titles, the toolbar's own show/hide toggle or embedded widgets)."""
    toggles = {id(bar.toggleViewAction()) for bar in [window.toolbar]}
    return [
        action
        for action in window.findChildren(QAction)
        if not action.isSeparator()
        and action.menu() is None
        and not isinstance(action, QWidgetAction)
        and id(action) not in toggles
    ]


def unnamed_controls(root: QWidget) -> list[str]:
    """Widgets that take the keyboard focus but have neither an accessible name nor a label that
    names them (its buddy)."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isWindow() and widget is not root:
            continue  # menus and other windows are checked on their own
        if widget.focusPolicy() == widget.focusPolicy().NoFocus or not widget.isVisibleTo(root):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, (QAbstractSpinBox, QComboBox)):
            continue  # the editor inside a spin or combo box: named by its box
        if widget.accessibleName().strip() or id(widget) in buddies:
            continue
        missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


async def test_every_action_has_a_unique_shortcut(tmp_path: Path) -> None:
    async with running_app(tmp_path / "state") as app:
        window = app.window
        # As gui/app.py adds it when there is a log file.
        window.menus["help"].addAction(create_show_log_action(window, tmp_path / "skylift.log"))
        actions = window_actions(window)
        assert len(actions) >= 20, [a.objectName() for a in actions]
        without = [a.objectName() for a in actions if a.shortcut().isEmpty()]
        assert not without, f"actions without a shortcut: {without}"
        seen: dict[str, str] = {}
        for action in actions:
            for shortcut in action.shortcuts():
                key = shortcut.toString(QKeySequence.SequenceFormat.PortableText)
                assert key not in seen, f"{key} is both {seen[key]!r} and {action.objectName()!r}"
                seen[key] = action.objectName()
        # Menus open from the keyboard with Alt and their mnemonic, and no two share a letter.
        titles = [a.text() for a in window.menuBar().actions()]
        assert all("&" in t for t in titles), titles
        letters = [t[t.index("&") + 1].lower() for t in titles]
        assert len(set(letters)) == len(letters), titles


async def test_standard_keys_are_used_where_the_platform_has_one(tmp_path: Path) -> None:
    async with running_app(tmp_path / "state") as app:
        window = app.window
        standard = {
            window.action("add_files"): QKeySequence.StandardKey.Open,
            window.action("quit"): QKeySequence.StandardKey.Quit,
            window.action("copy_url"): QKeySequence.StandardKey.Copy,
            window.action("about"): QKeySequence.StandardKey.HelpContents,
        }
        for action, key in standard.items():
            bindings = QKeySequence.keyBindings(key)
            if bindings:  # else a fallback (the test above checks there is one)
                assert action.shortcuts() == bindings, action.objectName()
        # Not the platform's Delete sequence: on X11 it includes Ctrl+D, which is Destinations….
        assert window.action("remove").shortcuts() == [QKeySequence("Del")]


async def test_tray_menu_has_mnemonics_and_no_shortcuts(qapp: object) -> None:
    tray = TrayController(is_window_visible=lambda: False)
    tray.menu.aboutToShow.emit()
    actions = [a for a in tray.menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    assert all("&" in t for t in texts), texts
    letters = [t[t.index("&") + 1].lower() for t in texts]
    assert len(set(letters)) == len(letters), texts
    # A tray menu has no window to take keys: a global shortcut there would steal them elsewhere.
    assert all(a.shortcut().isEmpty() for a in actions)


def clashing_mnemonics(root: QWidget) -> dict[str, list[str]]:
    """Alt+letter keys that more than one visible label of ``root`` claims."""
    claims: dict[str, list[str]] = {}
    for label in root.findChildren(QLabel):
        text = label.text()
        at = text.replace("&&", "").find("&")
        if label.isVisibleTo(root) and label.buddy() is not None and 0 <= at < len(text) - 1:
            claims.setdefault(text.replace("&&", "")[at + 1].lower(), []).append(text)
    return {key: texts for key, texts in claims.items() if len(texts) > 1}


async def test_every_control_has_an_accessible_name(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "in" / "report.pdf", 10_000)
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        window = app.window
        window.reload_destinations()
        assert not unnamed_controls(window), unnamed_controls(window)
        assert window.view.accessibleName()
        assert window.destinations.combo.accessibleName()
        for action in window.toolbar.actions():
            button = window.toolbar.widgetForAction(action)
            if action.text() and not action.isSeparator():
                assert button is not None and button.accessibleName(), action.objectName()

        window.add_paths([file])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload")
        window.view.selectRow(0)
        window.rows.show_details()
        details = window.rows.details_dialog
        assert details is not None
        assert not unnamed_controls(details), unnamed_controls(details)
        details.close()

        window.edit_destinations()
        dialog = window.destinations.dialog
        assert dialog is not None
        assert not unnamed_controls(dialog), unnamed_controls(dialog)
        assert not clashing_mnemonics(dialog), clashing_mnemonics(dialog)
        dialog.reject()
        # The row context menu is made of the window's actions (checked above).
        menu = QMenu(window)
        fill_menu(menu, window.named_actions, ROW_MENU)
        assert {a for a in menu.actions() if not a.isSeparator()} <= set(window_actions(window))
        menu.deleteLater()
