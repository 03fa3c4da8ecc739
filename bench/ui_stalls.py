"""Event-loop stalls of the real window with 10,000 rows and 8 uploads running.

    QT_QPA_PLATFORM=offscreen python bench/ui_stalls.py [--seconds 10] [--rows 10000] [--uploads 8]

The window is the real one (gui.window.MainWindow, shown offscreen, so it lays out and paints),
assembled by gui.app.build_app as main() does, on the qasync loop. The uploads go over loopback to
the test receiver (tests/servers.py) running in a separate process, so it never competes for this
process's GIL; it reads slowly (``read_delay``) so the uploads last through the measurement. A
PreciseTimer fires every 5 ms; a stall is how late each firing comes (actual gap minus 5 ms).
Target: p99 < 20 ms, max < 50 ms.

It also reports, for the record (not part of the target), the stalls while the 10,000-file folder
is dropped and walked, and while the app starts again on that queue (10,000 unfinished tasks read
from the state database: the session opens off the loop).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core import TaskState  # noqa: E402
from gui.app import build_app  # noqa: E402
from gui.app.errors import MainThreadGarbageCollector  # noqa: E402
from gui.destinations import DestinationStore, SavedDestination  # noqa: E402
from gui.settings import AppSettings  # noqa: E402

INTERVAL_MS = 5

_RECEIVER = """
import sys
from tests.servers import running_receiver
with running_receiver() as server:
    server.script("/bench/", read_delay=float(sys.argv[1]))
    print(server.url, flush=True)
    sys.stdin.read()
"""


class StallProbe:
    """A 5 ms timer; records how late each timeout fires."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._fired)

    def start(self) -> None:
        self.lateness.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return list(self.lateness)

    def _fired(self) -> None:
        now = time.perf_counter()
        self.lateness.append(max(0.0, (now - self._last) * 1000 - INTERVAL_MS))
        self._last = now


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe(name: str, lateness: list[float]) -> str:
    if not lateness:
        return f"{name}: no samples"
    return (
        f"{name}: {len(lateness)} timer firings, stall p50 {statistics.median(lateness):.2f} ms, "
        f"p99 {percentile(lateness, 0.99):.2f} ms, max {max(lateness):.2f} ms"
    )


async def until(predicate: object, timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def run(args: argparse.Namespace, url: str, work: Path) -> int:
    big = []
    for n in range(args.uploads):
        path = work / "big" / f"video-{n}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as file:
            file.truncate(args.file_size << 20)  # sparse: reads cost no disk
        big.append(path)
    many = work / "many"
    per_folder = 1000
    for group in range((args.rows + per_folder - 1) // per_folder):
        folder = many / f"part-{group:02}"
        folder.mkdir(parents=True)
        for n in range(min(per_folder, args.rows - group * per_folder)):
            (folder / f"file-{n:04}.txt").write_bytes(b"0123456789abcdef")

    state = work / "state"
    destinations = DestinationStore(AppSettings(state))
    destination = SavedDestination(
        id="bench", name="Loopback receiver", url=f"{url}/bench/", protocol="raw", concurrency=args.uploads
    )
    destinations.save([destination])
    destinations.last_used = destination.id
    app = build_app(state, tray=False)
    window, controller = app.window, app.controller
    collector = MainThreadGarbageCollector(window)
    if args.automatic_gc:
        collector.stop()
    window.resize(1200, 700)
    if not args.hidden:
        window.show()
    await app.start()
    model = controller.model
    probe = StallProbe()

    # The 8 big uploads first (they take the 8 slots), then the 10,000-file folder behind them.
    window.add_paths(big)
    await until(
        lambda: model.count(TaskState.UPLOADING) >= args.uploads, 30, f"{args.uploads} uploads to run"
    )
    probe.start()
    dropped = time.perf_counter()
    window.add_paths([many])
    total = args.rows + args.uploads
    await until(lambda: model.rowCount() >= total, 30, "the rows")
    shown = time.perf_counter() - dropped
    drop_stalls = probe.stop()
    print(f"{args.rows:,}-file folder: all rows shown {shown * 1000:.0f} ms after the drop")
    print(describe("during the drop (walk + queue)", drop_stalls))

    # Settle, then measure with everything running.
    await asyncio.sleep(1.0)
    sent_before = sum(t.bytes_sent for t in model.snapshots()[: args.uploads])
    probe.start()
    started = time.perf_counter()
    await asyncio.sleep(args.seconds)
    stalls = probe.stop()
    elapsed = time.perf_counter() - started
    sent = sum(t.bytes_sent for t in model.snapshots()[: args.uploads]) - sent_before
    running = model.count(TaskState.UPLOADING, TaskState.PROCESSING)
    print(
        f"measured {elapsed:.1f} s with {model.rowCount():,} rows and {running} uploads running, "
        f"{sent / elapsed / 1e6:.0f} MB/s over loopback"
    )
    print(describe("steady state", stalls))
    p99, worst = percentile(stalls, 0.99), max(stalls)
    verdict = "PASS" if p99 < 20 and worst < 50 and running == args.uploads else "FAIL"
    print(f"target p99 < 20 ms and max < 50 ms: {verdict}")

    collector.stop()
    await app.close()

    # Start again on the same queue: 10,000 unfinished tasks re-attached.
    again = build_app(state, tray=False)
    if not args.hidden:
        again.window.show()
    probe.start()
    opened = time.perf_counter()
    await again.start()
    await until(lambda: again.controller.model.rowCount() >= total, 30, "the rows after a restart")
    reopened = time.perf_counter() - opened
    reopen_stalls = probe.stop()
    print(f"start again on {total:,} queued tasks: rows shown after {reopened * 1000:.0f} ms")
    print(describe("while the big queue opens", reopen_stalls))
    await again.close()
    return 0 if verdict == "PASS" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement time (10)")
    parser.add_argument("--rows", type=int, default=10_000, help="queued files besides the uploads (10,000)")
    parser.add_argument("--uploads", type=int, default=8, help="uploads running at once (8)")
    parser.add_argument(
        "--file-size", type=int, default=2048, metavar="MIB", help="size of each upload (2048)"
    )
    parser.add_argument(
        "--read-delay",
        type=float,
        default=0.01,
        help="receiver's pause per 64 KiB read: 0.01 s is about 6 MB/s per upload (a fast uplink)",
    )
    parser.add_argument("--hidden", action="store_true", help="window hidden (no painting), for comparison")
    parser.add_argument(
        "--automatic-gc",
        action="store_true",
        help="Python's own collector instead of the app's, for comparison",
    )
    args = parser.parse_args()

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    receiver = subprocess.Popen(
        [sys.executable, "-c", _RECEIVER, str(args.read_delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        text=True,
    )
    try:
        assert receiver.stdout is not None
        url = receiver.stdout.readline().strip()
        if not url:
            raise SystemExit("the receiver did not start")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        with (
            tempfile.TemporaryDirectory(prefix="skylift-bench-") as work,
            asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner,
        ):
            return runner.run(run(args, url, Path(work)))
    finally:
        if receiver.stdin is not None:
            receiver.stdin.close()
        try:
            receiver.wait(10)
        except subprocess.TimeoutExpired:
            receiver.kill()


if __name__ == "__main__":
    sys.exit(main())
