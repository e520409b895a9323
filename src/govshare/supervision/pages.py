"""Pages: plans and their dashboards, the task list, a task with its record, reports with
evidence, reviews, extensions, import with preview, export, evaluation, 通报 candidates, a unit's
own page."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from govshare.clocks.schemas import STAGE_LABELS
from govshare.core.config import get_settings
from govshare.core.db import local_today
from govshare.core.errors import DomainError, FieldError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.validation import parse
from govshare.core.web import (
    NavEntry,
    SessionDep,
    UserDep,
    flash,
    form_data,
    optional_int,
    recover,
    redirect,
    render,
)
from govshare.supervision import permissions, service
from govshare.supervision.schemas import (
    EVENT_LABELS,
    SOURCE_LABELS,
    STATUS_COLORS,
    STATUS_LABELS,
    ExtensionCreate,
    ExtensionDecision,
    GroupResolve,
    MilestoneCreate,
    MilestoneUpdate,
    ReportCreate,
    ReportReview,
    UploadedFile,
    Weights,
)
from govshare.supervision.status import RULES

router = APIRouter(include_in_schema=False)
SECTION = N_("工作方案督查")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NAV = [
    NavEntry(
        N_("工作方案"), "/supervision/plans", "clipboard-check", permissions.can_list_plans, SECTION
    ),
    NavEntry(
        N_("本单位任务"),
        "/supervision/mine",
        "person-workspace",
        lambda a: a.is_authenticated,
        SECTION,
    ),
    NavEntry(
        N_("延期审批"),
        "/supervision/extensions",
        "hourglass-split",
        permissions.can_list_extensions,
        SECTION,
    ),
    NavEntry(
        N_("导入工作方案"), "/supervision/import", "upload", permissions.can_import_plan, SECTION
    ),
]


def _labels() -> dict[str, object]:
    s = get_settings()
    rules = [
        (k, _(text).format(remind=s.clocks_remind_before_days, gap=s.supervision_at_risk_gap))
        for k, text in RULES
    ]
    return {
        "status_labels": STATUS_LABELS,
        "status_colors": STATUS_COLORS,
        "stage_labels": STAGE_LABELS,
        "event_labels": EVENT_LABELS,
        "source_labels": SOURCE_LABELS,
        "rules": rules,
    }


@router.get("/supervision", response_class=HTMLResponse)
@router.get("/supervision/plans", response_class=HTMLResponse)
def plan_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Every plan with its progress."""
    plans = service.list_plans(session, actor)
    return render(
        request,
        "supervision/plans.html",
        {"plans": plans, "can_import": permissions.can_import_plan(actor), **_labels()},
    )


@router.get("/supervision/plans/{plan_id}", response_class=HTMLResponse)
def plan_dashboard(request: Request, session: SessionDep, actor: UserDep, plan_id: int) -> Response:
    """A plan's dashboard: progress by part, section, unit and county; overdue; timeline."""
    board = service.get_dashboard(session, actor, plan_id)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "board": board,
            "can_run": permissions.can_run_reminders(actor),
            "can_notices": permissions.can_list_notice_candidates(actor),
            **_labels(),
        },
    )


@router.get("/supervision/plans/{plan_id}/tasks", response_class=HTMLResponse)
def task_list(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    plan_id: int,
    status: str = "",
    department_id: str = "",
) -> Response:
    """Parts → sections → tasks with units, milestones' next due date, progress and status."""
    outline = service.get_plan_outline(session, actor, plan_id)
    dept = optional_int(department_id, "department_id")
    wanted = (
        {t.id for t in service.list_tasks(session, actor, plan_id, department_id=dept)}
        if dept
        else None
    )
    return render(
        request,
        "supervision/tasks.html",
        {
            "outline": outline,
            "status": status,
            "wanted": wanted,
            "department_id": dept,
            **_labels(),
        },
        fragment="supervision/_outline.html",
    )


