from __future__ import annotations

import gc
import hashlib
import os
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# Before any Qt import: tests render offscreen; desktop tests start their own Xvfb subprocesses.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import pytest_asyncio
import trustme

import core
from tests.servers import ReceiverServer, running_receiver

# Python's cycle collector runs in whichever thread allocates: the receivers' threads, the store
# writer, the folder walk. A QObject left in a cycle by an earlier test would then be destroyed off the
# GUI thread and leave its timers registered, and a later test segfaults in QTimerInfoList (seen with
# tests/gui: the crash came and went with unrelated changes in which modules were collected). As
# gui.app.MainThreadGarbageCollector does in the app, collect only on the main thread, between tests.
gc.disable()


@pytest.fixture(autouse=True)
def collect_garbage_between_tests() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    with running_receiver() as server:
        yield server


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest_asyncio.fixture
async def manager(state_dir: Path) -> AsyncIterator[core.SessionManager]:
    """A session manager on a fresh state folder, closed (sessions stopped, store closed) afterwards."""
    sessions = core.SessionManager(state_dir)
    try:
        yield sessions
    finally:
        await sessions.close()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def make_file(path: Path, size: int) -> Path:
    """A file of ``size`` pseudo-random bytes (incompressible, cheap to make)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(os.fsencode(path.name)).digest() * 2048  # 64 KiB
    with open(path, "wb") as file:
        remaining = size
        while remaining:
            piece = block[: min(len(block), remaining)]
            file.write(piece)
            remaining -= len(piece)
    return path


@pytest.fixture(scope="session")
def certificate_authority() -> trustme.CA:
    """A throwaway CA that no trust store knows."""
    return trustme.CA()


@pytest.fixture
def ca_file(tmp_path: Path, certificate_authority: trustme.CA) -> Path:
    path = tmp_path / "test-ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_receiver(certificate_authority: trustme.CA) -> Iterator[ReceiverServer]:
    """A receiver on https://localhost:<port> with a certificate issued by ``certificate_authority``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    with running_receiver(ssl_context=context) as server:
        yield server
