"""The main window and its parts: ``main_window`` (the window), ``actions`` (the table of actions,
menus and toolbar), ``status`` (the status bar's presenter), ``rows`` (commands on the selected
rows), ``prompts`` (confirmations and credential requests), ``destination_picker`` (the "Upload
to" choice and the Destinations dialog)."""

from __future__ import annotations

from .main_window import MainWindow
from .status import StatusView, present_status

__all__ = ["MainWindow", "StatusView", "present_status"]
