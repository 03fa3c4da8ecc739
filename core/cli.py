"""skylift-cli: the upload engine without a window.

Exit status: 0 when every file uploaded, 1 when any failed, 2 for a usage error, 130 when
interrupted (the unfinished uploads are recorded and ``skylift-cli resume`` continues them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .configuration import Destination, SessionConfiguration, WireProtocol
from .delegate import SessionDelegate
from .errors import SkyliftError, UploadError
from .manager import SessionManager
from .protocols import protocol_for
from .session import UploadSession
from .task import TaskSnapshot, TaskState
from .transport import describe_bytes
from .walker import collect_files

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


# -- arguments ------------------------------------------------------------------------------------


def parse_rate(text: str) -> int:
    """``500K``, ``2M``, ``1.5G`` or plain bytes per second (binary units, as curl's --limit-rate)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (try 500K, 2M or 1G)")
    number, unit = float(match.group(1)), match.group(2).lower()
    rate = int(number * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit])
    if rate <= 0:
        raise argparse.ArgumentTypeError("the rate must be positive")
    return rate


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or any(c in text for c in "\r\n"):
        raise argparse.ArgumentTypeError(f"not a header: {text!r} (use 'Name: value')")
    return name.strip(), value.strip()


def parse_form_field(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"not a form field: {text!r} (use KEY=VALUE)")
    return key, value


def add_destination_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe where files go; the window's command line shares them."""
    parser.add_argument(
        "--protocol", choices=[p.value for p in WireProtocol], default=WireProtocol.MULTIPART.value
    )
    parser.add_argument("--method", help="HTTP method (default: POST for multipart, PUT for raw)")
    parser.add_argument("--field", default="file", help="form field name of the file (multipart)")
    parser.add_argument(
        "--chunk-size",
        type=parse_rate,
        metavar="SIZE",
        help="tus: bytes per PATCH (e.g. 50M) for servers or proxies that limit request bodies",
    )
    parser.add_argument(
        "--form",
        type=parse_form_field,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra form field (multipart); repeatable",
    )
    parser.add_argument(
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar='"Name: value"',
        help="extra request header; repeatable. Secret headers (Authorization, tokens) are never stored",
    )


def add_state_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir", type=Path, help="state folder (default: $SKYLIFT_STATE_DIR or the user data folder)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skylift-cli", description="Upload files over HTTP: multipart, raw PUT/POST or tus."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    upload = commands.add_parser("upload", help="upload files and folders")
    upload.add_argument("url", help="destination URL (for raw, a URL ending in / receives a tree)")
    upload.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    add_destination_options(upload)
    add_session_options(upload)

    queue = commands.add_parser("queue", help="list persisted tasks")
    add_state_options(queue)
    queue.add_argument("--json", action="store_true", help="one JSON object per task")

    resume = commands.add_parser("resume", help="continue interrupted and queued uploads")
    add_session_options(resume)
    resume.add_argument(
        "--header",
        type=parse_header,
        action="append",
        default=[],
        metavar='"Name: value"',
        help="header to send again (secret headers are not stored, so give them again here)",
    )
    return parser


