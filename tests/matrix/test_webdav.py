"""A whole folder to standard WebDAV servers with raw PUT (the README's ``skylift-cli upload
--protocol raw URL/ FOLDER``): nginx's dav module with and without ``create_full_put_path``,
Apache mod_dav, ``rclone serve webdav`` and wsgidav. A PUT into a folder that does not exist
fails on all but the first (each test first shows how); Skylift makes the folders with MKCOL.
Each case ends with the server's folder holding exactly the tree: every name, every byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import core
from tests.matrix.conftest import make_dav, running
from tests.matrix.harness import assert_completed, cli_upload, record, tree_files, upload
from tests.matrix.servers import ApacheDav, NginxDav, Server, probe
from tests.matrix.tree import Tree, stored_files

# What a PUT into a missing folder gets, before Skylift's MKCOL (see peers.md).
PUT_INTO_MISSING_FOLDER = {
    "nginx create_full_put_path": 201,
    "nginx": 500,
    "apache mod_dav": 409,
    "rclone serve webdav": 404,
    "wsgidav": 409,
}


def put_into_missing_folder(server: Server) -> int:
    """The status of a plain PUT into a folder that does not exist (the probe is removed after)."""
    status = probe("PUT", server.upload_url + "probe/missing/file.txt", content=b"probe").status_code
    shutil.rmtree(server.storage / "probe", ignore_errors=True)
    return status


@pytest.mark.asyncio
async def test_folder_to_webdav(dav_server: Server, manager: core.SessionManager, tree: Tree) -> None:
    without_folders = put_into_missing_folder(dav_server)
    assert without_folders == PUT_INTO_MISSING_FOLDER[dav_server.label]

    destination = core.Destination(url=dav_server.upload_url, protocol=core.WireProtocol.RAW)
    tasks = await upload(manager, tree_files(tree), destination, identifier="webdav")
    assert_completed(tasks)
    assert {task.http_status for task in tasks} <= {200, 201, 204}, [t.http_status for t in tasks]
    # The server's side: the same relative paths (folders included) and the same bytes.
    assert stored_files(dav_server.storage) == tree.expected
    record(
        dav_server.label,
        "raw PUT",
        "folder URL/",
        content=f"byte-exact ({len(tasks)} files, 64 MiB included)",
        names=f"intact; a PUT into a missing folder gets {without_folders}, Skylift makes them with MKCOL",
    )


def test_cli_folder_to_apache(tmp_path: Path, tree: Tree) -> None:
    """The README's command, verbatim but for the addresses, against the strictest of them."""
    server = make_dav("apache mod_dav", tmp_path / "apache")
    assert isinstance(server, ApacheDav)
    server.start()
    try:
        cli_upload(server.upload_url, tree, tmp_path / "state")
        assert stored_files(server.storage) == tree.expected
        requests = server.access_log.read_text().splitlines()
    finally:
        server.stop()
    # Each folder was made once, top-down, before the first file in it.
    mkcols = [line for line in requests if line.startswith("MKCOL")]
    folders = ["Awkward%20tree/", "sub%20folder/", "%C3%9Cn%C3%AFcode%20%E7%9B%AE%E5%BD%95/"]
    expected = ["/dav/" + "".join(folders[: depth + 1]) for depth in range(len(folders))]
    assert [line.split()[1] for line in mkcols] == expected, mkcols
    assert all(line.endswith(" 201") for line in mkcols), mkcols
    first_put = next(i for i, line in enumerate(requests) if line.startswith("PUT"))
    assert first_put > requests.index(mkcols[0])
    record(
        "apache mod_dav",
        "raw PUT",
        "skylift-cli --json",
        content="byte-exact",
        names="intact; 3 MKCOL, once each",
    )


@pytest.mark.asyncio
async def test_a_server_that_cannot_make_folders_fails_at_once_saying_so(
    tmp_path: Path, manager: core.SessionManager, tree: Tree
) -> None:
    """nginx with ``dav_methods PUT DELETE`` (no MKCOL) and no ``create_full_put_path`` answers
    every MKCOL with 405, folder or not, and every PUT into a missing folder with 500: the files in
    folders fail at once with the reason and what to change, instead of retrying for minutes."""
    server = make_dav("nginx", tmp_path / "nginx-no-mkcol")
    assert isinstance(server, NginxDav)
    server.mkcol = False
    for _ in running(server):
        destination = core.Destination(url=server.upload_url, protocol=core.WireProtocol.RAW)
        tasks = await upload(manager, tree_files(tree), destination, identifier="no-mkcol")
        # Every file is under the tree's own folder, which the server cannot make.
        for task in tasks:
            assert task.state is core.TaskState.FAILED
            assert task.attempts == 1
            assert task.error == (
                "HTTP 500: the server has no folder for this file and did not make one (MKCOL answered 405); "
                "allow MKCOL on the server (or, with nginx, create_full_put_path)"
            )
        assert stored_files(server.storage) == {}
