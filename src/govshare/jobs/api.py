"""JSON API of jobs (/api/v1/jobs): status and progress of long work, cancel."""

from __future__ import annotations

from fastapi import APIRouter

from govshare.core.config import get_settings
from govshare.core.pagination import Page, clamp_limit
from govshare.core.web import SessionDep, UserDep
from govshare.jobs import service
from govshare.jobs.schemas import JobPublic, JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=Page[JobPublic])
def list_jobs(
    session: SessionDep,
    actor: UserDep,
    status: JobStatus | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[JobPublic]:
    """Jobs the caller may see, newest first."""
    s = get_settings()
    n = clamp_limit(limit, s.page_size, s.page_size_max)
    rows, nxt = service.list_jobs(session, actor, status=status, kind=kind, cursor=cursor, limit=n)
    return Page(items=[JobPublic.model_validate(r) for r in rows], next_cursor=nxt, limit=n)


@router.get("/{job_id}", response_model=JobPublic)
def get_job(session: SessionDep, actor: UserDep, job_id: int) -> JobPublic:
    """One job: `status`, `progress` (0..1) and `progress_text`, then `result` or `error`."""
    return JobPublic.model_validate(service.get_job(session, actor, job_id))


@router.post("/{job_id}/cancel", response_model=JobPublic)
def cancel_job(session: SessionDep, actor: UserDep, job_id: int) -> JobPublic:
    """Cancel a queued job, or ask a running one to stop at its next step."""
    return JobPublic.model_validate(service.cancel_job(session, actor, job_id))
