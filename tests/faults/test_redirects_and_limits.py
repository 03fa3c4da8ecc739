"""Redirects of streamed uploads, and tus behind a proxy that limits request bodies."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web

import core
from core import TaskState
from tests.conftest import sha256_of
from tests.faults import FaultServer
from tests.faults.matrix import Harness, Outcome, check
from tests.interop.helpers import Recorder, random_file
from tests.servers import AiohttpServer, local_port

MiB = 1 << 20


class Redirector(AiohttpServer):
    """Two origins: ``/<status>/...`` on the first answers that redirect status to the same path on
    the second (``/loop`` to itself); the second stores bodies and keeps their headers."""

    name = "redirector"

    sites = 2

    def __init__(self) -> None:
        super().__init__()
        self.stored: list[tuple[str, str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def second_port(self) -> int:
        return self.ports[1]

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/{tail:.*}", self._route)
        return app

    async def _route(self, request: web.Request) -> web.Response:
        if local_port(request) == self.second_port:
            return await self._store(request)
        return await self._redirect(request)

    async def _redirect(self, request: web.Request) -> web.Response:
        while await request.content.read(1 << 20):
            pass  # read the body, as servers that redirect after it do
        status = int(request.path.split("/")[1]) if request.path.split("/")[1].isdigit() else 307
        if request.path.startswith("/loop"):
            return web.Response(status=307, headers={"Location": request.path})
        return web.Response(
            status=status, headers={"Location": f"http://127.0.0.1:{self.second_port}{request.path}"}
        )

    async def _store(self, request: web.Request) -> web.Response:
        digest = hashlib.sha256()
        while chunk := await request.content.read(1 << 20):
            digest.update(chunk)
        self.stored.append((request.path, digest.hexdigest(), dict(request.headers)))
        return web.Response(status=201, text="stored")


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    server = Redirector()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def raw_upload(
    manager: core.SessionManager, url: str, source: Path, **headers: str
) -> core.TaskSnapshot:
    session = manager.create_session(core.SessionConfiguration(identifier=f"r{abs(hash(url)) % 10**8}"))
    task = session.upload_file(
        source, core.Destination(url=url, protocol=core.WireProtocol.RAW, headers=headers)
    )
    await session.wait_until_quiet()
    return session.task(task.task_id)


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [307, 308])
async def test_307_and_308_are_followed_and_credentials_stay_home(
    redirector: Redirector, harness: Harness, tmp_path: Path, status: int
) -> None:
    source = random_file(tmp_path / "moved.bin", 3 * MiB)
    done = await raw_upload(
        harness.manager,
        f"{redirector.url}/{status}/moved.bin",
        source,
        Authorization="Bearer HOME-ONLY",
        X_Trace="t",
    )
    assert done.state is TaskState.COMPLETED, done.error
    [(path, digest, headers)] = redirector.stored
    assert (path, digest) == (f"/{status}/moved.bin", sha256_of(source))
    assert "Authorization" not in headers  # another origin: no secret headers
    assert headers.get("X_Trace") == "t"
    assert done.bytes_sent == source.stat().st_size  # progress counted the body once


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [301, 302, 303])
async def test_301_302_303_fail_naming_the_new_url(
    redirector: Redirector, harness: Harness, tmp_path: Path, status: int
) -> None:
    source = random_file(tmp_path / "x.bin", 1000)
    done = await raw_upload(harness.manager, f"{redirector.url}/{status}/x.bin", source)
    assert done.state is TaskState.FAILED
    moved = f"http://127.0.0.1:{redirector.second_port}/{status}/x.bin"
    assert (
        done.error
        == f"HTTP {status}: the server moved the upload to {moved}; set the destination to that URL"
    )
    assert redirector.stored == []


@pytest.mark.asyncio
async def test_a_redirect_loop_ends(redirector: Redirector, harness: Harness, tmp_path: Path) -> None:
    done = await raw_upload(
        harness.manager, f"{redirector.url}/loop/x.bin", random_file(tmp_path / "x.bin", 1000)
    )
    assert done.state is TaskState.FAILED
    assert done.error is not None and done.error.startswith("more than 5 redirects")


@pytest.fixture
def limited(make_fault_server: Callable[..., FaultServer]) -> FaultServer:
    """A tus server behind a proxy that refuses request bodies over 1 MiB."""
    return make_fault_server(max_body=MiB)


@pytest.mark.asyncio
async def test_tus_behind_a_body_limit_finds_a_part_size_that_passes(
    limited: FaultServer, tmp_path: Path
) -> None:
    source = random_file(tmp_path / "limited.bin", 10 * MiB)
    manager = core.SessionManager(tmp_path / "state")
    try:
        harness = Harness(limited, tmp_path / "state", manager)
        recorder = Recorder()
        session = manager.create_session(core.SessionConfiguration(identifier="limited"), recorder)
        task = session.upload_file(source, harness.destination(core.WireProtocol.TUS))
        await session.wait_until_quiet()
        done = session.task(task.task_id)
        check(
            harness, core.WireProtocol.TUS, done, source, Outcome.ONCE, case="tus behind a 1 MiB body limit"
        )
        # No orphan: the refused creation created nothing, and one upload carried every byte.
        assert limited.uploads_in_progress() == []
        assert [r.method for r in limited.requests if r.method == "POST"] == ["POST", "POST"]
        notices = recorder.notices()
        assert any("refused data in the creation request" in n for n in notices), notices
        assert any("sending parts of" in n for n in notices), notices
    finally:
        await manager.close()
