"""The folder walk (core.walker) that the CLI and the window share, and what skylift-cli does with
the paths it cannot read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.walker import CollectedFiles, PathProblem, ProblemKind, SpecialFile, collect_files
from tests.clis import run_cli
from tests.conftest import make_file, sha256_of
from tests.requirements import require_tool
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text or path.name)
    return path


def names(collected: CollectedFiles) -> list[str]:
    return [name for _, name in collected.files]


def kinds(collected: CollectedFiles) -> list[tuple[Path, ProblemKind]]:
    return [(p.path, p.kind) for p in collected.problems]


# -- order and names ------------------------------------------------------------------------------


def test_nested_folders_are_walked_in_case_folded_order_files_first(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    for name in ["b.jpg", "B.jpg", "a.jpg", "Zeta/z.jpg", "2024/x.jpg", "2024/A/deep.jpg", "alpha/y.jpg"]:
        touch(root / name)
    collected = collect_files([root])
    assert names(collected) == [
        "photos/a.jpg",
        "photos/B.jpg",  # casefold ties ("b") are broken by the exact name: "B" < "b"
        "photos/b.jpg",
        "photos/2024/x.jpg",
        "photos/2024/A/deep.jpg",
        "photos/alpha/y.jpg",
        "photos/Zeta/z.jpg",
    ]
    assert [path for path, _ in collected.files] == [
        root / n.removeprefix("photos/") for n in names(collected)
    ]
    assert collected.problems == []


def test_a_given_file_is_named_by_its_name_and_paths_are_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path / "docs" / "report.pdf")
    monkeypatch.chdir(tmp_path)
    collected = collect_files([Path("docs/report.pdf"), Path("docs/")])
    assert collected.files == [
        (tmp_path / "docs" / "report.pdf", "report.pdf"),
        (tmp_path / "docs" / "report.pdf", "docs/report.pdf"),  # another name on the server: kept
    ]


def test_a_file_given_twice_is_collected_once(tmp_path: Path) -> None:
    file = touch(tmp_path / "a.txt")
    link = tmp_path / "elsewhere"
    link.mkdir()
    (link / "a.txt").symlink_to(file)  # the same file under the same server name, through a link
    collected = collect_files([file, file, tmp_path / "." / "a.txt", link / "a.txt"])
    assert collected.files == [(file, "a.txt")]


# -- symbolic links -------------------------------------------------------------------------------


def test_a_symlinked_sub_folder_is_followed_and_named_by_the_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "real-name"
    touch(target / "inside.txt")
    touch(target / "deeper" / "more.txt")
    root = tmp_path / "album"
    touch(root / "cover.jpg")
    (root / "shared").symlink_to(target, target_is_directory=True)
    collected = collect_files([root])
    assert collected.files == [
        (root / "cover.jpg", "album/cover.jpg"),
        # The path through the link, as the user sees it (not resolved to "real-name").
        (root / "shared" / "inside.txt", "album/shared/inside.txt"),
        (root / "shared" / "deeper" / "more.txt", "album/shared/deeper/more.txt"),
    ]
    assert collected.problems == []


def test_a_given_symlink_to_a_folder_is_named_by_the_link(tmp_path: Path) -> None:
    touch(tmp_path / "2025-01-holiday" / "a.jpg")
    link = tmp_path / "holiday"
    link.symlink_to(tmp_path / "2025-01-holiday")
    assert collect_files([link]).files == [(link / "a.jpg", "holiday/a.jpg")]


def test_two_links_to_one_folder_are_not_a_loop(tmp_path: Path) -> None:
    touch(tmp_path / "shared" / "s.txt")
    root = tmp_path / "root"
    root.mkdir()
    (root / "one").symlink_to(tmp_path / "shared")
    (root / "two").symlink_to(tmp_path / "shared")
    collected = collect_files([root])
    assert names(collected) == ["root/one/s.txt", "root/two/s.txt"]
    assert collected.problems == []


def test_a_link_back_to_an_ancestor_is_reported_once_and_not_entered(tmp_path: Path) -> None:
    root = tmp_path / "a"
    touch(root / "top.txt")
    touch(root / "sub" / "low.txt")
    (root / "link").symlink_to(root)
    (root / "sub" / "up").symlink_to("..")
    collected = collect_files([root])
    assert names(collected) == ["a/top.txt", "a/sub/low.txt"]
    assert kinds(collected) == [
        (root / "link", ProblemKind.LINK_LOOP),
        (root / "sub" / "up", ProblemKind.LINK_LOOP),
    ]
    assert str(collected.problems[0]) == f"{root / 'link'}: symbolic link loop (leads back to {root})"


def test_a_symlink_to_itself_is_a_loop_not_a_missing_file(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    touch(root / "ok.txt")
    (root / "self").symlink_to("self")
    given = tmp_path / "given-self"
    given.symlink_to(given)
    collected = collect_files([root, given])
    assert names(collected) == ["folder/ok.txt"]
    assert kinds(collected) == [(root / "self", ProblemKind.LINK_LOOP), (given, ProblemKind.LINK_LOOP)]
    for line in collected.problem_lines():
        assert "symbolic link loop" in line, line
        assert "no such file" not in line.lower(), line


def test_a_dangling_link_is_a_broken_link(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    touch(root / "ok.txt")
    (root / "dangling").symlink_to("../gone.txt")
    collected = collect_files([root, root / "dangling", tmp_path / "never-was"])
    assert names(collected) == ["folder/ok.txt"]
    assert collected.problems == [
        PathProblem(root / "dangling", ProblemKind.BROKEN_LINK, "points to ../gone.txt"),
        PathProblem(tmp_path / "never-was", ProblemKind.NOT_FOUND, "No such file or directory"),
    ]
    assert collected.problem_lines() == [
        f"{root / 'dangling'}: broken symbolic link (points to ../gone.txt)",
        f"{tmp_path / 'never-was'}: no such file or folder",
    ]


# -- what is not a file ---------------------------------------------------------------------------


def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    touch(root / "ok.txt")
    os.mkfifo(root / "pipe")
    collected = collect_files([root, root / "pipe"])  # inside a folder, and given by itself
    assert names(collected) == ["folder/ok.txt"]
    assert collected.problems == [
        PathProblem(root / "pipe", ProblemKind.NOT_A_REGULAR_FILE, SpecialFile.FIFO)
    ]
    assert str(collected.problems[0]) == f"{root / 'pipe'}: not a regular file (named pipe)"


def test_a_non_utf8_name_is_collected_unchanged_and_shown_escaped(tmp_path: Path) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes: "caf\udce9.txt" in Python
    (root / name).write_bytes(b"latin-1 name")
    os.mkfifo(root / os.fsdecode(b"pipe\xff\n"))
    collected = collect_files([root])
    assert collected.files == [(root / name, f"folder/{name}")]
    assert os.fsencode(collected.files[0][0]).endswith(b"caf\xe9.txt")
    (line,) = collected.problem_lines()
    assert line == f"{root}/pipe\\xff\\x0a: not a regular file (named pipe)"
    line.encode("utf-8")  # printable everywhere: no lone surrogates, no line break


# -- what cannot be read (as an unprivileged user: root reads everything) ---------------------------

_WALK_AS_CHILD = """
import json, sys
from core.walker import collect_files
collected = collect_files(sys.argv[1:])
print(json.dumps({
    "files": [[str(path), name] for path, name in collected.files],
    "problems": [[str(p.path), p.kind.value, str(p)] for p in collected.problems],
}))
"""


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run as nobody when we are root (root reads any file regardless of permissions)."""
    if os.geteuid() != 0:
        return command
    setpriv = require_tool("setpriv", why="to drop root privileges (util-linux)")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged child can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="skylift-walk-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_unreadable_folders_and_files_are_reported_and_the_rest_collected(shared_dir: Path) -> None:
    root = shared_dir / "tree"
    touch(root / "a.txt")
    touch(root / "private" / "hidden.txt")
    touch(root / "listable" / "seen-not-read.txt")
    touch(root / "z" / "last.txt")
    secret = touch(root / "secret.txt")
    secret.chmod(0o000)
    (root / "listable").chmod(0o444)  # names can be listed, nothing in it can be reached
    (root / "private").chmod(0o000)
    result = subprocess.run(
        unprivileged([sys.executable, "-c", _WALK_AS_CHILD, str(root)]),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["files"] == [
        [str(root / "a.txt"), "tree/a.txt"],
        [str(root / "z" / "last.txt"), "tree/z/last.txt"],
    ]
    assert outcome["problems"] == [
        [str(secret), "permission_denied", f"{secret}: permission denied"],
        [
            str(root / "listable" / "seen-not-read.txt"),
            "permission_denied",
            f"{root / 'listable' / 'seen-not-read.txt'}: permission denied",
        ],
        [
            str(root / "private"),
            "folder_unreadable",
            f"{root / 'private'}: cannot read folder (Permission denied)",
        ],
    ]


# -- skylift-cli ----------------------------------------------------------------------------------


def run_cli_as(*args: str, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, prefix=unprivileged([]) if as_nobody else ())


def test_cli_skips_an_unreadable_sub_folder_uploads_the_rest_and_exits_1(
    shared_dir: Path, receiver: ReceiverServer
) -> None:
    root = shared_dir / "tree"
    readable = [make_file(root / "a.bin", 3000), make_file(root / "sub" / "b.bin", 5000)]
    make_file(root / "private" / "hidden.bin", 1000)
    (root / "private").chmod(0o000)
    state = shared_dir / "state"
    state.mkdir()
    if os.geteuid() == 0:
        os.chown(state, NOBODY, NOBODY)
    result = run_cli_as("upload", f"{receiver.url}/up", str(root), "--state-dir", str(state), as_nobody=True)
    assert result.returncode == 1, result.stderr
    assert f"skipped {root / 'private'}: cannot read folder (Permission denied)\n" in result.stderr
    assert sorted((r.filename, r.sha256) for r in receiver.received) == [
        ("tree/a.bin", sha256_of(readable[0])),
        ("tree/sub/b.bin", sha256_of(readable[1])),
    ]


def test_cli_uploads_a_file_given_twice_once(tmp_path: Path, receiver: ReceiverServer) -> None:
    file = make_file(tmp_path / "a.txt", 1234)
    result = run_cli_as(
        "upload", f"{receiver.url}/up", str(file), str(file), "--state-dir", str(tmp_path / "state")
    )
    assert result.returncode == 0, result.stderr
    assert [(r.filename, r.sha256) for r in receiver.received] == [("a.txt", sha256_of(file))]


def test_cli_names_each_skipped_path_and_exits_1_even_when_every_upload_succeeds(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    root = tmp_path / "folder"
    good = make_file(root / "good.bin", 2000)
    os.mkfifo(root / "pipe")
    (root / "loop").symlink_to(root)
    missing = tmp_path / "missing.bin"
    result = run_cli_as(
        "upload",
        f"{receiver.url}/up",
        str(root),
        str(missing),
        "--json",
        "--state-dir",
        str(tmp_path / "state"),
    )
    assert result.returncode == 1, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("skipped ")] == [
        f"skipped {root / 'loop'}: symbolic link loop (leads back to {root})",
        f"skipped {root / 'pipe'}: not a regular file (named pipe)",
        f"skipped {missing}: no such file or folder",
    ]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["name"], r["state"]) for r in records] == [("folder/good.bin", "completed")]
    assert [r.sha256 for r in receiver.received] == [sha256_of(good)]


def test_cli_with_every_path_missing_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli_as(
        "upload", "http://127.0.0.1:9/up", str(tmp_path / "nope"), "--state-dir", str(tmp_path)
    )
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr
