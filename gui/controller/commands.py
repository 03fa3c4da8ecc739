"""Small helpers for commands on many tasks: keys grouped by session, a command applied to the
tasks a session still has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from core import UploadSession

from ..queue import TaskKey

__all__ = ["each_known", "grouped", "has_task"]


def grouped(keys: Iterable[TaskKey]) -> dict[str, list[int]]:
    grouped: defaultdict[str, list[int]] = defaultdict(list)
    for session_id, task_id in keys:
        grouped[session_id].append(task_id)
    return grouped


def each_known(
    command: Callable[[UploadSession, int], object], ids: list[int], session: UploadSession
) -> None:
    for task_id in ids:
        if has_task(session, task_id):
            command(session, task_id)


def has_task(session: UploadSession, task_id: int) -> bool:
    try:
        session.task(task_id)
    except KeyError:
        return False
    return True
