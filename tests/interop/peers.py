"""Independent tus servers on 127.0.0.1, each in its own process, and a TCP proxy that cuts
connections: what the interop tests run Skylift against.

- ``@tus/server`` + ``@tus/file-store`` (npm, the reference server): ``tests/peers/tus-node``.
- ``tuspyserver`` (PyPI, a FastAPI router) under uvicorn: ``tests/peers/tuspy_server.py``.

Both keep an upload as ``<directory>/<id>``, the id being the last segment of the upload URL, so
the tests read what the server stored straight from its folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.servers import LoopThreadServer

__all__ = [
    "NODE_PEER_DIR",
    "TUSPY_SERVER",
    "CuttingProxy",
    "TusPeer",
    "free_port",
    "install_node_peer",
    "node_peer",
    "tuspy_peer",
]

PEERS = Path(__file__).resolve().parent.parent / "peers"
NODE_PEER_DIR = PEERS / "tus-node"
TUSPY_SERVER = PEERS / "tuspy_server.py"
_METADATA_SUFFIXES = (".json", ".info", ".tmp")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def install_node_peer(npm: str) -> None:
    """``npm install`` into tests/peers/tus-node unless its node_modules is there already."""
    if (NODE_PEER_DIR / "node_modules" / "@tus" / "server").is_dir():
        return
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_PEER_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm install in {NODE_PEER_DIR} failed:\n{result.stdout}\n{result.stderr}")


class TusPeer:
    """One tus server process; ``restart()`` brings it back on the same port and folder."""

    def __init__(self, name: str, command: list[str], directory: Path, port: int, *, cwd: Path) -> None:
        self.name = name
        self.command = command
        self.directory = directory
        self.port = port
        self.cwd = cwd
        self.log = directory.parent / f"{name}-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/files/"

    def start(self, timeout: float = 60.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            try:
                answer = httpx.options(self.url, headers={"Tus-Resumable": "1.0.0"}, timeout=2)
                if answer.status_code in (200, 204) and answer.headers.get("tus-resumable") == "1.0.0":
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not answer OPTIONS within {timeout} s")
            time.sleep(0.02)

    def kill(self) -> None:
        """A crash: SIGKILL, nothing flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        """A graceful stop: SIGTERM (in-flight requests may finish), SIGKILL after 20 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, *, crash: bool) -> None:
        (self.kill if crash else self.stop)()
        self.start()

    # -- what the server stored -------------------------------------------------------------------

    def stored_path(self, upload_url: str) -> Path:
        return self.directory / upload_url.rstrip("/").rsplit("/", 1)[-1]

    def stored_sha256(self, upload_url: str) -> str:
        digest = hashlib.sha256()
        with open(self.stored_path(upload_url), "rb") as file:
            while block := file.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    def uploads(self) -> list[Path]:
        """The data files of every upload the server holds."""
        return [
            entry
            for entry in self.directory.iterdir()
            if entry.is_file() and not entry.name.endswith(_METADATA_SUFFIXES)
        ]

    def stored_bytes(self) -> int:
        """Bytes on disk in the biggest upload (tests run one upload at a time)."""
        return max((entry.stat().st_size for entry in self.uploads()), default=0)


def node_peer(directory: Path, node: str, *extra: str) -> TusPeer:
    port = free_port()
    command = [node, "server.mjs", str(port), str(directory), *extra]
    return TusPeer("tus-node", command, directory, port, cwd=NODE_PEER_DIR)


def tuspy_peer(directory: Path, *extra: str) -> TusPeer:
    port = free_port()
    command = [sys.executable, str(TUSPY_SERVER), str(port), str(directory), *extra]
    return TusPeer("tuspyserver", command, directory, port, cwd=PEERS)


class CuttingProxy(LoopThreadServer):
    """A loopback TCP proxy in its own thread that can drop a connection mid-request.

    ``cut_after(n)`` arms it: once ``n`` more client-to-server bytes have passed, the connection
    carrying them is aborted on both sides (what a dropped Wi-Fi or a restarted load balancer does).
    """

    name = "cutting proxy"

    def __init__(self, target_port: int) -> None:
        super().__init__()
        self.target_port = target_port
        self.cuts = 0
        # Client-to-server bytes forwarded so far (request heads and bodies), for measurements.
        self.forwarded = 0
        self._budget: int | None = None
        self._lock = threading.Lock()

    def url(self, path: str = "/files/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cut_after(self, count: int) -> None:
        with self._lock:
            self._budget = count

    async def _main(self) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.transport.abort()
            return
        cut = asyncio.Event()

        async def upstream() -> None:
            while data := await client_reader.read(64 << 10):
                with self._lock:
                    if self._budget is not None:
                        if len(data) >= self._budget:
                            data = data[: self._budget]
                            self._budget = None
                            self.cuts += 1
                            cut.set()
                        else:
                            self._budget -= len(data)
                    self.forwarded += len(data)
                if data:
                    server_writer.write(data)
                    await server_writer.drain()
                if cut.is_set():
                    return

        async def downstream() -> None:
            while data := await server_reader.read(64 << 10):
                client_writer.write(data)
                await client_writer.drain()

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except Exception:
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if cut.is_set():
                client_writer.transport.abort()
                server_writer.transport.abort()
            else:
                for writer in (client_writer, server_writer):
                    writer.close()
