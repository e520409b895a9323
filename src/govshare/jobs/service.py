"""Enqueueing, reading and cancelling jobs.

``enqueue`` is what other modules call: it adds the job to the caller's transaction (a rolled-back
request enqueues nothing) and tells the workers once the transaction commits. Running jobs is the
worker's business (``worker.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.errors import Conflict, NotFound
from govshare.core.i18n import _
from govshare.core.pagination import keyset_page
from govshare.core.security import Actor, require
from govshare.jobs import dispatch, permissions
from govshare.jobs.models import Job
from govshare.jobs.schemas import actor_to_dict

_PENDING = "govshare_jobs_pending"


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, [])
    if ids:
        dispatch.notify(ids)


def _after_rollback(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def enqueue(
    session: Session,
    actor: Actor,
    kind: str,
    payload: dict[str, Any],
    *,
    title: str = "",
    target: tuple[str, str] | None = None,
) -> Job:
    """Queue a job of ``kind`` in the caller's transaction; workers hear of it on commit."""
    require(permissions.can_enqueue(actor), "jobs.enqueue")
    job = Job(
        kind=kind,
        title=title[:200],
        payload=payload,
        status="queued",
        created_by_id=actor.user_id,
        department_id=actor.department_id,
        actor=actor_to_dict(actor),
        target_type=target[0] if target else "",
        target_id=str(target[1]) if target else "",
    )
    session.add(job)
    session.flush()
    audit.record(session, actor, "jobs.enqueue", job, details={"kind": kind})
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        if not event.contains(session, "after_commit", _after_commit):
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    session.info[_PENDING].append(job.id)
    return job


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    """One job with its progress, or NotFound when missing or not the actor's to see."""
    stmt = permissions.visible_jobs(actor).where(Job.id == job_id)
    # Workers update jobs in their own transactions: always read the stored row.
    job = session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
    if job is None:
        raise NotFound(_("任务不存在。"))
    require(permissions.can_get_job(actor, job), "jobs.get_job")
    return job


def list_jobs(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Job], str | None]:
    """A page of the jobs the actor may see, newest first."""
    require(permissions.can_list_jobs(actor), "jobs.list_jobs")
    stmt = permissions.visible_jobs(actor)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return keyset_page(session, stmt, Job.id, cursor=cursor, limit=limit)


def cancel_job(session: Session, actor: Actor, job_id: int) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress step."""
    job = get_job(session, actor, job_id)
    if job.finished:
        raise Conflict(_("任务已结束，不能取消。"))
    require(
        permissions.can_cancel_job(actor, job),
        "jobs.cancel_job",
        ("job", str(job.id), job.audit_label()),
    )
    before = {"status": job.status}
    if job.status == "queued":
        from govshare.core.db import utcnow

        job.status = "cancelled"
        job.finished_at = utcnow()
        job.progress_text = _("已取消")
    job.cancel_requested = True
    session.flush()
    audit.record(
        session, actor, "jobs.cancel_job", job, before=before, after={"status": job.status}
    )
    return job