@router.get("/supervision/plans/{plan_id}/export.xlsx")
def plan_export(request: Request, session: SessionDep, actor: UserDep, plan_id: int) -> Response:
    """The plan as .xlsx for the leadership meeting."""
    data = service.export_plan(session, actor, plan_id)
    name = quote(f"工作方案-{plan_id}.xlsx")
    disposition = f"attachment; filename=\"plan-{plan_id}.xlsx\"; filename*=UTF-8''{name}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


def _weights(request: Request) -> Weights | None:
    q = request.query_params
    raw = {k: q[k] for k in ("on_time", "timeliness", "rating") if q.get(k)}
    return parse(Weights, raw) if raw else None


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = _("日期格式应为 YYYY-MM-DD。")
        raise Invalid(msg, errors=[FieldError(field, msg)]) from exc


@router.get("/supervision/plans/{plan_id}/evaluation", response_class=HTMLResponse)
def evaluation(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    plan_id: int,
    start: str = "",
    end: str = "",
) -> Response:
    """Units scored and ranked for a period, with the weights used."""
    ev = service.evaluate_units(
        session,
        actor,
        plan_id,
        start=_date(start, "start"),
        end=_date(end, "end"),
        weights=_weights(request),
    )
    return render(
        request,
        "supervision/evaluation.html",
        {
            "ev": ev,
            "query": request.url.query,
            "can_export": permissions.can_export_evaluation(actor),
            **_labels(),
        },
    )


@router.get("/supervision/plans/{plan_id}/evaluation.xlsx")
def evaluation_export(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    plan_id: int,
    start: str = "",
    end: str = "",
) -> Response:
    """The ranking as .xlsx."""
    data = service.export_evaluation(
        session,
        actor,
        plan_id,
        start=_date(start, "start"),
        end=_date(end, "end"),
        weights=_weights(request),
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="evaluation-{plan_id}.xlsx"'},
    )


@router.get("/supervision/plans/{plan_id}/notices", response_class=HTMLResponse)
def notices(request: Request, session: SessionDep, actor: UserDep, plan_id: int) -> Response:
    """Milestones overdue long enough to be 通报 candidates."""
    rows = service.list_notice_candidates(session, actor, plan_id)
    return render(
        request, "supervision/notices.html", {"rows": rows, "plan_id": plan_id, **_labels()}
    )


