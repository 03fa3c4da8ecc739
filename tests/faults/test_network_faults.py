"""The fault matrix, on the wire: each network fault of the fault server against each protocol.

Every case ends in one of two ways, and nothing else: the server holds the file's exact bytes
(sha256) and the task is completed, or the task failed with a one-line reason and the server holds
no copy with other bytes. The task is always still in the queue (on disk) in its final state. A
second copy on the server is allowed only where the protocol cannot know better: a multipart POST
whose answer never arrived (the server stored it, or answered after the client had given up).
A raw PUT sent again replaces the same URL with the same bytes; tus asks the server and never sends
a stored byte twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import core
from core import TaskState
from core.protocols.base import MAX_RESPONSE_DRAINED, MAX_RESPONSE_KEPT
from tests.clis import run_cli
from tests.conftest import sha256_of
from tests.core.helpers import eventually
from tests.faults import PASS, Fault, FaultServer
from tests.faults.matrix import PROTOCOLS, Harness, Outcome, check, copies
from tests.interop.helpers import random_file

MiB = 1 << 20
SIZE = 12 * MiB
ROOT = Path(__file__).resolve().parents[2]


def body_requests(protocol: core.WireProtocol) -> dict[str, object]:
    """Where a body fault goes: the request that carries (the rest of) the file."""
    if protocol is core.WireProtocol.TUS:
        return {"method": "PATCH"}
    return {"method": "POST" if protocol is core.WireProtocol.MULTIPART else "PUT"}


@dataclass(frozen=True)
class Case:
    name: str
    faults: tuple[Fault, ...]
    # The outcome per protocol (multipart, raw, tus).
    outcomes: tuple[Outcome, Outcome, Outcome]
    request_timeout: float = 5.0


ONCE, TWICE, FAILED = Outcome.ONCE, Outcome.AT_MOST_TWICE, Outcome.FAILED
CASES = [
    Case("reset mid-body once", (Fault(reset_after=3 * MiB),), (ONCE, ONCE, ONCE)),
    Case("reset mid-body three times", (Fault(reset_after=2 * MiB, times=3),), (ONCE, ONCE, ONCE)),
    # The link dies every 5 MiB whatever the client does: only a resumable upload gets through.
    Case("reset every 5 MiB", (Fault(reset_every=5 * MiB, times=None),), (FAILED, FAILED, ONCE)),
    Case(
        "closed before the answer, nothing stored", (Fault(close_before_response=True),), (ONCE, ONCE, ONCE)
    ),
    Case("stored, then closed before the answer", (Fault(store_then_close=True),), (TWICE, TWICE, ONCE)),
    Case("503 with Retry-After", (Fault(status=503, retry_after="1"),), (ONCE, ONCE, ONCE)),
    Case("503 without Retry-After", (Fault(status=503),), (ONCE, ONCE, ONCE)),
    Case("429 with Retry-After", (Fault(status=429, retry_after="1"),), (ONCE, ONCE, ONCE)),
    Case("429 without Retry-After", (Fault(status=429),), (ONCE, ONCE, ONCE)),
    Case("500 after the whole body", (Fault(status=500, status_after_body=True),), (ONCE, ONCE, ONCE)),
    Case("502 twice", (Fault(status=502, times=2),), (ONCE, ONCE, ONCE)),
    Case("stall before reading", (Fault(stall_before_read=2.5),), (ONCE, ONCE, ONCE), request_timeout=1.0),
    # The server stores the file after the client gave up waiting: it cannot know.
    Case(
        "stall before answering",
        (Fault(stall_before_response=2.5),),
        (TWICE, TWICE, ONCE),
        request_timeout=1.0,
    ),
    Case("huge answer", (Fault(response_body_size=64 * MiB),), (ONCE, ONCE, ONCE)),
    Case("endless answer", (Fault(endless_response=True),), (ONCE, ONCE, ONCE)),
    Case(
        "endless answer, huge Content-Length",
        (Fault(endless_response=True, endless_content_length=True),),
        (ONCE, ONCE, ONCE),
    ),
    Case("persistent 503", (Fault(status=503, times=None),), (FAILED, FAILED, FAILED)),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.value for p in PROTOCOLS])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_network_fault(
    harness: Harness, tmp_path: Path, case: Case, protocol: core.WireProtocol
) -> None:
    source = random_file(tmp_path / f"{protocol.value}.bin", SIZE)
    # For tus the PATCH: it carries the bytes, and its answer completes the upload.
    harness.server.fault(list(case.faults), **body_requests(protocol))  # type: ignore[arg-type]
    started = time.monotonic()
    task, _ = await harness.upload(protocol, source, request_timeout=case.request_timeout)
    expected = case.outcomes[PROTOCOLS.index(protocol)]
    check(harness, protocol, task, source, expected, case=case.name)
    if case.faults[0].retry_after:
        assert time.monotonic() - started >= 1.0, "Retry-After was not honoured"
    if case.name.startswith(("huge", "endless")):
        # What the client kept, and how much it let the server send before hanging up.
        assert task.response_text is not None and len(task.response_text) <= MAX_RESPONSE_KEPT
        [answered] = [r for r in harness.server.requests if r.fault is not None]
        assert answered.response_bytes <= MAX_RESPONSE_KEPT + MAX_RESPONSE_DRAINED + 8 * MiB


@pytest.mark.asyncio
@pytest.mark.parametrize("protocol", PROTOCOLS, ids=[p.value for p in PROTOCOLS])
async def test_server_restart_mid_upload(
    harness: Harness, tmp_path: Path, protocol: core.WireProtocol
) -> None:
    source = random_file(tmp_path / f"restart-{protocol.value}.bin", 24 * MiB)
    server = harness.server
    restarted = False

    async def restart_once_mid_body() -> None:
        nonlocal restarted
        await eventually(
            lambda: any(r.body_read > 8 * MiB for r in server.requests), what="8 MiB on the server"
        )
        server.down(1.0)
        restarted = True

    watcher = asyncio.ensure_future(restart_once_mid_body())
    patient = core.RetryPolicy(delays=(0.3,) * 20)
    task, _ = await harness.upload(protocol, source, retry_policy=patient, bandwidth_limit=16 * MiB)
    await watcher
    assert restarted
    check(harness, protocol, task, source, Outcome.ONCE, case="server restart mid-body")


# -- tus servers that lie -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_tus_creation_claiming_the_whole_file_fails(make_fault_server: object, tmp_path: Path) -> None:
    server = make_fault_server(tus_extensions=("creation", "termination"))  # type: ignore[operator]
    source = random_file(tmp_path / "lie.bin", SIZE)
    server.fault(Fault(tus_offset=SIZE), method="POST")
    manager = core.SessionManager(tmp_path / "state")
    try:
        harness = Harness(server, tmp_path / "state", manager)
        task, recorder = await harness.upload(core.WireProtocol.TUS, source)
        check(harness, core.WireProtocol.TUS, task, source, Outcome.FAILED)
        assert task.error == f"the tus server claimed {SIZE} bytes of a new upload that was sent 0"
        assert recorder.sent == 0 and task.bytes_confirmed == 0
    finally:
        await manager.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("lie", "message"),
    [
        (lambda true: true + 1000, "after being sent"),
        (-5, "invalid Upload-Offset '-5'"),
        ("abc", None),
    ],
    ids=["beyond what was sent", "negative", "regressing"],
)
async def test_tus_patch_answers_that_cannot_be_true(
    harness: Harness, tmp_path: Path, lie: object, message: str | None
) -> None:
    source = random_file(tmp_path / "patch-lie.bin", SIZE)
    if lie == "abc":
        # The server says it holds less than before: those bytes are sent again, and the upload
        # ends byte-exact.
        harness.server.fault(Fault(tus_offset=lambda true: max(0, true - 3 * MiB)), method="PATCH")
        task, _ = await harness.upload(core.WireProtocol.TUS, source)
        check(harness, core.WireProtocol.TUS, task, source, Outcome.ONCE)
        return
    harness.server.fault(Fault(tus_offset=lie), method="PATCH")  # type: ignore[arg-type]
    task, _ = await harness.upload(core.WireProtocol.TUS, source)
    check(harness, core.WireProtocol.TUS, task, source, Outcome.FAILED)
    assert message is not None and message in (task.error or ""), task.error
    assert task.bytes_confirmed < SIZE


@pytest.mark.asyncio
async def test_tus_head_claiming_more_than_was_ever_sent_starts_a_new_upload(
    harness: Harness, tmp_path: Path
) -> None:
    """In 1 MiB parts the client knows the upload was offered at most 2 MiB when the second part
    is cut: a HEAD that then claims almost the whole file is not this upload's truth."""
    source = random_file(tmp_path / "head-lie.bin", SIZE)
    harness.server.fault([PASS, Fault(reset_after=MiB // 2)], method="PATCH")
    harness.server.fault(Fault(tus_offset=SIZE - 1), method="HEAD")
    task, recorder = await harness.upload(core.WireProtocol.TUS, source, destination={"chunk_size": MiB})
    stored = copies(harness.server, core.WireProtocol.TUS, source)
    assert task.state is TaskState.COMPLETED, task.error
    assert [c.sha256 for c in stored] == [sha256_of(source)]
    assert any(
        "claims" in notice and "uploading again from the start" in notice for notice in recorder.notices()
    ), recorder.notices()


@pytest.mark.asyncio
async def test_tus_pass_through_counts_no_byte_twice(harness: Harness, tmp_path: Path) -> None:
    """The control case: no fault, one creation with data and one PATCH, each byte sent once."""
    source = random_file(tmp_path / "clean.bin", SIZE)
    harness.server.fault([PASS])
    task, recorder = await harness.upload(core.WireProtocol.TUS, source)
    check(harness, core.WireProtocol.TUS, task, source, Outcome.ONCE)
    assert recorder.sent == SIZE


def peak_rss_of_cli_upload(url: str, source: Path, state: Path) -> tuple[dict[str, object], float]:
    """Runs ``skylift-cli upload`` and returns its JSON line and its peak RSS in MiB, measured from
    inside the process."""
    measure = (
        "import resource, sys\n"
        "from core.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('MAXRSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = run_cli("upload", url, str(source), "--json", "--state-dir", str(state), python=("-c", measure))
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    return json.loads(line), int(result.stderr.split("MAXRSS_KIB")[1].split()[0]) / 1024


def test_an_endless_answer_does_not_grow_the_cli(fault_server: FaultServer, tmp_path: Path) -> None:
    """An answer that never ends costs the CLI no more memory than an ordinary one (it was past
    1.5 GiB within 4 s when the body was read whole)."""
    source = random_file(tmp_path / "endless.bin", 2 * MiB)
    _, ordinary = peak_rss_of_cli_upload(f"{fault_server.url}/up", source, tmp_path / "state")
    fault_server.fault(Fault(endless_response=True, endless_content_length=True), method="POST")
    record, endless = peak_rss_of_cli_upload(f"{fault_server.url}/up", source, tmp_path / "state")
    assert record["state"] == "completed"
    assert isinstance(record["response"], str) and len(record["response"]) <= MAX_RESPONSE_KEPT
    print(f"skylift-cli peak RSS: ordinary answer {ordinary:.0f} MiB, endless answer {endless:.0f} MiB")
    assert endless <= ordinary + 8
