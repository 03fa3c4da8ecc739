"""Fixtures of the interop matrix: the shared awkward tree (made once per run), one fresh server per
test (own port and folder, stopped after), and the matrix printed at the end of the run."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.interop.peers import TusPeer, free_port, install_node_peer, node_peer, tuspy_peer
from tests.matrix.harness import require_module, rows
from tests.matrix.servers import (
    APPS,
    NODE_DIR,
    ApacheDav,
    FrameworkServer,
    MotoS3,
    NginxDav,
    RcloneDav,
    Server,
    Tinyproxy,
    WsgiDav,
    install_node_peers,
)
from tests.matrix.tree import Tree, build_tree
from tests.requirements import require_tool

AnyServer = TypeVar("AnyServer", bound=Server)
DAV_SERVERS = ("nginx create_full_put_path", "nginx", "apache mod_dav", "rclone serve webdav", "wsgidav")
FRAMEWORKS = ("flask", "fastapi", "django", "multer", "busboy")
TUS_SERVERS = ("@tus/server", "tuspyserver", "aiohttp-tus")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every server here is on loopback: a proxy configured on the machine must not get between."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    """The awkward tree with its 64 MiB file, made once for the whole run."""
    return build_tree(tmp_path_factory.mktemp("matrix-tree"))


def running(server: AnyServer) -> Iterator[AnyServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_dav(name: str, workdir: Path) -> Server:
    server = _dav(name, workdir)
    server.label = name
    return server


def _dav(name: str, workdir: Path) -> Server:
    if name.startswith("nginx"):
        nginx = require_tool("nginx", why="the nginx DAV peer (Debian nginx-light)")
        return NginxDav(workdir, nginx, create_full_put_path="create_full_put_path" in name)
    if name == "apache mod_dav":
        return ApacheDav(workdir, require_tool("apache2", why="the Apache mod_dav peer (Debian apache2)"))
    if name == "rclone serve webdav":
        return RcloneDav(workdir, require_tool("rclone", why="the rclone WebDAV peer (Debian rclone)"))
    require_module("wsgidav", why="the wsgidav WebDAV peer")
    require_module("cheroot", why="serves wsgidav")
    return WsgiDav(workdir)


@pytest.fixture(params=DAV_SERVERS)
def dav_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """Each WebDAV server in turn, fresh for every test."""
    yield from running(make_dav(request.param, tmp_path / "dav"))


@pytest.fixture
def nginx_dav(tmp_path: Path) -> Iterator[NginxDav]:
    """nginx without create_full_put_path: folders need MKCOL (the proxy tests' server)."""
    server = make_dav("nginx", tmp_path / "nginx")
    assert isinstance(server, NginxDav)
    yield from running(server)


@pytest.fixture
def moto_s3(tmp_path: Path) -> Iterator[MotoS3]:
    require_module("moto", why="the S3-compatible peer (moto[server])")
    require_module("boto3", why="creates the bucket, presigns the URLs and reads the objects")
    require_module("flask", why="moto's server mode runs on Flask")
    yield from running(MotoS3(tmp_path / "moto"))


@pytest.fixture(scope="session")
def node_apps_ready() -> str:
    node = require_tool("node", why="the multer and busboy peers run on Node.js")
    npm = require_tool("npm", why="installs multer, busboy and express into tests/matrix/node")
    install_node_peers(npm)
    return node


def framework_command(name: str, request: pytest.FixtureRequest) -> Callable[[int, Path], list[str]]:
    python_apps = {
        "flask": ("flask_app.py", ("flask", "werkzeug")),
        "fastapi": ("fastapi_app.py", ("fastapi", "starlette", "multipart", "uvicorn")),
        "django": ("django_app.py", ("django",)),
    }
    if name in python_apps:
        script, modules = python_apps[name]
        for module in modules:
            require_module(module, why=f"the {name} multipart peer")
        return lambda port, storage: [sys.executable, str(APPS / script), str(port), str(storage)]
    node = request.getfixturevalue("node_apps_ready")
    return lambda port, storage: [node, str(NODE_DIR / f"{name}-server.mjs"), str(port), str(storage)]


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FrameworkServer]:
    name = request.param
    command = framework_command(name, request)
    yield from running(FrameworkServer(tmp_path / name, name, command))


@pytest.fixture(scope="session")
def tus_node_ready() -> str:
    node = require_tool("node", why="the reference tus server (@tus/server) runs on Node.js")
    npm = require_tool("npm", why="installs @tus/server into tests/peers/tus-node")
    install_node_peer(npm)
    return node


def aiohttp_tus_peer(directory: Path) -> TusPeer:
    port = free_port()
    ledger = directory.parent / "aiohttp-tus-ledger.jsonl"
    command = [sys.executable, str(APPS / "aiohttp_tus_app.py"), str(port), str(directory), str(ledger)]
    return TusPeer("aiohttp-tus", command, directory, port, cwd=APPS)


@pytest.fixture(params=TUS_SERVERS)
def tus_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TusPeer]:
    directory = tmp_path / "tus-files"
    if request.param == "@tus/server":
        peer = node_peer(directory, request.getfixturevalue("tus_node_ready"))
    elif request.param == "tuspyserver":
        require_module("tuspyserver", why="a second, independent tus server")
        require_module("uvicorn", why="serves tuspyserver")
        peer = tuspy_peer(directory)
    else:
        require_module("aiohttp_tus", why="a third, independent tus server (aiohttp-tus)")
        peer = aiohttp_tus_peer(directory)
    peer.start()
    try:
        yield peer
    finally:
        peer.kill()


@pytest.fixture
def tinyproxy(tmp_path: Path) -> Iterator[Callable[..., Tinyproxy]]:
    """``make_proxy(connect_ports=(...))``: a started tinyproxy (stopped after the test)."""
    binary = require_tool("tinyproxy", why="the HTTP proxy peer (Debian tinyproxy)")
    started: list[Tinyproxy] = []

    def make_proxy(*, connect_ports: tuple[int, ...] = ()) -> Tinyproxy:
        proxy = Tinyproxy(tmp_path / f"tinyproxy-{len(started)}", binary, connect_ports=connect_ports)
        proxy.start()
        started.append(proxy)
        return proxy

    yield make_proxy
    for proxy in started:
        proxy.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    seen = rows()
    if not seen:
        return
    terminalreporter.section("interop matrix (tests/matrix)")
    terminalreporter.write_line("| server | protocol | variant | bytes | names and folders on the server |")
    terminalreporter.write_line("|---|---|---|---|---|")
    for row in sorted(seen, key=lambda r: (r.protocol, r.server, r.variant)):
        terminalreporter.write_line(
            f"| {row.server} | {row.protocol} | {row.variant} | {row.content} | {row.names} |"
        )
