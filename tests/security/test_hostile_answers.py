"""What a hostile or broken server can answer, and what it cannot make Skylift do: send
credentials to another origin, follow a ``javascript:`` upload address, turn a finished upload into
an "internal error" with a broken gzip body, or make it wait for decades."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

import core
from core import TaskState
from core.store import TaskStore
from tests.conftest import make_file
from tests.security.servers import TwoOriginTus
from tests.servers import AiohttpServer


@pytest.fixture
def two_origins() -> Iterator[TwoOriginTus]:
    server = TwoOriginTus()
    server.start()
    try:
        yield server
    finally:
        server.stop()


SECRET_HEADERS = {"Authorization": "Bearer TUS-SECRET-1", "X-Api-Key": "TUS-SECRET-2"}


@pytest.mark.asyncio
async def test_a_tus_upload_url_on_another_origin_gets_no_credentials(
    two_origins: TwoOriginTus, manager: core.SessionManager, tmp_path: Path
) -> None:
    source = make_file(tmp_path / "f.bin", 3 << 20)
    session = manager.create_session(core.SessionConfiguration(identifier="tus-origins"))
    destination = core.Destination(
        url=two_origins.url, protocol=core.WireProtocol.TUS, headers={**SECRET_HEADERS, "X-Trace": "t"}
    )
    task = session.upload_file(source, destination)
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    first = [headers for port, _, headers in two_origins.log if port == two_origins.port]
    other = [
        (method, headers) for port, method, headers in two_origins.log if port == two_origins.second_port
    ]
    assert first and all(h.get("Authorization") == "Bearer TUS-SECRET-1" for h in first)
    assert [method for method, _ in other] == ["PATCH"]
    for _, headers in other:
        assert "Authorization" not in headers and "X-Api-Key" not in headers
        assert headers.get("X-Trace") == "t"  # what is not secret still goes
    [upload] = two_origins.uploads.values()
    assert bytes(upload.data) == source.read_bytes()


@pytest.mark.asyncio
@pytest.mark.parametrize("location", ["javascript:alert(1)", "file:///etc/passwd", "data:text/plain,x"])
async def test_a_tus_location_that_is_not_http_fails_at_once_and_is_never_stored(
    two_origins: TwoOriginTus, manager: core.SessionManager, tmp_path: Path, location: str
) -> None:
    two_origins.location = location
    source = make_file(tmp_path / "f.bin", 1 << 20)
    retries = core.RetryPolicy(delays=(0.0,) * 5)
    session = manager.create_session(core.SessionConfiguration(identifier="tus-js", retry_policy=retries))
    task = session.upload_file(source, core.Destination(url=two_origins.url, protocol=core.WireProtocol.TUS))
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.FAILED
    assert done.error is not None and done.error.startswith(
        "the tus server named an upload address that is not an http(s) URL"
    )
    assert done.attempts == 1, "retried"
    assert [method for _, method, _ in two_origins.log].count("POST") == 1
    assert done.resume_data is None or done.resume_data.get("upload_url") is None
    manager.store.flush()
    [stored] = TaskStore(tmp_path / "state", read_only=True).all_tasks()
    assert (stored.resume_data or {}).get("upload_url") is None


class Answers(AiohttpServer):
    """Answers uploads with what the test sets: a broken gzip body, or a far Retry-After."""

    name = "answers"

    def __init__(self) -> None:
        super().__init__()
        self.mode = "broken-gzip"
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/up"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=0)
        app.router.add_route("*", "/{tail:.*}", self._answer)
        return app

    async def _answer(self, request: web.Request) -> web.Response:
        self.requests += 1
        while await request.content.read(1 << 20):
            pass
        if self.mode == "broken-gzip":
            body = gzip.compress(b'{"stored": true}' * 100)[:40] + b"garbage"
            return web.Response(status=201, body=body, headers={"Content-Encoding": "gzip"})
        return web.Response(status=503, text="come back later", headers={"Retry-After": self.mode})


@pytest.fixture
def answers() -> Iterator[Answers]:
    server = Answers()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.asyncio
async def test_a_broken_gzip_answer_to_a_finished_upload_is_still_completed(
    answers: Answers, manager: core.SessionManager, tmp_path: Path
) -> None:
    session = manager.create_session(core.SessionConfiguration(identifier="gzip"))
    task = session.upload_file(make_file(tmp_path / "f.bin", 100_000), core.Destination(url=answers.url))
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert done.http_status == 201
    assert answers.requests == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [("999999999", "31 years"), ("86400", "1 day"), ("Fri, 31 Dec 2100 23:59:59 GMT", "74 years")],
)
async def test_a_retry_after_beyond_the_cap_fails_saying_how_long(
    answers: Answers, manager: core.SessionManager, tmp_path: Path, retry_after: str, wait: str
) -> None:
    answers.mode = retry_after
    session = manager.create_session(core.SessionConfiguration(identifier="wait"))
    task = session.upload_file(make_file(tmp_path / "f.bin", 1000), core.Destination(url=answers.url))
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.FAILED
    assert (
        done.error
        == f"HTTP 503 Service Unavailable: come back later; the server asked to wait {wait}; not retried"
    )
    assert answers.requests == 1
