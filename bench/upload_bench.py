#!/usr/bin/env python3
"""Skylift upload benchmark: skylift-cli against curl, on loopback, in one run.

Workloads (issue 2, "Benchmark"):
  raw        the same big file, ``skylift-cli --protocol raw`` vs ``curl -T``, to nginx (WebDAV PUT)
  multipart  the same big file, ``skylift-cli --protocol multipart`` vs ``curl -F``, to an aiohttp
             receiver (MultipartReader streaming parts to disk)
  small      many small files PUT to nginx: skylift-cli vs one curl process with keep-alive (a config
             file of ``url``/``upload-file`` pairs), and ``curl --parallel --parallel-max 8``
  rss        peak RSS of skylift-cli for a small and a huge raw upload (read by wait4() per process)

Every contestant is a fresh process, timed from spawn to exit (start-up included, as a user sees
it); runs alternate between contestants (the order rotates each run) and the table shows medians.
Files live on tmpfs (/dev/shm) when it has room. nginx (Debian ``nginx-light``) runs in a private
prefix, in the foreground, configured as ``../shared/recipes/peers.md`` says.

Quick check:  python bench/upload_bench.py --size 64M --files 200 --rss-sizes 4M,256M --runs 3
Full run:     python bench/upload_bench.py            (1 GiB, 2,000 x 64 KiB, 4 MiB vs 4 GiB, 5 runs)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECEIVER = Path(__file__).resolve().parent / "receiver.py"
MiB = 1 << 20

# Targets from issue 2.
TARGET_RAW = 1.2
TARGET_MULTIPART = 0.9
TARGET_SMALL = 1.0
TARGET_RSS_GROWTH = 30 * 1000 * 1000  # "within 30 MB"


# -- units ----------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64K, 512M, 1G)")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit])


def parse_sizes(text: str) -> list[int]:
    return [parse_size(part) for part in text.split(",") if part.strip()]


def human(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


# -- measuring one process ------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_rss: int  # bytes, from the kernel's accounting of this one child (wait4)


class CommandFailed(RuntimeError):
    pass


def measure(command: Sequence[str], *, env: dict[str, str] | None = None, log: Path) -> Sample:
    """Run ``command`` to completion; wall time from spawn to exit and the child's own peak RSS."""
    with open(log, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env
        )
        # wait4 reaps this child and returns its rusage alone (RUSAGE_CHILDREN would sum all children).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise CommandFailed(f"{' '.join(command[:6])} ... exited {process.returncode}:\n{tail}")
    return Sample(seconds, usage.ru_maxrss * 1024)


