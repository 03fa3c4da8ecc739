"""skylift-cli's commands: upload, resume, queue. Each returns the exit status."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time
from pathlib import Path

from ..configuration import URL_CREDENTIALS, Destination, SessionConfiguration
from ..errors import BatchRefused, SkyliftError
from ..locking import SessionLock
from ..manager import SessionManager
from ..paths import default_state_dir
from ..registry import spec_for
from ..session import MissingSecrets
from ..store import TaskStore
from ..task import TaskSnapshot, TaskState
from ..text import json_text, printable
from ..units import format_size
from ..walker import collect_files
from .reporter import Reporter, task_record

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "resume", "show_queue", "upload"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def transfer_options(args: argparse.Namespace) -> dict[str, object]:
    """The transfer settings given on the command line (None where not given)."""
    return {
        "max_concurrent_uploads": args.concurrency,
        "request_timeout": args.request_timeout,
        "bandwidth_limit": args.limit_rate,
        "ca_file": args.ca_file,
    }


def session_configuration(args: argparse.Namespace, identifier: str) -> SessionConfiguration:
    given = {name: value for name, value in transfer_options(args).items() if value is not None}
    return SessionConfiguration(identifier=identifier, **given)  # type: ignore[arg-type]


def destination_from_args(args: argparse.Namespace, url: str) -> Destination:
    """The destination the options describe. An option of another protocol (``--chunk-size``
    with a form upload) is refused rather than ignored (ValueError, a usage error)."""
    given = {
        "method": args.method,
        "field_name": args.field,
        "form_fields": dict(args.form) or None,
        "path_field": args.path_field,
        "filename_star": args.filename_star or None,
        "chunk_size": args.chunk_size,
    }
    return Destination(url=url, protocol=args.protocol, headers=dict(args.header), **given)


def warn_about_store(manager: SessionManager, reporter: Reporter) -> None:
    """What the store had to say at start, and whatever it says while the uploads run."""
    if manager.recovery_notice:
        reporter.warn(manager.recovery_notice)
    manager.watch_store(reporter.store_problem)


def warn_set_aside(manager: SessionManager, reporter: Reporter) -> None:
    rows = manager.store.set_aside
    if rows:
        listed = ", ".join(str(row) for row in rows[:5]) + (" ..." if len(rows) > 5 else "")
        reporter.warn(
            f"{len(rows)} task(s) in {manager.store.path} could not be read and were set aside "
            f"(left in the database, untouched): {listed}"
        )


async def upload(args: argparse.Namespace, manager: SessionManager) -> int:
    # The walk of the window too (core.walker), off the loop. What cannot be read is named and
    # makes the exit status 1, even when every file that could be read uploads.
    collected = await asyncio.to_thread(collect_files, args.paths)
    for problem in collected.problems:
        print(f"skipped {problem}", file=sys.stderr)
    destination = destination_from_args(args, args.url)
    try:
        destination.options.check_batch(destination.url, [name for _, name in collected.files])
    except BatchRefused as refused:
        print(f"skylift-cli: nothing was sent: {refused}", file=sys.stderr)
        return EXIT_USAGE
    reporter = Reporter(json_lines=args.json, batch=manager.batch)
    warn_about_store(manager, reporter)
    identifier = args.session or f"cli-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    session = await manager.open_session(session_configuration(args, identifier), reporter)
    try:
        warn_set_aside(manager, reporter)
        # A file whose unfinished resumable upload to this destination is on record continues
        # from the server's offset instead of starting over (one indexed lookup for all files).
        previous: dict[Path, TaskSnapshot] = {}
        if spec_for(destination.protocol).resumable:
            paths = [path for path, _ in collected.files]
            previous = await asyncio.to_thread(manager.store.find_unfinished_uploads, paths, destination)
        fresh = []
        for path, name in collected.files:
            earlier = previous.get(path)
            if earlier is None or session.adopt(earlier, destination) is None:
                fresh.append((path, name))
        # Unreadable files come back as failed tasks, reported like any other failure.
        session.upload_files(fresh, destination)
        await session.wait_until_quiet()
    finally:
        reporter.close()
    return EXIT_FAILED if reporter.failed or collected.problems else EXIT_OK


async def resume(args: argparse.Namespace, manager: SessionManager) -> int:
    """Continue every session with unfinished work (or ``--session``) with the transfer settings it
    ran with. Secrets were never stored: ``--header``/``--url`` give them again, and tasks whose
    secrets are still missing are named, left as they are (resumable), and make the exit status 1."""
    reporter = Reporter(json_lines=args.json, batch=manager.batch)
    warn_about_store(manager, reporter)
    stored = await asyncio.to_thread(manager.store.all_tasks)
    unfinished = {t.session_id for t in stored if not t.state.is_final}
    wanted = [args.session] if args.session else sorted(unfinished)
    sessions = []
    waiting = 0
    try:
        warn_set_aside(manager, reporter)
        for identifier in wanted:
            try:
                configuration = await asyncio.to_thread(
                    manager.stored_configuration, identifier, **transfer_options(args)
                )
                configuration = dataclasses.replace(configuration, default_headers=dict(args.header))
                session = await manager.open_session(configuration, reporter)
            except SkyliftError as error:
                print(f"skipped session {printable(identifier)}: {error}", file=sys.stderr)
                continue
            session.supply_secrets(headers=dict(args.header), urls=args.url)
            for missing in session.missing_secrets():
                waiting += len(missing.task_ids)
                print(describe_missing(identifier, missing), file=sys.stderr)
            # Paused tasks are held on purpose; resume means continue them too.
            session.resume_all()
            sessions.append(session)
        if not sessions:
            print("nothing to resume", file=sys.stderr)
        await asyncio.gather(*(s.wait_until_quiet() for s in sessions))
    finally:
        reporter.close()
    return EXIT_FAILED if reporter.failed or waiting else EXIT_OK


def describe_missing(identifier: str, missing: MissingSecrets) -> str:
    """One line naming what tasks wait for, and how to give it."""
    count = len(missing.task_ids)
    needs = []
    for name in missing.names:
        if name == URL_CREDENTIALS:
            needs.append(f'--url "{missing.url}" (with its credentials)')
        else:
            needs.append(f'--header "{name}: ..."')
    return (
        f"waiting: {count} task(s) of session {printable(identifier)} to {printable(missing.url)} need "
        f"secrets that are never stored; give them again: skylift-cli resume {' '.join(needs)}"
    )


def show_queue(args: argparse.Namespace) -> int:
    """Lists what is recorded without changing anything: the database is opened read-only (a
    locked, full or read-only state folder can still be listed), and tasks that a process was
    running when it died are shown as interrupted."""
    state_dir = args.state_dir or default_state_dir()
    store = TaskStore(state_dir, read_only=True)
    try:
        stored = store.load()
    finally:
        store.close()
    held: dict[str, bool] = {}
    for task in stored.tasks:
        state = task.state
        if state.is_active:
            if task.session_id not in held:
                held[task.session_id] = SessionLock.is_held(state_dir / "sessions", task.session_id)
            if not held[task.session_id]:
                state = TaskState.INTERRUPTED
        if args.json:
            record = {
                "session": task.session_id,
                "id": task.task_id,
                **task_record(task),
                "state": state.value,
            }
            print(json_text(record))
        else:
            progress = f"{format_size(task.bytes_sent)}/{format_size(task.total_bytes)}"
            detail = f"  {printable(task.error)}" if task.error else ""
            where = f"{printable(task.relative_name)}  -> {printable(task.destination.url)}"
            line = f"{printable(task.session_id)}#{task.task_id}  {state.value:<11} {progress:>22}  {where}"
            print(line + detail)
    for row in stored.set_aside:
        if args.json:
            print(
                json_text(
                    {"session": row.session_id, "id": row.task_id, "state": "unreadable", "error": row.reason}
                )
            )
        else:
            print(f"{row}  unreadable: set aside, left in the database untouched")
    if not stored.tasks and not stored.set_aside and not args.json:
        print("no tasks", file=sys.stderr)
    return EXIT_OK
