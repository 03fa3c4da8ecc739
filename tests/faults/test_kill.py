"""``kill -9`` of skylift-cli at a random moment, then ``skylift-cli resume``: what the server ends up
holding, checked against what the killed process had reported before it died.

What Skylift promises:

- A task's final state is committed to the state database (fsync) before the CLI prints its
  ``--json`` line, so a file reported completed is never uploaded again by ``resume``.
- A tus upload's URL is on disk before any PATCH byte goes out, and every HEAD keeps it there: a
  resume continues the same upload from the server's offset, however often it is killed.
- multipart and raw cannot resume: a file whose completion was not reported yet may be sent again
  (the at-most-once window). Those tests count how often that happened and print it (``pytest -s``).

The server is a FaultServer in this process, so its records (what it stored, every request and the
body bytes it read) and the moment of the kill are on one monotonic clock. The CLI's JSON lines are
read by a thread as they come; after the kill the pipe is drained, so ``reported`` is exactly what
the process had written before it died.
"""

from __future__ import annotations

import base64
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import sha256_of
from tests.faults import FaultServer, RequestEnd, RequestRecord, Stored, StoredKind
from tests.interop.helpers import random_file

MiB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]
RATE = "8M"
# A tus creation answered this shortly before the kill may not have its URL on disk yet: the save
# is one fsynced SQLite commit after the answer is read, milliseconds on this machine.
SAVE_WINDOW = 0.2
# What a killed client can have had on the wire at 8 MiB/s (socket buffers and the read-ahead).
IN_FLIGHT = 4 * MiB

ServerFactory = Callable[..., FaultServer]


# -- running the CLI --------------------------------------------------------------------------------


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "core.cli", *args]


ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(*args), cwd=ROOT, env=ENVIRONMENT, capture_output=True, text=True, timeout=timeout, check=False
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def killed_session(state: Path) -> tuple[str, ...]:
    """The options of the runs that get killed: throttled, in a known session and state folder."""
    return ("--limit-rate", RATE, "--session", "killed", "--state-dir", str(state))


def queue_states(state: Path) -> dict[str, dict[str, Any]]:
    """``skylift-cli queue --json``, by file name."""
    listing = run_cli("queue", "--state-dir", str(state), "--json")
    assert listing.returncode == 0, listing.stderr
    tasks = json_lines(listing.stdout)
    by_name = {task["name"]: task for task in tasks}
    assert len(by_name) == len(tasks), f"a file is listed twice: {tasks}"
    return by_name


class CliProcess:
    """A skylift-cli run whose ``--json`` lines a thread reads as they come. ``on_line(process,
    line)`` runs in that thread, so it can kill the process the moment a line arrives."""

    def __init__(
        self,
        *args: str,
        stderr: Path,
        on_line: Callable[[CliProcess, dict[str, Any]], None] | None = None,
    ) -> None:
        self.lines: list[dict[str, Any]] = []
        self.killed_at: float | None = None
        self.stderr_path = stderr
        self._on_line = on_line
        self._lock = threading.Lock()
        with open(stderr, "wb") as err:
            self.process = subprocess.Popen(
                cli(*args), cwd=ROOT, env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=err, text=True
            )
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for text in stream:
            if not text.strip():
                continue
            line = json.loads(text)
            with self._lock:
                self.lines.append(line)
            if self._on_line is not None:
                self._on_line(self, line)
        stream.close()

    @property
    def exited(self) -> bool:
        return self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL, unless it has exited already; ``killed_at`` is the moment it was sent."""
        with self._lock:
            if self.killed_at is None and self.process.poll() is None:
                self.killed_at = time.monotonic()
                self.process.send_signal(signal.SIGKILL)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the process to end and for its last line (the pipe drained)."""
        code = self.process.wait(timeout)
        self._reader.join(10)
        return code

    @property
    def was_killed(self) -> bool:
        return self.process.returncode == -signal.SIGKILL

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def reported(self, state: str = "completed") -> set[str]:
        with self._lock:
            return {line["name"] for line in self.lines if line["state"] == state}


def settle(server: FaultServer) -> None:
    """Wait until the server has ended every request the killed client had open (it keeps what a
    cut tus request delivered, so offsets are final only then)."""
    assert server.wait_until(
        lambda s: all(r.end is not RequestEnd.IN_PROGRESS for r in s.requests), timeout=10
    ), "the server still serves a request of the killed client"


# -- what the server holds, per protocol ------------------------------------------------------------


