"""The window's actions, as one table: text, icon, keys, tip and the window method they call.

Menus, the toolbar and the row context menu list actions by name (``MENUS``, ``TOOLBAR``,
``ROW_MENU``); ``gui.queue.row_actions`` says which row actions a selection enables. Adding an
action is one entry here and its method on the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from ..queue import RowAction
from ..resources import action_icon

__all__ = ["ACTIONS", "MENUS", "ROW_MENU", "TOOLBAR", "ActionSpec", "create_actions", "fill_menu"]

Keys = QKeySequence | QKeySequence.StandardKey | str | None
_CONTEXT = "MainWindow"


@dataclass(frozen=True)
class ActionSpec:
    # The window attribute is ``action_<name>``; the object name (for tests and accessibility)
    # is ``object_name`` or the name.
    name: str
    text: object
    # The window's method (or ``controller.<method>``) that the action calls.
    slot: str
    icon: str | None = None
    keys: Keys = None
    # A key for platforms whose standard key is empty (Windows has no Quit key).
    fallback: str = ""
    tip: object = ""
    object_name: str = ""
    # The row it acts on (for the selection's enable rules): keys act on the table only.
    row: RowAction | None = None


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "add_files",
        QT_TRANSLATE_NOOP("MainWindow", "Add files…"),
        "choose_files",
        "add-file",
        QKeySequence.StandardKey.Open,
        tip=QT_TRANSLATE_NOOP("MainWindow", "Choose files to upload"),
    ),
    ActionSpec(
        "add_folder",
        QT_TRANSLATE_NOOP("MainWindow", "Add folder…"),
        "choose_folder",
        "add-folder",
        "Ctrl+Shift+O",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Choose a folder to upload with everything in it"),
    ),
    ActionSpec(
        "destinations",
        QT_TRANSLATE_NOOP("MainWindow", "Destinations…"),
        "edit_destinations",
        "destinations",
        "Ctrl+D",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Define where uploads go"),
    ),
    ActionSpec(
        "quit",
        QT_TRANSLATE_NOOP("MainWindow", "Quit"),
        "request_quit",
        keys=QKeySequence.StandardKey.Quit,
        fallback="Ctrl+Q",
    ),
    ActionSpec(
        "pause_all",
        QT_TRANSLATE_NOOP("MainWindow", "Pause all"),
        "controller.pause_all",
        "pause",
        "Ctrl+Shift+P",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Pause every upload"),
    ),
    ActionSpec(
        "resume_all",
        QT_TRANSLATE_NOOP("MainWindow", "Resume all"),
        "controller.resume_all",
        "resume",
        "Ctrl+Shift+U",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Resume paused uploads and continue a stopped queue"),
    ),
    ActionSpec(
        "stop_after",
        QT_TRANSLATE_NOOP("MainWindow", "Stop after running"),
        "controller.stop_after_running",
        "stop-after",
        "Ctrl+Shift+T",
        tip=QT_TRANSLATE_NOOP(
            "MainWindow", "Stop after running uploads: they finish, queued ones wait until you resume"
        ),
        object_name="stop_after_running",
    ),
    ActionSpec(
        "cancel_all",
        QT_TRANSLATE_NOOP("MainWindow", "Cancel all"),
        "request_cancel_all",
        "cancel",
        "Ctrl+Shift+X",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Cancel every unfinished upload now"),
    ),
    ActionSpec(
        "retry_failed",
        QT_TRANSLATE_NOOP("MainWindow", "Retry failed"),
        "controller.retry_failed",
        "retry",
        "Ctrl+Shift+F",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Try every failed upload again"),
    ),
    ActionSpec(
        "clear_finished",
        QT_TRANSLATE_NOOP("MainWindow", "Clear finished"),
        "controller.clear_finished",
        "clear",
        "Ctrl+Shift+Del",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Remove uploaded and cancelled files from the list"),
    ),
    ActionSpec(
        "about",
        QT_TRANSLATE_NOOP("MainWindow", "About Skylift"),
        "show_about",
        keys=QKeySequence.StandardKey.HelpContents,
        fallback="F1",
    ),
    # Per-row actions: in the context menu and the Upload menu, with keys while the table has focus.
    ActionSpec(
        "pause",
        QT_TRANSLATE_NOOP("MainWindow", "Pause"),
        "pause_selected",
        "pause",
        "Ctrl+P",
        row=RowAction.PAUSE,
    ),
    ActionSpec(
        "resume",
        QT_TRANSLATE_NOOP("MainWindow", "Resume"),
        "resume_selected",
        "resume",
        "Ctrl+R",
        row=RowAction.RESUME,
    ),
    ActionSpec(
        "toggle",
        QT_TRANSLATE_NOOP("MainWindow", "Pause or resume"),
        "toggle_selected",
        keys="Space",
        row=RowAction.TOGGLE,
    ),
    ActionSpec(
        "cancel",
        QT_TRANSLATE_NOOP("MainWindow", "Cancel"),
        "cancel_selected",
        "cancel",
        "Ctrl+.",
        row=RowAction.CANCEL,
    ),
    ActionSpec(
        "retry",
        QT_TRANSLATE_NOOP("MainWindow", "Retry"),
        "retry_selected",
        "retry",
        "Ctrl+Shift+R",
        row=RowAction.RETRY,
    ),
    ActionSpec(
        "retry_current",
        QT_TRANSLATE_NOOP("MainWindow", "Retry with current settings"),
        "retry_selected_with_current_settings",
        "retry",
        "Ctrl+Alt+R",
        tip=QT_TRANSLATE_NOOP(
            "MainWindow", "Try again with the destination as it is now (its URL, headers and credentials)"
        ),
        row=RowAction.RETRY_CURRENT,
    ),
    ActionSpec(
        "credentials",
        QT_TRANSLATE_NOOP("MainWindow", "Enter credentials…"),
        "enter_credentials",
        keys="Ctrl+K",
        tip=QT_TRANSLATE_NOOP("MainWindow", "Give the credentials these uploads wait for"),
        object_name="enter_credentials",
        row=RowAction.ENTER_CREDENTIALS,
    ),
    # Only the Delete key: the platform's Delete sequence includes Ctrl+D on X11, which is
    # Destinations… (and would be taken by this action whenever the table has the focus).
    ActionSpec(
        "remove",
        QT_TRANSLATE_NOOP("MainWindow", "Remove from list"),
        "remove_selected",
        "remove",
        QKeySequence(Qt.Key.Key_Delete),
        row=RowAction.REMOVE,
    ),
    ActionSpec(
        "details",
        QT_TRANSLATE_NOOP("MainWindow", "Details…"),
        "show_details",
        "details",
        "Ctrl+I",
        row=RowAction.DETAILS,
    ),
    ActionSpec(
        "open_folder",
        QT_TRANSLATE_NOOP("MainWindow", "Open containing folder"),
        "open_containing_folder",
        "folder",
        "Ctrl+E",
        row=RowAction.OPEN_FOLDER,
    ),
    ActionSpec(
        "copy_url",
        QT_TRANSLATE_NOOP("MainWindow", "Copy returned URL"),
        "copy_returned_url",
        "copy",
        QKeySequence.StandardKey.Copy,
        row=RowAction.COPY_URL,
    ),
    ActionSpec(
        "copy_response",
        QT_TRANSLATE_NOOP("MainWindow", "Copy server response"),
        "copy_response",
        keys="Ctrl+Shift+C",
        row=RowAction.COPY_RESPONSE,
    ),
)

# None is a separator.
MENUS: tuple[tuple[object, tuple[str | None, ...]], ...] = (
    (
        QT_TRANSLATE_NOOP("MainWindow", "&File"),
        ("add_files", "add_folder", None, "destinations", None, "quit"),
    ),
    (
        QT_TRANSLATE_NOOP("MainWindow", "&Queue"),
        ("pause_all", "resume_all", "stop_after", "cancel_all", None, "retry_failed", "clear_finished"),
    ),
    (QT_TRANSLATE_NOOP("MainWindow", "&Upload"), ("@row",)),
    (QT_TRANSLATE_NOOP("MainWindow", "&Help"), ("about",)),
)
ROW_MENU: tuple[str | None, ...] = (
    "pause",
    "resume",
    "cancel",
    "retry",
    "retry_current",
    "credentials",
    None,
    "details",
    "open_folder",
    "copy_url",
    "copy_response",
    None,
    "remove",
)
TOOLBAR: tuple[str | None, ...] = (
    "add_files",
    "add_folder",
    None,
    "pause_all",
    "resume_all",
    "stop_after",
    "cancel_all",
    None,
    "retry_failed",
)


def create_actions(owner: QWidget, resolve: Callable[[str], Callable[[], object]]) -> dict[str, QAction]:
    """One QAction per entry of ``ACTIONS``, parented to ``owner``; ``resolve`` turns a slot name
    into the callable."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(QCoreApplication.translate(_CONTEXT, str(spec.text)), owner)
        if spec.icon:
            # Kept on the action: the icon is redrawn in the new text colour when the palette changes.
            action.setProperty("icon_name", spec.icon)
            action.setIcon(action_icon(spec.icon))
        if isinstance(spec.keys, QKeySequence.StandardKey):
            # The platform's own keys; some platforms have none for a key (Windows: Quit).
            action.setShortcuts(spec.keys)
            if action.shortcut().isEmpty() and spec.fallback:
                action.setShortcut(QKeySequence(spec.fallback))
        elif spec.keys is not None:
            action.setShortcut(QKeySequence(spec.keys))
        if spec.tip:
            tip = QCoreApplication.translate(_CONTEXT, str(spec.tip))
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setObjectName(spec.object_name or spec.name)
        slot = resolve(spec.slot)
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
        actions[spec.name] = action
    return actions


def fill_menu(menu: QMenu, actions: dict[str, QAction], names: Sequence[str | None]) -> None:
    for name in names:
        if name is None:
            menu.addSeparator()
        elif name == "@row":
            fill_menu(menu, actions, ROW_MENU)
        else:
            menu.addAction(actions[name])


def fill_menu_bar(bar: QMenuBar, actions: dict[str, QAction]) -> dict[str, QMenu]:
    menus: dict[str, QMenu] = {}
    for title, names in MENUS:
        menu = bar.addMenu(QCoreApplication.translate(_CONTEXT, str(title)))
        fill_menu(menu, actions, names)
        menus[str(title).strip("&").lower()] = menu
    return menus


def row_specs() -> list[ActionSpec]:
    return [spec for spec in ACTIONS if spec.row is not None]