@router.post("/supervision/reminders/run", response_class=HTMLResponse)
def reminders_run(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Run a reminder pass now."""
    r = service.run_reminders(session, actor)
    flash(
        request,
        _("已发送：提醒 {a}，催办 {b}，督办 {c}，通报候选 {d}，报送提醒 {e}。").format(
            a=r.remind, b=r.urge, c=r.supervise, d=r.notify, e=r.report_due
        ),
    )
    return redirect(request.headers.get("referer") or "/supervision/plans", request)


# --- a task --------------------------------------------------------------------------------------


def _task_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    task_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    task = service.get_task(session, actor, task_id)
    return render(
        request,
        "supervision/task.html",
        {
            "task": task,
            "errors": errors or {},
            "values": values or {},
            "can_report": permissions.can_submit_report(actor, task.responsible_ids),
            "can_review": permissions.can_review_report(actor),
            "can_edit": permissions.can_update_milestone(actor),
            "can_evidence": permissions.can_get_attachment(actor, task.responsible_ids),
            "today": local_today(),
            **_labels(),
        },
        status=status,
    )


@router.get("/supervision/tasks/{task_id}", response_class=HTMLResponse)
def task_detail(request: Request, session: SessionDep, actor: UserDep, task_id: int) -> Response:
    """A task: content with its milestones, units, reports, extensions and every step."""
    return _task_page(request, session, actor, task_id)


async def _files(request: Request) -> list[UploadedFile]:
    form = await request.form()
    out = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile) and item.filename:
            out.append(
                UploadedFile(
                    filename=item.filename,
                    content_type=item.content_type or "application/octet-stream",
                    data=await item.read(),
                )
            )
        if isinstance(item, UploadFile):
            await item.close()
    return out


@router.post("/supervision/tasks/{task_id}/reports", response_class=HTMLResponse)
async def report_submit(
    request: Request, session: SessionDep, actor: UserDep, task_id: int
) -> Response:
    """File a progress report with evidence."""
    form = {k: v for k, v in (await form_data(request)).items() if k != "files"}
    form["milestone_id"] = form.get("milestone_id") or None
    try:
        service.submit_report(
            session,
            actor,
            task_id,
            parse(ReportCreate, form),
            await _files(request),
            period=str(form.get("period") or "") or None,
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _task_page(request, session, actor, task_id, errors, form, exc.status)
    flash(request, _("已报送进度，等待督查员审核。"))
    return redirect(f"/supervision/tasks/{task_id}", request)


@router.post("/supervision/reports/{report_id}/review", response_class=HTMLResponse)
async def report_review(
    request: Request, session: SessionDep, actor: UserDep, report_id: int
) -> Response:
    """Accept or return a report."""
    form = await form_data(request)
    form["rating"] = form.get("rating") or None
    form["milestone_done"] = form.get("milestone_done") == "on"
    task_id = int(str(form.pop("task_id", "0")) or 0)
    try:
        report = service.review_report(session, actor, report_id, parse(ReportReview, form))
    except DomainError as exc:
        if exc.status in (403, 404) or not task_id:
            raise
        errors = recover(request, session, exc)
        return _task_page(request, session, actor, task_id, errors, {}, exc.status)
    flash(request, _("已采纳。") if report.status == "accepted" else _("已退回。"))
    return redirect(f"/supervision/tasks/{report.task_id}", request)


@router.get("/supervision/attachments/{attachment_id}")
def attachment(
    request: Request, session: SessionDep, actor: UserDep, attachment_id: int
) -> Response:
    """Download an evidence file."""
    meta, data = service.get_attachment(session, actor, attachment_id)
    return Response(
        data,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(meta.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/supervision/milestones/{milestone_id}", response_class=HTMLResponse)
async def milestone_update(
    request: Request, session: SessionDep, actor: UserDep, milestone_id: int
) -> Response:
    """Correct a milestone."""
    form = await form_data(request)
    m = service.update_milestone(session, actor, milestone_id, parse(MilestoneUpdate, form))
    flash(request, _("已修改里程碑。"))
    return redirect(f"/supervision/tasks/{m.task_id}", request)


@router.post("/supervision/milestones/{milestone_id}/done", response_class=HTMLResponse)
async def milestone_done(
    request: Request, session: SessionDep, actor: UserDep, milestone_id: int
) -> Response:
    """Confirm a milestone done (today) or reopen it."""
    form = await form_data(request)
    done = local_today() if form.get("done") == "1" else None
    m = service.set_milestone_done(session, actor, milestone_id, done_on=done)
    return redirect(f"/supervision/tasks/{m.task_id}", request)


@router.post("/supervision/tasks/{task_id}/milestones", response_class=HTMLResponse)
async def milestone_add(
    request: Request, session: SessionDep, actor: UserDep, task_id: int
) -> Response:
    """Add a milestone."""
    form = await form_data(request)
    service.add_milestone(session, actor, task_id, parse(MilestoneCreate, form))
    flash(request, _("已添加里程碑。"))
    return redirect(f"/supervision/tasks/{task_id}", request)


@router.post("/supervision/tasks/{task_id}/groups", response_class=HTMLResponse)
async def group_resolve(
    request: Request, session: SessionDep, actor: UserDep, task_id: int
) -> Response:
    """Name the units a group stands for on this task."""
    form = await form_data(request)
    ids = form.get("department_ids", [])
    ids = ids if isinstance(ids, list) else [ids]
    data = {
        "group_name": form.get("group_name", ""),
        "department_ids": [int(i) for i in ids if str(i).isdigit()],
    }
    service.set_group_units(session, actor, task_id, parse(GroupResolve, data))
    flash(request, _("已明确配合单位。"))
    return redirect(f"/supervision/tasks/{task_id}", request)


@router.post("/supervision/milestones/{milestone_id}/extension", response_class=HTMLResponse)
async def extension_request(
    request: Request, session: SessionDep, actor: UserDep, milestone_id: int
) -> Response:
    """Ask to move a milestone."""
    form = await form_data(request)
    task_id = int(str(form.pop("task_id", "0")) or 0)
    try:
        ext = service.request_extension(session, actor, milestone_id, parse(ExtensionCreate, form))
    except DomainError as exc:
        if exc.status in (403, 404) or not task_id:
            raise
        errors = recover(request, session, exc)
        return _task_page(request, session, actor, task_id, errors, {}, exc.status)
    flash(request, _("已提交延期申请。"))
    return redirect(f"/supervision/tasks/{ext.task_id}", request)


@router.get("/supervision/extensions", response_class=HTMLResponse)
def extension_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Extension requests waiting for a decision."""
    rows = service.list_extensions(session, actor)
    return render(request, "supervision/extensions.html", {"rows": rows, **_labels()})


@router.post("/supervision/extensions/{extension_id}/decide", response_class=HTMLResponse)
async def extension_decide(
    request: Request, session: SessionDep, actor: UserDep, extension_id: int
) -> Response:
    """Approve or refuse an extension."""
    form = await form_data(request)
    data = {"approve": form.get("approve") == "1", "note": form.get("note", "")}
    try:
        ext = service.decide_extension(session, actor, extension_id, parse(ExtensionDecision, data))
    except Invalid as exc:
        recover(request, session, exc)
        flash(request, exc.errors[0].message if exc.errors else exc.detail, "danger")
        return redirect("/supervision/extensions", request)
    flash(request, _("已批准延期。") if ext.status == "approved" else _("已不予批准。"))
    return redirect("/supervision/extensions", request)


# --- import --------------------------------------------------------------------------------------


@router.get("/supervision/import", response_class=HTMLResponse)
def import_form(request: Request, actor: UserDep) -> Response:
    """Upload a plan (.xlsx in four columns, or the seed's text layout)."""
    return render(request, "supervision/import.html", {"preview": None, "errors": {}, **_labels()})


async def _upload(request: Request) -> tuple[str, bytes, dict[str, str]]:
    form = await request.form()
    item = form.get("file")
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrftoken"}
    if isinstance(item, UploadFile):
        data = await item.read()
        await item.close()
        if item.filename:
            return item.filename, data, values
    if values.get("payload"):
        try:
            return values.get("filename", "plan.txt"), base64.b64decode(values["payload"]), values
        except ValueError:
            pass
    msg = _("请选择要导入的文件。")
    raise Invalid(msg, errors=[FieldError("file", msg)])


@router.post("/supervision/import/preview", response_class=HTMLResponse)
async def import_preview(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Show what the file would create and mark every problem; nothing is saved."""
    try:
        filename, data, _values = await _upload(request)
        preview = service.preview_import(session, actor, filename=filename, data=data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return render(
            request,
            "supervision/import.html",
            {"preview": None, "errors": errors, **_labels()},
            status=exc.status,
        )
    return render(
        request,
        "supervision/import.html",
        {
            "preview": preview,
            "errors": {},
            "filename": filename,
            "payload": base64.b64encode(data).decode(),
            **_labels(),
        },
        status=200 if preview.ok else 422,
    )


@router.post("/supervision/import", response_class=HTMLResponse)
async def import_save(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Import the previewed file."""
    filename, data, values = await _upload(request)
    plan = service.import_plan(
        session, actor, filename=filename, data=data, title=str(values.get("title") or "") or None
    )
    flash(request, _("已导入工作方案：{title}").format(title=plan.title))
    return redirect(f"/supervision/plans/{plan.id}", request)


# --- a unit --------------------------------------------------------------------------------------


@router.get("/supervision/mine")
def my_unit(actor: UserDep) -> Response:
    """One's own unit's page."""
    return RedirectResponse(f"/supervision/units/{actor.department_id or 0}", status_code=303)


@router.get("/supervision/units/{department_id}", response_class=HTMLResponse)
def unit_page(
    request: Request, session: SessionDep, actor: UserDep, department_id: int
) -> Response:
    """Everything a unit owes."""
    page = service.get_unit_page(session, actor, department_id)
    return render(request, "supervision/unit.html", {"page": page, **_labels()})
