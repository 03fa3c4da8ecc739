"""One batch across every session: it ends when nothing of it moves by itself any more, exactly
once, and finished history never counts in the next."""

from __future__ import annotations

from pathlib import Path

import pytest

import core
from core import BatchStatus
from tests.conftest import make_file
from tests.core.helpers import eventually
from tests.servers import ReceiverServer


def watch(manager: core.SessionManager) -> tuple[list[BatchStatus], list[BatchStatus | None]]:
    finished: list[BatchStatus] = []
    changes: list[BatchStatus | None] = []
    manager.batch.on_finished(finished.append)
    manager.batch.on_change(changes.append)
    return finished, changes


@pytest.mark.asyncio
async def test_one_batch_across_two_destinations_ends_once(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    finished, _ = watch(manager)
    gate = receiver.script("/slow", hold_after=64 << 10)
    fast = manager.create_session(core.SessionConfiguration(identifier="fast"))
    slow = manager.create_session(core.SessionConfiguration(identifier="slow"))
    fast.upload_files(
        [(make_file(tmp_path / f"a{i}.bin", 1000), None) for i in range(2)],
        core.Destination(url=f"{receiver.url}/fast"),
    )
    slow.upload_file(make_file(tmp_path / "big.bin", 4 << 20), core.Destination(url=f"{receiver.url}/slow"))
    await fast.wait_until_quiet()
    # The first destination is done, the other still uploads: no summary yet.
    assert finished == []
    status = manager.batch.status()
    assert status is not None and (status.files, status.completed) == (3, 2)
    gate.release()
    await slow.wait_until_quiet()
    await eventually(lambda: finished, what="the batch to end")
    [summary] = finished
    assert (summary.files, summary.completed, summary.failed) == (3, 3, 0)
    assert summary.summary() == "3 files uploaded"
    assert summary.fraction == 1.0

    # The next batch starts from nothing.
    fast.upload_file(make_file(tmp_path / "later.bin", 10), core.Destination(url=f"{receiver.url}/fast"))
    await fast.wait_until_quiet()
    await eventually(lambda: len(finished) == 2, what="the second batch to end")
    assert (finished[1].files, finished[1].completed) == (1, 1)


@pytest.mark.asyncio
async def test_a_paused_or_failed_task_does_not_hold_the_batch_open(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    finished, _ = watch(manager)
    gate = receiver.script("/p", hold_after=64 << 10)
    receiver.script("/refused", fail_with=[403])
    session = manager.create_session(core.SessionConfiguration(identifier="mixed"))
    paused = session.upload_file(
        make_file(tmp_path / "p.bin", 4 << 20), core.Destination(url=f"{receiver.url}/p")
    )
    session.upload_file(make_file(tmp_path / "r.bin", 100), core.Destination(url=f"{receiver.url}/refused"))
    session.upload_file(make_file(tmp_path / "ok.bin", 100), core.Destination(url=f"{receiver.url}/ok"))
    await eventually(lambda: receiver.holding, what="the big one mid-transfer")
    session.pause(paused.task_id)
    gate.release()
    await session.wait_until_quiet()
    await eventually(lambda: finished, what="the batch to end")
    assert finished[0].summary() == "1 file uploaded, 1 failed, 1 paused"
    assert manager.batch.status() is None

    # Resumed, the paused task is a batch of its own.
    session.resume(paused.task_id)
    await session.wait_until_quiet()
    await eventually(lambda: len(finished) == 2, what="the second batch")
    assert finished[1].summary() == "1 file uploaded"


@pytest.mark.asyncio
async def test_a_held_queue_ends_the_batch_with_what_waits(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    finished, _ = watch(manager)
    gate = receiver.script("/h", hold_after=64 << 10)
    session = manager.create_session(core.SessionConfiguration(identifier="stop", max_concurrent_uploads=1))
    session.upload_files(
        [(make_file(tmp_path / f"h{i}.bin", 1 << 20), None) for i in range(3)],
        core.Destination(url=f"{receiver.url}/h"),
    )
    await eventually(lambda: receiver.holding, what="the first upload mid-transfer")
    session.hold()  # "Stop after running"
    gate.release()
    await session.wait_until_quiet()
    await eventually(lambda: finished, what="the batch to end")
    assert finished[0].summary() == "1 file uploaded, 2 waiting"
    removed = [t.task_id for t in session.tasks() if t.state.is_runnable]
    session.run()
    await session.wait_until_quiet()
    await eventually(lambda: len(finished) == 2, what="the rest")
    assert finished[1].completed == len(removed) == 2
