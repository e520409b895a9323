"""Pages: my jobs, one job with its live progress line (HTMX polling), cancel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govshare.core.i18n import N_
from govshare.core.web import NavEntry, SessionDep, UserDep, redirect, render
from govshare.jobs import permissions, service

router = APIRouter(include_in_schema=False)

NAV = [NavEntry(N_("后台任务"), "/jobs", "hourglass-split", permissions.can_list_jobs, N_("数据"))]


@router.get("/jobs", response_class=HTMLResponse)
def job_list(
    request: Request, session: SessionDep, actor: UserDep, cursor: str | None = None
) -> Response:
    """The jobs the actor may see, newest first."""
    jobs, next_cursor = service.list_jobs(session, actor, cursor=cursor)
    return render(
        request,
        "jobs/list.html",
        {"jobs": jobs, "next_cursor": next_cursor},
        fragment="jobs/_rows.html" if cursor else None,
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_detail(request: Request, session: SessionDep, actor: UserDep, job_id: int) -> Response:
    """One job; HTMX polls the same URL for the live progress line until the job ends."""
    job = service.get_job(session, actor, job_id)
    return render(
        request,
        "jobs/detail.html",
        {"job": job, "can_cancel": permissions.can_cancel_job(actor, job)},
        fragment="jobs/_progress.html",
    )


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse)
def job_cancel(request: Request, session: SessionDep, actor: UserDep, job_id: int) -> Response:
    """Cancel a queued or running job."""
    service.cancel_job(session, actor, job_id)
    return redirect(f"/jobs/{job_id}", request)
