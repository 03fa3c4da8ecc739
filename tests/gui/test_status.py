"""The status bar's presenter: a QueueStatus in, the words and the title out (pure, no window)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

import core
from gui.batch import QueueStatus
from gui.window import present_status

MiB = 1 << 20


def batch(*, finished: bool = False, **counts: int) -> core.BatchStatus:
    values = {
        "files": 0,
        "completed": 0,
        "failed": 0,
        "cancelled": 0,
        "paused": 0,
        "active": 0,
        "queued": 0,
        "held": 0,
        "total_bytes": 0,
        "done_bytes": 0,
        **counts,
    }
    return core.BatchStatus(started_at=0.0, finished=finished, **values)


@pytest.mark.parametrize(
    ("status", "text", "title"),
    [
        (QueueStatus(), "Ready", "Skylift"),
        # Finished history only (an earlier run's rows): no batch, no percentage.
        (QueueStatus(rows=4), "All uploads finished", "Skylift"),
        (QueueStatus(rows=2, paused=1), "Paused — Resume all continues", "Skylift"),
        (QueueStatus(rows=2, held=2), "Stopped — Resume all continues", "Skylift"),
        # The last batch's summary stays until the next; an emptied list says Ready, not "1 failed".
        (
            QueueStatus(rows=3, failed=1, last=batch(files=3, completed=2, failed=1, finished=True)),
            "2 files uploaded, 1 failed",
            "Skylift",
        ),
        (QueueStatus(rows=0, last=batch(files=1, failed=1, finished=True)), "Ready", "Skylift"),
        (
            QueueStatus(
                rows=12,
                active=2,
                waiting=7,
                speed=2 * MiB,
                batch=batch(
                    files=12,
                    completed=3,
                    failed=1,
                    active=2,
                    queued=6,
                    total_bytes=100 * MiB,
                    done_bytes=55 * MiB,
                ),
            ),
            "3 of 12 files uploaded · 1 failed · 55 MiB of 100 MiB · 23 s left",
            "55% — Skylift",
        ),
        (
            QueueStatus(
                rows=3, held=2, batch=batch(files=3, completed=1, held=2, total_bytes=30, done_bytes=10)
            ),
            "1 of 3 files uploaded · 10 bytes of 30 bytes · stopped — Resume all continues",
            "33% — Skylift",
        ),
    ],
)
def test_present_status(qapp: QApplication, status: QueueStatus, text: str, title: str) -> None:
    view = present_status(status)
    assert (view.text, view.title) == (text, title)