@dataclass(frozen=True)
class Wire:
    """One way of sending files, and where the server keeps each file's copies."""

    name: str
    protocol: str
    server_options: dict[str, Any] = field(default_factory=dict)

    def url(self, server: FaultServer) -> str:
        if self.protocol == "multipart":
            return server.url + "/up"
        if self.protocol == "raw":
            return server.url + "/raw/"
        return server.tus_url

    def copies(self, server: FaultServer, name: str) -> list[Stored]:
        """Every complete copy of the file the server stored, oldest first."""
        if self.protocol == "raw":
            return server.stored_for(f"/raw/{name}")
        kind = StoredKind.MULTIPART if self.protocol == "multipart" else StoredKind.TUS
        return [entry for entry in server.stored if entry.kind is kind and entry.filename == name]


MULTIPART = Wire("multipart", "multipart")
RAW = Wire("raw", "raw")
# The FaultServer offers creation-with-upload as @tus/server does: a file of up to 4 MiB rides
# whole in the creation POST, so a kill mid-POST leaves an upload whose URL the client never got.
TUS = Wire("tus", "tus")
# Without creation-with-upload: an empty creation POST, then one long PATCH. A kill lands mid-PATCH
# and the resume continues from the server's offset.
TUS_PATCH = Wire("tus, POST then PATCH", "tus", {"tus_extensions": ("creation", "termination")})