def add_session_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=4, metavar="N", help="parallel uploads (4)")
    parser.add_argument("--limit-rate", type=parse_rate, metavar="RATE", help="e.g. 500K, 2M (per session)")
    parser.add_argument("--session", metavar="ID", help="session identifier (re-attaches to its tasks)")
    parser.add_argument("--request-timeout", type=float, default=60.0, metavar="S", help="idle timeout (60)")
    parser.add_argument("--ca-file", type=Path, help="extra CA certificates to trust (PEM)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    add_state_options(parser)


# -- reporting ------------------------------------------------------------------------------------


def task_record(task: TaskSnapshot) -> dict[str, Any]:
    return {
        "path": str(task.path),
        "name": task.relative_name,
        "state": task.state.value,
        "status": task.http_status,
        "bytes_sent": task.bytes_sent,
        "bytes_confirmed": task.bytes_confirmed,
        "response": task.response_text,
        "error": task.error,
        # tus answers with an empty body: the upload URL is the useful result.
        "upload_url": (task.resume_data or {}).get("upload_url"),
    }


class Reporter(SessionDelegate):
    """Progress bars on a terminal, one JSON line per file with --json, quiet otherwise."""

    def __init__(self, *, json_lines: bool, stream: IO[str] = sys.stdout, err: IO[str] = sys.stderr):
        self.json_lines = json_lines
        self.stream = stream
        self.err = err
        self.failed = 0
        self.completed = 0
        self.expected = 0
        self._sent: dict[int, int] = {}
        self._bar: Any = None
        if err.isatty() and not json_lines:
            from tqdm import tqdm

            self._bar = tqdm(
                total=0, unit="B", unit_scale=True, unit_divisor=1024, file=err, dynamic_ncols=True
            )

    def expect(self, tasks: Sequence[TaskSnapshot]) -> None:
        self.expected += len(tasks)
        if self._bar is not None:
            self._bar.total += sum(t.total_bytes for t in tasks)
            self._describe()

    def _describe(self) -> None:
        done = self.completed + self.failed
        self._bar.set_description(f"{done}/{self.expected} files", refresh=False)

    def did_send_body_data(
        self, session: UploadSession, task: TaskSnapshot, sent: int, total: int, expected: int
    ) -> None:
        if self._bar is not None:
            previous = self._sent.get(task.task_id, 0)
            self._sent[task.task_id] = total
            self._bar.update(total - previous)

    def task_did_change_state(self, session: UploadSession, task: TaskSnapshot) -> None:
        # A retry from zero takes back the bytes the failed attempt had counted.
        if self._bar is not None and task.bytes_sent < self._sent.get(task.task_id, 0):
            self._bar.update(task.bytes_sent - self._sent[task.task_id])
            self._sent[task.task_id] = task.bytes_sent

    def did_complete(self, session: UploadSession, task: TaskSnapshot, error: UploadError | None) -> None:
        if error is None:
            self.completed += 1
        else:
            self.failed += 1
        self.report(task)

    def report(self, task: TaskSnapshot) -> None:
        if self.json_lines:
            print(json.dumps(task_record(task), ensure_ascii=False), file=self.stream, flush=True)
            return
        if task.state is TaskState.COMPLETED:
            line = (
                f"uploaded {task.relative_name} ({describe_bytes(task.total_bytes)}, HTTP {task.http_status})"
            )
            if self._bar is not None:
                self._bar.write(line, file=self.err)
        else:
            line = f"failed {task.relative_name}: {task.error}"
            if self._bar is not None:
                self._bar.write(line, file=self.err)
            else:
                print(line, file=self.err)
        if self._bar is not None:
            self._describe()
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


# -- commands -------------------------------------------------------------------------------------


def session_configuration(
    args: argparse.Namespace, identifier: str, headers: dict[str, str] | None = None
) -> SessionConfiguration:
    return SessionConfiguration(
        identifier=identifier,
        max_concurrent_uploads=args.concurrency,
        request_timeout=args.request_timeout,
        bandwidth_limit=args.limit_rate,
        ca_file=args.ca_file,
        default_headers=headers or {},
    )


def destination_from_args(args: argparse.Namespace, url: str) -> Destination:
    return Destination(
        url=url,
        protocol=WireProtocol(args.protocol),
        method=args.method,
        headers=dict(args.header),
        field_name=args.field,
        form_fields=dict(args.form),
        chunk_size=args.chunk_size,
    )


async def upload(args: argparse.Namespace, manager: SessionManager) -> int:
    # The walk of the window too (core.walker), off the loop. What cannot be read is named and
    # makes the exit status 1, even when every file that could be read uploads.
    collected = await asyncio.to_thread(collect_files, args.paths)
    for problem in collected.problems:
        print(f"skipped {problem}", file=sys.stderr)
    reporter = Reporter(json_lines=args.json)
    identifier = args.session or f"cli-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    destination = destination_from_args(args, args.url)
    resumable = protocol_for(destination.protocol).resumable
    session = manager.create_session(session_configuration(args, identifier), reporter)
    try:
        reporter.expect([t for t in session.tasks() if not t.state.is_final])
        already = {t.task_id for t in session.tasks()}
        fresh, adopted = [], []
        for path, name in collected.files:
            # A file whose unfinished resumable upload to this destination is on record continues
            # from the server's offset instead of starting over.
            previous = manager.store.find_unfinished_upload(path, destination) if resumable else None
            task = session.adopt(previous, destination) if previous else None
            if task is None:
                fresh.append((path, name))
            elif not (task.session_id == session.identifier and task.task_id in already):
                adopted.append(task)
        # Unreadable files come back as failed tasks, reported like any other failure.
        reporter.expect(adopted + session.upload_files(fresh, destination))
        await session.wait_until_quiet()
    finally:
        reporter.close()
    return EXIT_FAILED if reporter.failed or collected.problems else EXIT_OK


async def resume(args: argparse.Namespace, manager: SessionManager) -> int:
    reporter = Reporter(json_lines=args.json)
    unfinished = {t.session_id for t in manager.store.all_tasks() if not t.state.is_final}
    wanted = [args.session] if args.session else sorted(unfinished)
    sessions = []
    try:
        for identifier in wanted:
            try:
                session = manager.create_session(
                    session_configuration(args, identifier, dict(args.header)), reporter
                )
            except SkyliftError as error:
                print(f"skipped session {identifier}: {error}", file=sys.stderr)
                continue
            # Paused tasks are held on purpose; resume means continue them too.
            session.resume_all()
            reporter.expect([t for t in session.tasks() if not t.state.is_final])
            sessions.append(session)
        if not sessions:
            print("nothing to resume", file=sys.stderr)
        await asyncio.gather(*(s.wait_until_quiet() for s in sessions))
    finally:
        reporter.close()
    return EXIT_FAILED if reporter.failed else EXIT_OK


def show_queue(args: argparse.Namespace, manager: SessionManager) -> int:
    tasks = manager.store.all_tasks()
    for task in tasks:
        if args.json:
            print(
                json.dumps(
                    {"session": task.session_id, "id": task.task_id, **task_record(task)}, ensure_ascii=False
                )
            )
        else:
            progress = f"{describe_bytes(task.bytes_sent)}/{describe_bytes(task.total_bytes)}"
            detail = f"  {task.error}" if task.error else ""
            where = f"{task.relative_name}  -> {task.destination.url}"
            print(f"{task.session_id}#{task.task_id}  {task.state.value:<11} {progress:>22}  {where}{detail}")
    if not tasks and not args.json:
        print("no tasks", file=sys.stderr)
    return EXIT_OK


async def run(args: argparse.Namespace) -> int:
    manager = SessionManager(args.state_dir)
    if manager.recovery_notice:
        print(f"warning: {manager.recovery_notice}", file=sys.stderr)
    try:
        if args.command == "upload":
            return await upload(args, manager)
        if args.command == "resume":
            return await resume(args, manager)
        return show_queue(args, manager)
    finally:
        # Unfinished uploads (Ctrl-C) are recorded as interrupted for `skylift-cli resume`.
        await manager.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if getattr(args, "concurrency", 1) < 1:
        parser.error("--concurrency must be at least 1")
    if args.command == "upload":
        try:
            destination_from_args(args, args.url)
        except ValueError as error:
            parser.error(str(error))
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing and len(missing) == len(args.paths):
            parser.error(f"no such file or folder: {', '.join(missing)}")
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        print(
            "interrupted: unfinished uploads are recorded; `skylift-cli resume` continues them",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except SkyliftError as error:
        print(f"skylift-cli: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
