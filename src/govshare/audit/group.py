"""Group commit of audit entries for data reads.

The data API answers thousands of reads a second and every read must be in the audit trail before
its response leaves. Writing each entry in its own transaction would make the chain's head lock
the bottleneck; here concurrent requests hand their entries to one writer thread, which chains a
whole batch under one lock and one commit, then wakes every waiting request. A response waits
for the commit that carries its entry (durability), but requests share that commit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from govshare.audit.service import _append_entries, _entry_values
from govshare.core.db import Database
from govshare.core.security import Actor

log = structlog.get_logger("govshare.audit.group")


@dataclass
class _Pending:
    fields: dict[str, Any]
    done: Callable[[BaseException | None], None]


@dataclass
class GroupStats:
    """Counters for tests, metrics and benchmarks."""

    entries: int = 0
    batches: int = 0
    largest_batch: int = 0
    failures: int = 0


class GroupRecorder:
    """One writer thread that commits audit entries in batches.

    ``max_batch`` caps a batch; ``max_wait_ms`` is how long the writer lingers for more entries
    when it has fewer than ``max_batch`` (0: write what has arrived).
    """

    def __init__(self, db: Database, *, max_batch: int = 500, max_wait_ms: float = 0.0) -> None:
        self.db = db
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.stats = GroupStats()
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

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

    async def record(
        self, actor: Actor | None, action: str, target: object = None, **kwargs: Any
    ) -> None:
        """Record a read; returns once the entry is committed (raises if the write failed)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def done(error: BaseException | None) -> None:
            def settle() -> None:
                if future.done():
                    return
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

            loop.call_soon_threadsafe(settle)

        self.start()
        self._queue.put(_Pending(_entry_values(actor, action, target, **kwargs), done))
        await future

    def record_blocking(
        self, actor: Actor | None, action: str, target: object = None, **kwargs: Any
    ) -> None:
        """The same for code running in a worker thread."""
        event = threading.Event()
        box: list[BaseException | None] = [None]

        def done(error: BaseException | None) -> None:
            box[0] = error
            event.set()

        self.start()
        self._queue.put(_Pending(_entry_values(actor, action, target, **kwargs), done))
        event.wait()
        if box[0] is not None:
            raise box[0]

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
                _append_entries(session, [p.fields for p in batch])
        except Exception as exc:  # noqa: BLE001 - every waiter must hear about the failure
            error = exc
            self.stats.failures += 1
            log.error("audit group commit failed", error=str(exc), entries=len(batch))
        else:
            self.stats.entries += len(batch)
            self.stats.batches += 1
            self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for pending in batch:
            pending.done(error)
