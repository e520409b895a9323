"""Pages of the catalog (Chinese): browse with facets, resource detail (items, versions,
diff), the filing form with live validation (HTMX), the review queue, import and statistics."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from govshare.catalog import permissions, service
from govshare.catalog.schemas import (
    CATEGORY_CLASS_LABELS,
    FORMAT_CLASS_LABELS,
    GRADING_LABELS,
    OPEN_TYPE_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    STATUS_LABELS,
    TYPE_CODE_LABELS,
    ResourceCreate,
    ResourceFilter,
    RetireRequest,
    ReturnDecision,
    ReviewDecision,
)
from govshare.core.config import get_settings
from govshare.core.errors import DomainError, FieldError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.validation import parse
from govshare.core.web import (
    NavEntry,
    SessionDep,
    UserDep,
    download,
    flash,
    form_data,
    optional_int,
    recover,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(N_("资源目录"), "/catalog", "journal-text", lambda a: a.is_authenticated, N_("目录")),
    NavEntry(
        N_("目录审核"),
        "/catalog-review",
        "clipboard-check",
        permissions.can_list_review_queue,
        N_("目录"),
    ),
    NavEntry(
        N_("目录导入"),
        "/catalog-import",
        "upload",
        lambda a: a.has_role("steward", "dept_admin", "platform_admin"),
        N_("目录"),
    ),
    NavEntry(
        N_("目录统计"), "/catalog-statistics", "bar-chart", lambda a: a.is_authenticated, N_("目录")
    ),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_KEYS = (
    "q",
    "status",
    "provider_department_id",
    "category_class",
    "share_type",
    "open_type",
    "format_class",
    "update_cycle",
    "grading_level",
)
FACET_PARAM = {"provider": "provider_department_id"}
FACET_TITLES = {
    "provider": N_("提供方"),
    "category_class": N_("目录类别"),
    "share_type": N_("共享类型"),
    "open_type": N_("开放属性"),
    "format_class": N_("格式"),
    "update_cycle": N_("更新周期"),
    "grading_level": N_("数据分级"),
    "status": N_("状态"),
}


def labels() -> dict[str, Any]:
    """Value → Chinese label tables for templates."""
    return {
        "status": STATUS_LABELS,
        "category_class": CATEGORY_CLASS_LABELS,
        "share_type": SHARE_TYPE_LABELS,
        "open_type": OPEN_TYPE_LABELS,
        "format_class": FORMAT_CLASS_LABELS,
        "share_method": SHARE_METHOD_LABELS,
        "type_code": TYPE_CODE_LABELS,
        "grading": GRADING_LABELS,
        "facets": FACET_TITLES,
    }


def _query(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k in FILTER_KEYS and v}


def _filters(params: dict[str, str]) -> ResourceFilter:
    data: dict[str, Any] = _query(params)
    for key in ("provider_department_id", "grading_level"):
        if key in data:
            data[key] = optional_int(data[key], key)
    return parse(ResourceFilter, data)


# --- browse and search ------------------------------------------------------------------------


def facet_links(facets: dict[str, Any], query: dict[str, str]) -> list[dict[str, Any]]:
    """Each facet's values as links that add (or, when chosen, remove) that filter."""
    out = []
    for name, values in facets.items():
        param = FACET_PARAM.get(name, name)
        links = []
        for v in values[:12]:
            active = query.get(param) == v.value
            q = {k: x for k, x in query.items() if k != param}
            if not active:
                q[param] = v.value
            links.append(
                {
                    "label": v.label,
                    "count": v.count,
                    "href": "/catalog?" + urlencode(q),
                    "active": active,
                }
            )
        if links:
            out.append({"title": _(FACET_TITLES[name]), "links": links})
    return out


@router.get("/catalog", response_class=HTMLResponse)
def resource_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Browse and search the catalog: a Chinese phrase, facets, newest or best first."""
    params = dict(request.query_params)
    result = service.search_resources(
        session, actor, _filters(params), cursor=params.get("cursor"), limit=20
    )
    query = _query(params)
    return render(
        request,
        "catalog/list.html",
        {
            "result": result,
            "query": query,
            "qs": urlencode(query),
            "facets": facet_links(result.facets, query),
            "labels": labels(),
            "can_file": permissions.can_create_resource(actor, actor.department_id),
        },
        fragment="catalog/_results.html"
        if params.get("cursor") or request.headers.get("hx-target") == "results"
        else None,
    )


@router.get("/catalog/export.xlsx")
def resource_export(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The current view (search and filters) as .xlsx."""
    content = service.export_resources(session, actor, _filters(dict(request.query_params)))
    return download(content, "政务信息资源目录.xlsx", XLSX)


@router.get("/catalog/template.xlsx")
def resource_template(session: SessionDep, actor: UserDep) -> Response:
    """The filing template."""
    return download(service.get_template(session, actor), "政务信息资源目录填报模板.xlsx", XLSX)


