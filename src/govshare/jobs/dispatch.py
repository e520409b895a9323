"""How workers hear that jobs are waiting: the job table (embedded) or NATS JetStream.

The job table is always the source of truth: a worker claims a job row with a lease whichever
backend woke it. ``DatabaseDispatcher`` wakes the workers of this process at once and the others
by polling; ``NatsDispatcher`` publishes each new job id to a JetStream work-queue stream that
workers on any machine pull from (nats-py, asyncio, run on a loop thread of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from typing import Any, Protocol

STREAM = "GOVSHARE_JOBS"
SUBJECT = "govshare.jobs.new"


class Dispatcher(Protocol):
    def notify(self, job_ids: Sequence[int]) -> None: ...

    def wait(self, timeout: float) -> list[int]: ...

    def close(self) -> None: ...


class DatabaseDispatcher:
    """Wake local workers at once; workers elsewhere find the job on their next poll."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._ids: list[int] = []
        self._lock = threading.Lock()

    def notify(self, job_ids: Sequence[int]) -> None:
        with self._lock:
            self._ids.extend(job_ids)
        self._event.set()

    def wait(self, timeout: float) -> list[int]:
        self._event.wait(timeout)
        with self._lock:
            ids, self._ids = self._ids, []
            self._event.clear()
        return ids

    def close(self) -> None:
        self._event.set()


class NatsUnavailable(RuntimeError):
    """The NATS server does not answer (the message names the address)."""


class NatsDispatcher:
    """Publish job ids to a JetStream work-queue stream; pull them with a durable consumer."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = STREAM,
        subject: str = SUBJECT,
        durable: str = "govshare-workers",
        connect_timeout: float = 2,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject = subject
        self.durable = durable
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="nats")
        self._thread.start()
        self._nc: Any = None
        self._js: Any = None
        self._sub: Any = None
        try:
            self._call(self._connect(connect_timeout))
        except Exception as exc:
            self.close()
            raise NatsUnavailable(f"NATS JetStream at {url}: {type(exc).__name__}: {exc}") from exc

    def _call(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self, timeout: float) -> None:
        import nats
        import nats.js.errors
        from nats.js.api import RetentionPolicy, StreamConfig

        self._nc = await nats.connect(
            self.url, connect_timeout=timeout, max_reconnect_attempts=0, allow_reconnect=False
        )
        self._js = self._nc.jetstream()
        try:
            await self._js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await self._js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[self.subject],
                    retention=RetentionPolicy.WORK_QUEUE,
                )
            )
        self._sub = await self._js.pull_subscribe(
            self.subject, durable=self.durable, stream=self.stream
        )

    def notify(self, job_ids: Sequence[int]) -> None:
        async def publish() -> None:
            for job_id in job_ids:
                await self._js.publish(self.subject, str(job_id).encode())

        self._call(publish())

    def wait(self, timeout: float) -> list[int]:
        async def fetch() -> list[int]:
            import nats.errors

            try:
                msgs = await self._sub.fetch(10, timeout=max(timeout, 0.1))
            except (TimeoutError, nats.errors.TimeoutError):
                return []
            ids = []
            for msg in msgs:
                await msg.ack()
                ids.append(int(msg.data.decode()))
            return ids

        result: list[int] = self._call(fetch(), timeout=timeout + 10)
        return result

    def delete_stream(self) -> None:
        """Remove the stream (tests use a stream of their own)."""
        self._call(self._js.delete_stream(self.stream))

    def close(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self._call(self._nc.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._loop.is_running():
            self._loop.close()


_dispatcher: Dispatcher = DatabaseDispatcher()


def configure(dispatcher: Dispatcher) -> None:
    """Use ``dispatcher`` for this process (main.py / the CLI worker, from settings)."""
    global _dispatcher
    _dispatcher = dispatcher


def current() -> Dispatcher:
    return _dispatcher


def notify(job_ids: Sequence[int]) -> None:
    """Tell workers that these jobs were committed (never fails the caller's request)."""
    try:
        _dispatcher.notify(job_ids)
    except Exception:  # noqa: BLE001 - workers also poll the table; a lost wake-up only delays
        import logging

        logging.getLogger("govshare.jobs").warning("job dispatch failed", exc_info=True)
