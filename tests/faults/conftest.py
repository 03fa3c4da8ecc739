"""Fixtures of the fault-injection suite: the fault server, cutting proxies, a full disk, a read-only
folder, and commands run as nobody. Every fixture undoes what it did when the test ends."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

import core
from tests.faults import system
from tests.faults.cutting_proxy import CuttingProxy
from tests.faults.fault_server import FaultServer
from tests.faults.matrix import Harness, summary_lines

ProxyFactory = Callable[..., CuttingProxy]
TmpfsFactory = Callable[[int | str], Path]
ReadOnlyFactory = Callable[..., Path]


@pytest.fixture
def make_fault_server() -> Iterator[Callable[..., FaultServer]]:
    """``make_fault_server(**FaultServer options)``: a started server, stopped after the test."""
    servers: list[FaultServer] = []

    def make(**options: Any) -> FaultServer:
        server = FaultServer(**options)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def fault_server(make_fault_server: Callable[..., FaultServer]) -> FaultServer:
    """A FaultServer with its defaults (tus uploads in memory), fresh for every test."""
    return make_fault_server()


@pytest_asyncio.fixture
async def harness(fault_server: FaultServer, tmp_path: Path) -> AsyncIterator[Harness]:
    """The fault server and a session manager on a fresh state folder (see ``matrix.py``)."""
    manager = core.SessionManager(tmp_path / "state")
    try:
        yield Harness(fault_server, tmp_path / "state", manager)
    finally:
        await manager.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture
def cutting_proxy() -> Iterator[ProxyFactory]:
    """``make_proxy(target_port, cut_every=None, cut_once_after=None)``: a started CuttingProxy."""
    proxies: list[CuttingProxy] = []

    def make_proxy(target_port: int, **options: Any) -> CuttingProxy:
        proxy = CuttingProxy(target_port, **options)
        proxy.start()
        proxies.append(proxy)
        return proxy

    yield make_proxy
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[TmpfsFactory]:
    """``tmpfs(size)``: a fresh tmpfs of ``size`` (bytes or "1m") under tmp_path, for disk-full
    cases; writing more than ``size`` raises ENOSPC. Unmounted after the test."""
    mounts: list[Path] = []

    def mount(size: int | str) -> Path:
        path = system.mount_tmpfs(tmp_path / f"tmpfs-{len(mounts) + 1}", size)
        mounts.append(path)
        return path

    yield mount
    for path in reversed(mounts):
        system.unmount(path)


@pytest.fixture
def read_only_dir(tmpfs: TmpfsFactory) -> ReadOnlyFactory:
    """``read_only_dir(files={"a.bin": b"..."}, populate=None, size="4m")``: a folder that is really
    read-only, even to root: a tmpfs filled first (``files``, then ``populate(path)``), then remounted
    read-only. Writing there raises EROFS."""

    def make(
        files: Mapping[str, bytes] | None = None,
        populate: Callable[[Path], None] | None = None,
        size: int | str = "4m",
    ) -> Path:
        path = tmpfs(size)
        for name, content in (files or {}).items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if populate is not None:
            populate(path)
        system.remount_read_only(path)
        return path

    return make


@pytest.fixture
def as_nobody() -> Callable[[Sequence[str]], list[str]]:
    """``as_nobody(command)``: the command prefixed to run as nobody (uid/gid 65534) under root."""
    return system.as_nobody


@pytest.fixture
def nobody_tmp_path() -> Iterator[Path]:
    """A folder nobody owns and can write, outside pytest's root-only tmp_path."""
    path = Path(tempfile.mkdtemp(prefix="skylift-nobody-"))
    path.chmod(0o755)
    # Not root: the folder stays ours, and as_nobody() runs commands as ourselves anyway.
    with contextlib.suppress(PermissionError):
        shutil.chown(path, system.NOBODY, system.NOBODY)
    yield path
    shutil.rmtree(path, ignore_errors=True)
