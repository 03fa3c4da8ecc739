"""aiohttp-tus (PyPI) on aiohttp.web, for the matrix: uploads at ``/files/``, finished files land
in STORAGE under their ``filename`` metadata; ``on_upload_done`` appends what the server knew of
each upload (its name, every metadata item, its size) to LEDGER, one JSON object per line.

python aiohttp_tus_app.py PORT STORAGE LEDGER
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from aiohttp import web
from aiohttp_tus import setup_tus
from aiohttp_tus.data import Resource


def create_app(storage: Path, ledger: Path) -> web.Application:
    async def done(request: web.Request, resource: Resource, file_path: Path) -> None:
        metadata = {}
        for item in resource.metadata_header.split(","):
            key, _, value = item.strip().partition(" ")
            metadata[key] = base64.b64decode(value).decode("utf-8", "surrogateescape")
        record = {
            "file_name": resource.file_name,
            "metadata": metadata,
            "stored": str(file_path.relative_to(storage)),
            "size": file_path.stat().st_size,
        }
        with open(ledger, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")

    # PATCH bodies are read whole (request.read()): room for the matrix's 64 MiB file.
    app = web.Application(client_max_size=256 << 20)
    setup_tus(app, upload_path=storage, upload_url="/files/", on_upload_done=done)
    return app


if __name__ == "__main__":
    port, storage, ledger = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    storage.mkdir(parents=True, exist_ok=True)
    web.run_app(create_app(storage, ledger), host="127.0.0.1", port=port, print=None)
