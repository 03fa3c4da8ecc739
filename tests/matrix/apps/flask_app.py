"""Flask 3 on Werkzeug's development server (its form parser, threaded), for the matrix.

python flask_app.py PORT STORAGE
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask, jsonify, request
from storing import PATH_FIELD, describe, store
from werkzeug.serving import run_simple


def create_app(storage: Path) -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping() -> tuple[str, int]:
        return "", 204

    @app.post("/upload")
    def upload():  # type: ignore[no-untyped-def]
        file = request.files.get("file")
        if file is None:
            return jsonify(error="no file part"), 400
        form = request.form.to_dict()
        name = form.get(PATH_FIELD) or file.filename or ""
        path = store(storage, name, file.stream)
        if path is None:
            return jsonify(error=f"unsafe name {name!r}"), 400
        return jsonify(describe(filename=file.filename, form=form, stored=name, path=path)), 201

    return app


if __name__ == "__main__":
    port, storage = int(sys.argv[1]), Path(sys.argv[2])
    run_simple("127.0.0.1", port, create_app(storage), threaded=True)
