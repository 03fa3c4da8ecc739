"""A session's lifecycle: running, held (URLSession's suspend/resume, applied to the queue),
closing, closed; the delegate hears each change; commands on a held queue work without it running."""

from __future__ import annotations

from pathlib import Path

import pytest

import core
from core import SessionState, TaskState
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder, eventually
from tests.servers import ReceiverServer

HOLD = 256 * 1024
BIG = 8 << 20


class StateRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.session_states: list[SessionState] = []

    def session_did_change_state(self, session: core.UploadSession, state: SessionState) -> None:
        self.session_states.append(state)


@pytest.mark.asyncio
async def test_hold_lets_running_tasks_finish_and_starts_nothing_until_run(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    files = [make_file(tmp_path / f"f{i}.bin", BIG if i == 0 else 10_000) for i in range(4)]
    gate = receiver.script("/h", hold_after=HOLD)
    recorder = StateRecorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="held", max_concurrent_uploads=1), recorder
    )
    running, *queued = session.upload_files(
        [(f, None) for f in files], core.Destination(url=f"{receiver.url}/h")
    )
    await eventually(
        lambda: receiver.holding and recorder.bytes_sent(running.task_id) > 0, what="mid-transfer"
    )

    session.hold()
    assert session.state is SessionState.HELD and session.is_valid
    gate.release()
    await session.wait_until_quiet()  # quiet: the running task finished, the rest waits
    assert session.task(running.task_id).state is TaskState.COMPLETED
    assert [session.task(t.task_id).state for t in queued] == [TaskState.QUEUED] * 3

    # Commands on held tasks work without the queue running: one task retried, one cancelled.
    assert session.cancel(queued[2].task_id)
    assert session.resume(queued[0].task_id)  # released by hand: it alone starts
    await session.wait_until_quiet()
    assert session.task(queued[0].task_id).state is TaskState.COMPLETED
    assert session.task(queued[1].task_id).state is TaskState.QUEUED

    session.run()
    await session.wait_until_quiet()
    assert session.task(queued[1].task_id).state is TaskState.COMPLETED
    assert sorted(r.sha256 for r in receiver.received) == sorted(sha256_of(f) for f in files[:3])
    assert recorder.session_states == [SessionState.HELD, SessionState.RUNNING]


@pytest.mark.asyncio
async def test_new_files_in_a_held_session_wait(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    session = manager.create_session(core.SessionConfiguration(identifier="held-new"))
    session.hold()
    task = session.upload_file(make_file(tmp_path / "f.bin", 1000), core.Destination(url=f"{receiver.url}/n"))
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is TaskState.QUEUED and not receiver.received
    session.resume_all()  # Resume all also runs a held queue
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is TaskState.COMPLETED


@pytest.mark.asyncio
async def test_closing_then_closed(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    recorder = StateRecorder()
    session = manager.create_session(core.SessionConfiguration(identifier="closing"), recorder)
    session.hold()
    session.finish_tasks_and_invalidate()
    await session.wait_invalidated()
    assert session.state is SessionState.CLOSED and not session.is_valid
    assert recorder.session_states == [SessionState.HELD, SessionState.CLOSING, SessionState.CLOSED]
    assert "closing" not in manager.sessions


@pytest.mark.asyncio
async def test_open_session_reads_the_queue_off_the_loop(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path
) -> None:
    manager = core.SessionManager(state_dir)
    try:
        session = await manager.open_session(core.SessionConfiguration(identifier="opened"))
        session.hold()
        session.upload_files(
            [(make_file(tmp_path / f"q{i}.bin", 100), None) for i in range(3)],
            core.Destination(url=f"{receiver.url}/o"),
        )
    finally:
        await manager.close()
    manager = core.SessionManager(state_dir)
    try:
        with pytest.raises(core.SessionIdentifierInUse):
            manager.create_session(core.SessionConfiguration(identifier="x"))
            manager.create_session(core.SessionConfiguration(identifier="x"))
        again = await manager.open_session(core.SessionConfiguration(identifier="opened"))
        await again.wait_until_quiet()
        assert [t.state for t in again.tasks()] == [TaskState.COMPLETED] * 3
    finally:
        await manager.close()


@pytest.mark.asyncio
async def test_a_session_opened_held_starts_nothing_it_reattaches(
    tmp_path: Path, receiver: ReceiverServer, state_dir: Path
) -> None:
    """``open_session(held=True)``: the earlier run's queue is there, commands work on it, nothing
    starts until ``run()``; the batch counts the queue as held (it is not "in progress")."""
    manager = core.SessionManager(state_dir)
    try:
        session = await manager.open_session(core.SessionConfiguration(identifier="q"), held=True)
        session.upload_files(
            [(make_file(tmp_path / f"q{i}.bin", 100), None) for i in range(3)],
            core.Destination(url=f"{receiver.url}/q"),
        )
    finally:
        await manager.close()
    manager = core.SessionManager(state_dir)
    try:
        recorder = StateRecorder()
        again = await manager.open_session(core.SessionConfiguration(identifier="q"), recorder, held=True)
        assert again.state is SessionState.HELD and recorder.session_states == [SessionState.HELD]
        await again.wait_until_quiet()
        assert [t.state for t in again.tasks()] == [TaskState.QUEUED] * 3
        assert receiver.received == []
        assert manager.batch.status() is None  # nothing moves by itself: no open batch
        again.run()
        await again.wait_until_quiet()
        assert [t.state for t in again.tasks()] == [TaskState.COMPLETED] * 3
        assert len(receiver.received) == 3
    finally:
        await manager.close()
