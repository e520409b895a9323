"""Group commit of audit entries for data reads.

The data API answers thousands of reads a second and every read must be in the audit trail before
its response leaves. Writing each entry in its own transaction would make the chain's head lock
the bottleneck; here concurrent requests hand their entries to one writer thread, which chains a
whole batch under one lock and one commit, then wakes every waiting request. A response waits
for the commit that carries its entry (durability), but requests share that commit.

The writer shares the GIL with the event loop that serves the requests, so its work per batch is
kept small and nearly independent of the batch's size: a few statements (multi-row INSERTs, see
``audit.service._append_batch``) and one wake-up call per event loop, not one per entry. Every
database or socket call releases the GIL and must win it back from the busy loop, so calls per
entry would slow the writer and, through the loop's own waits for the GIL, every response.

On a SQLite file (the embedded default) the event loop writes the batch itself: the entries of
the requests that reached their audit point in one turn of the loop are committed by a callback
at the end of that turn, on a connection of the recorder's own that never waits for the write
lock (busy timeout 0) and never checkpoints inline. A commit there is a few hundred microseconds
of work the loop would otherwise spend handing the GIL to and from the writer thread (measured:
the thread's hand-offs cost half the data API's throughput, docs/performance.md). When another
writer holds the lock, the batch goes to the thread, which waits for it; the WAL is checkpointed
(PASSIVE) off the loop. PostgreSQL, whose commits are network round trips, always uses the thread,
and so does SQLite under ``synchronous=FULL``, whose commits wait for the disk.
See docs/decisions/0770-audit-group-commit-on-the-event-loop.md.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from govshare.audit.service import _append_batch, _entry_values
from govshare.core.db import Database
from govshare.core.security import Actor

log = structlog.get_logger("govshare.audit.group")


@dataclass
class _Pending:
    """An entry waiting for its commit, and how to tell its waiter: an asyncio future on its
    loop, or a threading event (``record_blocking``)."""

    fields: dict[str, Any]
    future: asyncio.Future[None] | None = None
    event: threading.Event | None = None
    error: BaseException | None = None


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    """On a waiter's loop: resolve the futures of one batch."""
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


@dataclass
class GroupStats:
    """Counters for tests, metrics and benchmarks."""

    entries: int = 0
    batches: int = 0
    largest_batch: int = 0
    failures: int = 0
    inline_batches: int = 0  # written by the event loop itself (SQLite)
    handed_off: int = 0  # inline batches that found the write lock taken and went to the thread
    checkpoints: int = 0


#: Entries written inline between two PASSIVE checkpoints of the WAL (run off the loop).
CHECKPOINT_EVERY = 2_000


def _writes_inline(db: Database) -> bool:
    """SQLite on a file, through an engine (not a test's bound connection), whose commits do not
    wait for the disk: under ``synchronous=FULL`` (``GOVSHARE_SQLITE_SYNCHRONOUS=full``) every
    commit is an fsync, which must not stall the event loop, so the thread writes."""
    bind = db.bind
    if not (
        isinstance(bind, Engine)
        and bind.dialect.name == "sqlite"
        and bind.url.database not in (None, "", ":memory:")
    ):
        return False
    with bind.connect() as conn:  # on the driver's connection: no BEGIN IMMEDIATE for a pragma
        raw = conn.connection.driver_connection
        assert raw is not None
        level = raw.execute("PRAGMA synchronous").fetchone()[0]
    return int(level) < 2  # 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


