"""Pages: the department scoreboard, a dataset's rules and runs, a run's findings with samples,
rectification issues, inspection reports (HTML, .xlsx, PDF) and objections."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

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
from govshare.datastore import service as datastore
from govshare.quality import permissions, service
from govshare.quality.compiler import CODE_LISTS, DIMENSIONS, KINDS
from govshare.quality.schemas import (
    ISSUE_STATUS_LABELS,
    OBJECTION_STATUS_LABELS,
    RUN_STATUS_LABELS,
    SEVERITY_LABELS,
    TRIGGER_LABELS,
    IssueFix,
    ObjectionAnswer,
    ObjectionCreate,
    RuleCreate,
    RuleUpdate,
)

router = APIRouter(include_in_schema=False)
SECTION = N_("数据质量")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NAV = [
    NavEntry(N_("质量评分"), "/quality", "speedometer2", permissions.can_get_scoreboard, SECTION),
    NavEntry(
        N_("质量规则"), "/quality/datasets", "ui-checks", lambda a: a.is_authenticated, SECTION
    ),
    NavEntry(
        N_("整改事项"),
        "/quality/issues",
        "tools",
        lambda a: permissions.can_list_issues(a, None),
        SECTION,
    ),
    NavEntry(
        N_("检查报告"),
        "/quality/reports",
        "file-earmark-text",
        lambda a: a.department_id is not None or a.has_role("supervisor"),
        SECTION,
    ),
    NavEntry(
        N_("数据异议"),
        "/quality/objections",
        "chat-square-text",
        permissions.can_list_objections,
        SECTION,
    ),
]


def _labels() -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "dimensions": DIMENSIONS,
        "code_lists": CODE_LISTS,
        "severity_labels": SEVERITY_LABELS,
        "run_status_labels": RUN_STATUS_LABELS,
        "trigger_labels": TRIGGER_LABELS,
        "issue_status_labels": ISSUE_STATUS_LABELS,
        "objection_status_labels": OBJECTION_STATUS_LABELS,
    }


def _date(value: str, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = _("日期格式应为 YYYY-MM-DD。")
        raise Invalid(msg, errors=[FieldError(field, msg)]) from exc


def _float(value: Any, field: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        msg = _("应为数字。")
        raise Invalid(msg, errors=[FieldError(field, msg)]) from exc


def rule_from_form(form: dict[str, Any]) -> RuleCreate:
    """The rule form's fields as a RuleCreate (parameters by kind)."""
    items = form.get("items", [])
    items = [items] if isinstance(items, str) else list(items)
    kind = str(form.get("kind", ""))
    params: dict[str, Any] = {}
    if kind == "pattern":
        params["regex"] = str(form.get("regex", ""))
    if kind == "value_set":
        code_list = str(form.get("code_list", ""))
        if code_list.startswith("table:"):
            params["code_table"] = int(code_list.removeprefix("table:") or 0)
            if str(form.get("code_table_version", "")).strip().isdigit():
                params["code_table_version"] = int(str(form["code_table_version"]).strip())
        elif code_list:
            params["code_list"] = code_list
        else:
            raw = str(form.get("values", "")).replace("，", ",").replace("、", ",")
            params["values"] = [v.strip() for v in raw.split(",") if v.strip()]
    if kind in ("range", "length"):
        params["min"] = str(form.get("min", "")).strip() or None
        params["max"] = str(form.get("max", "")).strip() or None
    if kind == "citizen_id" and form.get("check_area"):
        params["check_area"] = True
    if kind == "custom":
        params["sql"] = str(form.get("sql", ""))
    if kind == "reference":
        resource_id, _sep, item = str(form.get("reference", "")).partition("|")
        params["resource_id"] = int(resource_id) if resource_id.isdigit() else None
        params["item"] = item
    if kind == "volume":
        params["max_change"] = _float(form.get("max_change") or "0.5", "params.max_change")
    if kind == "freshness" and form.get("grace_days"):
        params["grace_days"] = int(_float(form.get("grace_days"), "params.grace_days") or 1)
    return parse(
        RuleCreate,
        {
            "name": form.get("name", ""),
            "kind": kind,
            "items": items,
            "params": params,
            "severity": form.get("severity", "error"),
            "tolerance": (_float(form.get("tolerance"), "tolerance") or 0.0) / 100,
        },
    )


