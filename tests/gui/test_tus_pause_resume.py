"""A tus row in the window, paused and resumed twice while it uploads to the fault server at 8 MiB/s:
one upload on the server, its bytes sent about once, and a row whose progress continues from the
server's offset after each resume (never from 0), follows the bytes as they arrive and ends at 100 %.

The row is driven as the user does (select it, Pause, Resume: the window's actions on the
``UploadController``), and watched as the view sees it: every ``dataChanged`` of the model.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QModelIndex

from core import TaskState, WireProtocol
from gui.queue import Column, Role
from tests.conftest import sha256_of
from tests.faults import FaultServer, RequestEnd, Stored, StoredKind
from tests.gui.conftest import add_destination, running_app, until
from tests.interop.helpers import random_file

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.qt_log_level_fail("WARNING"),
    # The offscreen platform says so for every top-level window; not a problem of ours.
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "This plugin does not support raise"),
]

MiB = 1 << 20
SIZE = 24 * MiB
RATE = 8 * MiB
# Pause once the server has read this much, the second time after this much more.
PAUSE_AT = (8 * MiB, 16 * MiB)
# What the client may have on the wire beyond what the server read (socket buffers, one chunk).
IN_FLIGHT = 2 * MiB


@dataclass(frozen=True)
class Sample:
    """The row as the model showed it, and what the server had read by then."""

    at: float
    state: TaskState
    sent: int
    confirmed: int
    fraction: float
    server_read: int


@dataclass
class Run:
    """What one pause-resume-pause-resume upload left: the row's history and the server's records."""

    source: Path
    samples: list[Sample] = field(default_factory=list)
    # The server's offset once each pause had settled, and where the samples after each resume begin.
    held: list[int] = field(default_factory=list)
    resumed_at: list[int] = field(default_factory=list)
    stored: list[Stored] = field(default_factory=list)
    in_progress: int = 0
    creations: int = 0
    # The Upload-Offset of every PATCH, in order.
    patch_offsets: list[int] = field(default_factory=list)
    body_bytes: int = 0
    final_text: str = ""
    final_fraction: float = 0.0

    def stretches(self) -> list[list[Sample]]:
        """The samples after each resume, up to the next pause (the last one: to the end)."""
        bounds = [*self.resumed_at, len(self.samples)]
        return [self.samples[start:end] for start, end in itertools.pairwise(bounds)]


def settled(server: FaultServer) -> bool:
    return all(r.end is not RequestEnd.IN_PROGRESS for r in server.requests)


def server_has_read(server: FaultServer, count: int) -> Callable[[], bool]:
    return lambda: server.counters.body_bytes >= count


async def pause_and_resume_twice(tmp_path: Path) -> Run:
    run = Run(random_file(tmp_path / "in" / "holiday.mov", SIZE, seed=24))
    with FaultServer() as server:
        async with running_app(tmp_path / "state") as app:
            add_destination(
                app.destinations, server.tus_url, name="tus", protocol=WireProtocol.TUS, bandwidth_limit=RATE
            )
            app.window.reload_destinations()

            def changed(first: QModelIndex, last: QModelIndex) -> None:
                if first.row() > 0 or last.column() < Column.PROGRESS or app.model.rowCount() == 0:
                    return
                task = app.model.snapshot(0)
                fraction = app.model.data(app.model.index(0, Column.PROGRESS), Role.PROGRESS)
                read = server.counters.body_bytes
                sample = Sample(
                    time.monotonic(), task.state, task.bytes_sent, task.bytes_confirmed, fraction, read
                )
                run.samples.append(sample)

            app.model.dataChanged.connect(changed)
            app.window.add_paths([run.source])
            await until(lambda: app.model.rowCount() == 1, what="the row")
            task = app.rows()[0]
            app.window.rows.select_rows([(task.session_id, task.task_id)])
            for target in PAUSE_AT:
                await until(server_has_read(server, target), what=f"the server to read {target} bytes")
                assert app.window.action("pause").isEnabled()
                app.window.action("pause").trigger()
                await until(lambda: app.rows()[0].state is TaskState.PAUSED, what="the row paused")
                # Quiet: the attempt has closed its connection, and the server has ended the PATCH.
                await app.manager.sessions[task.session_id].wait_until_quiet()
                await until(lambda: settled(server), what="the server to end the PATCH")
                [partial] = server.uploads_in_progress()
                run.held.append(partial.offset)
                assert server.counters.body_bytes == partial.offset, "bytes arrived after the pause"
                run.resumed_at.append(len(run.samples))
                assert app.window.action("resume").isEnabled()
                app.window.action("resume").trigger()
            await until(lambda: app.rows()[0].state is TaskState.COMPLETED, timeout=30, what="the upload")
            run.final_text = app.model.data(app.model.index(0, Column.PROGRESS))
            run.final_fraction = app.model.data(app.model.index(0, Column.PROGRESS), Role.PROGRESS)
        run.stored = server.stored
        run.in_progress = len(server.uploads_in_progress())
        run.creations = len(server.requests_for("POST"))
        run.patch_offsets = [int(r.headers["upload-offset"]) for r in server.requests_for("PATCH")]
        run.body_bytes = server.counters.body_bytes
    return run


@pytest_asyncio.fixture(loop_scope="function")
async def run(tmp_path: Path) -> AsyncIterator[Run]:
    yield await pause_and_resume_twice(tmp_path)


async def test_tus_row_paused_and_resumed_twice_is_one_upload(run: Run) -> None:
    [stored] = run.stored
    assert (stored.kind, stored.size, stored.sha256) == (StoredKind.TUS, SIZE, sha256_of(run.source))
    assert (run.in_progress, run.creations) == (0, 1), "a second upload was created"
    # Each pause kept what the server had read; each resume asked for it and went on from there.
    assert run.held[0] >= PAUSE_AT[0] and run.held[1] >= PAUSE_AT[1], run.held
    assert run.patch_offsets[1:] == run.held, (run.patch_offsets, run.held)
    assert run.body_bytes <= SIZE + 2 * IN_FLIGHT, f"the server read {run.body_bytes} bytes"
    assert (run.final_text, run.final_fraction) == ("100%", 1.0)
    print(
        f"\ntus pause/resume twice in the window: paused at {[round(h / MiB, 2) for h in run.held]} MiB "
        f"held, PATCHes from {[round(o / MiB, 2) for o in run.patch_offsets]} MiB; the server read "
        f"{run.body_bytes - SIZE} bytes beyond the file; {len(run.samples)} row updates"
    )


async def test_tus_row_progress_follows_the_bytes_while_they_arrive(run: Run) -> None:
    """Never frozen: while the server reads on, the row moves on too (the bridge flushes progress
    four times a second; how often, under load, is not asserted here), and it ends at 100 %."""
    for stretch in run.stretches():
        uploading = [s for s in stretch if s.state is TaskState.UPLOADING]
        assert len(uploading) >= 2, f"no progress shown after a resume: {stretch}"
        for before, after in itertools.pairwise(uploading):
            if after.server_read - before.server_read >= 2 * MiB:
                assert after.sent > before.sent, f"the row stood still while bytes arrived: {before} {after}"
            assert after.sent <= SIZE
    assert run.samples[-1].state is TaskState.COMPLETED and run.samples[-1].fraction == 1.0


async def test_tus_row_progress_after_a_resume_starts_at_the_servers_offset(run: Run) -> None:
    """After each resume the row shows the server's offset (what the HEAD answered), not 0 and not
    an older offset: the bar must not jump back and forth."""
    shown, wrong = [], []
    for number, (held, stretch) in enumerate(zip(run.held, run.stretches(), strict=True), 1):
        working = [s for s in stretch if s.state in (TaskState.UPLOADING, TaskState.PROCESSING)]
        shown.append([round(s.sent / MiB, 2) for s in working[:3]])
        wrong += [
            f"resume {number}: the row showed {s.sent} bytes sent ({s.fraction:.1%}, confirmed "
            f"{s.confirmed}) while the server held {held}"
            for s in working
            if s.sent < held
        ]
    print(
        f"\nrow after each resume (MiB sent): {shown}; server offsets {[round(h / MiB, 2) for h in run.held]}"
    )
    assert not wrong, "; ".join(wrong)
