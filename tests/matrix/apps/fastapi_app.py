"""FastAPI (Starlette's form parsing, python-multipart) under uvicorn, for the matrix: the
idiomatic handler, ``file: UploadFile`` and an optional ``relativePath`` form field.

python fastapi_app.py PORT STORAGE
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Form, Response, UploadFile
from fastapi.responses import JSONResponse
from storing import PATH_FIELD, describe, store


def create_app(storage: Path) -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> Response:
        return Response(status_code=204)

    @app.post("/upload")
    def upload(file: UploadFile, relative_path: str | None = Form(None, alias=PATH_FIELD)) -> Response:
        name = relative_path or file.filename or ""
        path = store(storage, name, file.file)
        if path is None:
            return JSONResponse({"error": f"unsafe name {name!r}"}, status_code=400)
        form = {PATH_FIELD: relative_path} if relative_path is not None else {}
        return JSONResponse(describe(filename=file.filename, form=form, stored=name, path=path), 201)

    return app


if __name__ == "__main__":
    port, storage = int(sys.argv[1]), Path(sys.argv[2])
    uvicorn.run(create_app(storage), host="127.0.0.1", port=port, log_level="warning")
