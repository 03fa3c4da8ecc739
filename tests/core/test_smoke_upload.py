from __future__ import annotations

from pathlib import Path

import pytest

import core
from tests.conftest import make_file, sha256_of
from tests.servers import ReceiverServer


@pytest.mark.asyncio
async def test_multipart_and_raw_arrive_intact(tmp_path: Path, receiver: ReceiverServer) -> None:
    big = make_file(tmp_path / "big.bin", 5 * 1024 * 1024 + 17)
    manager = core.SessionManager(tmp_path / "state")
    session = manager.create_session(core.SessionConfiguration(identifier="smoke"))
    session.upload_file(big, core.Destination(url=f"{receiver.url}/form"))
    session.upload_file(big, core.Destination(url=f"{receiver.url}/put/", protocol=core.WireProtocol.RAW))
    await session.wait_until_quiet()
    await manager.close()
    assert {t.state for t in session.tasks()} == {core.TaskState.COMPLETED}
    received = sorted(receiver.received, key=lambda r: r.path)
    assert [r.path for r in received] == ["/form", "/put/big.bin"]
    assert all(r.sha256 == sha256_of(big) for r in received)
