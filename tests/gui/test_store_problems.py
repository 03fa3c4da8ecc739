"""The window says when the queue cannot be saved, and when it can again; rows the state database
holds but this version cannot read are named at start, not silently dropped."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tests.conftest import make_file
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer


@pytest.mark.asyncio(loop_scope="function")
async def test_a_queue_that_cannot_be_saved_is_shown_until_it_can(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    state = tmp_path / "state"
    async with running_app(state, busy_timeout=0.2) as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        label = app.window.status_bar.store_problem_label
        assert not label.isVisible()
        blocker = sqlite3.connect(state / "state.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            app.window.add_paths([make_file(tmp_path / "f.bin", 50_000)])
            await until(label.isVisible, what="the status bar to say the queue is not saved")
            assert "another program has it locked; retrying" in label.toolTip()
            box = app.message_box("notice_warning")
            assert box is not None and "cannot be saved" in box.text()
            box.close()
            await until(lambda: len(receiver.received) == 1, what="the upload, which goes on")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await until(lambda: not label.isVisible(), what="the status bar to clear")
        assert "saved again" in app.window.statusBar().currentMessage()


@pytest.mark.asyncio(loop_scope="function")
async def test_rows_that_cannot_be_read_are_named_at_start(tmp_path: Path, receiver: ReceiverServer) -> None:
    state = tmp_path / "state"
    async with running_app(state) as app:
        add_destination(app.destinations, f"{receiver.url}/up")
    db = sqlite3.connect(state / "state.db", isolation_level=None)
    destination = json.dumps(
        {
            "url": f"{receiver.url}/up",
            "protocol": "multipart",
            "method": None,
            "headers": {},
            "field_name": "file",
            "form_fields": {},
        }
    )
    db.execute(
        "INSERT INTO tasks (session_id, task_id, path, relative_name, destination, state, total_bytes, "
        "created_at) VALUES ('gui', 7, '/nowhere', 'x.bin', ?, 'verifying', 1, ?)",
        (destination, time.time()),
    )
    db.close()
    async with running_app(state) as app:
        box = app.message_box("notice_warning")
        assert box is not None
        assert "could not be read and were set aside" in box.text()
        assert "gui#7 (unknown state 'verifying')" in box.text()
        assert app.rows() == []
