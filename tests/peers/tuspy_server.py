"""tuspyserver (a FastAPI router) under uvicorn, for Skylift's tus interop tests.

python tests/peers/tuspy_server.py PORT DIRECTORY [--max-size BYTES]
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from tuspyserver import create_tus_router


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("directory")
    parser.add_argument("--max-size", type=int, default=128 << 30)
    args = parser.parse_args()
    app = FastAPI()
    app.include_router(create_tus_router(prefix="files", files_dir=args.directory, max_size=args.max_size))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
