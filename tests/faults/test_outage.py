"""A server that is down for a minute: the uploads wait it out and finish with no user action, as a
URLSession background task does; the wait says why and when the next try is, and retry_now()
cuts it short."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import core
from core import TaskState
from tests.core.helpers import eventually
from tests.faults import FaultServer
from tests.faults.matrix import PROTOCOLS, Harness, Outcome, check
from tests.interop.helpers import Recorder, random_file

MiB = 1 << 20
OUTAGE = 60.0


@pytest.mark.asyncio
async def test_a_minute_long_outage_mid_upload_ends_in_completed_uploads(
    harness: Harness, tmp_path: Path
) -> None:
    server = harness.server
    sources = {
        p: random_file(tmp_path / f"outage-{p.value}.bin", 24 * MiB, seed=i) for i, p in enumerate(PROTOCOLS)
    }
    recorder = Recorder()
    # The default policy: quick retries, then longer waits until the resource timeout.
    session = harness.manager.create_session(
        core.SessionConfiguration(identifier="outage", bandwidth_limit=24 * MiB, request_timeout=5), recorder
    )
    tasks = {p: session.upload_file(source, harness.destination(p)) for p, source in sources.items()}
    await eventually(
        lambda: sum(r.body_read for r in server.requests) > 12 * MiB, what="12 MiB on the server"
    )
    server.down(OUTAGE)
    down_at = time.monotonic()
    await eventually(
        lambda: all(session.task(t.task_id).state is TaskState.RETRY_WAIT for t in tasks.values()),
        timeout=30,
        what="every upload to wait for the server",
    )
    waiting = [session.task(t.task_id) for t in tasks.values()]
    assert all(w.error and w.error.startswith("could not connect") for w in waiting), [
        w.error for w in waiting
    ]
    assert all(w.retry_at is not None and w.retry_at > time.time() for w in waiting)
    await asyncio.wait_for(session.wait_until_quiet(), OUTAGE + 120)
    finished_after = time.monotonic() - down_at
    for protocol, task in tasks.items():
        check(
            harness,
            protocol,
            session.task(task.task_id),
            sources[protocol],
            Outcome.ONCE,
            case="server down for 60 s",
        )
    # Waits are capped at a minute (plus jitter): done soon after the server came back.
    assert finished_after < OUTAGE + 60 * 1.2 + 15, finished_after
    back = finished_after - OUTAGE
    print(f"a {OUTAGE:.0f} s outage: all three uploads completed {back:.0f} s after the server came back")


@pytest.mark.asyncio
async def test_retry_now_ends_the_wait(fault_server: FaultServer, harness: Harness, tmp_path: Path) -> None:
    source = random_file(tmp_path / "now.bin", MiB)
    fault_server.down(None)
    session = harness.manager.create_session(
        core.SessionConfiguration(
            identifier="now", retry_policy=core.RetryPolicy(delays=(600.0,), keep_trying=True)
        )
    )
    task = session.upload_file(source, harness.destination(core.WireProtocol.MULTIPART))
    await eventually(lambda: session.task(task.task_id).state is TaskState.RETRY_WAIT, what="the wait")
    fault_server.up()
    fault_server.wait_up()
    assert session.retry_now(task.task_id)
    await asyncio.wait_for(session.wait_until_quiet(), 10)
    assert session.task(task.task_id).state is TaskState.COMPLETED
    assert not session.retry_now(task.task_id)
