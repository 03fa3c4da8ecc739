"""FaultServer: an HTTP/1.1 upload server on raw asyncio streams that misbehaves on cue.

It receives multipart/form-data and raw PUT/POST uploads at any path and speaks tus 1.0 under
``/files/``, in its own thread and loop (``LoopThreadServer``), on 127.0.0.1. A test scripts faults
(``server.fault(Fault(...), method="PATCH")``) that the matching requests consume in order: resets
after N body bytes, answers lost after storing, 5xx/429 with Retry-After, stalls, oversized and
endless answers, lying tus offsets, forgotten uploads, and the whole server going away and coming
back on the same port.

Everything it stores is a ``Stored`` record with the moment its answer was sent, and every request
a ``RequestRecord``: tests assert on what the server saw, not on what the client believes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, overload

from tests.faults.faults import PASS, AppliedFault, ByteBudget, Fault, FaultPlan, FaultRule, PathMatch
from tests.faults.receivers import MultipartReceiver, Outcome, RawReceiver, Reply, error
from tests.faults.records import Counters, RequestEnd, RequestRecord, Stored
from tests.faults.tus_service import DEFAULT_EXTENSIONS, TusService, TusUploadInfo
from tests.faults.wire import (
    HEAD_LIMIT,
    AckCounter,
    BodyReader,
    ClientGone,
    HeadError,
    RequestHead,
    ResetNow,
    read_head,
    reset,
    response_head,
)
from tests.servers import LoopThreadServer

__all__ = ["FaultServer"]

# Generated answer bodies go out in blocks of this size, one drain each: never buffered whole.
_BLOCK = 1 << 16
_FILLER = b"x" * _BLOCK
_CHUNK_FRAME = f"{_BLOCK:x}\r\n".encode() + _FILLER + b"\r\n"


class _Handler(Protocol):
    async def handle(self, head: RequestHead, body: BodyReader) -> Outcome: ...


class _Fixed:
    """A handler with one answer (the ping, and methods nobody serves)."""

    def __init__(self, status: int, message: str = "") -> None:
        self._status = status
        self._message = message

    async def handle(self, head: RequestHead, body: BodyReader) -> Outcome:
        if not self._message:
            return Outcome(Reply(self._status))
        return error(self._status, self._message)


@dataclasses.dataclass
class _Connection:
    index: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    task: asyncio.Task[None] | None
    # Set when down() or stop() drops it, so its handler knows why it ended.
    dropped: bool = False


class FaultServer(LoopThreadServer):
    """The upload server the fault tests run against (see the module docstring).

    ``tus_directory``: keep tus uploads there (one file each) instead of in memory.
    ``tus_keep_partial``: keep the bytes of a PATCH cut short (as @tus/server and tusd do).
    ``linger``: after answering without reading a whole body, read and discard what the client
    still sends for up to this many seconds before closing (nginx's lingering close), so the client
    gets to read the answer instead of a reset.
    """

    name = "fault server"

    def __init__(
        self,
        *,
        tus_directory: Path | None = None,
        tus_extensions: Sequence[str] = DEFAULT_EXTENSIONS,
        tus_max_size: int | None = None,
        tus_keep_partial: bool = True,
        linger: float = 5.0,
        max_body: int | None = None,
    ) -> None:
        super().__init__()
        self.linger = linger
        # Request bodies above this get a 413 before they are read, as behind a limiting proxy.
        self.max_body = max_body
        self.tus = TusService(
            location=lambda path: self.url + path,
            directory=tus_directory,
            extensions=tus_extensions,
            max_size=tus_max_size,
            keep_partial=tus_keep_partial,
        )
        self._multipart = MultipartReceiver()
        self._raw = RawReceiver()
        self._plan = FaultPlan()
        self._changed = threading.Condition(threading.Lock())
        self._stored: list[Stored] = []
        self._requests: list[RequestRecord] = []
        self._counters = Counters()
        self._listener: asyncio.Server | None = None
        self._connections: dict[int, _Connection] = {}
        self._is_up = threading.Event()
        self._come_back: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tus_url(self) -> str:
        return self.url + self.tus.prefix

    # -- scripting faults -------------------------------------------------------------------------

    @overload
    def fault(
        self, fault: Fault, *, method: str | Iterable[str] | None = None, path: PathMatch | None = None
    ) -> FaultRule: ...

    @overload
    def fault(
        self,
        fault: Sequence[Fault],
        *,
        method: str | Iterable[str] | None = None,
        path: PathMatch | None = None,
    ) -> list[FaultRule]: ...

    def fault(
        self,
        fault: Fault | Sequence[Fault],
        *,
        method: str | Iterable[str] | None = None,
        path: PathMatch | None = None,
    ) -> FaultRule | list[FaultRule]:
        """Arm a fault (or one per listed fault, in order) for the requests that match ``method``
        and ``path`` (exact; a path ending in "/" matches everything under it; or a predicate on the
        decoded path). The returned rules count how often they ``fired``."""
        if isinstance(fault, Fault):
            return self._plan.add([fault], method=method, path=path)[0]
        return self._plan.add(list(fault), method=method, path=path)

    def clear_faults(self) -> None:
        self._plan.clear()

    def pending_faults(self) -> list[FaultRule]:
        return self._plan.pending()

    # -- what happened ----------------------------------------------------------------------------

    @property
    def stored(self) -> list[Stored]:
        with self._changed:
            return list(self._stored)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request, oldest first (the records are live: ``body_read`` grows as bodies arrive)."""
        with self._changed:
            return list(self._requests)

    @property
    def counters(self) -> Counters:
        with self._changed:
            return dataclasses.replace(self._counters)

    def requests_for(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        return [
            record
            for record in self.requests
            if (method is None or record.method == method)
            and (path is None or path in (record.path, record.raw_path))
        ]

    def stored_for(self, name_or_path: str) -> list[Stored]:
        """Uploads stored under this path (decoded or as sent; a full URL works too) or filename."""
        key = name_or_path.removeprefix(self.url) if name_or_path.startswith("http") else name_or_path
        return [entry for entry in self.stored if key in (entry.path, entry.raw_path, entry.filename)]

    def wait_stored(self, count: int, timeout: float = 10.0) -> list[Stored]:
        if not self.wait_until(lambda server: len(server._stored) >= count, timeout):
            raise TimeoutError(f"the server stored {len(self._stored)} of {count} uploads in {timeout} s")
        return self.stored

    def wait_until(self, predicate: Callable[[FaultServer], bool], timeout: float = 10.0) -> bool:
        """Wait (polling too: body progress does not notify) until ``predicate(self)`` holds."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._changed:
                self._changed.wait(min(left, 0.02))
        return True

    # -- tus --------------------------------------------------------------------------------------

    def uploads_in_progress(self) -> list[TusUploadInfo]:
        return self.tus.in_progress()

    def tus_upload(self, url_or_id: str) -> TusUploadInfo | None:
        return self.tus.info(self.tus.upload_id(url_or_id) or url_or_id)

    def forget_upload(self, url_or_id: str, status: int = 404) -> None:
        """From now on the upload answers ``status``, as if the server had lost or expired it."""
        self.tus.forget(self.tus.upload_id(url_or_id) or url_or_id, status)

    # -- outages ----------------------------------------------------------------------------------

    @property
    def is_up(self) -> bool:
        return self._is_up.is_set()

    def down(self, seconds: float | None = None) -> None:
        """Stop listening and reset every open connection; come back on the same port after
        ``seconds`` (None: only when ``up()`` is called). Returns once the server is down."""
        self._call(self._go_down(seconds))

    def up(self) -> None:
        self._call(self._go_up())

    def wait_up(self, timeout: float = 10.0) -> None:
        if not self._is_up.wait(timeout):
            raise TimeoutError(f"{self.name} did not come back within {timeout} s")

    def restart(self, delay: float = 0.0) -> None:
        """A restart: down (connections reset), then back on the same port after ``delay`` s."""
        self.down(delay)
        self.wait_up(delay + 10)

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _go_up(self) -> None:
        if self._listener is not None:
            return
        self._listener = await asyncio.start_server(
            self._serve_connection, "127.0.0.1", self.port, limit=HEAD_LIMIT
        )
        if self.port:
            with self._changed:
                self._counters.restarts += 1
        self.port = self._listener.sockets[0].getsockname()[1]
        self._is_up.set()

    async def _go_down(self, seconds: float | None) -> None:
        self._is_up.clear()
        if self._come_back is not None:
            self._come_back.cancel()
            self._come_back = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for connection in list(self._connections.values()):
            connection.dropped = True
            reset(connection.writer)
            if connection.task is not None:
                connection.task.cancel()
        if seconds is not None:
            self._come_back = self._loop.call_later(seconds, self._come_up_later)

    def _come_up_later(self) -> None:
        task = self._loop.create_task(self._go_up())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _main(self) -> None:
        await self._go_up()
        self._ready.set()
        await self._stop.wait()
        await self._go_down(None)
        tasks = [c.task for c in self._connections.values() if c.task is not None] + list(self._background)
        for task in self._background:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- connections ------------------------------------------------------------------------------

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._changed:
            self._counters.connections += 1
            connection = _Connection(self._counters.connections, reader, writer, asyncio.current_task())
        self._connections[connection.index] = connection
        try:
            while head := await read_head(reader):
                if not await self._exchange(connection, head):
                    break
        except HeadError as problem:
            await self._write_quietly(connection, error(problem.status, str(problem)).reply)
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client went away between requests, or down()/stop() dropped us
        finally:
            self._connections.pop(connection.index, None)
            if not writer.transport.is_closing():
                writer.close()

    async def _write_quietly(self, connection: _Connection, reply: Reply) -> None:
        headers = {**reply.headers, "Content-Length": str(len(reply.body)), "Connection": "close"}
        connection.writer.write(response_head(reply.status, headers) + reply.body)
        with contextlib.suppress(ConnectionError):
            await connection.writer.drain()

    async def _exchange(self, connection: _Connection, head: RequestHead) -> bool:
        """Serve one request; False when the connection must not be used again."""
        record = self._begin(connection, head)
        applied = self._plan.take(head)
        if applied is not None and not applied.rule.shared_budget:
            self._note_fault(record, applied.fault)
        try:
            return await self._serve_request(connection, head, record, applied)
        except ResetNow:
            if applied is not None and applied.rule.shared_budget:
                self._plan.note_reset(applied)
                self._note_fault(record, applied.fault)
            self._end(record, RequestEnd.RESET)
            reset(connection.writer)
            return False
        except (ClientGone, ConnectionError):
            self._end(record, RequestEnd.CLIENT_GONE)
            return False
        except asyncio.CancelledError:
            self._end(record, RequestEnd.SERVER_DOWN if connection.dropped else RequestEnd.CLIENT_GONE)
            raise

    async def _serve_request(
        self, connection: _Connection, head: RequestHead, record: RequestRecord, applied: AppliedFault | None
    ) -> bool:
        """The steps of ``Fault``, in its documented order."""
        fault = applied.fault if applied is not None else PASS
        budget = applied.budget if applied is not None else None
        if fault.stall_before_read:
            await asyncio.sleep(fault.stall_before_read)
        if self.max_body is not None and (head.content_length or 0) > self.max_body:
            # A proxy's body limit (nginx's client_max_body_size): 413 before reading.
            reply = Reply(413, {"Content-Type": "text/plain"}, b"request body too large for this proxy")
            await self._answer(connection, head, record, reply, fault=PASS, keep_alive=False)
            await self._linger(connection, record)
            return False
        if fault.status is not None and not fault.status_after_body:
            await self._answer(
                connection, head, record, self._fault_reply(fault), fault=PASS, keep_alive=False
            )
            await self._linger(connection, record)
            return False
        body = self._body_reader(connection, head, record, budget)
        is_tus = self.tus.owns(head.path)
        if fault.tus_forget and is_tus and (upload_id := self.tus.upload_id(head.path)):
            self.tus.forget(upload_id, fault.tus_forget_status)
        outcome = await self._route(head, is_tus).handle(head, body)
        shared = applied is not None and applied.rule.shared_budget
        if budget is not None and (budget.left == 0 or not shared):
            # The body (or what the handler wanted of it) ended within the budget: a per-request
            # reset still comes, instead of the answer; a shared budget only resets when spent.
            if outcome.commit_on_cut:
                self._store(outcome.commit(), answered=False)
            else:
                outcome.discard()
            raise ResetNow
        keep_alive = head.keep_alive and body.complete
        if not await self._conclude(connection, head, record, fault, outcome, is_tus, keep_alive=keep_alive):
            return False
        if not body.complete:
            await self._linger(connection, record)
            return False
        return keep_alive

    def _body_reader(
        self, connection: _Connection, head: RequestHead, record: RequestRecord, budget: ByteBudget | None
    ) -> BodyReader:
        def count(read: int) -> None:
            record.body_read += read
            self._counters.body_bytes += read
            if budget is not None:
                budget.spend(read)

        return BodyReader(
            connection.reader,
            connection.writer,
            head,
            allowance=lambda: budget.left if budget is not None else None,
            on_read=count,
        )

    async def _conclude(
        self,
        connection: _Connection,
        head: RequestHead,
        record: RequestRecord,
        fault: Fault,
        outcome: Outcome,
        is_tus: bool,
        *,
        keep_alive: bool,
    ) -> bool:
        """After the body: a late status, a close without answer, or (late) success. False when
        the connection was closed."""
        if fault.status is not None:
            outcome.discard()
            reply = self._fault_reply(fault)
            await self._answer(connection, head, record, reply, fault=PASS, keep_alive=keep_alive)
            return True
        if fault.closes_without_answer:
            if fault.store_then_close:
                self._store(outcome.commit(), answered=False)
            else:
                outcome.discard()
            self._end(record, RequestEnd.CLOSED)
            connection.writer.close()
            return False
        if fault.stall_before_response:
            await asyncio.sleep(fault.stall_before_response)
        stored = outcome.commit()
        if is_tus:
            self._tus_after(head, outcome.reply, fault)
        await self._answer(
            connection, head, record, outcome.reply, fault=fault, keep_alive=keep_alive, stored=stored
        )
        return True

    def _route(self, head: RequestHead, is_tus: bool) -> _Handler:
        if is_tus:
            return self.tus
        if head.method in ("POST", "PUT"):
            content_type = (head.header("content-type") or "").lower()
            return self._multipart if content_type.startswith("multipart/form-data") else self._raw
        if head.method in ("GET", "HEAD") and head.path == "/ping":
            return _Fixed(204)
        return _Fixed(405, f"{head.method} is not served here")

    def _tus_after(self, head: RequestHead, reply: Reply, fault: Fault) -> None:
        """The tus lies: a false Upload-Offset, an upload forgotten right after its creation."""
        if not 200 <= reply.status < 300:
            return
        lie = fault.lied_offset(int(reply.headers.get("Upload-Offset", "0")))
        if lie is not None and head.method in ("POST", "PATCH", "HEAD"):
            reply.headers["Upload-Offset"] = str(lie)
        if fault.tus_forget and head.method == "POST" and (location := reply.headers.get("Location")):
            self.tus.forget(self.tus.upload_id(location) or "", fault.tus_forget_status)

    @staticmethod
    def _fault_reply(fault: Fault) -> Reply:
        assert fault.status is not None
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        return Reply(fault.status, headers, fault.status_body.encode())

    # -- answering --------------------------------------------------------------------------------

    async def _answer(
        self,
        connection: _Connection,
        head: RequestHead,
        record: RequestRecord,
        reply: Reply,
        *,
        fault: Fault,
        keep_alive: bool,
        stored: Sequence[Stored] = (),
    ) -> None:
        """Send the answer (with a generated or endless body when the fault asks for one); the
        uploads it confirms are recorded, stamped with the moment the answer goes out."""
        writer = connection.writer
        status, headers, body = reply.status, dict(reply.headers), reply.body
        success = 200 <= status < 300
        generated = fault.response_body_size if success else None
        endless = fault.endless_response and success
        if (generated is not None or endless) and status == 204:
            status = 200  # a 204 cannot carry a body
        headers["Connection"] = "keep-alive" if keep_alive and not endless else "close"
        if endless:
            body = b""
            if fault.endless_content_length:
                headers["Content-Length"] = str(2**62)
            else:
                headers["Transfer-Encoding"] = "chunked"
        elif generated is not None:
            headers["Content-Length"] = str(generated)
            body = b""
        elif status != 204:
            headers["Content-Length"] = str(len(body))
        if head.method == "HEAD":
            body, generated, endless = b"", None, False
        self._store(stored, answered=not writer.transport.is_closing())
        # Recorded before the bytes go out: a client that has the answer finds it in the records.
        self._end(record, RequestEnd.ANSWERED, status, finished=False)
        if endless:
            await self._send_endless(
                writer, record, response_head(status, headers), chunked=not fault.endless_content_length
            )
        else:
            writer.write(response_head(status, headers) + body)
            if generated:
                await self._send_generated(writer, generated)
            await writer.drain()
            record.response_bytes = generated if generated is not None else len(body)
        self._finish(record)

    async def _send_generated(self, writer: asyncio.StreamWriter, size: int) -> None:
        while size:
            block = _FILLER[: min(size, _BLOCK)]
            writer.write(block)
            size -= len(block)
            await writer.drain()

    async def _send_endless(
        self, writer: asyncio.StreamWriter, record: RequestRecord, head: bytes, *, chunked: bool
    ) -> None:
        """Body bytes until the client goes away. ``response_bytes``: the body bytes its TCP
        acknowledged (read once more after it closed, on a duplicate of the socket)."""
        frame = _CHUNK_FRAME if chunked else _FILLER
        acks = AckCounter(writer)
        try:
            writer.write(head)
            while not writer.transport.is_closing():
                writer.write(frame)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            wire = max(0, acks.since_start() - len(head))
            acks.close()
        if chunked:
            frames, rest = divmod(wire, len(frame))
            wire = frames * _BLOCK + min(_BLOCK, max(0, rest - (len(frame) - _BLOCK - 2)))
        record.response_bytes = wire

    async def _linger(self, connection: _Connection, record: RequestRecord) -> None:
        """Close after an answer that left body bytes unread: half-close, then read and discard
        until the client closes (or ``linger`` runs out), so the answer is not lost to a reset."""
        writer = connection.writer
        if writer.transport.is_closing():
            return
        if writer.can_write_eof():
            writer.write_eof()
        deadline = self._loop.time() + self.linger
        try:
            while (left := deadline - self._loop.time()) > 0:
                data = await asyncio.wait_for(connection.reader.read(_BLOCK), left)
                if not data:
                    break
                record.body_discarded += len(data)
        except (TimeoutError, ConnectionError):
            pass
        writer.close()

    # -- records ----------------------------------------------------------------------------------

    def _begin(self, connection: _Connection, head: RequestHead) -> RequestRecord:
        with self._changed:
            self._counters.requests += 1
            record = RequestRecord(
                index=self._counters.requests,
                connection=connection.index,
                method=head.method,
                path=head.path,
                raw_path=head.raw_path,
                headers=dict(head.headers),
                started_at=time.monotonic(),
                head_size=head.size,
            )
            self._requests.append(record)
            self._changed.notify_all()
        return record

    def _note_fault(self, record: RequestRecord, fault: Fault) -> None:
        with self._changed:
            record.fault = fault
            self._counters.faults_applied += 1

    def _end(
        self, record: RequestRecord, end: RequestEnd, status: int | None = None, *, finished: bool = True
    ) -> None:
        """How the request ended (``finished=False``: answered, the body still going out)."""
        with self._changed:
            if finished:
                record.ended_at = time.monotonic()
            if record.end is RequestEnd.ANSWERED:
                # The client went away while the answer's body was going out: it was answered.
                self._changed.notify_all()
                return
            record.end = end
            if status is not None:
                record.status = status
            if end is RequestEnd.ANSWERED:
                self._counters.answered += 1
            elif end is RequestEnd.RESET:
                self._counters.resets += 1
            elif end is RequestEnd.CLOSED:
                self._counters.closed_without_answer += 1
            elif end is RequestEnd.CLIENT_GONE:
                self._counters.client_gone += 1
            self._changed.notify_all()

    def _finish(self, record: RequestRecord) -> None:
        with self._changed:
            record.ended_at = time.monotonic()
            self._changed.notify_all()

    def _store(self, drafts: Iterable[Stored], *, answered: bool) -> None:
        """Record uploads now stored; ``answered``: their success answer goes out right after."""
        now = time.monotonic()
        with self._changed:
            for draft in drafts:
                self._stored.append(
                    dataclasses.replace(draft, stored_at=now, responded_at=now if answered else None)
                )
                self._counters.stored += 1
            self._changed.notify_all()
