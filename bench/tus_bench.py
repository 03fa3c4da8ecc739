"""tus benchmark: Skylift vs tus-js-client vs tuspy, all to the same @tus/server, plus resume cost.

    python bench/tus_bench.py                    # 1 GiB, 5 alternating rounds, then the resume cost
    python bench/tus_bench.py --size 64M --runs 1

Throughput: after one untimed warm-up upload, each client uploads the same file (random bytes, on
tmpfs) in its own process, in an order that rotates every round; MiB/s is file size over the
process's wall time (start-up included, for every client alike); peak RSS is the process's
``ru_maxrss`` from ``wait4``. CPU columns: the client's user+system time (``wait4``) and the
@tus/server process's (``/proc/<pid>/stat`` before and after: all its threads, the JS thread and
libuv's file-write pool, so it can pass 100%), each as a share of one core over the client's wall
time. Every upload is checked (size and sha256 of what the server stored) and then deleted.

Resume cost: ``skylift-cli upload --protocol tus`` is killed (SIGKILL) once the server holds half
the file, then ``skylift-cli resume`` finishes it. A byte-counting proxy in front of the server
measures what the server was sent over both processes; what exceeds the file size (request heads
included) is the resume's cost, measured on the server side. Target: <= 1% of the file.

Needs node and npm (@tus/server is installed into tests/peers/tus-node, tus-js-client into
bench/tus-js-client) and the tuspy package (PyPI) for its client.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.interop.peers import CuttingProxy, TusPeer, install_node_peer, node_peer  # noqa: E402

TUS_JS_DIR = REPO / "bench" / "tus-js-client"
MiB = 1 << 20
SKYLIFT_CLI = [sys.executable, "-m", "core.cli"]
TUSPY_SCRIPT = """
import os, sys
from tusclient import client
endpoint, path = sys.argv[1:]
uploader = client.TusClient(endpoint).uploader(
    path, metadata={"filename": os.path.basename(path), "filetype": "application/octet-stream"}
)
uploader.upload()
print(uploader.url)
"""


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "wb") as file:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 4 * MiB))
            digest.update(block)
            file.write(block)
            remaining -= len(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(4 * MiB):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Client:
    name: str
    command: list[str]
    cwd: Path = REPO
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes
    client_cpu: float  # seconds, user + system
    server_cpu: float | None  # seconds, user + system, while the client ran


def process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a live process, from /proc (None where there is no /proc)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            fields = file.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    # After "pid (comm)": state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(client: Client, timeout: float = 3600, server_pid: int | None = None) -> Run:
    """Wall time, peak RSS (``wait4``'s ru_maxrss) and CPU time of one client process, and the CPU
    time the server process (``server_pid``) spent meanwhile."""
    server_before = process_cpu(server_pid)
    started = time.perf_counter()
    process = subprocess.Popen(
        client.command,
        cwd=client.cwd,
        env={**os.environ, **client.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            raise RuntimeError(f"{client.name} took longer than {timeout} s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    server_after = process_cpu(server_pid)
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{client.name} failed with {process.returncode}: {error.strip()[-2000:]}")
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return Run(elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime, server_cpu)


def cpu_share(seconds: float | None, wall: float) -> str:
    return "    -" if seconds is None else f"{seconds / wall:5.0%}"


def clear_uploads(peer: TusPeer) -> None:
    for entry in peer.directory.iterdir():
        if entry.is_file():
            entry.unlink()


def check_and_clear(peer: TusPeer, size: int, sha256: str, *, verify: bool, who: str) -> None:
    uploads = peer.uploads()
    if len(uploads) != 1:
        raise RuntimeError(f"{who}: the server holds {len(uploads)} uploads, not one")
    stored = uploads[0]
    if stored.stat().st_size != size:
        raise RuntimeError(f"{who}: the server stored {stored.stat().st_size} bytes, not {size}")
    if verify and sha256_of(stored) != sha256:
        raise RuntimeError(f"{who}: the stored file's sha256 differs from the local one")
    clear_uploads(peer)


def clients(peer: TusPeer, source: Path, state: Path, node: str, wanted: list[str]) -> list[Client]:
    available = {
        "skylift": Client(
            "skylift",
            [*SKYLIFT_CLI, "upload", peer.url, str(source), "--protocol", "tus", "--state-dir", str(state)],
            env={"PYTHONPATH": str(REPO)},
        ),
        "tus-js-client": Client("tus-js-client", [node, "upload.mjs", peer.url, str(source)], cwd=TUS_JS_DIR),
        "tuspy": Client("tuspy", [sys.executable, "-c", TUSPY_SCRIPT, peer.url, str(source)]),
    }
    return [available[name] for name in wanted]


def throughput(
    args: argparse.Namespace, peer: TusPeer, source: Path, sha256: str, work: Path, node: str
) -> None:
    size = source.stat().st_size
    lineup = clients(peer, source, work / "state-throughput", node, args.clients)
    results: dict[str, list[Run]] = {client.name: [] for client in lineup}
    server_pid = peer.process.pid if peer.process is not None else None
    # One untimed upload first: the server's first request of a run is always slower (JIT, caches).
    run_measured(lineup[0])
    check_and_clear(peer, size, sha256, verify=False, who=f"{lineup[0].name} (warm-up)")
    shutil.rmtree(work / "state-throughput", ignore_errors=True)
    for round_index in range(args.runs):
        # Rotate the order every round so that no client always runs first (cold) or last.
        shift = round_index % len(lineup)
        for client in lineup[shift:] + lineup[:shift]:
            shutil.rmtree(work / "state-throughput", ignore_errors=True)
            run = run_measured(client, server_pid=server_pid)
            check_and_clear(peer, size, sha256, verify=args.verify, who=client.name)
            results[client.name].append(run)
            rate = size / MiB / run.seconds
            print(
                f"  round {round_index + 1} {client.name:<14} {rate:8.1f} MiB/s  "
                f"{run.seconds:7.2f} s  peak RSS {run.peak_rss / MiB:7.1f} MiB  "
                f"CPU client {cpu_share(run.client_cpu, run.seconds)} "
                f"server {cpu_share(run.server_cpu, run.seconds)}",
                flush=True,
            )

    print(f"\n{size / MiB:.0f} MiB to @tus/server, median of {args.runs} alternating runs:")
    medians = {
        name: size / MiB / statistics.median(r.seconds for r in runs) for name, runs in results.items()
    }
    print(
        f"  {'client':<14} {'MiB/s':>8} {'min-max':>15} {'peak RSS':>10}  "
        f"{'client CPU':>10} {'server CPU':>10}  ratios"
    )
    for name, runs in results.items():
        rates = [size / MiB / r.seconds for r in runs]
        rss = statistics.median(r.peak_rss for r in runs) / MiB
        client_cpu = statistics.median(r.client_cpu / r.seconds for r in runs)
        server_shares = [r.server_cpu / r.seconds for r in runs if r.server_cpu is not None]
        server_cpu = statistics.median(server_shares) if server_shares else None
        ratios = "  ".join(
            f"{medians[name] / medians[other]:.2f}x {other}" for other in medians if other != name
        )
        print(
            f"  {name:<14} {medians[name]:8.1f} {min(rates):7.1f}-{max(rates):<7.1f} {rss:8.1f} MiB  "
            f"{cpu_share(client_cpu, 1):>10} {cpu_share(server_cpu, 1):>10}  {ratios}"
        )


def wait_until(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)


def settled_size(peer: TusPeer) -> int:
    """The stored size once the server has written everything it received (stable for 0.3 s)."""
    last, since = -1, time.monotonic()
    while True:
        size = peer.stored_bytes()
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since > 0.3:
            return size
        time.sleep(0.01)


def resume_cost(peer: TusPeer, source: Path, sha256: str, work: Path, *, verify: bool) -> None:
    size = source.stat().st_size
    proxy = CuttingProxy(peer.port)
    proxy.start()
    state = work / "state-resume"
    shutil.rmtree(state, ignore_errors=True)
    where = ["--state-dir", str(state), "--json"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        upload = subprocess.Popen(
            [
                *SKYLIFT_CLI,
                "upload",
                proxy.url(),
                str(source),
                "--protocol",
                "tus",
                "--session",
                "bench-resume",
                *where,
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(
            lambda: peer.stored_bytes() >= size // 2 or upload.poll() is not None, 600, "half the file stored"
        )
        if upload.poll() is not None:
            raise RuntimeError("the upload ended before it could be killed")
        upload.send_signal(signal.SIGKILL)
        upload.wait()
        held = settled_size(peer)
        first_process = proxy.forwarded
        finished = subprocess.run(
            [*SKYLIFT_CLI, "resume", "--session", "bench-resume", *where],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"skylift-cli resume failed: {finished.stderr.strip()[-2000:]}")
        second_process = proxy.forwarded - first_process
        check_and_clear(peer, size, sha256, verify=verify, who="skylift resume")
    finally:
        proxy.stop()
    extra = first_process + second_process - size
    print(f"\nresume cost ({size / MiB:.0f} MiB, skylift-cli killed with SIGKILL at {held / size:.1%}):")
    print(f"  server held after the kill  {held:>14,} bytes")
    print(f"  sent to server, 1st process {first_process:>14,} bytes")
    print(f"  sent to server, resume      {second_process:>14,} bytes (the file's missing {size - held:,})")
    print(f"  beyond the file size        {extra:>14,} bytes = {extra / size:.3%} of the file (target <= 1%)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="file size (1G)")
    parser.add_argument("--runs", type=int, default=5, help="alternating rounds (5)")
    parser.add_argument("--clients", default="skylift,tus-js-client,tuspy", help="comma-separated subset")
    parser.add_argument(
        "--workdir", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    )
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the sha256 checks")
    parser.add_argument("--no-resume", dest="resume", action="store_false", help="skip the resume cost")
    args = parser.parse_args()
    args.clients = [name.strip() for name in args.clients.split(",") if name.strip()]

    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        print("tus_bench needs node and npm", file=sys.stderr)
        return 2
    install_node_peer(npm)
    if "tus-js-client" in args.clients and not (TUS_JS_DIR / "node_modules" / "tus-js-client").is_dir():
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TUS_JS_DIR, check=True
        )

    work = Path(tempfile.mkdtemp(prefix="skylift-tus-bench-", dir=args.workdir))
    peer = node_peer(work / "server", node)
    try:
        source = work / "source.bin"
        print(f"making a {args.size / MiB:.0f} MiB file of random bytes in {work} ...", flush=True)
        sha256 = make_file(source, args.size)
        # The Python clients run from compiled bytecode, as installed ones do (as upload_bench.py):
        # PYTHONDONTWRITEBYTECODE=1 would compile all of core/ at every start. A private cache,
        # filled here so that no measured run compiles.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        imports = "import core.cli" + ("; import tusclient.client" if "tuspy" in args.clients else "")
        subprocess.run(
            [sys.executable, "-c", imports], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, check=True
        )
        peer.start()
        print(f"@tus/server on {peer.url}; clients: {', '.join(args.clients)}", flush=True)
        throughput(args, peer, source, sha256, work, node)
        if args.resume:
            resume_cost(peer, source, sha256, work, verify=args.verify)
    finally:
        peer.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
