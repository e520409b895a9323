"""JSON API of the work plan (/api/v1/supervision): plans, tasks, reports, reviews, extensions,
imports, dashboards, evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from govshare.core.validation import parse
from govshare.core.web import SessionDep, UserDep
from govshare.supervision import service
from govshare.supervision.schemas import (
    Dashboard,
    Evaluation,
    ExtensionCreate,
    ExtensionDecision,
    ExtensionPublic,
    ImportPreview,
    MilestoneRow,
    MilestoneUpdate,
    PlanOutline,
    PlanPublic,
    PlanRef,
    ReminderReport,
    ReportCreate,
    ReportPublic,
    ReportReview,
    Status,
    TaskDetail,
    TaskSummary,
    UnitPage,
    UploadedFile,
    Weights,
)

router = APIRouter(prefix="/supervision", tags=["supervision"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/plans", response_model=list[PlanPublic])
def list_plans(session: SessionDep, actor: UserDep) -> list[PlanPublic]:
    """Every plan with counts, progress and tasks by status."""
    return service.list_plans(session, actor)


@router.get("/plans/{plan_id}", response_model=PlanOutline)
def get_plan_outline(session: SessionDep, actor: UserDep, plan_id: int) -> PlanOutline:
    """Parts → sections → tasks with units, progress and status."""
    return service.get_plan_outline(session, actor, plan_id)


@router.get("/plans/{plan_id}/tasks", response_model=list[TaskSummary])
def list_tasks(
    session: SessionDep,
    actor: UserDep,
    plan_id: int,
    status: Status | None = None,
    department_id: int | None = None,
) -> list[TaskSummary]:
    """A plan's tasks, by status or responsible unit."""
    return service.list_tasks(session, actor, plan_id, status=status, department_id=department_id)


@router.get("/plans/{plan_id}/dashboard", response_model=Dashboard)
def get_dashboard(session: SessionDep, actor: UserDep, plan_id: int) -> Dashboard:
    """Progress by part, section, unit and county; overdue tasks; the milestone timeline."""
    return service.get_dashboard(session, actor, plan_id)


@router.get("/plans/{plan_id}/evaluation", response_model=Evaluation)
def evaluate_units(
    session: SessionDep,
    actor: UserDep,
    plan_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    on_time: float | None = None,
    timeliness: float | None = None,
    rating: float | None = None,
) -> Evaluation:
    """Units scored and ranked for a period (weights default to the configured ones)."""
    weights = None
    if on_time is not None or timeliness is not None or rating is not None:
        weights = Weights(on_time=on_time or 0, timeliness=timeliness or 0, rating=rating or 0)
    return service.evaluate_units(session, actor, plan_id, start=start, end=end, weights=weights)


@router.get("/plans/{plan_id}/export.xlsx", response_class=Response)
def export_plan(session: SessionDep, actor: UserDep, plan_id: int) -> Response:
    """The plan as .xlsx (four columns, and a sheet of milestones)."""
    return Response(service.export_plan(session, actor, plan_id), media_type=XLSX)


@router.get("/tasks/{task_id}", response_model=TaskDetail)
def get_task(session: SessionDep, actor: UserDep, task_id: int) -> TaskDetail:
    """One task with its units, milestones and clocks, reports, extensions and every step."""
    return service.get_task(session, actor, task_id)


@router.post("/tasks/{task_id}/reports", response_model=ReportPublic, status_code=201)
async def submit_report(
    session: SessionDep,
    actor: UserDep,
    task_id: int,
    percent: Annotated[int, Form()],
    narrative: Annotated[str, Form()],
    milestone_id: Annotated[int | None, Form()] = None,
    period: Annotated[str | None, Form(description="YYYY-MM (default: this month)")] = None,
    files: Annotated[list[UploadFile] | None, File(description="Evidence")] = None,
) -> ReportPublic:
    """File a progress report (multipart form) with evidence files."""
    data = parse(
        ReportCreate, {"percent": percent, "narrative": narrative, "milestone_id": milestone_id}
    )
    uploads = [
        UploadedFile(
            filename=f.filename or "file",
            content_type=f.content_type or "application/octet-stream",
            data=await f.read(),
        )
        for f in files or []
    ]
    report = service.submit_report(session, actor, task_id, data, uploads, period=period)
    return ReportPublic.model_validate(report)


@router.post("/reports/{report_id}/review", response_model=ReportPublic)
def review_report(
    session: SessionDep, actor: UserDep, report_id: int, data: ReportReview
) -> ReportPublic:
    """Accept or return a report (supervisors)."""
    return ReportPublic.model_validate(service.review_report(session, actor, report_id, data))


@router.put("/milestones/{milestone_id}", response_model=MilestoneRow)
def update_milestone(
    session: SessionDep, actor: UserDep, milestone_id: int, data: MilestoneUpdate
) -> MilestoneRow:
    """Correct an extracted milestone (supervisors)."""
    return MilestoneRow.model_validate(service.update_milestone(session, actor, milestone_id, data))


@router.post(
    "/milestones/{milestone_id}/extensions", response_model=ExtensionPublic, status_code=201
)
def request_extension(
    session: SessionDep, actor: UserDep, milestone_id: int, data: ExtensionCreate
) -> ExtensionPublic:
    """Ask to move a milestone (a responsible unit)."""
    return ExtensionPublic.model_validate(
        service.request_extension(session, actor, milestone_id, data)
    )


@router.get("/extensions", response_model=list[ExtensionPublic])
def list_extensions(
    session: SessionDep, actor: UserDep, status: str | None = "pending"
) -> list[ExtensionPublic]:
    """Extension requests (supervisors)."""
    return service.list_extensions(session, actor, status=status)


@router.post("/extensions/{extension_id}/decision", response_model=ExtensionPublic)
def decide_extension(
    session: SessionDep, actor: UserDep, extension_id: int, data: ExtensionDecision
) -> ExtensionPublic:
    """Approve or refuse an extension (supervisors)."""
    return ExtensionPublic.model_validate(
        service.decide_extension(session, actor, extension_id, data)
    )


@router.post("/imports/preview", response_model=ImportPreview)
async def preview_import(
    session: SessionDep, actor: UserDep, file: Annotated[UploadFile, File()]
) -> ImportPreview:
    """What a plan file would create and every problem in it; nothing is saved."""
    data = await file.read()
    return service.preview_import(session, actor, filename=file.filename or "", data=data)


@router.post("/imports", response_model=PlanRef, status_code=201)
async def import_plan(
    session: SessionDep,
    actor: UserDep,
    file: Annotated[UploadFile, File()],
    title: Annotated[str | None, Form()] = None,
) -> PlanRef:
    """Import a plan (.xlsx in four columns or the seed's text layout); 422 with every problem
    when the file has any."""
    data = await file.read()
    plan = service.import_plan(session, actor, filename=file.filename or "", data=data, title=title)
    return PlanRef.model_validate(plan)


@router.post("/reminders/run", response_model=ReminderReport)
def run_reminders(session: SessionDep, actor: UserDep) -> ReminderReport:
    """Run a reminder pass now (supervisors, platform admins)."""
    return service.run_reminders(session, actor)


@router.get("/units/{department_id}", response_model=UnitPage)
def get_unit_page(session: SessionDep, actor: UserDep, department_id: int) -> UnitPage:
    """Everything a unit owes."""
    return service.get_unit_page(session, actor, department_id)
