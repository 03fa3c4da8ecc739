from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.interop.peers import CuttingProxy, TusPeer, install_node_peer, node_peer, tuspy_peer
from tests.interop.scripted_tus import ScriptedTusServer
from tests.requirements import in_ci, require_tool

PEER_NAMES = ("tus-node", "tuspyserver")


def require_module(name: str, *, why: str) -> None:
    """Like ``require_tool`` for a Python package: skip on a developer machine, fail in CI."""
    if importlib.util.find_spec(name) is not None:
        return
    message = f"the Python package {name} is not installed: {why} (pip install -e '.[test]')"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def node_ready() -> str:
    node = require_tool("node", why="the reference tus server (@tus/server) runs on Node.js")
    npm = require_tool("npm", why="installs @tus/server into tests/peers/tus-node")
    install_node_peer(npm)
    return node


def make_peer(name: str, directory: Path, request: pytest.FixtureRequest) -> TusPeer:
    if name == "tus-node":
        return node_peer(directory, request.getfixturevalue("node_ready"))
    require_module("tuspyserver", why="a second, independent tus server")
    require_module("uvicorn", why="serves tuspyserver")
    return tuspy_peer(directory)


@pytest.fixture(params=PEER_NAMES)
def tus_peer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TusPeer]:
    """Each independent tus server in turn, fresh (own port and folder) for every test."""
    peer = make_peer(request.param, tmp_path / f"{request.param}-files", request)
    peer.start()
    try:
        yield peer
    finally:
        peer.kill()


@pytest.fixture
def cutting_proxy(tus_peer: TusPeer) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(tus_peer.port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def scripted_tus() -> Iterator[ScriptedTusServer]:
    server = ScriptedTusServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
