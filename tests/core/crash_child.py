"""A process that dies mid-upload, for test_persistence: it uploads one file in a session, prints
``MID-TRANSFER <task id>`` once bytes are moving and the store is on disk, then waits to be killed.

Usage: python -m tests.core.crash_child STATE_DIR IDENTIFIER URL FILE PROTOCOL
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import core


class AnnounceProgress(core.SessionDelegate):
    def __init__(self, manager: core.SessionManager) -> None:
        self.manager = manager
        self.announced = False

    def did_send_body_data(
        self, session: core.UploadSession, task: core.TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        if not self.announced:
            self.announced = True
            # The parent kills us as soon as it reads the line: what it finds must already be on disk.
            self.manager.store.flush()
            print(f"MID-TRANSFER {task.task_id}", flush=True)


async def main(state_dir: str, identifier: str, url: str, file: str, protocol: str) -> None:
    manager = core.SessionManager(Path(state_dir))
    session = manager.create_session(
        core.SessionConfiguration(identifier=identifier), AnnounceProgress(manager)
    )
    session.upload_file(Path(file), core.Destination(url=url, protocol=core.WireProtocol(protocol)))
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