def metadata_filename(record: RequestRecord) -> str | None:
    for pair in record.headers.get("upload-metadata", "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key == "filename":
            return base64.b64decode(value).decode()
    return None


def tus_upload_paths(server: FaultServer, name: str) -> set[str]:
    """Every upload the server holds for this file, complete or not."""
    done = {s.path for s in server.stored if s.kind is StoredKind.TUS and s.filename == name}
    partial = {u.path for u in server.uploads_in_progress() if u.metadata.get("filename") == name}
    return done | partial


def tus_requests(server: FaultServer, name: str) -> list[RequestRecord]:
    """The creation POSTs and the PATCHes of this file's uploads: the requests that carry bytes."""
    paths = tus_upload_paths(server, name)
    return [
        r
        for r in server.requests
        if (r.method == "POST" and metadata_filename(r) == name) or (r.method == "PATCH" and r.path in paths)
    ]


# -- one trial: a batch killed at a random moment, then resumed ----------------------------------------


@dataclass
class Trial:
    seed: int
    files: int
    killed: bool = False
    reported: int = 0
    # Files not reported before the kill, and those of them the server stored twice.
    unreported: int = 0
    sent_again: list[str] = field(default_factory=list)
    # Seconds from the first copy's answer to the kill, for each file sent again.
    answer_to_kill: list[float] = field(default_factory=list)
    # tus: uploads left behind by a creation POST the kill cut short, or answered but not saved.
    orphans_cut: int = 0
    orphans_unsaved: int = 0
    # Body bytes the server read beyond the files' sizes: what the kill cut short and the resume sent
    # again (multipart: the form envelopes too).
    resent: int = 0


def kill_and_resume(wire: Wire, seed: int, folder: Path, make_fault_server: ServerFactory) -> Trial:
    rng = random.Random(seed)
    server = make_fault_server(**wire.server_options)
    sizes = [rng.randint(MiB, 3 * MiB) for _ in range(6)]
    files = [
        random_file(folder / "in" / f"clip-{seed}-{n}.bin", size, seed=seed * 100 + n)
        for n, size in enumerate(sizes)
    ]
    names = [f.name for f in files]
    state = folder / "state"
    upload = CliProcess(
        "upload",
        wire.url(server),
        *map(str, files),
        "--protocol",
        wire.protocol,
        "--json",
        *killed_session(state),
        stderr=folder / "upload.err",
    )
    assert server.wait_until(lambda s: s.counters.body_bytes > 0 or upload.exited, timeout=30)
    # 0-1.5 s, but within the batch's time at 8 MiB/s, so that every trial kills mid-batch.
    time.sleep(rng.uniform(0, min(1.5, 0.8 * sum(sizes) / (8 * MiB))))
    upload.kill()
    upload.finish()
    settle(server)
    trial = Trial(seed, len(files), killed=upload.was_killed)
    if not trial.killed:
        assert upload.process.returncode == 0, upload.stderr
    killed_at = upload.killed_at or time.monotonic()
    reported = upload.reported()
    trial.reported = len(reported)
    trial.unreported = len(files) - len(reported)
    where = f"{wire.name}, seed {seed}"

    # Committed before printed: what the dead process reported is completed on disk.
    at_kill = queue_states(state)
    assert set(at_kill) == set(names), f"{where}: tasks lost at the kill: {set(names) - set(at_kill)}"
    not_recorded = {n for n in reported if at_kill[n]["state"] != "completed"}
    assert not not_recorded, f"{where}: reported completed but not so on disk: {not_recorded}"
    tus_at_kill: dict[str, dict[str, int]] = {}
    if wire.protocol == "tus":
        for name in names:
            tus_at_kill[name] = {}
            for path in tus_upload_paths(server, name):
                info = server.tus_upload(path)
                assert info is not None
                tus_at_kill[name][path] = info.offset

    resumed = run_cli("resume", "--state-dir", str(state), "--json")
    assert resumed.returncode == 0, f"{where}: {resumed.stderr}"
    resumed_lines = json_lines(resumed.stdout)
    assert all(line["state"] == "completed" for line in resumed_lines), resumed_lines
    resumed_names = [line["name"] for line in resumed_lines]
    # Only what was not reported is continued, each once: no reported task runs again, none is lost.
    assert sorted(resumed_names) == sorted(set(names) - reported), where
    after = queue_states(state)
    assert {n: t["state"] for n, t in after.items()} == dict.fromkeys(names, "completed"), where

    for source in files:
        name = source.name
        copies = wire.copies(server, name)
        assert copies, f"{where}: {name} is not on the server"
        assert copies[-1].sha256 == sha256_of(source), f"{where}: {name} stored with other bytes"
        if name in reported:
            assert len(copies) == 1, f"{where}: {name} was reported completed, then uploaded again"
        elif len(copies) > 1 and wire.protocol != "tus":  # tus: see check_tus_trial
            trial.sent_again.append(name)
            first = copies[0].responded_at
            trial.answer_to_kill.append(killed_at - first if first is not None else float("nan"))
    if wire.protocol == "tus":
        check_tus_trial(server, files, tus_at_kill, at_kill, killed_at, trial, where)
    else:
        trial.resent = server.counters.body_bytes - sum(sizes)
    return trial


def check_tus_trial(
    server: FaultServer,
    files: list[Path],
    at_kill: dict[str, dict[str, int]],
    recorded: dict[str, dict[str, Any]],
    killed_at: float,
    trial: Trial,
    where: str,
) -> None:
    """One completed upload per file; any other upload is explained by the kill; the resume sent
    only what the server lacked."""
    for source in files:
        name, size = source.name, source.stat().st_size
        # The upload that completed last is the one the resume finished; any other is an orphan.
        done = [s for s in server.stored if s.kind is StoredKind.TUS and s.filename == name][-1]
        orphans = tus_upload_paths(server, name) - {done.path}
        before = [r for r in tus_requests(server, name) if r.started_at < killed_at]
        creations = [r for r in before if r.method == "POST"]
        # A creation POST the kill cut short: the server made the upload, the client never heard
        # its URL. Inherent to tus creation; what it carried is the in-flight loss.
        cut = [r for r in creations if r.end is not RequestEnd.ANSWERED]
        for record in cut:  # (its body, if it had one, never arrived whole)
            assert record.body_read == 0 or record.body_read < int(record.headers["content-length"])
        # Answered, yet the URL was not on disk at the kill: only in the moment after the answer.
        saved = recorded[name].get("upload_url")
        unsaved = [r for r in creations if r.end is RequestEnd.ANSWERED and saved is None]
        for record in unsaved:
            assert record.ended_at is not None
            gap = killed_at - record.ended_at
            assert gap < SAVE_WINDOW, (
                f"{where}: {name}: the creation was answered {gap:.3f} s before the kill, "
                "and its upload URL was still not on disk"
            )
        assert len(orphans) <= len(cut) + len(unsaved), (
            f"{where}: {name}: {len(orphans)} orphaned uploads, {len(cut)} cut and {len(unsaved)} "
            "unsaved creations explain them"
        )
        trial.orphans_cut += min(len(orphans), len(cut))
        trial.orphans_unsaved += len(orphans) - min(len(orphans), len(cut))
        if saved is not None:
            assert saved == server.url + done.path, f"{where}: {name}: resumed another upload than saved"
        # Never from zero: the resume sent exactly what the server lacked of the upload it continued.
        held = at_kill[name].get(done.path, 0)
        requests = tus_requests(server, name)
        after = sum(r.body_read for r in requests if r.started_at >= killed_at)
        assert after <= size - held, (
            f"{where}: {name}: the resume sent {after} bytes, the server lacked {size - held}"
        )
        in_flight = sum(r.body_read for r in before if r.end is not RequestEnd.ANSWERED)
        total = sum(r.body_read for r in requests)
        assert total <= size + in_flight, f"{where}: {name}: {total} bytes for a {size}-byte file"
        assert in_flight <= IN_FLIGHT, f"{where}: {name}: {in_flight} bytes in flight at the kill"
        trial.resent += total - size


def describe(wire: Wire, trials: list[Trial]) -> str:
    killed = sum(t.killed for t in trials)
    files = sum(t.files for t in trials)
    reported = sum(t.reported for t in trials)
    unreported = sum(t.unreported for t in trials)
    again = sum(len(t.sent_again) for t in trials)
    gaps = [g for t in trials for g in t.answer_to_kill]
    text = (
        f"kill -9 + resume, {wire.name}: {len(trials)} trials ({killed} killed mid-batch), {files} files; "
        f"{reported} reported completed before the kill (0 sent again); {again} of {unreported} "
        f"not yet reported sent again"
    )
    if gaps:
        text += " (answered " + ", ".join(f"{g * 1000:.0f}" for g in gaps) + " ms before the kill)"
    if wire.protocol == "tus":
        text += (
            f"; orphaned uploads: {sum(t.orphans_cut for t in trials)} from creation POSTs cut by the "
            f"kill, {sum(t.orphans_unsaved for t in trials)} answered but unsaved"
        )
    resent = sum(t.resent for t in trials)
    text += f"; the server read {resent / MiB:.2f} MiB beyond the files' sizes"
    return text


@pytest.fixture
def trial_folders(tmp_path: Path) -> Callable[[int], Path]:
    def folder(seed: int) -> Path:
        path = tmp_path / f"trial-{seed}"
        path.mkdir()
        return path

    return folder


@pytest.mark.parametrize(
    "wire", [MULTIPART, RAW, TUS, TUS_PATCH], ids=["multipart", "raw", "tus", "tus-patch"]
)
def test_killed_at_random_then_resumed(
    wire: Wire, make_fault_server: ServerFactory, trial_folders: Callable[[int], Path]
) -> None:
    """Three seeded trials: six files of 1-3 MiB at 8 MiB/s, the CLI killed 0-1.5 s after the server
    saw its first body bytes (before the batch can have finished), then ``resume`` to the end."""
    base = {"multipart": 100, "raw": 200, "tus": 300, "tus, POST then PATCH": 400}[wire.name]
    trials = [
        kill_and_resume(wire, seed, trial_folders(seed), make_fault_server) for seed in range(base, base + 3)
    ]
    print("\n" + describe(wire, trials))


# -- killed right after it reported a file -----------------------------------------------------------


def test_killed_right_after_reporting_a_file_never_sends_it_again(
    make_fault_server: ServerFactory, tmp_path: Path
) -> None:
    """Files one after another; kill -9 the moment the first completed line arrives. The line went
    out after the commit, so ``resume`` leaves that file alone: 0 of 5."""
    sent_again_first = sent_again_next = 0
    lags: list[float] = []
    for trial in range(5):
        server = make_fault_server()
        folder = tmp_path / f"trial-{trial}"
        files = [
            random_file(folder / f"file-{trial}-{n}.bin", 2 * MiB + n, seed=500 + trial * 10 + n)
            for n in range(3)
        ]
        state = folder / "state"

        def kill_on_first(process: CliProcess, line: dict[str, Any]) -> None:
            if line["state"] == "completed":
                process.kill()  # (only the first time: a killed process is not killed again)

        upload = CliProcess(
            "upload",
            server.url + "/up",
            *map(str, files),
            "--json",
            "--concurrency",
            "1",
            *killed_session(state),
            stderr=folder / "upload.err",
            on_line=kill_on_first,
        )
        upload.finish()
        assert upload.was_killed, f"trial {trial}: the CLI was not killed: {upload.stderr}"
        first = files[0].name
        assert first in upload.reported()
        settle(server)
        [copy] = MULTIPART.copies(server, first)
        assert copy.responded_at is not None and upload.killed_at is not None
        lags.append(upload.killed_at - copy.responded_at)
        assert queue_states(state)[first]["state"] == "completed"

        resumed = run_cli("resume", "--state-dir", str(state), "--json")
        assert resumed.returncode == 0, resumed.stderr
        assert first not in {line["name"] for line in json_lines(resumed.stdout)}
        copies = {f.name: MULTIPART.copies(server, f.name) for f in files}
        sent_again_first += len(copies[first]) - 1
        sent_again_next += sum(len(c) > 1 for name, c in copies.items() if name != first)
        for source in files:
            assert copies[source.name][-1].sha256 == sha256_of(source)
        assert set(queue_states(state)) == {f.name for f in files}
    print(
        f"\nkill -9 right after the first completed line, multipart, 5 trials: the reported file sent "
        f"again {sent_again_first} of 5 times, a later file {sent_again_next} times; the kill came "
        + ", ".join(f"{lag * 1000:.0f}" for lag in lags)
        + " ms after the server's answer"
    )
    assert sent_again_first == 0


# -- tus: killed during upload, killed again during resume ------------------------------------------


@pytest.mark.parametrize("run", range(4))
def test_tus_killed_in_upload_and_in_resume_continues_one_upload(
    run: int, make_fault_server: ServerFactory, tmp_path: Path
) -> None:
    """The regression: kill -9 during ``upload``, kill -9 again during ``resume``, then ``resume`` to
    the end. The second process must find the upload URL on disk after its HEAD too, so the third
    continues the same upload from the server's offset: one upload, never restarted from zero."""
    server = make_fault_server()
    size = 24 * MiB
    source = random_file(tmp_path / "big.bin", size, seed=900 + run)
    state = tmp_path / "state"
    rng = random.Random(run)

    upload = CliProcess(
        "upload",
        server.tus_url,
        str(source),
        "--protocol",
        "tus",
        "--json",
        *killed_session(state),
        stderr=tmp_path / "upload.err",
    )
    first_mark = rng.randint(5 * MiB, 7 * MiB)
    assert server.wait_until(lambda s: s.counters.body_bytes >= first_mark or upload.exited, timeout=30)
    upload.kill()
    upload.finish()
    assert upload.was_killed, upload.stderr
    settle(server)
    [partial] = server.uploads_in_progress()
    held_first = partial.offset
    url = server.url + partial.path
    [task] = queue_states(state).values()
    assert (task["state"], task["upload_url"]) == ("interrupted", url), task

    resume = CliProcess(
        "resume", "--state-dir", str(state), "--json", "--limit-rate", RATE, stderr=tmp_path / "resume-1.err"
    )
    second_mark = server.counters.body_bytes + rng.randint(5 * MiB, 7 * MiB)
    assert server.wait_until(lambda s: s.counters.body_bytes >= second_mark or resume.exited, timeout=30)
    resume.kill()
    resume.finish()
    assert resume.was_killed, resume.stderr
    settle(server)
    [again] = server.uploads_in_progress()
    held_second = again.offset
    assert again.path == partial.path and held_second > held_first
    # After its HEAD, the killed resume still had the upload URL on disk.
    [task] = queue_states(state).values()
    assert (task["state"], task["upload_url"]) == ("interrupted", url), task

    finished = run_cli("resume", "--state-dir", str(state), "--json")
    assert finished.returncode == 0, finished.stderr
    [line] = json_lines(finished.stdout)
    assert (line["state"], line["upload_url"]) == ("completed", url), line

    [stored] = server.stored
    assert (stored.kind, stored.path, stored.sha256) == (StoredKind.TUS, partial.path, sha256_of(source))
    assert server.uploads_in_progress() == []
    assert len(server.requests_for("POST")) == 1, "a second upload was created"
    patches = server.requests_for("PATCH")
    assert {p.path for p in patches} == {partial.path}
    # Each process's first PATCH starts where the server stood when the previous one was killed.
    offsets = [int(p.headers["upload-offset"]) for p in patches]
    assert held_first in offsets and held_second in offsets, (offsets, held_first, held_second)
    received = sum(r.body_read for r in server.requests if r.method in ("POST", "PATCH"))
    assert received <= size + 2 * IN_FLIGHT, f"{received} bytes for a {size}-byte file"
    print(
        f"\ntus killed twice, run {run}: killed at {held_first / MiB:.2f} MiB and {held_second / MiB:.2f} "
        f"MiB held; one upload, {len(patches)} PATCHes at {[round(o / MiB, 2) for o in offsets]} MiB; "
        f"the server read {received - size} bytes beyond the file's size"
    )
