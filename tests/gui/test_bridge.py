"""The bridge coalesces: a big drop is one signal, progress reaches the view on the flush tick rather
than once per chunk, and byte counts past 2 GiB survive the trip through Qt signals."""

from __future__ import annotations

from pathlib import Path

import pytest

import core
from core import TaskState
from gui.bridge import SessionBridge
from gui.queue import UploadTableModel
from tests.conftest import make_file
from tests.gui.conftest import until
from tests.servers import ReceiverServer

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_level_fail("WARNING")]


async def test_a_big_queue_arrives_as_one_change(tmp_path: Path, receiver: ReceiverServer) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = []
    for n in range(2000):
        path = folder / f"{n}.txt"
        path.write_bytes(b"x")
        files.append((path, None))
    bridge = SessionBridge()
    batches: list[int] = []
    bridge.tasks_changed.connect(lambda tasks: batches.append(len(tasks)))
    manager = core.SessionManager(tmp_path / "state")
    receiver.script("/hold", hold_after=0)
    session = manager.create_session(core.SessionConfiguration(identifier="gui"), bridge)
    try:
        session.upload_files(files, core.Destination(url=f"{receiver.url}/hold"))
        await until(lambda: sum(batches) >= 2000, what="the queued tasks")
        assert batches[0] >= 2000  # the whole drop in the first emission (plus the first starts)
        session.cancel_all()
    finally:
        receiver.scripts["/hold"].release()
        await manager.close()


async def test_progress_is_coalesced_and_large_counts_survive(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    file = make_file(tmp_path / "big.bin", 48 << 20)
    bridge = SessionBridge()
    model = UploadTableModel()
    bridge.tasks_changed.connect(model.apply_snapshots)
    bridge.progress_flushed.connect(model.apply_progress)
    calls = 0
    ticks = 0

    original = bridge.did_send_body_data

    def counting(*args: object) -> None:
        nonlocal calls
        calls += 1
        original(*args)  # type: ignore[arg-type]

    def tick(_tasks: object) -> None:
        nonlocal ticks
        ticks += 1

    bridge.did_send_body_data = counting  # type: ignore[method-assign]
    bridge.progress_flushed.connect(tick)
    receiver.script("/slow", read_delay=0.002)
    manager = core.SessionManager(tmp_path / "state")
    session = manager.create_session(
        core.SessionConfiguration(identifier="gui", bandwidth_limit=24 << 20), bridge
    )
    try:
        session.upload_file(file, core.Destination(url=f"{receiver.url}/slow"))
        await until(lambda: model.count(TaskState.COMPLETED) == 1, timeout=30, what="the upload")
    finally:
        await manager.close()
    assert calls >= 40
    # The view heard of progress on the tick only, not once per chunk. (How far apart the ticks
    # are is a timing, left out of the tests.)
    assert 0 < ticks < calls

    # Byte counts cross Qt signals as Python objects: nothing wraps above 2**31.
    huge = session.tasks()[0].evolve(total_bytes=6 << 30, bytes_sent=5 << 30, state=TaskState.UPLOADING)
    received: list[object] = []
    bridge.progress_flushed.connect(received.append)
    bridge.did_send_body_data(session, huge, 1 << 20, 5 << 30, 6 << 30)
    bridge.flush_progress()
    assert received[-1][0].bytes_sent == 5 << 30  # type: ignore[index]
