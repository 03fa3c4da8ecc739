"""Render the main window offscreen with a realistic queue and save docs/screenshot.png for the README.

    QT_QPA_PLATFORM=offscreen python packaging/screenshot.py [--output docs/screenshot.png]

The window is the real one, made by gui.app.build_app as main() makes it; the queue is made of task
snapshots in every state a user meets (uploading, done, failed, paused, retrying, server
processing, queued), fed to the model as the bridge feeds it and to core's batch tracker as the
sessions do.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from core import TaskSnapshot, TaskState, WireProtocol
from gui.app import build_app
from gui.destinations import DestinationStore, SavedDestination
from gui.settings import AppSettings

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000

NAS = SavedDestination(
    id="nas", name="Studio NAS", url="https://nas.studio.example/dav/incoming/", protocol=WireProtocol.RAW
)
SHARE = SavedDestination(id="share", name="Client share", url="https://files.example.com/api/upload")

# (relative name, size, state, fraction sent, destination, extra)
QUEUE: list[tuple[str, int, TaskState, float, SavedDestination, dict[str, object]]] = [
    ("Quarterly report — final.pdf", int(4.2 * MB), TaskState.COMPLETED, 1.0, SHARE, {}),
    ("Holiday 2025/DSC_0412.jpg", int(11.8 * MB), TaskState.COMPLETED, 1.0, NAS, {}),
    ("Holiday 2025/DSC_0413.jpg", int(12.1 * MB), TaskState.COMPLETED, 1.0, NAS, {}),
    ("Holiday 2025/drone-flyover-4k.mp4", 2_140 * MB, TaskState.UPLOADING, 0.634, NAS, {"speed": 18.4 * MB}),
    ("Holiday 2025/beach-timelapse.mov", 862 * MB, TaskState.UPLOADING, 0.271, NAS, {"speed": 11.2 * MB}),
    ("Holiday 2025/IMG_2231.HEIC", int(3.4 * MB), TaskState.RETRY_WAIT, 0.0, NAS, {"retry_in": 4}),
    ("site-assets.zip", 318 * MB, TaskState.PROCESSING, 1.0, SHARE, {}),
    (
        "interview-raw-audio.wav",
        1_310 * MB,
        TaskState.FAILED,
        0.0,
        SHARE,
        {"error": "HTTP 413 Payload Too Large: files over 1 GB are not accepted"},
    ),
    ("project-backup-2025-11.tar.zst", 7_820 * MB, TaskState.PAUSED, 0.0, NAS, {"restarts": True}),
    ("Holiday 2025/family-dinner.mp4", 1_480 * MB, TaskState.QUEUED, 0.0, NAS, {}),
    ("Holiday 2025/sunset-pano.tif", 244 * MB, TaskState.QUEUED, 0.0, NAS, {}),
    ("contracts/NDA-signed.pdf", int(0.9 * MB), TaskState.QUEUED, 0.0, SHARE, {}),
    ("old-draft.docx", int(1.6 * MB), TaskState.CANCELLED, 0.0, SHARE, {}),
]


def snapshots(now: float) -> tuple[list[TaskSnapshot], list[TaskSnapshot], dict[tuple[str, int], float]]:
    """The queue, the same queue a few seconds of progress later, and each uploading row's speed."""
    first, later, speeds = [], [], {}
    home = Path.home() / "Pictures"
    for task_id, (name, size, state, fraction, destination, extra) in enumerate(QUEUE, 1):
        sent = int(size * fraction)
        retry_at = now + float(extra["retry_in"]) + 0.5 if "retry_in" in extra else None
        snapshot = TaskSnapshot(
            task_id=task_id,
            session_id=destination.session_id,
            path=home / name,
            relative_name=name,
            destination=destination.core_destination(),
            state=state,
            total_bytes=size,
            bytes_sent=sent,
            attempts=1 if state is not TaskState.QUEUED else 0,
            retry_at=retry_at,
            restarts_from_zero=bool(extra.get("restarts")),
            http_status=413 if state is TaskState.FAILED else (201 if state is TaskState.COMPLETED else None),
            error=str(extra["error"]) if "error" in extra else None,
            created_at=now - 600,
        )
        speed = float(extra.get("speed", 0.0))  # type: ignore[arg-type]
        first.append(snapshot.evolve(bytes_sent=max(0, sent - int(speed * 4))))
        later.append(snapshot)
        if speed:
            speeds[(snapshot.session_id, task_id)] = speed
    return first, later, speeds


def render(output: Path, *, width: int = 1180, height: int = 600) -> None:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Skylift")
    app.setStyle("Fusion")
    font = QFont("DejaVu Sans", 9)
    app.setFont(font)
    with tempfile.TemporaryDirectory() as state:
        destinations = DestinationStore(AppSettings(Path(state)))
        destinations.save([NAS, SHARE])
        destinations.last_used = NAS.id
        skylift = build_app(Path(state), tray=False)
        controller, window = skylift.controller, skylift.window
        window.resize(width, height)
        now = time.time()
        first, later, _ = snapshots(now)
        model = controller.model
        clock = time.monotonic()
        # Everything was queued in this batch first, as when the files were dropped.
        queued = [t.evolve(state=TaskState.QUEUED, bytes_sent=0) for t in first]
        model.apply_snapshots(queued)
        model.apply_snapshots(first)
        model.apply_progress(first, now=clock - 4)
        model.apply_progress(later, now=clock)
        batch = skylift.manager.batch
        for task in [*queued, *later]:
            batch.record(task)
        controller.status.refresh()
        window.show()
        # Select the running video, as a user watching it would.
        row = model.row_of((NAS.session_id, 4))
        assert row is not None
        window.view.selectionModel().select(
            window.proxy.mapFromSource(model.index(row, 0)),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
        # The scripted rows have no live session behind them; a real one with uploads running
        # enables "Stop after running".
        window.action("stop_after").setEnabled(True)
        # Let layouts settle and the view paint (no event loop needed for a picture).
        for _ in range(5):
            app.processEvents()
        output.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(output)):
            raise SystemExit(f"could not write {output}")
        window.hide()
        skylift.manager.store.close()
    print(f"wrote {output} ({width}x{height})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1180)
    parser.add_argument("--height", type=int, default=600)
    args = parser.parse_args()
    render(args.output, width=args.width, height=args.height)


if __name__ == "__main__":
    main()
