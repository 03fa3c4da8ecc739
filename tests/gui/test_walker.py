"""The window walks folders with core's walker (the CLI's), and words what it skipped in the user's
language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from core import TaskState
from gui import walker
from gui.i18n import install_translators
from tests.conftest import make_file, sha256_of
from tests.gui.conftest import add_destination, running_app, until
from tests.servers import ReceiverServer

ROOT = Path(__file__).resolve().parents[2]


def tree_with_a_symlinked_folder(base: Path) -> tuple[Path, Path]:
    root = base / "Holiday 2025"
    make_file(root / "b.jpg", 1000)
    make_file(root / "A.jpg", 1100)
    make_file(root / "day 2" / "c.jpg", 1200)
    make_file(base / "elsewhere" / "raw" / "d.jpg", 1300)
    (root / "linked raw").symlink_to(base / "elsewhere" / "raw", target_is_directory=True)
    single = make_file(base / "notes.txt", 10)
    return root, single


def test_cli_and_window_name_the_same_tree_the_same_way(tmp_path: Path, receiver: ReceiverServer) -> None:
    root, single = tree_with_a_symlinked_folder(tmp_path)
    expected = [
        (root / "A.jpg", "Holiday 2025/A.jpg"),
        (root / "b.jpg", "Holiday 2025/b.jpg"),
        (root / "day 2" / "c.jpg", "Holiday 2025/day 2/c.jpg"),
        (root / "linked raw" / "d.jpg", "Holiday 2025/linked raw/d.jpg"),
        (single, "notes.txt"),
    ]
    assert walker.collect_files([root, single]).files == expected

    # One upload at a time, so the JSON lines come in the order the files were queued.
    options = ["--json", "--concurrency", "1", "--state-dir", str(tmp_path / "state")]
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "upload", f"{receiver.url}/up", str(root), str(single), *options],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(Path(r["path"]), r["name"]) for r in records] == expected
    assert [(r.filename, r.sha256) for r in receiver.received] == [(n, sha256_of(p)) for p, n in expected]


def problems_in(tmp_path: Path) -> walker.CollectedFiles:
    folder = tmp_path / "folder"
    folder.mkdir()
    os.mkfifo(folder / os.fsdecode(b"pipe\xff"))
    (folder / "loop").symlink_to("loop")
    (folder / "dangling").symlink_to("gone")
    collected = walker.collect_files([folder, tmp_path / "missing"])
    assert [p.kind for p in collected.problems] == [
        walker.ProblemKind.BROKEN_LINK,
        walker.ProblemKind.LINK_LOOP,
        walker.ProblemKind.NOT_A_REGULAR_FILE,
        walker.ProblemKind.NOT_FOUND,
    ]
    return collected


def test_problem_text_names_each_path_escaped_with_its_reason(tmp_path: Path) -> None:
    collected = problems_in(tmp_path)
    folder = tmp_path / "folder"
    assert walker.problem_text(collected).splitlines() == [
        f"{folder}/dangling: broken symbolic link",
        f"{folder}/loop: symbolic link loop",
        f"{folder}/pipe\\xff: not a regular file (named pipe)",
        f"{tmp_path}/missing: no such file or folder",
    ]
    assert walker.problem_text(collected, limit=2).splitlines()[2:] == ["… and 2 more"]
    folder_problem = walker.PathProblem(folder, walker.ProblemKind.FOLDER_UNREADABLE, "Permission denied")
    assert walker.problem_reason(folder_problem) == "cannot read folder (Permission denied)"


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[list[QTranslator]]:
    previous = QLocale()
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        yield installed
    finally:
        for translator in installed:
            QCoreApplication.removeTranslator(translator)
        QLocale.setDefault(previous)


def test_problem_text_in_simplified_chinese(tmp_path: Path, chinese: list[QTranslator]) -> None:
    assert any(t.language() == "zh_CN" for t in chinese), "skylift_zh_CN.qm did not load"
    collected = problems_in(tmp_path)
    lines = walker.problem_text(collected, limit=3).splitlines()
    folder = tmp_path / "folder"
    # Full-width colon and parentheses, as Chinese text writes them.
    assert lines == [
        f"{folder}/dangling：符号链接已失效",  # noqa: RUF001
        f"{folder}/loop：符号链接循环",  # noqa: RUF001
        f"{folder}/pipe\\xff：不是普通文件（命名管道）",  # noqa: RUF001
        "……以及另外 1 项",
    ]


@pytest.mark.asyncio
@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
async def test_a_dropped_folder_uploads_its_files_and_says_what_it_skipped(
    tmp_path: Path, receiver: ReceiverServer
) -> None:
    folder = tmp_path / "drop"
    good = make_file(folder / "good.bin", 40_000)
    os.mkfifo(folder / "pipe")
    async with running_app(tmp_path / "state") as app:
        add_destination(app.destinations, f"{receiver.url}/up")
        app.window.reload_destinations()
        app.window.add_paths([folder])
        await until(lambda: app.states() == [TaskState.COMPLETED], what="the upload to complete")
        await until(lambda: app.message_box("notice_warning") is not None, what="the skipped notice")
        box = app.message_box("notice_warning")
        assert box is not None
        assert box.text() == f"1 item was skipped:\n{folder / 'pipe'}: not a regular file (named pipe)"
        box.close()
    assert [(r.filename, r.sha256) for r in receiver.received] == [("drop/good.bin", sha256_of(good))]