# -- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_ping(url: str, process: subprocess.Popen[bytes], what: str, log: Path | None) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with status {process.returncode}\n{detail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 204:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer {url} within 15 s")


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def ensure_nginx() -> str | None:
    """nginx with the dav module: installed with apt-get when we are root, else how to install it."""
    binary = find_nginx()
    if binary:
        return binary
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("nginx not found: installing Debian's nginx-light with apt-get ...", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "nginx-light"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
            subprocess.run(install, env=env, stdout=subprocess.DEVNULL, check=False)
        binary = find_nginx()
        if binary:
            return binary
    print(
        "nginx is not installed; the raw-PUT and small-file workloads need it.\n"
        "  Debian/Ubuntu:  sudo apt-get install nginx-light   (any nginx built --with-http_dav_module)\n"
        "Skipping those workloads.",
        file=sys.stderr,
    )
    return None


NGINX_CONF = """\
# Written by bench/upload_bench.py: a private nginx for raw PUT (WebDAV) uploads.
{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    # Same filesystem as the upload root: the finished body is renamed, not copied (2.6x faster).
    client_body_temp_path {root}/.body-temp;
    proxy_temp_path {prefix}/proxy-temp;
    fastcgi_temp_path {prefix}/fastcgi-temp;
    uwsgi_temp_path {prefix}/uwsgi-temp;
    scgi_temp_path {prefix}/scgi-temp;
    client_max_body_size 0;
{body_buffer}    # The default (1000) would close the connection mid-way through 2,000 small uploads.
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server {{
        listen 127.0.0.1:{port};
        location = /ping {{ return 204; }}
        location /up/ {{
            alias {root}/;
            dav_methods PUT DELETE;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }}
    }}
}}
"""


class Nginx:
    def __init__(self, binary: str, prefix: Path, root: Path, body_buffer: str | None = None) -> None:
        self.body_buffer = body_buffer
        self.binary = binary
        self.prefix = prefix
        self.root = root
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.prefix.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / ".body-temp").mkdir(exist_ok=True)
        error_log = self.prefix / "error.log"
        for _ in range(3):
            self.port = free_port()
            conf = self.prefix / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(
                    # As root, nginx's workers would run as nobody and fail to rename into our root.
                    user="user root;\n" if os.geteuid() == 0 else "",
                    prefix=self.prefix,
                    root=self.root,
                    port=self.port,
                    body_buffer=(
                        f"    client_body_buffer_size {self.body_buffer};\n" if self.body_buffer else ""
                    ),
                )
            )
            with open(self.prefix / "stderr.log", "wb") as err:
                self.process = subprocess.Popen(
                    [self.binary, "-p", f"{self.prefix}/", "-c", str(conf), "-e", str(error_log)],
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=err,
                )
            try:
                wait_for_ping(f"{self.url}/ping", self.process, "nginx", error_log)
                return
            except RuntimeError:
                if "Address already in use" not in error_log.read_text(errors="replace"):
                    raise
        raise RuntimeError("nginx could not find a free port")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, signal.SIGQUIT)

    def version(self) -> str:
        out = subprocess.run([self.binary, "-v"], capture_output=True, text=True).stderr
        return out.strip().split("/")[-1]


class Receiver:
    """bench/receiver.py (aiohttp) in its own process."""

    def __init__(self, directory: Path, *, hash_parts: bool) -> None:
        self.directory = directory
        self.hash_parts = hash_parts
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, str(RECEIVER), "--dir", str(self.directory)]
        if self.hash_parts:
            command.append("--hash")
        self.log = self.directory.parent / "receiver.log"
        with open(self.log, "wb") as err:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        if not line.startswith("port "):
            stop_process(self.process)
            raise RuntimeError(f"receiver did not start: {self.log.read_text(errors='replace')[-2000:]}")
        self.port = int(line.split()[1])
        wait_for_ping(f"{self.url}/ping", self.process, "receiver", self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, signal.SIGINT)


# -- test data ------------------------------------------------------------------------------------


def pick_workdir(requested: Path | None, needed: int) -> Path:
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="skylift-bench-", dir=requested))
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        free = shutil.disk_usage(shm).free
        if free > needed:
            return Path(tempfile.mkdtemp(prefix="skylift-bench-", dir=shm))
        print(
            f"note: /dev/shm has {human(free)} free, {human(needed)} needed: files go to the temp folder",
            file=sys.stderr,
        )
    return Path(tempfile.mkdtemp(prefix="skylift-bench-"))


def write_file(path: Path, size: int, block: bytes) -> Path:
    """Incompressible content: a random block repeated (compression plays no part on this path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        remaining = size
        while remaining:
            piece = block[: min(len(block), remaining)]
            out.write(piece)
            remaining -= len(piece)
    return path


def sparse_file(path: Path, size: int) -> Path:
    """For peak-RSS runs only: size matters there, content does not, and a hole costs no RAM."""
    with open(path, "wb") as out:
        out.truncate(size)
    return path


# -- runs -----------------------------------------------------------------------------------------


@dataclass
class Contestant:
    name: str
    # run index -> command; called before the clock starts.
    command: Callable[[int], list[str]]
    # run index -> None; raises if the server did not get everything. Cleans up after itself.
    verify: Callable[[int], None]
    is_anchor: bool = False
    # Extra environment for this contestant (e.g. SKYLIFT_HTTP_TRANSPORT=httpcore).
    env: dict[str, str] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)


@dataclass
class Row:
    workload: str
    client: str
    seconds: float
    rate: float
    unit: str
    ratio: float | None
    spread: tuple[float, float]
    peak_rss: int
    note: str = ""


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.verdicts: list[str] = []
        self.skylift = args.skylift or [sys.executable, "-m", "core.cli"]
        self.env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        self.env.pop("SKYLIFT_STATE_DIR", None)
        self.env.pop("SKYLIFT_HTTP_TRANSPORT", None)
        # An installed skylift-cli runs from compiled bytecode; a checkout under
        # PYTHONDONTWRITEBYTECODE=1 would compile every module at every start (~20 ms).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.serial = 0

    # Each skylift run gets a fresh state folder: every run starts from an empty database.
    def state_dir(self) -> str:
        self.serial += 1
        path = self.work / "state" / str(self.serial)
        return str(path)

    def sky(self, *arguments: str) -> list[str]:
        return [*self.skylift, *arguments, "--state-dir", self.state_dir()]

    def progress(self, text: str) -> None:
        if not self.args.quiet:
            print(text, file=sys.stderr, flush=True)

    def run_alternating(self, workload: str, contestants: list[Contestant]) -> None:
        runs, warmups = self.args.runs, self.args.warmup
        log = self.work / "last-command.log"
        for run in range(-warmups, runs):
            shift = run % len(contestants)
            order = contestants[shift:] + contestants[:shift]
            for contestant in order:
                command = contestant.command(run)
                env = {**self.env, **contestant.env} if contestant.env else self.env
                sample = measure(command, env=env, log=log)
                contestant.verify(run)
                label = "warm-up" if run < 0 else f"run {run + 1}/{runs}"
                self.progress(f"  {workload:<10} {label:<9} {contestant.name:<32} {sample.seconds:8.3f} s")
                if run >= 0:
                    contestant.samples.append(sample)

    def add_rows(self, workload: str, contestants: list[Contestant], amount: float, unit: str) -> None:
        anchor = next((c for c in contestants if c.is_anchor), None)
        anchor_rate = amount / statistics.median(s.seconds for s in anchor.samples) if anchor else None
        for contestant in contestants:
            seconds = statistics.median(s.seconds for s in contestant.samples)
            rates = [amount / s.seconds for s in contestant.samples]
            rate = amount / seconds
            self.rows.append(
                Row(
                    workload=workload,
                    client=contestant.name,
                    seconds=seconds,
                    rate=rate,
                    unit=unit,
                    ratio=rate / anchor_rate if anchor_rate else None,
                    spread=(min(rates), max(rates)),
                    peak_rss=int(statistics.median(s.peak_rss for s in contestant.samples)),
                )
            )

    def httpcore_variant(self, contestant: Contestant) -> list[Contestant]:
        """With --with-httpcore: the same skylift-cli run on httpx's own transport (before/after)."""
        if not self.args.with_httpcore:
            return []
        return [
            Contestant(
                f"{contestant.name} [httpcore]",
                contestant.command,
                contestant.verify,
                env={"SKYLIFT_HTTP_TRANSPORT": "httpcore"},
            )
        ]

    def verdict(self, what: str, value: float, target: float, *, higher_is_better: bool = True) -> None:
        met = value >= target if higher_is_better else value <= target
        self.verdicts.append(f"{'met ' if met else 'MISS'}  {what}")

    # -- workloads --------------------------------------------------------------------------------

    def raw(self, nginx: Nginx) -> None:
        size, big = self.args.size, self.big

        def url(tag: str, run: int) -> str:
            return f"{nginx.url}/up/raw-{tag}-{run + 10}/big.bin"

        def verify(tag: str) -> Callable[[int], None]:
            def check(run: int) -> None:
                folder = nginx.root / f"raw-{tag}-{run + 10}"
                got = (folder / "big.bin").stat().st_size
                if got != size:
                    raise CommandFailed(f"nginx holds {got} bytes of {size}")
                shutil.rmtree(folder)

            return check

        contestants = [
            Contestant(
                "curl -T",
                lambda run: ["curl", "-sS", "--fail", "-o", "/dev/null", "-T", str(big), url("curl", run)],
                verify("curl"),
                is_anchor=True,
            ),
            Contestant(
                "skylift-cli --protocol raw",
                lambda run: self.sky("upload", url("sky", run), str(big), "--protocol", "raw"),
                verify("sky"),
            ),
        ]
        if self.args.with_httpcore:
            contestants.append(
                Contestant(
                    "skylift-cli --protocol raw [httpcore]",
                    lambda run: self.sky("upload", url("core", run), str(big), "--protocol", "raw"),
                    verify("core"),
                    env={"SKYLIFT_HTTP_TRANSPORT": "httpcore"},
                )
            )
        self.run_alternating("raw", contestants)
        buffer = (
            f", client_body_buffer_size {self.args.nginx_body_buffer}" if self.args.nginx_body_buffer else ""
        )
        workload = f"raw PUT {human(size)} -> nginx{buffer}"
        self.add_rows(workload, contestants, size / MiB, "MiB/s")
        ratio = (
            next(
                r for r in self.rows if r.client == "skylift-cli --protocol raw" and r.workload == workload
            ).ratio
            or 0
        )
        self.verdict(f"raw PUT >= {TARGET_RAW}x curl -T: {ratio:.2f}x", ratio, TARGET_RAW)

    def multipart(self, receiver: Receiver) -> None:
        size, big = self.args.size, self.big

        def check(run: int) -> None:
            stored = list(receiver.directory.iterdir())
            sizes = [p.stat().st_size for p in stored]
            for path in stored:
                path.unlink()
            if sizes != [size]:
                raise CommandFailed(f"receiver stored {sizes}, expected one file of {size} bytes")

        url = f"{receiver.url}/form/"
        contestants = [
            Contestant(
                "curl -F",
                lambda run: ["curl", "-sS", "--fail", "-o", "/dev/null", "-F", f"file=@{big}", url],
                check,
                is_anchor=True,
            ),
            Contestant(
                "skylift-cli --protocol multipart",
                lambda run: self.sky("upload", url, str(big), "--protocol", "multipart"),
                check,
            ),
        ]
        contestants += self.httpcore_variant(contestants[-1])
        self.run_alternating("multipart", contestants)
        hashing = ", server hashes" if self.args.hash else ""
        workload = f"multipart {human(size)} -> aiohttp{hashing}"
        self.add_rows(workload, contestants, size / MiB, "MiB/s")
        ratio = (
            next(r for r in self.rows if r.client == contestants[1].name and r.workload == workload).ratio
            or 0
        )
        self.verdict(f"multipart >= {TARGET_MULTIPART}x curl -F: {ratio:.2f}x", ratio, TARGET_MULTIPART)

    def small(self, nginx: Nginx) -> None:
        count, size = self.args.files, self.args.file_size
        folder = self.small_dir
        names = sorted(p.name for p in folder.iterdir())

        def prefix(tag: str, run: int) -> str:
            return f"small-{tag}-{run + 10}"

        def curl_config(tag: str, run: int) -> Path:
            # One process, one handle: curl keeps the connection alive from one url to the next.
            config = self.work / f"curl-{tag}.conf"
            base = f"{nginx.url}/up/{prefix(tag, run)}/{folder.name}"
            with open(config, "w") as out:
                for name in names:
                    out.write(f'url = "{base}/{name}"\nupload-file = "{folder / name}"\n')
            return config

        def curl(tag: str, *extra: str) -> Callable[[int], list[str]]:
            def command(run: int) -> list[str]:
                # curl 7.x sends "Expect: 100-continue" with every PUT and waits for nginx's interim
                # answer: a round trip per file that skylift-cli does not make. "Expect:" turns it off,
                # so both send the same bytes (the default is measured beside it).
                return ["curl", "-sS", "--fail", *extra, "-K", str(curl_config(tag, run))]

            return command

        def sky(tag: str, concurrency: int) -> Callable[[int], list[str]]:
            def command(run: int) -> list[str]:
                url = f"{nginx.url}/up/{prefix(tag, run)}/"
                return self.sky(
                    "upload", url, str(folder), "--protocol", "raw", "--concurrency", str(concurrency)
                )

            return command

        def verify(tag: str) -> Callable[[int], None]:
            def check(run: int) -> None:
                target = nginx.root / prefix(tag, run)
                stored = list((target / folder.name).iterdir())
                bad = [p.name for p in stored if p.stat().st_size != size]
                shutil.rmtree(target)
                if len(stored) != count or bad:
                    raise CommandFailed(f"nginx holds {len(stored)} of {count} files ({len(bad)} wrong size)")

            return check

        contestants = [
            Contestant(
                "curl, one process, keep-alive", curl("curl", "-H", "Expect:"), verify("curl"), is_anchor=True
            ),
            Contestant("curl, same, default Expect: 100-continue", curl("curle"), verify("curle")),
            Contestant(
                "curl --parallel --parallel-max 8",
                curl("curlp", "-H", "Expect:", "--parallel", "--parallel-max", "8"),
                verify("curlp"),
            ),
        ]
        ours = []
        for concurrency in self.args.small_concurrency:
            ours.append(
                Contestant(
                    f"skylift-cli --concurrency {concurrency}",
                    sky(f"sky{concurrency}", concurrency),
                    verify(f"sky{concurrency}"),
                )
            )
            if self.args.with_httpcore:
                ours.append(
                    Contestant(
                        f"skylift-cli --concurrency {concurrency} [httpcore]",
                        sky(f"core{concurrency}", concurrency),
                        verify(f"core{concurrency}"),
                        env={"SKYLIFT_HTTP_TRANSPORT": "httpcore"},
                    )
                )
        contestants += ours
        self.run_alternating("small", contestants)
        workload = f"{count:,} x {human(size)} PUT -> nginx"
        self.add_rows(workload, contestants, count, "files/s")
        for row in self.rows[-len(ours) :]:
            if row.client.endswith("[httpcore]"):
                continue
            ratio = row.ratio or 0
            self.verdict(
                f"small files >= {TARGET_SMALL}x curl (keep-alive), {row.client}: {ratio:.2f}x",
                ratio,
                TARGET_SMALL,
            )

    def startup(self) -> None:
        """skylift-cli's fixed cost: interpreter, imports, argument parsing, state database."""
        contestant = Contestant(
            "skylift-cli queue (start-up floor)",
            lambda run: self.sky("queue"),
            lambda run: None,
        )
        self.run_alternating("start-up", [contestant])
        seconds = statistics.median(s.seconds for s in contestant.samples)
        self.rows.append(
            Row(
                workload="process start-up, no upload",
                client=contestant.name,
                seconds=seconds,
                rate=0.0,
                unit="",
                ratio=None,
                spread=(0.0, 0.0),
                peak_rss=int(statistics.median(s.peak_rss for s in contestant.samples)),
            )
        )

    def rss(self, receiver: Receiver) -> None:
        sizes = self.args.rss_sizes
        files = [sparse_file(self.work / f"rss-{size}.bin", size) for size in sizes]
        contestants = [
            Contestant(
                f"skylift-cli raw, {human(size)}",
                lambda run, path=path: self.sky(
                    "upload", f"{receiver.url}/discard/", str(path), "--protocol", "raw"
                ),
                lambda run: None,
            )
            for size, path in zip(sizes, files, strict=True)
        ]
        self.run_alternating("rss", contestants)
        for size, contestant in zip(sizes, contestants, strict=True):
            seconds = statistics.median(s.seconds for s in contestant.samples)
            rates = [size / MiB / s.seconds for s in contestant.samples]
            self.rows.append(
                Row(
                    workload="peak RSS, raw PUT -> aiohttp (discard)",
                    client=contestant.name,
                    seconds=seconds,
                    rate=size / MiB / seconds,
                    unit="MiB/s",
                    ratio=None,
                    spread=(min(rates), max(rates)),
                    peak_rss=max(s.peak_rss for s in contestant.samples),
                    note="max over runs",
                )
            )
        for path in files:
            path.unlink()
        peaks = [max(s.peak_rss for s in c.samples) for c in contestants]
        growth = peaks[-1] - peaks[0]
        self.verdict(
            f"peak RSS {human(sizes[-1])} vs {human(sizes[0])} within 30 MB: {growth / 1e6:+.1f} MB",
            growth,
            TARGET_RSS_GROWTH,
            higher_is_better=False,
        )

    # -- the whole run ----------------------------------------------------------------------------

    def prepare(self) -> None:
        args = self.args
        needed = 3 * args.size + 2 * args.files * args.file_size + 256 * MiB
        self.work = pick_workdir(args.workdir, needed)
        self.env["PYTHONPYCACHEPREFIX"] = str(self.work / "pycache")
        self.progress(f"work folder: {self.work}")
        block = os.urandom(4 * MiB)
        if {"raw", "multipart"} & set(args.workloads):
            self.big = write_file(self.work / "data" / "big.bin", args.size, block)
        if "small" in args.workloads:
            self.small_dir = self.work / "data" / "small"
            self.small_dir.mkdir(parents=True)
            for index in range(args.files):
                (self.small_dir / f"f{index:05d}.bin").write_bytes(os.urandom(args.file_size))

    def run(self) -> int:
        args = self.args
        self.prepare()
        nginx: Nginx | None = None
        receiver: Receiver | None = None
        load_before = os.getloadavg()
        started = time.monotonic()
        try:
            if {"raw", "small"} & set(args.workloads):
                binary = ensure_nginx()
                if binary:
                    nginx = Nginx(
                        binary, self.work / "nginx", self.work / "nginx-root", args.nginx_body_buffer
                    )
                    nginx.start()
            if {"multipart", "rss"} & set(args.workloads):
                receiver = Receiver(self.work / "received", hash_parts=args.hash)
                receiver.start()
            for workload in args.workloads:
                if workload == "raw" and nginx:
                    self.raw(nginx)
                elif workload == "multipart" and receiver:
                    self.multipart(receiver)
                elif workload == "small" and nginx:
                    self.small(nginx)
                elif workload == "rss" and receiver:
                    self.rss(receiver)
                elif workload == "startup":
                    self.startup()
        finally:
            if nginx:
                nginx.stop()
            if receiver:
                receiver.stop()
            if not args.keep:
                shutil.rmtree(self.work, ignore_errors=True)
        self.report(nginx, load_before, time.monotonic() - started)
        return 0

    def report(self, nginx: Nginx | None, load_before: tuple[float, ...], elapsed: float) -> None:
        args = self.args
        curl_version = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
        try:
            import httpx

            httpx_version = httpx.__version__
        except ImportError:
            httpx_version = "?"
        load_after = os.getloadavg()
        context = (
            f"{os.cpu_count()} CPUs, load {load_before[0]:.2f} -> {load_after[0]:.2f}; "
            f"Python {platform.python_version()}, httpx {httpx_version}, curl {curl_version}"
            + (f", nginx {nginx.version()}" if nginx else "")
            + f"; files on {'tmpfs' if str(self.work).startswith('/dev/shm') else 'disk'}; "
            f"medians of {args.runs} alternating runs (+{args.warmup} warm-up); {elapsed:.0f} s in all"
        )
        if args.markdown:
            print(markdown_table(self.rows))
            print()
            print(f"<sub>{context}</sub>")
        else:
            print()
            print(plain_table(self.rows))
            print()
            print(context)
        print()
        for line in self.verdicts:
            print(("- " if args.markdown else "") + line)


