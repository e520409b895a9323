"""Who may see and cancel jobs.

A job belongs to whoever enqueued it; platform admins see every job, department admins the jobs
of their department. Enqueueing is done by other modules' services, which check their own
permission first.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from govshare.core.security import Actor
from govshare.jobs.models import Job


def can_enqueue(actor: Actor) -> bool:
    """Services enqueue for any logged-in actor or the system (they checked their own rule)."""
    return actor.is_authenticated


def can_get_job(actor: Actor, job: Job) -> bool:
    """The owner, admins of the owner's department, and platform admins."""
    if actor.is_platform_admin or actor.kind == "system":
        return True
    if actor.user_id is not None and job.created_by_id == actor.user_id:
        return True
    return actor.has_role("dept_admin") and actor.in_department(job.department_id)


def can_list_jobs(actor: Actor) -> bool:
    """Anyone logged in lists the jobs visible to them."""
    return actor.is_authenticated


def can_cancel_job(actor: Actor, job: Job) -> bool:
    """Whoever may see a job may cancel it while it is queued or running."""
    return job.status in ("queued", "running") and can_get_job(actor, job)


def visible_jobs(actor: Actor) -> Select[Job]:
    """Jobs the actor may see."""
    stmt = select(Job)
    if actor.is_platform_admin or actor.kind == "system":
        return stmt
    if not actor.is_authenticated:
        return stmt.where(false())
    conds = [Job.created_by_id == actor.user_id]
    if actor.has_role("dept_admin") and actor.department_id is not None:
        conds.append(Job.department_id == actor.department_id)
    return stmt.where(or_(*conds))
