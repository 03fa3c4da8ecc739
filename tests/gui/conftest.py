"""Window tests: pytest-qt offscreen (QT_QPA_PLATFORM is set in tests/conftest.py), async tests on the
Qt event loop through qasync, real sessions uploading to the real loopback receiver.

Async tests run *on* the qasync loop (the pytest-asyncio loop-factory hook below), so the window,
the sessions and the test share one thread as in the app. They wait with ``until`` (a condition,
polled with a deadline, like qtbot.waitUntil) and never run a nested Qt event loop, which would let
asyncio tasks run re-entrantly inside the test's own step.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

import core
from gui.app import SkyliftApp, build_app
from gui.destinations import DestinationStore, SavedDestination, new_destination_id


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    return {"qasync": lambda: qasync.QEventLoop(QApplication.instance() or QApplication([]))}


@pytest.fixture(autouse=True)
def collect_garbage_on_this_thread() -> Iterator[None]:
    """As in the app (gui.app.MainThreadGarbageCollector): Python's collector must not run in a
    worker thread (the folder walk, the store writer), where it would destroy QObjects caught in
    reference cycles, e.g. a closed event loop's timers. Collected here, after the loop is closed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if enabled:
            gc.enable()


# -- waiting --------------------------------------------------------------------------------------


async def until(
    predicate: Callable[[], object], *, timeout: float = 15.0, what: str | Callable[[], str] = "the condition"
) -> None:
    """Let the loop run until ``predicate()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:g} s waiting for {described}")
        await asyncio.sleep(0.01)


# -- keyring --------------------------------------------------------------------------------------


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in this process: the tests never touch (or need) a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not set")


class BrokenKeyring(keyring.backend.KeyringBackend):
    """What a desktop without a keyring service looks like to the ``keyring`` package."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def broken_keyring() -> Iterator[BrokenKeyring]:
    previous = keyring.get_keyring()
    backend = BrokenKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


# -- the app, assembled by gui.app.build_app as main() does ------------------------------------------


class GuiApp:
    """The app as ``build_app`` makes it, with shortcuts for the tests."""

    def __init__(self, app: SkyliftApp) -> None:
        self.app = app
        self.state_dir = app.state_dir
        self.manager = app.manager
        self.settings = app.settings
        self.destinations = app.destinations
        self.controller = app.controller
        self.window = app.window

    @property
    def model(self) -> Any:
        return self.controller.model

    def rows(self) -> list[core.TaskSnapshot]:
        return self.model.snapshots()

    def states(self) -> list[core.TaskState]:
        return [t.state for t in self.rows()]

    def message_box(self, name: str) -> QMessageBox | None:
        shown = [box for box in self.window.findChildren(QMessageBox, name) if box.isVisible()]
        return shown[0] if shown else None


def add_destination(settings_destinations: DestinationStore, url: str, **fields: Any) -> SavedDestination:
    destination = SavedDestination(
        id=new_destination_id(), name=fields.pop("name", "Receiver"), url=url, **fields
    )
    settings_destinations.save([*settings_destinations.saved(), destination])
    settings_destinations.last_used = destination.id
    return destination


@contextlib.asynccontextmanager
async def running_app(
    state_dir: Path, *, show: bool = True, busy_timeout: float = 10.0, tray: bool = False
) -> AsyncIterator[GuiApp]:
    app = build_app(state_dir, busy_timeout=busy_timeout, tray=tray)
    if show:
        app.window.show()
    try:
        await app.start()
        yield GuiApp(app)
    finally:
        await app.close()


# -- secrets never on disk ------------------------------------------------------------------------


@contextlib.contextmanager
def logging_to(state_dir: Path) -> Iterator[Path]:
    """The app's logging as gui/app.py sets it up (``<state>/logs``, verbose), plus a raw DEBUG log
    *without* the redacting filter (``<state>/logs/raw.log``): a secret in that file was logged by
    someone, not merely caught by the filter afterwards."""
    import logging

    from gui.logging_setup import setup_logging

    root = logging.getLogger()
    level = root.level
    setup_logging(state_dir=state_dir, verbose=True, to_stderr=False)
    raw = logging.FileHandler(state_dir / "logs" / "raw.log", encoding="utf-8")
    raw.setLevel(logging.DEBUG)
    raw.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    # The test servers' own access log is not Skylift's.
    raw.addFilter(lambda record: not record.name.startswith("aiohttp"))
    # First, so that it sees each record before the redacting filter of the app's handlers rewrites it.
    root.handlers.insert(0, raw)
    try:
        yield state_dir / "logs"
    finally:
        root.removeHandler(raw)
        raw.close()
        for handler in list(root.handlers):
            if getattr(handler, "_skylift_handler", False):
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)


def secrets_on_disk(folders: list[Path], secrets: list[str]) -> list[tuple[Path, str]]:
    """(file, secret) for every secret value found in the bytes of any file under ``folders``."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [(path, secret) for secret in secrets if secret.encode() in data]
    return found
