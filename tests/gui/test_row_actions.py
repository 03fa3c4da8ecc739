"""Which row commands a selection allows: ``gui.queue.row_actions``, table-driven, without a window.

The rules are the ones the window has always applied: Pause what runs or waits to run; Resume what
is paused or queued in a held session; Cancel what is not final; Retry what failed or was cancelled;
Enter credentials for what waits for them; Copy URL and Copy response when the server answered;
Pause or resume, Remove, Details and Open folder for any row.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest

import core
from core import TaskSnapshot, TaskState
from gui.queue import RowAction, TaskKey, row_actions, toggle_pauses

A = RowAction
# Allowed for any selection that is not empty.
ANY = {A.TOGGLE, A.REMOVE, A.DETAILS, A.OPEN_FOLDER}
RETRY = {A.RETRY, A.RETRY_CURRENT}
COPY = {A.COPY_URL, A.COPY_RESPONSE}


def task(
    task_id: int, state: TaskState, *, session: str = "gui", response: str | None = None
) -> TaskSnapshot:
    return TaskSnapshot(
        task_id=task_id,
        session_id=session,
        path=Path(f"/data/{task_id}.bin"),
        relative_name=f"{task_id}.bin",
        destination=core.Destination(url="http://127.0.0.1:9/up"),
        state=state,
        total_bytes=1000,
        response_text=response,
    )


def allowed(
    tasks: list[TaskSnapshot], *, waiting: Collection[TaskKey] = (), held: Collection[str] = ()
) -> frozenset[RowAction]:
    return row_actions(tasks, waiting=waiting.__contains__, held=held.__contains__)


S = TaskState

ONE_TASK = [
    (S.QUEUED, ANY | {A.PAUSE, A.CANCEL}),
    (S.INTERRUPTED, ANY | {A.PAUSE, A.CANCEL}),
    (S.UPLOADING, ANY | {A.PAUSE, A.CANCEL}),
    (S.PROCESSING, ANY | {A.PAUSE, A.CANCEL}),
    (S.RETRY_WAIT, ANY | {A.PAUSE, A.CANCEL}),
    (S.PAUSED, ANY | {A.RESUME, A.CANCEL}),
    (S.COMPLETED, ANY),
    (S.FAILED, ANY | RETRY),
    (S.CANCELLED, ANY | RETRY),
]


@pytest.mark.parametrize(("state", "expected"), ONE_TASK, ids=[s.value for s, _ in ONE_TASK])
def test_one_task_in_each_state(state: TaskState, expected: set[RowAction]) -> None:
    assert allowed([task(1, state)]) == expected


HELD = [
    # Queued in a held session ("Stop after running uploads"): Resume continues it.
    (S.QUEUED, ANY | {A.PAUSE, A.RESUME, A.CANCEL}),
    (S.INTERRUPTED, ANY | {A.PAUSE, A.RESUME, A.CANCEL}),
    # A running one is not resumed by anything: it runs.
    (S.UPLOADING, ANY | {A.PAUSE, A.CANCEL}),
    (S.PAUSED, ANY | {A.RESUME, A.CANCEL}),
    (S.COMPLETED, ANY),
]


@pytest.mark.parametrize(("state", "expected"), HELD, ids=[s.value for s, _ in HELD])
def test_one_task_of_a_held_session(state: TaskState, expected: set[RowAction]) -> None:
    assert allowed([task(1, state)], held={"gui"}) == expected
    # Another session held changes nothing for this one.
    assert allowed([task(1, state)], held={"other"}) == allowed([task(1, state)])


SELECTIONS = [
    ("nothing", [], set(), set(), set()),
    ("done and failed", [task(1, S.COMPLETED), task(2, S.FAILED)], set(), set(), ANY | RETRY),
    (
        "paused and uploading",
        [task(1, S.PAUSED), task(2, S.UPLOADING)],
        set(),
        set(),
        ANY | {A.PAUSE, A.RESUME, A.CANCEL},
    ),
    (
        "one waits for credentials",
        [task(1, S.QUEUED), task(2, S.QUEUED)],
        {("gui", 2)},
        set(),
        ANY | {A.PAUSE, A.CANCEL, A.ENTER_CREDENTIALS},
    ),
    (
        # The key is (session, task id): task 2 of another session is not the one waiting.
        "waiting is per session",
        [task(2, S.QUEUED, session="other")],
        {("gui", 2)},
        set(),
        ANY | {A.PAUSE, A.CANCEL},
    ),
    (
        "queued in a held session and one in a running one",
        [task(1, S.QUEUED, session="held"), task(2, S.QUEUED)],
        set(),
        {"held"},
        ANY | {A.PAUSE, A.RESUME, A.CANCEL},
    ),
    (
        "a response that names a URL",
        [task(1, S.COMPLETED, response='{"url": "https://cdn.example/f/1"}')],
        set(),
        set(),
        ANY | COPY,
    ),
    (
        # Copy URL falls back to copying the whole response.
        "a response without a URL",
        [task(1, S.FAILED, response="files over 1 GB are not accepted")],
        set(),
        set(),
        ANY | RETRY | COPY,
    ),
    ("an empty response", [task(1, S.COMPLETED, response="")], set(), set(), ANY),
    (
        "a mix",
        [task(1, S.COMPLETED, response="ok"), task(2, S.CANCELLED), task(3, S.RETRY_WAIT)],
        set(),
        set(),
        ANY | RETRY | COPY | {A.PAUSE, A.CANCEL},
    ),
]


@pytest.mark.parametrize(
    ("tasks", "waiting", "held", "expected"), [s[1:] for s in SELECTIONS], ids=[s[0] for s in SELECTIONS]
)
def test_selections(
    tasks: list[TaskSnapshot], waiting: set[TaskKey], held: set[str], expected: set[RowAction]
) -> None:
    assert allowed(tasks, waiting=waiting, held=held) == expected


def test_every_action_is_reachable() -> None:
    everything = [
        task(1, S.PAUSED, response='{"url": "https://cdn.example/f/1"}'),
        task(2, S.FAILED),
        task(3, S.UPLOADING),
    ]
    assert allowed(everything, waiting={("gui", 3)}) == set(RowAction)


TOGGLE = [
    ([task(1, S.UPLOADING)], True),
    ([task(1, S.QUEUED)], True),
    ([task(1, S.PAUSED)], False),
    ([task(1, S.PAUSED), task(2, S.RETRY_WAIT)], True),
    ([task(1, S.PAUSED), task(2, S.FAILED)], False),
    ([task(1, S.COMPLETED)], False),
]


@pytest.mark.parametrize(("tasks", "pauses"), TOGGLE)
def test_space_pauses_when_anything_runs_or_waits_to_run(tasks: list[TaskSnapshot], pauses: bool) -> None:
    assert toggle_pauses(tasks) is pauses