class GroupRecorder:
    """Commits audit entries in batches: on the event loop (SQLite file) or one writer thread.

    ``max_batch`` caps a thread batch; ``max_wait_ms`` is how long the thread lingers for more
    entries when it has fewer than ``max_batch`` (0: write what has arrived). ``inline`` chooses
    the loop's own writes (default: on a SQLite file).
    """

    def __init__(
        self,
        db: Database,
        *,
        max_batch: int = 500,
        max_wait_ms: float = 0.0,
        inline: bool | None = None,
    ) -> None:
        self.db = db
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.inline = _writes_inline(db) if inline is None else inline
        self.stats = GroupStats()
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._turn: list[_Pending] = []  # inline: the entries of this turn of the loop
        self._conn: Connection | None = None  # inline: the loop's own connection
        self._since_checkpoint = 0
        self._checkpointing = False

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-group", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def record(
        self, actor: Actor | None, action: str, target: object = None, **kwargs: Any
    ) -> None:
        """Record a read; returns once the entry is committed (raises if the write failed)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        pending = _Pending(_entry_values(actor, action, target, **kwargs), future=future)
        if self.inline:
            self._turn.append(pending)
            if len(self._turn) == 1:
                loop.call_soon(self._write_turn)
        else:
            self.start()
            self._queue.put(pending)
        await future

    # --- on the event loop (SQLite) ---------------------------------------------------------

    def _connection(self) -> Connection:
        if self._conn is None:
            assert isinstance(self.db.bind, Engine)
            conn = self.db.bind.connect()
            # Never wait for the write lock on the loop, never checkpoint in a commit here. Set
            # on the driver's connection: a statement through ``conn`` would begin a transaction
            # (BEGIN IMMEDIATE, under the pool's 30 s busy timeout) before the pragma applied.
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout=0")
            raw.execute("PRAGMA wal_autocheckpoint=0")
            self._conn = conn
        return self._conn

    def _write_turn(self) -> None:
        """Commit this turn's entries on the loop, or hand them to the thread if the lock is
        taken; then wake their requests."""
        batch, self._turn = self._turn, []
        if not batch:
            return
        error: BaseException | None = None
        try:
            conn = self._connection()
            with conn.begin():
                _append_batch(conn, [p.fields for p in batch])
        except Exception as exc:  # noqa: BLE001 - every waiter must hear about the failure
            self._reset_connection()
            if isinstance(exc, OperationalError) and (
                "locked" in str(exc.orig) or "busy" in str(exc.orig)
            ):  # another writer holds the lock: the thread waits for it, the loop does not
                self.stats.handed_off += 1
                self.start()
                for pending in batch:
                    self._queue.put(pending)
                return
            error = self._failed(exc, len(batch))
        else:
            self.stats.inline_batches += 1
            self._done(len(batch))
            self._since_checkpoint += len(batch)
            if self._since_checkpoint >= CHECKPOINT_EVERY and not self._checkpointing:
                self._since_checkpoint = 0
                self._checkpointing = True
                asyncio.get_running_loop().run_in_executor(None, self._checkpoint)
        _settle([p.future for p in batch if p.future is not None], error)

    def _reset_connection(self) -> None:
        """After a failed write: roll back and keep the connection, or drop it if that fails."""
        if self._conn is None:
            return
        try:
            self._conn.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is replaced on the next turn
            self._conn.invalidate()
            self._conn.close()
            self._conn = None

    def _checkpoint(self) -> None:
        """Move the WAL's committed pages into the database without blocking anyone (PASSIVE)."""
        try:
            assert isinstance(self.db.bind, Engine)
            raw = self.db.bind.raw_connection()  # outside a transaction: a checkpoint can't
            try:  # run inside one
                raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
            finally:
                raw.close()
            self.stats.checkpoints += 1
        except Exception as exc:  # noqa: BLE001 - the next one tries again
            log.warning("audit group: WAL checkpoint failed", error=str(exc))
        finally:
            self._checkpointing = False

    def _failed(self, exc: BaseException, entries: int) -> BaseException:
        self.stats.failures += 1
        log.error("audit group commit failed", error=str(exc), entries=entries)
        return exc

    def _done(self, entries: int) -> None:
        self.stats.entries += entries
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, entries)

    # --- on the writer thread ---------------------------------------------------------------

    def record_blocking(
        self, actor: Actor | None, action: str, target: object = None, **kwargs: Any
    ) -> None:
        """The same for code running in a worker thread."""
        event = threading.Event()
        pending = _Pending(_entry_values(actor, action, target, **kwargs), event=event)
        self.start()
        self._queue.put(pending)
        event.wait()
        if pending.error is not None:
            raise pending.error

    def _take_batch(self, first: _Pending) -> tuple[list[_Pending], bool]:
        batch = [first]
        stop = False
        deadline = None
        while len(batch) < self.max_batch:
            try:
                if self.max_wait and deadline is None:
                    deadline = time.monotonic() + self.max_wait
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    item = self._queue.get(timeout=remaining)
                else:
                    item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                stop = True
                break
            batch.append(item)
        return batch, stop

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._take_batch(first)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Pending]) -> None:
        error: BaseException | None = None
        try:
            with self.db.session() as session, session.begin():
                _append_batch(session.connection(), [p.fields for p in batch])
        except Exception as exc:  # noqa: BLE001 - every waiter must hear about the failure
            error = self._failed(exc, len(batch))
        else:
            self._done(len(batch))
        self._wake(batch, error)

    @staticmethod
    def _wake(batch: list[_Pending], error: BaseException | None) -> None:
        """Tell every waiter: one call into each waiting event loop, one event per thread."""
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for pending in batch:
            if pending.future is not None:
                by_loop.setdefault(pending.future.get_loop(), []).append(pending.future)
            elif pending.event is not None:
                pending.error = error
                pending.event.set()
        for loop, futures in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, futures, error)
            except RuntimeError:  # the loop closed while its requests waited (shutdown)
                log.warning("audit group: a waiting event loop has closed", waiters=len(futures))
