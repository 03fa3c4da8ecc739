"""Controlling uploads while they run: pause, resume, cancel, graceful and immediate stops,
the concurrency limit, several sessions side by side, and the bandwidth limit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import core
from core import TaskState
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder, eventually
from tests.servers import ReceiverServer

# Big enough that the client cannot hand the whole file to the kernel's socket buffers while the
# server holds the body: the upload is guaranteed to sit mid-transfer.
BIG = 24 * 1024 * 1024
HOLD = 256 * 1024


async def until_mid_transfer(
    receiver: ReceiverServer, recorder: Recorder, task_id: int, holders: int = 1
) -> None:
    await eventually(lambda: receiver.holding >= holders, what="the server to hold the body")
    await eventually(lambda: recorder.bytes_sent(task_id) > 0, what="the client to report progress")


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [core.WireProtocol.MULTIPART, core.WireProtocol.RAW])
async def test_pause_and_resume_a_running_upload(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, protocol: core.WireProtocol
) -> None:
    file = make_file(tmp_path / "big.bin", BIG)
    gate = receiver.script("/slow/", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(core.SessionConfiguration(identifier="pause"), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/slow/", protocol=protocol))
    await until_mid_transfer(receiver, recorder, task.task_id)
    assert 0 < session.task(task.task_id).bytes_sent < BIG

    assert session.pause(task.task_id)
    paused = session.task(task.task_id)
    assert paused.state is TaskState.PAUSED
    # Neither protocol can continue where it stopped: the next attempt starts over, and says so.
    assert paused.restarts_from_zero
    assert paused.bytes_sent == 0
    gate.release()
    await eventually(lambda: receiver.aborted, what="the server to see the attempt end")
    assert not receiver.received
    assert not recorder.completions()
    # A paused task is not waiting for anything: the session is quiet.
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is TaskState.PAUSED

    assert session.resume(task.task_id)
    assert not session.resume(task.task_id)  # already queued
    await session.wait_until_quiet()
    done = session.task(task.task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert not done.restarts_from_zero
    (got,) = receiver.received
    assert (got.size, got.sha256) == (BIG, sha256_of(file))
    assert recorder.states(task.task_id)[-3:] == [
        TaskState.UPLOADING,
        TaskState.PROCESSING,
        TaskState.COMPLETED,
    ]
    assert recorder.finished_batches == 1


@pytest.mark.asyncio
async def test_pause_a_queued_task_keeps_it_out_of_the_queue(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    files = [make_file(tmp_path / f"f{i}.bin", 100_000) for i in range(3)]
    session = manager.create_session(core.SessionConfiguration(identifier="pq", max_concurrent_uploads=1))
    first, second, third = session.upload_files(
        [(f, None) for f in files], core.Destination(url=f"{receiver.url}/q")
    )
    assert session.pause(second.task_id)
    assert not session.task(second.task_id).restarts_from_zero  # nothing had been sent
    await session.wait_until_quiet()
    states = [session.task(t.task_id).state for t in (first, second, third)]
    assert states == [TaskState.COMPLETED, TaskState.PAUSED, TaskState.COMPLETED]
    assert len(receiver.received) == 2

    session.resume(second.task_id)
    await session.wait_until_quiet()
    assert session.task(second.task_id).state is TaskState.COMPLETED
    assert sorted(r.sha256 for r in receiver.received) == sorted(sha256_of(f) for f in files)


@pytest.mark.asyncio
async def test_cancel_a_running_upload(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    file = make_file(tmp_path / "big.bin", BIG)
    gate = receiver.script("/slow", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(core.SessionConfiguration(identifier="cancel"), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/slow"))
    await until_mid_transfer(receiver, recorder, task.task_id)

    assert session.cancel(task.task_id)
    cancelled = session.task(task.task_id)
    assert cancelled.state is TaskState.CANCELLED
    assert cancelled.error == "cancelled"
    # Reported once the cancellation is on disk.
    await eventually(lambda: recorder.completions(task.task_id), what="the cancellation to be reported")
    assert isinstance(recorder.error_of(task.task_id), core.UploadCancelled)
    assert not session.cancel(task.task_id)  # already final
    await session.wait_until_quiet()
    gate.release()
    await eventually(lambda: receiver.aborted, what="the server to see the attempt end")
    assert not receiver.received
    assert recorder.finished_batches == 1

    # A cancelled task can be tried again from scratch.
    assert session.retry(task.task_id)
    await session.wait_until_quiet()
    assert session.task(task.task_id).state is TaskState.COMPLETED
    assert receiver.received[0].sha256 == sha256_of(file)


@pytest.mark.asyncio
async def test_finish_tasks_and_invalidate(tmp_path: Path, receiver: ReceiverServer, state_dir: Path) -> None:
    files = [make_file(tmp_path / f"f{i}.bin", BIG if i == 0 else 10_000) for i in range(3)]
    gate = receiver.script("/g", hold_after=HOLD)
    recorder = Recorder()
    manager = core.SessionManager(state_dir)
    try:
        session = manager.create_session(
            core.SessionConfiguration(identifier="graceful", max_concurrent_uploads=1), recorder
        )
        running, *queued = session.upload_files(
            [(f, None) for f in files], core.Destination(url=f"{receiver.url}/g")
        )
        await until_mid_transfer(receiver, recorder, running.task_id)

        session.finish_tasks_and_invalidate()
        with pytest.raises(core.SessionInvalidated):
            session.upload_file(files[1], core.Destination(url=f"{receiver.url}/g"))
        # The running upload is not interrupted: it finishes once the server reads on.
        assert session.task(running.task_id).state is TaskState.UPLOADING
        assert session.is_valid
        gate.release()
        await session.wait_invalidated()

        assert not session.is_valid
        assert recorder.invalidated == [None]
        assert session.task(running.task_id).state is TaskState.COMPLETED
        assert [session.task(t.task_id).state for t in queued] == [TaskState.QUEUED] * 2
        assert [r.sha256 for r in receiver.received] == [sha256_of(files[0])]
        assert "graceful" not in manager.sessions
    finally:
        await manager.close()

    # The queued tasks were persisted; the next session with this identifier uploads them.
    manager = core.SessionManager(state_dir)
    try:
        stored = {t.task_id: t.state for t in manager.store.all_tasks()}
        assert stored == {
            running.task_id: TaskState.COMPLETED,
            **{t.task_id: TaskState.QUEUED for t in queued},
        }
        session = manager.create_session(core.SessionConfiguration(identifier="graceful"))
        await session.wait_until_quiet()
        assert {t.state for t in session.tasks()} == {TaskState.COMPLETED}
        assert sorted(r.sha256 for r in receiver.received) == sorted(sha256_of(f) for f in files)
    finally:
        await manager.close()


@pytest.mark.asyncio
async def test_invalidate_and_cancel_stops_everything_now(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    files = [make_file(tmp_path / f"f{i}.bin", BIG) for i in range(4)]
    gate = receiver.script("/g", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="now", max_concurrent_uploads=2), recorder
    )
    tasks = session.upload_files([(f, None) for f in files], core.Destination(url=f"{receiver.url}/g"))
    await until_mid_transfer(receiver, recorder, tasks[0].task_id, holders=2)
    session.pause(tasks[3].task_id)

    session.invalidate_and_cancel()
    # Every unfinished task, running, queued or paused, is cancelled at once.
    assert [session.task(t.task_id).state for t in tasks] == [TaskState.CANCELLED] * 4
    with pytest.raises(core.SessionInvalidated):
        session.upload_file(files[0], core.Destination(url=f"{receiver.url}/g"))
    await session.wait_invalidated()
    # Each completion was reported (once on disk) before the session said it was invalid.
    assert [e.kind for e in recorder.events if e.kind in ("complete", "invalid")] == ["complete"] * 4 + [
        "invalid"
    ]
    assert recorder.invalidated == [None]
    assert not session.is_valid
    gate.release()
    await eventually(lambda: len(receiver.aborted) == 2, what="both running attempts to end")
    assert not receiver.received
    assert receiver.requests == 2


@pytest.mark.asyncio
async def test_concurrency_limit_as_seen_by_the_server(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    files = [(make_file(tmp_path / f"f{i}.bin", BIG), f"f{i}.bin") for i in range(6)]
    gate = receiver.script("/c/", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="limit", max_concurrent_uploads=2), recorder
    )
    tasks = session.upload_files(
        files, core.Destination(url=f"{receiver.url}/c/", protocol=core.WireProtocol.RAW)
    )
    await eventually(lambda: receiver.holding == 2, what="two uploads held by the server")
    # Tasks start in the order they were added.
    states = [session.task(t.task_id).state for t in tasks]
    assert states[:2] == [TaskState.UPLOADING] * 2
    assert states[2:] == [TaskState.QUEUED] * 4
    assert receiver.active == 2

    gate.release()
    await session.wait_until_quiet()
    assert {session.task(t.task_id).state for t in tasks} == {TaskState.COMPLETED}
    assert receiver.max_active == 2
    assert receiver.requests == 6


@pytest.mark.asyncio
async def test_several_sessions_at_once(tmp_path: Path, receiver: ReceiverServer, state_dir: Path) -> None:
    manager = core.SessionManager(state_dir)
    try:
        recorders = {name: Recorder() for name in ("alpha", "beta", "gamma")}
        sessions = {
            name: manager.create_session(core.SessionConfiguration(identifier=name), recorder)
            for name, recorder in recorders.items()
        }
        assert set(manager.sessions) == set(sessions)
        files = {}
        for name, session in sessions.items():
            files[name] = [make_file(tmp_path / name / f"{i}.bin", 300_000 + i) for i in range(3)]
            session.upload_files(
                [(f, f"{name}/{f.name}") for f in files[name]],
                core.Destination(url=f"{receiver.url}/s/", protocol=core.WireProtocol.RAW),
            )
        for session in sessions.values():
            await session.wait_until_quiet()

        got = {r.path: r.sha256 for r in receiver.received}
        for name, session in sessions.items():
            assert {t.state for t in session.tasks()} == {TaskState.COMPLETED}
            # Each session reports its own tasks only.
            assert {e.task.session_id for e in recorders[name].events if e.task is not None} == {name}
            assert recorders[name].finished_batches == 1
            for f in files[name]:
                assert got[f"/s/{name}/{f.name}"] == sha256_of(f)

        # One live session per identifier, in this process and in any other.
        with pytest.raises(core.SessionIdentifierInUse, match="alpha"):
            manager.create_session(core.SessionConfiguration(identifier="alpha"))
        other_process = core.SessionManager(state_dir)
        try:
            with pytest.raises(core.SessionIdentifierInUse, match="another Skylift process"):
                other_process.create_session(core.SessionConfiguration(identifier="beta"))
        finally:
            await other_process.close()

        # Once invalidated, the identifier is free again, and the new session sees the old tasks.
        sessions["alpha"].finish_tasks_and_invalidate()
        await sessions["alpha"].wait_invalidated()
        again = manager.create_session(core.SessionConfiguration(identifier="alpha"))
        assert again is not sessions["alpha"]
        assert {t.state for t in again.tasks()} == {TaskState.COMPLETED}
        assert len(again.tasks()) == 3
        new = again.upload_file(files["alpha"][0], core.Destination(url=f"{receiver.url}/again"))
        assert new.task_id == 4
        await again.wait_until_quiet()
        assert again.task(new.task_id).state is TaskState.COMPLETED
    finally:
        await manager.close()


@pytest.mark.asyncio
async def test_bandwidth_limit_is_roughly_respected(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    rate = 4 * 1024 * 1024
    files = [make_file(tmp_path / f"f{i}.bin", 1024 * 1024) for i in range(3)]
    session = manager.create_session(
        core.SessionConfiguration(identifier="throttled", bandwidth_limit=rate, max_concurrent_uploads=3)
    )
    started = time.monotonic()
    # The limit is shared by the session's uploads: three 1 MiB files count as 3 MiB.
    session.upload_files([(f, None) for f in files], core.Destination(url=f"{receiver.url}/bw"))
    await session.wait_until_quiet()
    elapsed = time.monotonic() - started
    assert {t.state for t in session.tasks()} == {TaskState.COMPLETED}
    assert sorted(r.sha256 for r in receiver.received) == sorted(sha256_of(f) for f in files)
    # The token bucket lets an idle session burst a quarter second's worth (1 MiB) at once, so the
    # floor is (3 MiB - 1 MiB) / 4 MiB/s = 0.5 s, whatever the machine's speed.
    assert elapsed >= 0.45, f"3 MiB at 4 MiB/s took only {elapsed:.2f} s"


@pytest.mark.asyncio
async def test_remove_a_running_task(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    files = [make_file(tmp_path / f"f{i}.bin", BIG if i == 0 else 1000) for i in range(2)]
    gate = receiver.script("/r", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="remove", max_concurrent_uploads=1), recorder
    )
    running, queued = session.upload_files(
        [(f, None) for f in files], core.Destination(url=f"{receiver.url}/r")
    )
    await until_mid_transfer(receiver, recorder, running.task_id)

    session.remove([running.task_id])
    assert [t.task_id for t in session.tasks()] == [queued.task_id]
    with pytest.raises(KeyError):
        session.task(running.task_id)
    gate.release()
    await session.wait_until_quiet()
    # The removed task ends silently; its slot goes to the next one.
    assert not recorder.completions(running.task_id)
    assert session.task(queued.task_id).state is TaskState.COMPLETED
    assert [r.sha256 for r in receiver.received] == [sha256_of(files[1])]
    assert [t.task_id for t in manager.store.all_tasks()] == [queued.task_id]


@pytest.mark.asyncio
@pytest.mark.parametrize("how", ["pause-resume", "cancel-retry"])
async def test_stop_and_restart_in_one_go(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, how: str
) -> None:
    """Resuming before the stopped attempt has wound down (a quick double click) still uploads."""
    file = make_file(tmp_path / "big.bin", BIG)
    gate = receiver.script("/quick", hold_after=HOLD)
    recorder = Recorder()
    session = manager.create_session(core.SessionConfiguration(identifier="quick"), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/quick"))
    await until_mid_transfer(receiver, recorder, task.task_id)

    if how == "pause-resume":
        assert session.pause(task.task_id)
        assert session.resume(task.task_id)
    else:
        assert session.cancel(task.task_id)
        assert session.retry(task.task_id)
    assert session.task(task.task_id).state is TaskState.QUEUED
    gate.release()
    await asyncio.wait_for(session.wait_until_quiet(), 20)
    assert session.task(task.task_id).state is TaskState.COMPLETED, session.task(task.task_id)
    assert [r.sha256 for r in receiver.received] == [sha256_of(file)]
