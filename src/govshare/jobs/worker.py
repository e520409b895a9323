"""The worker: claim a queued job with a lease, run its handler, record progress and outcome.

A lease is an owner name (``host:pid:nonce``) and an expiry, renewed by a heartbeat thread while
the handler runs. A job whose lease ran out — its worker was killed — is failed with a reason and
its kind's cleanup hook runs; a worker does this on start-up and then every minute. On the same
host a dead owner is recognised at once (its pid no longer runs), so a restarted server reports
an interrupted load without waiting for the lease. See docs/decisions/0030-jobs-lease.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from govshare.audit import service as audit
from govshare.core.db import READS_ONLY, Database, utcnow
from govshare.core.errors import DomainError
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor
from govshare.jobs import dispatch
from govshare.jobs.models import Job
from govshare.jobs.schemas import JobKind, JobSnapshot

log = logging.getLogger("govshare.jobs")
HOST = socket.gethostname()


class JobCancelled(Exception):
    """Raised inside a handler when its job was cancelled."""


def actor_from_dict(data: dict[str, Any]) -> Actor:
    """The Actor a job was enqueued by (roles as they were then)."""
    if not data:
        return SYSTEM
    return Actor(
        kind=data.get("kind", "user"),
        user_id=data.get("user_id"),
        username=data.get("username"),
        display_name=data.get("display_name", ""),
        department_id=data.get("department_id"),
        department_name=data.get("department_name"),
        roles=frozenset(data.get("roles", [])),
        token_id=data.get("token_id"),
        scopes=frozenset(data.get("scopes", [])),
    )


def _snapshot(job: Job) -> JobSnapshot:
    return JobSnapshot(
        job.id, job.kind, dict(job.payload or {}), dict(job.actor or {}), job.attempts, job.error
    )


class JobContext:
    """Handed to a handler: its job, the actor who asked, a database, and ``progress``."""

    def __init__(self, worker: Worker, job: JobSnapshot) -> None:
        self.worker = worker
        self.job = job
        self.job_id = job.id
        self.payload = job.payload
        self.actor = actor_from_dict(job.actor)
        self.db = worker.db
        self._last = 0.0

    def progress(self, fraction: float, text: str = "", *, force: bool = False) -> None:
        """Record progress (0..1) and a short text; raises JobCancelled when cancelled."""
        now = time.monotonic()
        if not force and now - self._last < self.worker.progress_interval:
            return
        self._last = now
        with self.db.session() as s, s.begin():
            s.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(progress=max(0.0, min(1.0, fraction)), progress_text=text[:300])
            )
            cancelled = s.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
        if cancelled:
            raise JobCancelled()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_is_dead(owner: str) -> bool:
    """A lease owner on this host whose process no longer runs."""
    parts = owner.split(":")
    if len(parts) < 3 or parts[0] != HOST or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    return pid != os.getpid() and not _pid_alive(pid)


class Worker:
    """Runs jobs of the registered kinds, one at a time, in the calling thread or its own."""

    def __init__(
        self,
        db: Database,
        kinds: Mapping[str, JobKind],
        *,
        lease_seconds: float = 60,
        poll_seconds: float = 1.0,
        progress_interval: float = 0.5,
        dispatcher: dispatch.Dispatcher | None = None,
    ) -> None:
        self.db = db
        self.kinds = dict(kinds)
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.progress_interval = progress_interval
        self.dispatcher = dispatcher or dispatch.current()
        self.owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_recovery = 0.0

    # --- recovery ---------------------------------------------------------------------------

    def recover(self) -> list[int]:
        """Fail running jobs whose worker died (lease expired or dead local pid); clean up."""
        now = utcnow()
        with self.db.session() as s, s.begin():
            running = s.scalars(select(Job).where(Job.status == "running")).all()
            dead = [
                j
                for j in running
                if j.lease_owner != self.owner
                and (
                    (j.lease_expires_at is not None and j.lease_expires_at < now)
                    or owner_is_dead(j.lease_owner)
                )
            ]
            for job in dead:
                job.status = "failed"
                job.finished_at = now
                job.error = _(
                    "处理进程中断（租约 {owner} 已失效），任务未完成，部分结果已清除。"
                ).format(owner=job.lease_owner)
                job.progress_text = _("已中断")
                s.flush()
                audit.record(s, SYSTEM, "jobs.fail_interrupted_job", job, reason=job.error)
            snapshots = [_snapshot(j) for j in dead]
        for snap in snapshots:
            self._cleanup(snap)
        self._last_recovery = time.monotonic()
        return [s.id for s in snapshots]

    def _cleanup(self, snap: JobSnapshot) -> None:
        kind = self.kinds.get(snap.kind)
        if kind is None or kind.cleanup is None:
            return
        try:
            kind.cleanup(self.db, snap)
        except Exception:  # noqa: BLE001 - a failing cleanup must not stop the worker
            log.exception("cleanup of job %s failed", snap.id)

    # --- claiming and running --------------------------------------------------------------

    def claim(self, job_id: int | None = None) -> JobSnapshot | None:
        """Take the oldest queued job of a known kind (or ``job_id``) under a fresh lease."""
        stmt = (
            select(Job.id)
            .where(Job.status == "queued", Job.kind.in_(list(self.kinds)))
            .order_by(Job.id)
            .limit(1)
        )
        if job_id is not None:
            stmt = stmt.where(Job.id == job_id)
        # Look before taking the write lock: on SQLite a claim's transaction is a writer's
        # (BEGIN IMMEDIATE), and a poll every second that took the lock for nothing made the
        # data API's audit writer back off in SQLite's busy handler (sleeps of 1, 2, 5, 10 …
        # ms), the data API's slowest responses (docs/performance.md).
        with self.db.session() as s:
            s.connection(execution_options={READS_ONLY: True})
            waiting = s.scalar(stmt)
        if waiting is None:
            return None
        now = utcnow()
        with self.db.session() as s, s.begin():
            if self.db.dialect == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            found = s.scalar(stmt)
            if found is None:
                return None
            claimed = s.execute(
                update(Job)
                .where(Job.id == found, Job.status == "queued")
                .values(
                    status="running",
                    started_at=now,
                    heartbeat_at=now,
                    lease_owner=self.owner,
                    lease_expires_at=now + dt.timedelta(seconds=self.lease_seconds),
                    attempts=Job.attempts + 1,
                    progress_text=_("开始处理"),
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            job = s.get(Job, found)
            assert job is not None
            s.refresh(job)
            return _snapshot(job)

    def _renew(self, job_id: int) -> None:
        now = utcnow()
        with self.db.session() as s, s.begin():
            s.execute(
                update(Job)
                .where(Job.id == job_id, Job.lease_owner == self.owner, Job.status == "running")
                .values(
                    heartbeat_at=now,
                    lease_expires_at=now + dt.timedelta(seconds=self.lease_seconds),
                )
            )

    def _heartbeat(self, job_id: int, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            try:
                self._renew(job_id)
            except Exception:  # noqa: BLE001 - the next beat tries again
                log.warning("lease renewal of job %s failed", job_id, exc_info=True)

    def _finish(self, job_id: int, **values: Any) -> None:
        with self.db.session() as s, s.begin():
            s.execute(
                update(Job)
                .where(Job.id == job_id, Job.lease_owner == self.owner)
                .values(finished_at=utcnow(), lease_expires_at=None, **values)
            )
            job = s.get(Job, job_id)
            if job is not None and values.get("status") == "failed":
                audit.record(
                    s,
                    SYSTEM,
                    "jobs.fail_job",
                    job,
                    outcome="failed",
                    reason=str(values.get("error", "")),
                )

    def run(self, snap: JobSnapshot) -> str:
        """Run one claimed job to its end; returns its final status."""
        kind = self.kinds[snap.kind]
        ctx = JobContext(self, snap)
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(snap.id, done), daemon=True)
        beat.start()
        try:
            result = kind.run(ctx)
        except JobCancelled:
            self._finish(snap.id, status="cancelled", progress_text=_("已取消"))
            self._cleanup(snap)
            return "cancelled"
        except DomainError as exc:
            detail = exc.detail
            if exc.errors:
                detail += "；" + "；".join(f"{e.field}：{e.message}" for e in exc.errors[:20])
            self._finish(snap.id, status="failed", error=detail, progress_text=_("失败"))
            self._cleanup(snap)
            return "failed"
        except Exception as exc:  # noqa: BLE001 - any failure of a handler fails its job
            log.exception("job %s (%s) failed", snap.id, snap.kind)
            self._finish(
                snap.id,
                status="failed",
                error=_("内部错误：{error}").format(error=f"{type(exc).__name__}: {exc}"[:500]),
                progress_text=_("失败"),
            )
            self._cleanup(snap)
            return "failed"
        finally:
            done.set()
        self._finish(
            snap.id, status="succeeded", progress=1.0, progress_text=_("已完成"), result=result
        )
        return "succeeded"

    def run_once(self, job_id: int | None = None) -> tuple[int, str] | None:
        """Claim and run one job; (job id, final status), or None when nothing waits."""
        snap = self.claim(job_id)
        if snap is None:
            return None
        return snap.id, self.run(snap)

    def run_pending(self) -> list[tuple[int, str]]:
        """Run every waiting job, in order (tests and the CLI use this)."""
        out = []
        while (done := self.run_once()) is not None:
            out.append(done)
        return out

    # --- the loop ---------------------------------------------------------------------------

    def loop(self) -> None:
        """Recover, then run jobs until stopped, waking on dispatch or every poll interval."""
        try:
            self.recover()
        except Exception:  # noqa: BLE001 - e.g. tables not migrated yet; try again later
            log.warning("job recovery failed", exc_info=True)
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and self.run_once() is not None:
                    pass
                if time.monotonic() - self._last_recovery > 60:
                    self.recover()
            except Exception:  # noqa: BLE001 - keep the worker alive
                log.exception("job worker iteration failed")
            self.dispatcher.wait(self.poll_seconds)

    def start(self) -> None:
        """Run the loop on a daemon thread (the web process's in-process worker)."""
        self._thread = threading.Thread(target=self.loop, daemon=True, name="govshare-jobs")
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        self.dispatcher.close() if isinstance(
            self.dispatcher, dispatch.DatabaseDispatcher
        ) else None
        if self._thread is not None:
            self._thread.join(timeout)
