"""The tus client's answers to what servers say, against a scripted tus server on aiohttp:
409, 404/410, 412, 413, 460, expiration, termination, chunking, relative Location, a file changed
since the upload was interrupted."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import core
from core import TaskState
from core.protocols.tus import CREATION_WITH_UPLOAD_LIMIT
from tests.interop.helpers import Recorder, eventually, random_file, sha256_of, tus_destination
from tests.interop.scripted_tus import ScriptedTusServer

MiB = 1 << 20
FAST = core.RetryPolicy(delays=(0.0,) * 5)


async def upload(
    manager: core.SessionManager,
    server: ScriptedTusServer,
    source: Path,
    *,
    identifier: str = "scripted",
    **destination: object,
) -> tuple[core.TaskSnapshot, Recorder]:
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier=identifier, retry_policy=FAST), recorder
    )
    task = session.upload_file(source, tus_destination(server.url, **destination))
    await session.wait_until_quiet()
    return session.task(task.task_id), recorder


@pytest.mark.asyncio
async def test_headers_metadata_and_relative_location(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.relative_location = True
    source = random_file(tmp_path / "Résumé, final.pdf", 6 * MiB)
    done, _ = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    stored = scripted_tus.only_upload()
    assert stored.sha256 == sha256_of(source)
    assert stored.metadata == {
        "filename": "Résumé, final.pdf",
        "filetype": "application/pdf",
        "relativePath": "Résumé, final.pdf",
    }
    assert all(entry.headers.get("Tus-Resumable") == "1.0.0" for entry in scripted_tus.log)
    # The relative Location was resolved against the POST's URL.
    assert done.resume_data is not None
    assert done.resume_data["upload_url"].startswith(scripted_tus.url)
    [patch] = scripted_tus.requests("PATCH")
    assert patch.headers["Content-Type"] == "application/offset+octet-stream"
    assert patch.headers["Upload-Offset"] == str(CREATION_WITH_UPLOAD_LIMIT)
    assert [entry.method for entry in scripted_tus.log] == ["OPTIONS", "POST", "PATCH"]


@pytest.mark.asyncio
async def test_small_file_goes_in_the_creation_request(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    source = random_file(tmp_path / "small.txt", 1000)
    done, _ = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    assert [entry.method for entry in scripted_tus.log] == ["OPTIONS", "POST"]
    assert scripted_tus.only_upload().sha256 == sha256_of(source)


@pytest.mark.asyncio
async def test_without_creation_with_upload_and_chunked(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.extensions = ["creation"]
    source = random_file(tmp_path / "chunked.bin", 5 * MiB + 3)
    done, _ = await upload(manager, scripted_tus, source, chunk_size=2 * MiB)
    assert done.state is TaskState.COMPLETED, done.error
    post = scripted_tus.requests("POST")[0]
    assert post.headers.get("Content-Length", "0") == "0"
    patches = scripted_tus.requests("PATCH")
    assert [int(p.headers["Content-Length"]) for p in patches] == [2 * MiB, 2 * MiB, MiB + 3]
    assert scripted_tus.only_upload().sha256 == sha256_of(source)


@pytest.mark.asyncio
async def test_offset_conflict_asks_the_server_and_continues(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.fail_next["PATCH"] = [409]
    source = random_file(tmp_path / "conflict.bin", 6 * MiB)
    done, _ = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    assert done.attempts == 1  # handled inside the attempt, not by a retry
    methods = [entry.method for entry in scripted_tus.log]
    assert methods == ["OPTIONS", "POST", "PATCH", "HEAD", "PATCH"]
    assert scripted_tus.only_upload().sha256 == sha256_of(source)


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [404, 410])
async def test_forgotten_upload_starts_a_new_one(
    status: int, scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    """The connection drops mid-PATCH and the server then no longer has the upload."""
    scripted_tus.drop_patch_after = MiB
    scripted_tus.forget_after_drop = status
    source = random_file(tmp_path / "forgotten.bin", 6 * MiB)
    done, recorder = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    assert [e.status for e in scripted_tus.requests("HEAD")] == [status]
    assert len(scripted_tus.requests("POST")) == 2
    assert scripted_tus.only_upload().sha256 == sha256_of(source)
    assert f"the server no longer has the upload (HTTP {status}); uploading again from the start" in (
        recorder.notices()
    )


@pytest.mark.asyncio
async def test_gone_during_patch_starts_a_new_one(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.fail_next["PATCH"] = [410]
    source = random_file(tmp_path / "gone.bin", 6 * MiB)
    done, _ = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    assert len(scripted_tus.requests("POST")) == 2
    newest = list(scripted_tus.uploads.values())[-1]
    assert newest.sha256 == sha256_of(source)


@pytest.mark.asyncio
async def test_version_mismatch_fails_clearly(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.only_version = "0.2.2"
    done, _ = await upload(manager, scripted_tus, random_file(tmp_path / "v.bin", 100))
    assert done.state is TaskState.FAILED
    assert done.error == (
        "HTTP 412 Precondition Failed: the server does not speak tus 1.0.0 (it offers: 0.2.2)"
    )


@pytest.mark.asyncio
async def test_412_on_a_request_fails_clearly(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.fail_next["POST"] = [412]
    done, _ = await upload(manager, scripted_tus, random_file(tmp_path / "v.bin", 100))
    assert done.state is TaskState.FAILED
    assert done.error is not None and done.error.startswith("HTTP 412 Precondition Failed: ")
    assert len(scripted_tus.requests("POST")) == 1  # not retried


@pytest.mark.asyncio
async def test_too_large_for_the_advertised_limit(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.max_size = 1 * MiB
    done, _ = await upload(manager, scripted_tus, random_file(tmp_path / "big.bin", 2 * MiB))
    assert done.state is TaskState.FAILED
    assert done.error == (
        "HTTP 413 Payload Too Large: the server accepts at most 1 MiB (1048576 bytes); "
        "this file is 2 MiB (2097152 bytes)"
    )
    assert scripted_tus.requests("POST") == []  # refused before sending anything


@pytest.mark.asyncio
async def test_413_from_creation_carries_the_servers_message(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.refuse_creation_with = "uploads are limited to 1 MB per file"
    done, _ = await upload(manager, scripted_tus, random_file(tmp_path / "big.bin", 2 * MiB))
    assert done.state is TaskState.FAILED
    assert done.error == "HTTP 413 Payload Too Large: uploads are limited to 1 MB per file"
    # A 413 to a creation with data may be a proxy's body limit: once more without data, then the
    # server's own refusal stands.
    first, again = scripted_tus.requests("POST")
    assert "Content-Type" in first.headers and "Content-Type" not in again.headers


@pytest.mark.asyncio
async def test_checksum_mismatch_resends_that_part(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.extensions.append("checksum")
    scripted_tus.checksum_algorithms = ["md5", "sha1"]
    scripted_tus.checksum_failures = 1
    source = random_file(tmp_path / "checked.bin", 5 * MiB + 11)
    done, _ = await upload(manager, scripted_tus, source, chunk_size=2 * MiB)
    assert done.state is TaskState.COMPLETED, done.error
    patches = scripted_tus.requests("PATCH")
    assert [(p.headers["Upload-Offset"], p.status) for p in patches] == [
        ("0", 460),
        ("0", 204),
        (str(2 * MiB), 204),
        (str(4 * MiB), 204),
    ]
    data = source.read_bytes()
    for patch in patches:
        offset, length = int(patch.headers["Upload-Offset"]), int(patch.headers["Content-Length"])
        algorithm, digest = patch.headers["Upload-Checksum"].split(" ")
        assert algorithm == "sha1"
        import base64

        assert base64.b64decode(digest) == hashlib.sha1(data[offset : offset + length]).digest()
    assert scripted_tus.only_upload().sha256 == sha256_of(source)


@pytest.mark.asyncio
async def test_checksum_parts_without_a_chunk_size(
    scripted_tus: ScriptedTusServer,
    manager: core.SessionManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With checksums on and no chunk size, PATCHes are split into parts (each hashed while the
    previous one is sent) so that a 460 re-sends one part, not the file."""
    monkeypatch.setattr("core.protocols.tus.attempt.CHECKSUM_PART_SIZE", 3 * MiB)
    scripted_tus.extensions.append("checksum")
    scripted_tus.checksum_algorithms = ["sha1"]
    source = random_file(tmp_path / "parts.bin", 7 * MiB)
    done, _ = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    patches = scripted_tus.requests("PATCH")
    assert [int(p.headers["Content-Length"]) for p in patches] == [3 * MiB, 3 * MiB, MiB]
    assert all(p.status == 204 for p in patches)
    assert scripted_tus.only_upload().sha256 == sha256_of(source)