def format_rate(row: Row) -> str:
    if not row.unit:
        return ""
    return f"{row.rate:,.0f} {row.unit}"


def format_spread(row: Row) -> str:
    if not row.unit:
        return ""
    return f"{row.spread[0]:,.0f}..{row.spread[1]:,.0f}"


def format_ratio(row: Row) -> str:
    return "" if row.ratio is None else f"{row.ratio:.2f}x"


def plain_table(rows: list[Row]) -> str:
    header = ("client", "median s", "rate", "min..max", "vs curl", "peak RSS")
    lines = []
    last = None
    data = [
        (
            row.client,
            f"{row.seconds:.3f}",
            format_rate(row),
            format_spread(row),
            format_ratio(row),
            f"{row.peak_rss / MiB:.1f} MiB" + (f" ({row.note})" if row.note else ""),
        )
        for row in rows
    ]
    widths = [max(len(h), *(len(d[i]) for d in data)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(cells)
        )

    lines.append(line(header))
    for row, cells in zip(rows, data, strict=True):
        if row.workload != last:
            lines.append("")
            lines.append(f"[{row.workload}]")
            last = row.workload
        lines.append(line(cells))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| workload | client | median s | rate | min..max | vs curl | peak RSS |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        rss = f"{row.peak_rss / MiB:.1f} MiB" + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {row.workload} | {row.client} | {row.seconds:.3f} | {format_rate(row)} | "
            f"{format_spread(row)} | {format_ratio(row)} | {rss} |"
        )
    return "\n".join(lines)