# --- the filing form ---------------------------------------------------------------------------

_ITEM = re.compile(r"^items-(\d+)-(\w+)$")
_BOOLS = ("is_key", "required", "personal")


def form_payload(form: dict[str, Any]) -> dict[str, Any]:
    """The filed resource from the form's fields (items as items-<n>-<field>)."""
    data: dict[str, Any] = {
        k: v for k, v in form.items() if not k.startswith("items-") and k != "secret"
    }
    data["secret"] = form.get("secret") == "on"
    for key in ("related_codes", "keywords"):
        data[key] = [v for v in re.split(r"[;；,，、\s]+", str(form.get(key, ""))) if v]
    for key in ("record_count", "code", "publish_date"):
        data[key] = form.get(key) or None
    rows: dict[int, dict[str, Any]] = {}
    for key, value in form.items():
        m = _ITEM.match(key)
        if m:
            rows.setdefault(int(m[1]), {})[m[2]] = value
    items = []
    for _n, row in sorted(rows.items()):
        if not str(row.get("name", "")).strip():
            continue
        item = {k: v for k, v in row.items() if k not in _BOOLS}
        item.update({k: row.get(k) == "on" for k in _BOOLS})
        item["length"] = row.get("length") or None
        item["authoritative_provider_id"] = row.get("authoritative_provider_id") or None
        items.append(item)
    data["data_items"] = items
    return data


def _form_context(
    session: SessionDep, actor: Any, values: dict[str, Any], errors: dict[str, str], resource: Any
) -> dict[str, Any]:
    settings = get_settings()
    categories = [c for c in service.list_categories(session, actor) if c.level >= 3]
    items = values.get("data_items") or [{}]
    return {
        "values": values,
        "items": items,
        "errors": errors,
        "resource": resource,
        "categories": categories,
        "departments": _departments(session, actor),
        "update_cycles": settings.catalog_update_cycles,
        "format_types": settings.catalog_format_types,
        "labels": labels(),
    }


def _departments(session: SessionDep, actor: Any) -> list[tuple[int, str]]:
    return service.list_units(session, actor)


def _defaults(session: SessionDep, actor: Any) -> dict[str, Any]:
    own = next(
        (
            c.full_code
            for c in service.list_categories(session, actor)
            if c.department_id == actor.department_id
        ),
        "",
    )
    return {
        "provider_department_id": actor.department_id,
        "category_code": own,
        "format_class": "database",
        "share_type": "unconditional",
        "share_method": "interface",
        "open_type": "open",
        "update_cycle": "每月",
        "grading_level": 1,
        "data_items": [{}],
    }


