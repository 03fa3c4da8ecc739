"""Single instance with two real processes: the second start hands its paths to the first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir

from gui.single_instance import InstanceRequest, server_name
from tests.integration.processes import Child, child_env

HARNESS = "tests.integration.instance_harness"


def start_primary(children: list[Child], state_dir: Path) -> Child:
    child = Child.python("-m", HARNESS, "--state-dir", str(state_dir))
    children.append(child)
    assert child.next_line().startswith("primary ")
    return child


def second_start(state_dir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", HARNESS, "--state-dir", str(state_dir), *args],
        cwd=cwd,
        env=child_env(PYTHONPATH=str(Path(__file__).resolve().parents[2]), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_second_start_hands_over_paths_and_exits_0(tmp_path: Path, children: list[Child]) -> None:
    state = tmp_path / "state"
    primary = start_primary(children, state)
    work = tmp_path / "work"
    (work / "folder").mkdir(parents=True)
    (work / "a file.txt").write_text("a")

    done = second_start(
        state,
        "--url",
        "http://127.0.0.1:9/up",
        "a file.txt",
        "folder",
        "/abs/zh-文件.bin",
        cwd=work,
        XDG_ACTIVATION_TOKEN="token-123",
    )
    assert done.returncode == 0, done.stderr

    received = json.loads(primary.next_line())
    # Relative paths resolved against the second start's folder, not the primary's.
    assert received["paths"] == [str(work / "a file.txt"), str(work / "folder"), "/abs/zh-文件.bin"]
    assert received["options"] == {"url": "http://127.0.0.1:9/up"}
    assert received["token"] == "token-123"
    # The minimised window came back to the front.
    assert received["visible"] and not received["minimized"]
    assert primary.end() == 0


def test_each_state_folder_has_its_own_instance(tmp_path: Path, children: list[Child]) -> None:
    first = start_primary(children, tmp_path / "one")
    second = start_primary(children, tmp_path / "two")  # would print nothing and exit if it forwarded
    assert second_start(tmp_path / "two", "x", cwd=tmp_path).returncode == 0
    assert json.loads(second.next_line())["paths"] == [str(tmp_path / "x")]
    # The same folder spelled differently is the same instance.
    spelled = tmp_path / "one" / ".." / "one"
    assert second_start(spelled, "y", cwd=tmp_path).returncode == 0
    assert json.loads(first.next_line())["paths"] == [str(tmp_path / "y")]
    assert first.end() == 0 and second.end() == 0


def test_a_crashed_primary_leaves_nothing_that_blocks_the_next_start(
    tmp_path: Path, children: list[Child]
) -> None:
    state = tmp_path / "state"
    crashed = start_primary(children, state)
    crashed.kill()  # SIGKILL: the socket and the lock file stay behind
    assert (state / "instance.lock").exists()
    assert Path(QDir.tempPath(), server_name(state)).exists()  # the stale socket

    successor = start_primary(children, state)
    assert second_start(state, "after-crash.txt", cwd=tmp_path).returncode == 0
    assert json.loads(successor.next_line())["paths"] == [str(tmp_path / "after-crash.txt")]
    assert successor.end() == 0


def test_the_next_start_after_a_clean_exit_is_primary(tmp_path: Path, children: list[Child]) -> None:
    state = tmp_path / "state"
    assert start_primary(children, state).end() == 0
    again = start_primary(children, state)
    assert again.end() == 0


def test_server_name_is_per_folder_and_short(tmp_path: Path) -> None:
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b and a == server_name(tmp_path / "x" / ".." / "a")
    assert len(a) < 40  # well inside sun_path's 108 bytes under any temp folder


def test_request_round_trips_and_rejects_garbage() -> None:
    request = InstanceRequest(paths=("/a", "/b c"), options={"header": [["X-A", "1"]]}, activation_token="t")
    assert InstanceRequest.from_json(request.to_json()) == request
    for garbage in (b"[]", b'{"paths": "/a"}', b'{"paths": [1]}', b'{"options": []}'):
        with pytest.raises(ValueError):
            InstanceRequest.from_json(garbage)
