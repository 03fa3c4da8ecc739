"""The benchmark's aiohttp receiver, run in its own process so it never shares a GIL with a client.

- ``POST /form/...``: ``multipart/form-data`` parsed by aiohttp's MultipartReader; file parts are
  streamed to ``--dir`` in 1 MiB chunks (``part.read_chunk``), hashed with ``--hash``.
- ``PUT /discard/...``: the body is read and dropped (for peak-RSS runs of multi-GiB files).
- ``GET /ping``: 204 once listening.

Prints ``port <n>`` on stdout when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import sys
from pathlib import Path

from aiohttp import BodyPartReader, web

CHUNK = 1 << 20


def build_app(directory: Path, hash_parts: bool) -> web.Application:
    counter = itertools.count(1)

    async def ping(_: web.Request) -> web.Response:
        return web.Response(status=204)

    async def form(request: web.Request) -> web.Response:
        reader = await request.multipart()
        saved = []
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.filename is None:
                await part.release()
                continue
            # Never trust the client's file name for a path: a counter names the file on disk.
            target = directory / f"{next(counter):08d}.part"
            digest = hashlib.sha256() if hash_parts else None
            size = 0
            with open(target, "wb") as out:
                while chunk := await part.read_chunk(CHUNK):
                    out.write(chunk)
                    size += len(chunk)
                    if digest is not None:
                        digest.update(chunk)
            saved.append(
                {
                    "name": part.filename,
                    "stored": target.name,
                    "size": size,
                    "sha256": digest.hexdigest() if digest else None,
                }
            )
        return web.json_response({"files": saved}, status=201)

    async def discard(request: web.Request) -> web.Response:
        size = 0
        while chunk := await request.content.read(CHUNK):
            size += len(chunk)
        return web.json_response({"size": size}, status=201)

    app = web.Application(client_max_size=0)
    app.router.add_get("/ping", ping)
    app.router.add_post("/form/{tail:.*}", form)
    app.router.add_post("/form", form)
    app.router.add_put("/discard/{tail:.*}", discard)
    return app


async def serve(directory: Path, hash_parts: bool, port: int) -> None:
    runner = web.AppRunner(build_app(directory, hash_parts), access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    server = site._server
    assert server is not None and server.sockets  # type: ignore[attr-defined]
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[attr-defined]
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="where multipart file parts are written")
    parser.add_argument("--hash", action="store_true", help="sha256 every file part")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(serve(args.dir, args.hash, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