@router.get("/catalog/resources/new", response_class=HTMLResponse)
def resource_new(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The filing form for a new resource."""
    values = _defaults(session, actor)
    return render(request, "catalog/form.html", _form_context(session, actor, values, {}, None))


@router.post("/catalog/resources/check", response_class=HTMLResponse)
async def resource_check(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Live validation: the form's problems as a fragment, nothing saved."""
    form = await form_data(request)
    rid = optional_int(str(form.pop("resource_id", "") or ""), "resource_id")
    errors = service.check_resource(session, actor, form_payload(form), rid)
    return render(request, "catalog/_check.html", {"problems": errors})


def _save(session: SessionDep, actor: Any, form: dict[str, Any], resource_id: int | None) -> Any:
    data = parse(ResourceCreate, form_payload(form))
    if resource_id is None:
        return service.create_resource(session, actor, data)
    return service.update_resource(
        session, actor, resource_id, data, change_note=str(form.get("change_note", ""))
    )


@router.post("/catalog/resources", response_class=HTMLResponse)
@router.post("/catalog/resources/{resource_id}/edit", response_class=HTMLResponse)
async def resource_save(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int | None = None
) -> Response:
    """Create a filing or save changes to one (a revision when it is published)."""
    form = await form_data(request)
    try:
        saved = _save(session, actor, form, resource_id)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        resource = service.get_resource(session, actor, resource_id) if resource_id else None
        values = form_payload(form)
        ctx = _form_context(session, actor, values, errors, resource)
        return render(request, "catalog/form.html", ctx, status=exc.status)
    flash(request, _("已保存：{name}").format(name=saved.name))
    return redirect(f"/catalog/resources/{saved.id}", request)


@router.get("/catalog/resources/{resource_id}/edit", response_class=HTMLResponse)
def resource_edit(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int
) -> Response:
    """The filing form filled with the working version (a pending revision if there is one)."""
    resource = service.get_resource(session, actor, resource_id)
    values = resource.model_dump()
    values["category_code"] = resource.category_code
    if resource.pending_version:
        versions = service.list_versions(session, actor, resource_id)
        pending = next(v for v in versions if v.version == resource.pending_version)
        values.update(pending.payload)
    values["data_items"] = values.get("data_items") or [{}]
    ctx = _form_context(session, actor, values, {}, resource)
    return render(request, "catalog/form.html", ctx)


# --- one resource ------------------------------------------------------------------------------


@router.get("/catalog/resources/{resource_id}", response_class=HTMLResponse)
def resource_detail(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int
) -> Response:
    """A resource: its metadata, data items, versions, review comments and actions."""
    resource = service.get_resource(session, actor, resource_id)
    versions = service.list_versions(session, actor, resource_id)
    return render(
        request,
        "catalog/detail.html",
        {
            "r": resource,
            "versions": versions,
            "reviews": service.list_reviews(session, actor, resource_id),
            "labels": labels(),
            "units": dict(_departments(session, actor)),
            "can_edit": permissions.can_update_resource(actor, resource),
            "can_submit": permissions.can_submit_resource(actor, resource)
            and any(v.status in ("draft", "returned") for v in versions),
            "can_review": permissions.can_publish_resource(actor, resource)
            and any(v.status == "submitted" for v in versions),
            "can_retire": permissions.can_retire_resource(actor, resource),
            "can_delete": permissions.can_delete_resource(actor, resource)
            and resource.published_at is None,
        },
    )


@router.get("/catalog/resources/{resource_id}/diff", response_class=HTMLResponse)
def resource_diff(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int, a: int, b: int
) -> Response:
    """What changed between two versions, field by field."""
    diff = service.diff_versions(session, actor, resource_id, a, b)
    return render(
        request,
        "catalog/diff.html",
        {"diff": diff, "resource_id": resource_id},
        fragment="catalog/_diff.html",
    )


async def _decide(
    request: Request, session: SessionDep, actor: Any, resource_id: int, verb: str
) -> Response:
    form = await form_data(request)
    comment = str(form.get("comment", ""))
    messages = {
        "submit": N_("已提交审核。"),
        "publish": N_("已发布。"),
        "return": N_("已退回，并通知编报部门。"),
        "retire": N_("已停用。"),
        "delete": N_("已删除。"),
    }
    if verb == "submit":
        service.submit_resource(session, actor, resource_id)
    elif verb == "publish":
        service.publish_resource(session, actor, resource_id, ReviewDecision(comment=comment))
    elif verb == "return":
        service.return_resource(
            session, actor, resource_id, parse(ReturnDecision, {"comment": comment})
        )
    elif verb == "retire":
        service.retire_resource(
            session, actor, resource_id, parse(RetireRequest, {"reason": comment})
        )
    else:
        service.delete_resource(session, actor, resource_id)
        flash(request, _(messages[verb]))
        return redirect("/catalog", request)
    flash(request, _(messages[verb]))
    back = str(form.get("next", "")) or f"/catalog/resources/{resource_id}"
    return redirect(back if back.startswith("/catalog") else "/catalog", request)


@router.post("/catalog/resources/{resource_id}/{verb}", response_class=HTMLResponse)
async def resource_action(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int, verb: str
) -> Response:
    """Submit, publish, return (with comments), retire or delete."""
    if verb not in ("submit", "publish", "return", "retire", "delete"):
        raise Invalid(_("不支持的操作。"), errors=[FieldError("verb", _("不支持的操作。"))])
    return await _decide(request, session, actor, resource_id, verb)


# --- review queue, import, statistics ----------------------------------------------------------


@router.get("/catalog-review", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Submissions waiting for 市电政办, oldest first, with due dates."""
    queue = service.list_review_queue(session, actor)
    return render(request, "catalog/queue.html", {"queue": queue})


@router.get("/catalog-import", response_class=HTMLResponse)
def import_form(request: Request, actor: UserDep) -> Response:
    """Upload a department's catalog (.xlsx template or .csv)."""
    return render(request, "catalog/import.html", {"report": None, "problem": None})


@router.post("/catalog-import", response_class=HTMLResponse)
async def import_upload(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Check or import the uploaded file and show the per-cell report."""
    limit = get_settings().catalog_import_max_mb * 1024 * 1024 + 1
    async with request.form() as form:
        upload = form.get("file")
        content = await upload.read(limit) if isinstance(upload, UploadFile) else b""
        name = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        mode = "valid_rows" if form.get("mode") == "valid_rows" else "all_or_nothing"
        dry_run = form.get("dry_run") == "on"
    try:
        report = service.import_resources(
            session,
            actor,
            filename=name,
            content=content,
            department_id=actor.department_id or -1,
            mode=mode,  # type: ignore[arg-type]
            dry_run=dry_run,
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        recover(request, session, exc)
        ctx = {"report": exc.extra.get("report"), "problem": exc}
        return render(request, "catalog/import.html", ctx, status=exc.status)
    return render(request, "catalog/import.html", {"report": report.model_dump(), "problem": None})


@router.get("/catalog-statistics", response_class=HTMLResponse)
def statistics(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Filing progress per department and county, with charts."""
    stats = service.get_statistics(session, actor)
    return render(request, "catalog/statistics.html", {"stats": stats})