WORKLOADS = ("raw", "multipart", "small", "startup", "rss")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Benchmark skylift-cli against curl on loopback (issue 2).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="big file size (1G)")
    parser.add_argument("--files", type=int, default=2000, help="number of small files (2000)")
    parser.add_argument("--file-size", type=parse_size, default=64 << 10, help="small file size (64K)")
    parser.add_argument(
        "--small-concurrency",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[4, 8],
        metavar="N[,N...]",
        help="skylift-cli --concurrency values for the small-file workload (4,8)",
    )
    parser.add_argument(
        "--rss-sizes",
        type=parse_sizes,
        default=[4 << 20, 4 << 30],
        metavar="SMALL,LARGE",
        help="file sizes for the peak-RSS comparison (4M,4G)",
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs per contestant (5)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs first (1)")
    parser.add_argument(
        "--workloads",
        type=lambda text: [w.strip() for w in text.split(",") if w.strip()],
        default=list(WORKLOADS),
        metavar="LIST",
        help=f"comma-separated subset of {','.join(WORKLOADS)}",
    )
    parser.add_argument("--hash", action="store_true", help="the multipart receiver hashes what it gets")
    parser.add_argument(
        "--nginx-body-buffer",
        metavar="SIZE",
        help="nginx client_body_buffer_size (default: nginx's 16k, as peers.md; 1m lets nginx take "
        "a big PUT about twice as fast, so that the clients rather than nginx set the pace)",
    )
    parser.add_argument(
        "--with-httpcore",
        action="store_true",
        help="also run skylift-cli on httpx's own transport (SKYLIFT_HTTP_TRANSPORT=httpcore)",
    )
    parser.add_argument(
        "--skylift",
        type=lambda text: text.split(),
        help="command that runs skylift-cli (default: this Python -m core.cli)",
    )
    parser.add_argument("--workdir", type=Path, help="where files go (default: /dev/shm if it has room)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (README)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run progress on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s): {', '.join(sorted(unknown))}")
    if args.runs < 1 or args.files < 1 or len(args.rss_sizes) < 2:
        parser.error("--runs and --files must be >= 1, --rss-sizes needs two sizes")
    if not shutil.which("curl"):
        parser.error("curl is not installed (Debian: apt-get install curl)")
    try:
        return Bench(args).run()
    except CommandFailed as error:
        print(f"upload_bench: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
