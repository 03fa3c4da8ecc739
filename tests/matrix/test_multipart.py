"""The tree as ``multipart/form-data`` POSTs (one file per request, as a browser's folder upload
sends it) to the form parsers people run: Flask/Werkzeug, FastAPI/Starlette (python-multipart),
Django, express + multer and plain busboy, each with its defaults. Each app stores the file under
the ``relativePath`` form field when one came, else under the file name as its framework gave it,
and answers what it saw.

Skylift's ``filename`` is the relative path in UTF-8 (what browsers send). Werkzeug and Starlette
keep it whole. Django keeps only the base name; multer and busboy keep only the base name and
decode it as latin1 (their defaults: ``preservePath`` off, ``defParamCharset`` latin1). For those
Skylift has two options, off by default: ``Destination.path_field`` (the relative path in a form
field sent before the file, as Uppy and Dropzone do) and ``Destination.filename_star`` (RFC 8187
``filename*=UTF-8''…``, which busboy prefers over ``filename``). Every variant checks the bytes
and the names on the server's side; where a server still loses part of the name, the test
asserts exactly what it kept and is marked xfail with the server's reason.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import pytest

import core
from tests.matrix.harness import assert_completed, latin1_view, options_available, record, tree_files, upload
from tests.matrix.servers import FrameworkServer
from tests.matrix.tree import ROOT_NAME, Tree, stored_files

PATH_FIELD = "relativePath"
# The name the matrix shows for each case.
EXAMPLE = f'{ROOT_NAME}/季度报告 "终稿".txt'


@dataclass(frozen=True)
class Variant:
    name: str
    path_field: bool = False
    filename_star: bool = False

    def options(self) -> dict[str, object]:
        options: dict[str, object] = {}
        if self.path_field:
            options["path_field"] = PATH_FIELD
        if self.filename_star:
            options["filename_star"] = True
        return options


DEFAULT = Variant("default")
VARIANTS = [
    DEFAULT,
    Variant(f"path_field={PATH_FIELD}", path_field=True),
    Variant("filename_star", filename_star=True),
    Variant("path_field + filename_star", path_field=True, filename_star=True),
]


def seen_filename(framework: str, variant: Variant, name: str) -> str:
    """The file name each framework hands the app for Skylift's ``filename`` ``name``."""
    if framework in ("flask", "fastapi"):
        return name
    base = posixpath.basename(name)
    if framework == "django":
        # MultiPartParser.sanitize_file_name keeps the last path component; it reads UTF-8.
        return base
    # multer / busboy: basename unless preservePath; filename* (UTF-8) wins over filename (latin1).
    return base if variant.filename_star else latin1_view(base)


def stored_name(framework: str, variant: Variant, name: str) -> str:
    return name if variant.path_field else seen_filename(framework, variant, name)


LIMITATIONS = {
    "django": "Django keeps only the base name of filename (MultiPartParser.sanitize_file_name)",
    "multer": "multer keeps only the base name (preservePath off)",
    "busboy": "busboy keeps only the base name (preservePath off)",
}
LATIN1 = "and decodes filename as latin1 (defParamCharset), so UTF-8 names arrive as mojibake"


def limitation(framework: str, variant: Variant) -> str:
    reason = LIMITATIONS[framework]
    if framework in ("multer", "busboy") and not variant.filename_star:
        reason += f" {LATIN1}"
    return reason


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
@pytest.mark.asyncio
async def test_folder_as_form_posts(
    framework: FrameworkServer, variant: Variant, manager: core.SessionManager, tree: Tree
) -> None:
    if variant is not DEFAULT and not options_available():
        pytest.skip("waiting for Destination.path_field / filename_star")
    # The default sends the whole tree, 64 MiB included; the options change only names.
    files = tree_files(tree, big=variant is DEFAULT)
    expected = tree.expected if variant is DEFAULT else tree.small
    destination = core.Destination(
        url=framework.upload_url,
        protocol=core.WireProtocol.MULTIPART,
        **variant.options(),  # type: ignore[arg-type]
    )
    tasks = await upload(manager, files, destination, identifier=f"form-{framework.name}")
    assert_completed(tasks)

    # What the app saw, file by file: the name its framework gave, the path field, the bytes.
    for task in tasks:
        seen = FrameworkServer.seen(task.response_text)
        name = task.relative_name
        assert seen["filename"] == seen_filename(framework.name, variant, name), (name, seen)
        assert seen["form"] == ({PATH_FIELD: name} if variant.path_field else {}), (name, seen)
        assert seen["sha256"] == expected[name], name
    # The server's side: every file's bytes under the name the app could give it.
    stored = stored_files(framework.storage)
    assert stored == {stored_name(framework.name, variant, name): digest for name, digest in expected.items()}

    kept = {name: stored_name(framework.name, variant, name) for name in expected}
    lost = {sent: name for sent, name in kept.items() if sent != name}
    record(
        framework.name,
        "multipart",
        variant.name,
        content=f"byte-exact ({len(tasks)} files{', 64 MiB included' if variant is DEFAULT else ''})",
        names=f"`{EXAMPLE}` kept as `{kept[EXAMPLE]!r}`" if lost else "intact (folders kept)",
    )
    if lost:
        # A limitation of the server (asserted exactly above), not of what Skylift sent.
        pytest.xfail(f"{limitation(framework.name, variant)}: {len(lost)} of {len(expected)} names changed")