# --- scoreboard ---------------------------------------------------------------------------


@router.get("/quality", response_class=HTMLResponse)
def scoreboard(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Departments ranked by data quality, with dimension scores and monthly trends."""
    board = service.get_scoreboard(session, actor)
    return render(request, "quality/scoreboard.html", {"board": board, **_labels()})


# --- datasets and rules ---------------------------------------------------------------------


@router.get("/quality/datasets", response_class=HTMLResponse)
def dataset_list(request: Request, session: SessionDep, actor: UserDep, q: str = "") -> Response:
    """Datasets, to open their rules and runs."""
    datasets = datastore.list_datasets(session, actor, q=q or None)
    return render(request, "quality/datasets.html", {"datasets": datasets, "q": q})


def _dataset_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    dataset_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ds = datastore.get_dataset(session, actor, dataset_id)
    dept = ds.department_id
    rules = service.list_rules(session, actor, ds.id)
    can_manage = permissions.can_create_rule(actor, dept)
    suggestions = service.suggest_rules(session, actor, ds.id) if can_manage else []
    targets = service.list_reference_targets(session, actor, ds.id) if can_manage else []
    runs = (
        service.list_runs(session, actor, ds.id) if permissions.can_list_runs(actor, dept) else []
    )
    objections = service.list_objections(session, actor, dataset_id=ds.id)
    return render(
        request,
        "quality/dataset.html",
        {
            "ds": ds,
            "rules": rules,
            "suggestions": suggestions,
            "targets": targets,
            "runs": runs,
            "objections": objections,
            "code_tables": service.list_code_tables(session, actor) if can_manage else [],
            "can_manage": can_manage,
            "can_run": permissions.can_run_inspection(actor, dept),
            "can_object": permissions.can_file_objection(actor, dept),
            "errors": errors or {},
            "form": form or {},
            **_labels(),
        },
        status=status,
    )


@router.get("/quality/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_page(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """A dataset's rules, suggested rules, runs and objections."""
    return _dataset_page(request, session, actor, dataset_id)


@router.post("/quality/datasets/{dataset_id}/rules", response_class=HTMLResponse)
async def rule_create(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """Add a rule from the form."""
    form = await form_data(request)
    try:
        service.create_rule(session, actor, dataset_id, rule_from_form(form))
    except Invalid as exc:
        errors = recover(request, session, exc)
        return _dataset_page(
            request, session, actor, dataset_id, errors=errors, form=form, status=422
        )
    flash(request, _("规则已添加。"))
    return redirect(f"/quality/datasets/{dataset_id}", request)


@router.post("/quality/datasets/{dataset_id}/suggestions", response_class=HTMLResponse)
async def rule_accept(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """Accept suggested rules (all, or the one whose index is posted)."""
    form = await form_data(request)
    suggested = service.suggest_rules(session, actor, dataset_id)
    pick = optional_int(str(form.get("index", "")), "index")
    chosen = suggested if pick is None else suggested[pick : pick + 1]
    for rule in chosen:
        service.create_rule(session, actor, dataset_id, rule, suggested=True)
    flash(request, _("已采纳 {n} 条建议规则。").format(n=len(chosen)))
    return redirect(f"/quality/datasets/{dataset_id}", request)


@router.post("/quality/rules/{rule_id}", response_class=HTMLResponse)
async def rule_update(
    request: Request, session: SessionDep, actor: UserDep, rule_id: int
) -> Response:
    """Switch a rule on or off, or change its severity and tolerance."""
    form = await form_data(request)
    data: dict[str, Any] = {}
    if "enabled" in form:
        data["enabled"] = form["enabled"] == "1"
    if form.get("severity"):
        data["severity"] = form["severity"]
    if form.get("tolerance") not in (None, ""):
        data["tolerance"] = (_float(form["tolerance"], "tolerance") or 0.0) / 100
    rule = service.update_rule(session, actor, rule_id, parse(RuleUpdate, data))
    flash(request, _("规则已更新。"))
    return redirect(f"/quality/datasets/{rule.dataset_id}", request)


@router.post("/quality/rules/{rule_id}/delete", response_class=HTMLResponse)
async def rule_delete(
    request: Request, session: SessionDep, actor: UserDep, rule_id: int
) -> Response:
    """Remove a rule."""
    form = await form_data(request)
    service.delete_rule(session, actor, rule_id)
    flash(request, _("规则已删除。"))
    return redirect(f"/quality/datasets/{int(form.get('dataset_id', 0))}", request)


@router.post("/quality/datasets/{dataset_id}/run", response_class=HTMLResponse)
async def run_now(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """Check the current version now."""
    try:
        run = service.run_inspection(session, actor, dataset_id)
    except Invalid as exc:
        errors = recover(request, session, exc)
        return _dataset_page(request, session, actor, dataset_id, errors=errors, status=422)
    return redirect(f"/quality/runs/{run.id}", request)


@router.get("/quality/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, session: SessionDep, actor: UserDep, run_id: int) -> Response:
    """A run: scores by dimension, each rule's result, failing samples."""
    run, findings, hidden = service.get_run(session, actor, run_id)
    return render(
        request,
        "quality/run.html",
        {"run": run, "findings": findings, "samples_hidden": hidden, **_labels()},
    )


# --- issues ---------------------------------------------------------------------------------


@router.get("/quality/issues", response_class=HTMLResponse)
def issue_list(request: Request, session: SessionDep, actor: UserDep, status: str = "") -> Response:
    """Rectification issues with deadlines; managers mark them fixed."""
    issues = service.list_issues(session, actor, status=status or None)
    can_fix = {i.id: permissions.can_mark_issue_fixed(actor, i.department_id) for i in issues}
    return render(
        request,
        "quality/issues.html",
        {"issues": issues, "can_fix": can_fix, "status": status, **_labels()},
    )


@router.post("/quality/issues/{issue_id}/fixed", response_class=HTMLResponse)
async def issue_fixed(
    request: Request, session: SessionDep, actor: UserDep, issue_id: int
) -> Response:
    """Mark an issue fixed with a note."""
    form = await form_data(request)
    service.mark_issue_fixed(session, actor, issue_id, parse(IssueFix, form))
    flash(request, _("已标记整改，下次检查将复查。"))
    return redirect("/quality/issues", request)


# --- reports --------------------------------------------------------------------------------


def _period(start: str, end: str) -> tuple[dt.date, dt.date]:
    today = local_today()
    first = today.replace(day=1)
    return _date(start, "start", first), _date(end, "end", today)


@router.get("/quality/reports", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    department_id: str = "",
    start: str = "",
    end: str = "",
) -> Response:
    """A department's inspection report for a period, with downloads."""
    dept = optional_int(department_id, "department_id") or actor.department_id
    lo, hi = _period(start, end)
    report = service.get_report(session, actor, dept or 0, lo, hi) if dept else None
    return render(
        request,
        "quality/report.html",
        {"report": report, "start": lo, "end": hi, "department_id": dept, **_labels()},
    )


@router.get("/quality/reports.{fmt}")
def report_download(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    fmt: str,
    department_id: str = "",
    start: str = "",
    end: str = "",
) -> Response:
    """The inspection report as .xlsx or PDF."""
    dept = optional_int(department_id, "department_id") or actor.department_id or 0
    lo, hi = _period(start, end)
    html = ""
    if fmt == "pdf":
        report = service.get_report(session, actor, dept, lo, hi)
        html = _print_html(request, report)
    data, report = service.export_report(session, actor, dept, lo, hi, fmt, html=html)
    name = f"quality-{dept}-{lo.isoformat()}-{hi.isoformat()}.{fmt}"
    zh = quote(f"数据质量检查报告-{report.department_name}-{lo}-{hi}.{fmt}")
    media = XLSX if fmt == "xlsx" else "application/pdf"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{zh}"},
    )


def _print_html(request: Request, report: Any) -> str:
    response = render(request, "quality/report_print.html", {"report": report, **_labels()})
    return bytes(response.body).decode("utf-8")


# --- objections -----------------------------------------------------------------------------


@router.get("/quality/objections", response_class=HTMLResponse)
def objection_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Objections filed by the actor or to their department."""
    objections = service.list_objections(session, actor)
    return render(request, "quality/objections.html", {"objections": objections, **_labels()})


@router.post("/quality/datasets/{dataset_id}/objections", response_class=HTMLResponse)
async def objection_file(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """File an objection to a value."""
    form = await form_data(request)
    try:
        o = service.file_objection(session, actor, dataset_id, parse(ObjectionCreate, form))
    except Invalid as exc:
        errors = recover(request, session, exc)
        return _dataset_page(
            request, session, actor, dataset_id, errors=errors, form=form, status=422
        )
    flash(request, _("数据异议已提交，提供部门须在 {d} 前答复。").format(d=o.deadline.isoformat()))
    return redirect(f"/quality/objections/{o.id}", request)


@router.get("/quality/objections/{objection_id}", response_class=HTMLResponse)
def objection_page(
    request: Request, session: SessionDep, actor: UserDep, objection_id: int
) -> Response:
    """One objection and its answer."""
    o = service.get_objection(session, actor, objection_id)
    return render(
        request,
        "quality/objection.html",
        {
            "o": o,
            "can_answer": o.status == "open"
            and permissions.can_answer_objection(actor, o.department_id),
            "errors": {},
            **_labels(),
        },
    )


@router.post("/quality/objections/{objection_id}/answer", response_class=HTMLResponse)
async def objection_answer(
    request: Request, session: SessionDep, actor: UserDep, objection_id: int
) -> Response:
    """Confirm (fix in a new version) or answer that the value is right."""
    form = await form_data(request)
    data = {"accept": form.get("accept") == "1", "answer": form.get("answer", "")}
    try:
        service.answer_objection(session, actor, objection_id, parse(ObjectionAnswer, data))
    except DomainError as exc:
        errors = recover(request, session, exc)
        o = service.get_objection(session, actor, objection_id)
        return render(
            request,
            "quality/objection.html",
            {"o": o, "can_answer": True, "errors": errors, **_labels()},
            status=422,
        )
    flash(request, _("已答复。"))
    return redirect(f"/quality/objections/{objection_id}", request)


# --- code tables ----------------------------------------------------------------------------

MAX_UPLOAD = 20 * 1024 * 1024 + 1


def _code_tables_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "quality/code_tables.html",
        {
            "tables": service.list_code_tables(session, actor),
            "can_upload": permissions.can_upload_code_table(actor),
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@router.get("/quality/code-tables", response_class=HTMLResponse)
def code_table_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Uploaded code tables with their latest versions, and the upload form."""
    return _code_tables_page(request, session, actor)


@router.post("/quality/code-tables", response_class=HTMLResponse)
async def code_table_upload(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Upload a code table (a new one, or the next version of the one with that name)."""
    async with request.form() as form:
        upload = form.get("file")
        content = await upload.read(MAX_UPLOAD) if isinstance(upload, UploadFile) else b""
        filename = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        fields = {
            "name": str(form.get("name", "")),
            "description": str(form.get("description", "")),
        }
    try:
        table, version, _versions = service.upload_code_table(
            session, actor, filename=filename, content=content, **fields
        )
    except Invalid as exc:
        errors = recover(request, session, exc)
        errors.setdefault("__all__", exc.detail)
        return _code_tables_page(request, session, actor, errors=errors, form=fields, status=422)
    flash(
        request,
        _("代码表「{name}」第 {n} 版已上传（{rows} 个代码）。").format(
            name=table.name, n=version.number, rows=version.row_count
        ),
    )
    return redirect(f"/quality/code-tables/{table.id}", request)


@router.get("/quality/code-tables/{table_id}", response_class=HTMLResponse)
def code_table_page(
    request: Request, session: SessionDep, actor: UserDep, table_id: int, version: int | None = None
) -> Response:
    """A code table: its versions and one version's rows (the latest unless ``version``)."""
    table, shown, versions = service.get_code_table(session, actor, table_id, version)
    return render(
        request,
        "quality/code_table.html",
        {"table": table, "shown": shown, "versions": versions},
    )
