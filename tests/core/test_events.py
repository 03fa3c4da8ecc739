"""The delegate's view of an upload: what is called, in which order, how often."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import core
from core import TaskState
from tests.conftest import make_file, sha256_of
from tests.core.helpers import Recorder
from tests.servers import ReceiverServer


def collapse(kinds: list[str]) -> list[str]:
    """Runs of progress events as one ``sent+``."""
    out: list[str] = []
    for kind in kinds:
        label = "sent+" if kind == "sent" else kind
        if not (out and out[-1] == label == "sent+"):
            out.append(label)
    return out


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", [core.WireProtocol.MULTIPART, core.WireProtocol.RAW])
async def test_one_upload_reports_in_order(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager, protocol: core.WireProtocol
) -> None:
    file = make_file(tmp_path / "movie.bin", 5 * 1024 * 1024 + 17)
    recorder = Recorder()
    session = manager.create_session(core.SessionConfiguration(identifier="order"), recorder)
    task = session.upload_file(file, core.Destination(url=f"{receiver.url}/in/", protocol=protocol))
    await session.wait_until_quiet()

    labels = [
        f"state:{e.args[0].value}" if e.kind == "state" else e.kind
        for e in recorder.events
        if e.kind != "invalid"
    ]
    # Every byte handed over reports progress; "processing" (all sent, waiting for the answer)
    # comes with the last of it; then the answer, then the outcome, then the end of the batch.
    assert collapse(labels) == [
        "state:queued",
        "state:uploading",
        "sent+",
        "state:processing",
        "sent+",
        "received",
        "state:completed",
        "complete",
        "finished",
    ]
    (completion,) = recorder.completions(task.task_id)
    assert completion.args == (None,)
    assert completion.task is not None
    assert completion.task.state is TaskState.COMPLETED
    assert completion.task.bytes_sent == completion.task.total_bytes == file.stat().st_size
    (received,) = [e for e in recorder.events if e.kind == "received"]
    assert json.loads(received.args[0])["sha256"] == sha256_of(file)


@pytest.mark.asyncio
async def test_progress_is_monotonic_and_ends_at_the_file_size(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    sizes = [1, 1024 * 1024, 3 * 1024 * 1024 + 333]
    files = [make_file(tmp_path / f"f{size}.bin", size) for size in sizes]
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="progress", max_concurrent_uploads=3), recorder
    )
    tasks = session.upload_files([(f, None) for f in files], core.Destination(url=f"{receiver.url}/p"))
    await session.wait_until_quiet()

    for task, size in zip(tasks, sizes, strict=True):
        events = [e for e in recorder.of(task.task_id) if e.kind == "sent"]
        increments = [e.args[0] for e in events]
        totals = [e.args[1] for e in events]
        assert all(e.args[2] == size for e in events)
        assert all(n > 0 for n in increments)
        assert totals == sorted(set(totals)), "progress went backwards or repeated"
        assert totals[-1] == size
        assert sum(increments) == size
        # The snapshot carried with each event agrees with the numbers.
        assert [e.task.bytes_sent for e in events if e.task is not None] == totals


@pytest.mark.asyncio
async def test_finish_events_once_per_batch(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="batches", max_concurrent_uploads=2), recorder
    )
    receiver.script("/missing", fail_with=[404])
    first = [make_file(tmp_path / f"a{i}.bin", 50_000 * (i + 1)) for i in range(4)]
    session.upload_files([(f, None) for f in first], core.Destination(url=f"{receiver.url}/ok"))
    # A failure is an outcome too: it belongs to the batch and does not end it early.
    session.upload_file(first[0], core.Destination(url=f"{receiver.url}/missing"))
    await session.wait_until_quiet()
    assert recorder.finished_batches == 1
    assert recorder.events[-1].kind == "finished"
    assert len(recorder.completions()) == 5

    second = [make_file(tmp_path / f"b{i}.bin", 0 if i == 0 else 1000) for i in range(2)]
    session.upload_files([(f, None) for f in second], core.Destination(url=f"{receiver.url}/ok"))
    await session.wait_until_quiet()
    assert recorder.finished_batches == 2
    assert recorder.events[-1].kind == "finished"
    outcomes = [e.task.state for e in recorder.completions() if e.task is not None]
    assert outcomes.count(TaskState.COMPLETED) == 6
    assert outcomes.count(TaskState.FAILED) == 1
    # Every completion precedes the finish event of its batch.
    kinds = [e.kind for e in recorder.events]
    first_finish = kinds.index("finished")
    assert kinds[:first_finish].count("complete") == 5
    assert kinds[first_finish + 1 :].count("complete") == 2


@pytest.mark.asyncio
async def test_each_task_completes_exactly_once(
    tmp_path: Path, receiver: ReceiverServer, manager: core.SessionManager
) -> None:
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="once", retry_policy=core.RetryPolicy(delays=(0.0, 0.0))),
        recorder,
    )
    receiver.script("/flaky", fail_with=[503, 500])
    files = [make_file(tmp_path / f"f{i}.bin", 20_000) for i in range(3)]
    tasks = session.upload_files([(f, None) for f in files], core.Destination(url=f"{receiver.url}/flaky"))
    await session.wait_until_quiet()
    for task in tasks:
        assert len(recorder.completions(task.task_id)) == 1
        assert session.task(task.task_id).state is TaskState.COMPLETED
    assert recorder.finished_batches == 1
    # A retry goes through "retrying" and back to "uploading" before completing.
    retried = [t for t in tasks if TaskState.RETRY_WAIT in recorder.states(t.task_id)]
    assert retried
    for task in retried:
        states = recorder.states(task.task_id)
        after = states[states.index(TaskState.RETRY_WAIT) + 1]
        assert after is TaskState.UPLOADING