@pytest.mark.asyncio
async def test_persistent_checksum_mismatch_fails(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.extensions.append("checksum")
    scripted_tus.checksum_algorithms = ["sha1"]
    scripted_tus.checksum_failures = 100
    done, _ = await upload(manager, scripted_tus, random_file(tmp_path / "bad.bin", MiB))
    assert done.state is TaskState.FAILED
    assert done.error == (
        "HTTP 460 Checksum Mismatch: the server received different bytes than were sent at offset 0, "
        "3 times in a row"
    )


@pytest.mark.asyncio
async def test_expired_upload_starts_again(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.expires = "Wed, 01 Jan 2020 00:00:00 GMT"
    scripted_tus.drop_patch_after = MiB
    source = random_file(tmp_path / "expired.bin", 6 * MiB)
    done, recorder = await upload(manager, scripted_tus, source)
    assert done.state is TaskState.COMPLETED, done.error
    assert scripted_tus.requests("HEAD") == []  # an expired upload is not asked about
    assert len(scripted_tus.requests("POST")) == 2
    assert list(scripted_tus.uploads.values())[-1].sha256 == sha256_of(source)
    assert (
        "the server's partial upload expired (Wed, 01 Jan 2020 00:00:00 GMT); uploading again from the start"
        in recorder.notices()
    )


@pytest.mark.asyncio
async def test_cancel_terminates_the_upload(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    source = random_file(tmp_path / "cancelled.bin", 24 * MiB)
    session = manager.create_session(
        core.SessionConfiguration(identifier="cancel", bandwidth_limit=8 * MiB, retry_policy=FAST)
    )
    task = session.upload_file(source, tus_destination(scripted_tus.url))
    await eventually(lambda: session.task(task.task_id).bytes_confirmed > 0, what="the upload to exist")
    assert session.cancel(task.task_id)
    await eventually(lambda: scripted_tus.requests("DELETE"), what="a DELETE")
    [delete] = scripted_tus.requests("DELETE")
    assert delete.status == 204
    assert session.task(task.task_id).state is TaskState.CANCELLED
    assert scripted_tus.uploads == {}


@pytest.mark.asyncio
async def test_cancel_sends_no_delete_without_termination(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    scripted_tus.extensions = ["creation"]
    session = manager.create_session(
        core.SessionConfiguration(identifier="cancel", bandwidth_limit=8 * MiB, retry_policy=FAST)
    )
    task = session.upload_file(random_file(tmp_path / "c.bin", 24 * MiB), tus_destination(scripted_tus.url))
    await eventually(lambda: session.task(task.task_id).resume_data is not None, what="the upload to exist")
    session.cancel(task.task_id)
    await session.wait_until_quiet()
    await manager.close()  # waits for any termination request
    assert scripted_tus.requests("DELETE") == []


@pytest.mark.asyncio
async def test_file_changed_since_interruption_uploads_again_from_zero(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    source = random_file(tmp_path / "changing.bin", 24 * MiB)
    recorder = Recorder()
    session = manager.create_session(
        core.SessionConfiguration(identifier="changed", bandwidth_limit=8 * MiB, retry_policy=FAST), recorder
    )
    task_id = session.upload_file(source, tus_destination(scripted_tus.url)).task_id
    await eventually(lambda: session.task(task_id).bytes_sent >= 6 * MiB, what="6 MiB sent")
    session.pause(task_id)
    await session.wait_until_quiet()
    old_url = session.task(task_id).resume_data["upload_url"]  # type: ignore[index]
    random_file(source, 3 * MiB, seed=2)  # a new version of the file
    os.utime(source, ns=(1, 1))
    session.resume(task_id)
    await session.wait_until_quiet()
    done = session.task(task_id)
    assert done.state is TaskState.COMPLETED, done.error
    assert done.resume_data is not None and done.resume_data["upload_url"] != old_url
    assert scripted_tus.requests("HEAD") == []
    # The old version's upload was terminated; the new one holds the new content.
    assert scripted_tus.only_upload().sha256 == sha256_of(source)
    assert any(
        notice.startswith(
            "the file changed (size 25165824 -> 3145728 bytes) since the upload was interrupted"
        )
        for notice in recorder.notices()
    ), recorder.notices()


@pytest.mark.asyncio
async def test_resume_data_persisted_as_soon_as_known(
    scripted_tus: ScriptedTusServer, manager: core.SessionManager, tmp_path: Path
) -> None:
    source = random_file(tmp_path / "persisted.bin", 24 * MiB)
    session = manager.create_session(
        core.SessionConfiguration(identifier="persisted", bandwidth_limit=8 * MiB)
    )
    task_id = session.upload_file(source, tus_destination(scripted_tus.url)).task_id
    await eventually(lambda: session.task(task_id).resume_data is not None, what="resume data")
    manager.store.flush()
    [stored] = [t for t in manager.store.all_tasks() if t.task_id == task_id]
    assert stored.resume_data is not None
    upload_id = next(iter(scripted_tus.uploads))
    assert stored.resume_data["upload_url"] == f"{scripted_tus.url}{upload_id}"
    st = source.stat()
    assert stored.resume_data["fingerprint"] == {
        "path": str(source),
        "size": 24 * MiB,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "inode": st.st_ino,
        "destination": scripted_tus.url,
    }
    # The URL went to disk first (offset 0), before anything else; the creation's bytes follow.
    await eventually(
        lambda: session.task(task_id).bytes_confirmed == CREATION_WITH_UPLOAD_LIMIT, what="the first bytes"
    )
    manager.store.flush()
    [stored] = [t for t in manager.store.all_tasks() if t.task_id == task_id]
    assert stored.resume_data is not None
    assert stored.resume_data["offset"] == CREATION_WITH_UPLOAD_LIMIT
    assert stored.bytes_confirmed == CREATION_WITH_UPLOAD_LIMIT
    session.pause(task_id)
