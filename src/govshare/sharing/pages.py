"""Pages: consumer systems, the request form, my requests with their clocks, the review queue
with deadlines, a request with the reviewer's decision form (and the consumer's objection, and
市电政办's arbitration), the arbitration queue, grants with renewal, renewals, usage dashboards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govshare.accounts import service as accounts
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourceFilter
from govshare.core.errors import DomainError
from govshare.core.i18n import N_, _
from govshare.core.masking import STRENGTH, Mask
from govshare.core.validation import parse
from govshare.core.web import NavEntry, SessionDep, UserDep, flash, form_data, recover, redirect
from govshare.core.web import render as render_page
from govshare.sharing import permissions, service
from govshare.sharing.schemas import (
    MASK_LABELS,
    RENEWAL_LABELS,
    STATUS_LABELS,
    Arbitration,
    Decision,
    Objection,
    Reason,
    RenewalCreate,
    RenewalDecision,
    RequestCreate,
    SystemCreate,
)

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(
        N_("共享申请"), "/sharing/requests", "send", permissions.can_list_requests, N_("数据共享")
    ),
    NavEntry(
        N_("审核队列"),
        "/sharing/review",
        "inboxes",
        permissions.can_list_review_queue,
        N_("数据共享"),
    ),
    NavEntry(
        N_("异议仲裁"),
        "/sharing/arbitration",
        "bank",
        permissions.can_list_arbitration_queue,
        N_("数据共享"),
    ),
    NavEntry(N_("授权"), "/sharing/grants", "key", permissions.can_list_grants, N_("数据共享")),
    NavEntry(
        N_("授权续期"),
        "/sharing/renewals",
        "arrow-repeat",
        permissions.can_list_renewals,
        N_("数据共享"),
    ),
    NavEntry(
        N_("使用统计"), "/sharing/usage", "graph-up", permissions.can_get_usage, N_("数据共享")
    ),
    NavEntry(
        N_("消费系统"),
        "/sharing/systems",
        "hdd-network",
        permissions.can_list_systems,
        N_("数据共享"),
    ),
]


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [v for v in str(value or "").replace("，", ",").split(",") if v.strip()]


def _row_filter(form: dict[str, Any]) -> list[dict[str, Any]]:
    item = str(form.get("filter_item") or "").strip()
    values = [v.strip() for v in _lines(form.get("filter_values")) if v.strip()]
    return [{"item": item, "values": values}] if item else []


def _masks(form: dict[str, Any]) -> dict[str, Any]:
    """The mask chosen for each item ticked in the form (an unticked item's select is ignored)."""
    ticked = set(_lines(form.get("items")))
    return {
        name: v
        for k, v in form.items()
        if k.startswith("mask_") and v and (name := k.removeprefix("mask_")) in ticked
    }


# --- systems -------------------------------------------------------------------------------------


def _systems_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    tokens = accounts.list_my_tokens(session, actor) if actor.user_id else []
    return render_page(
        request,
        "sharing/systems.html",
        {
            "systems": service.list_systems(session, actor),
            "tokens": [t for t in tokens if t.revoked_at is None],
            "can_register": actor.department_id is not None
            and permissions.can_register_system(actor, actor.department_id),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@router.get("/sharing/systems", response_class=HTMLResponse)
def systems(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The department's consumer systems, a form to register one, token binding."""
    return _systems_page(request, session, actor)


@router.post("/sharing/systems", response_class=HTMLResponse)
async def system_register(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Register a consumer system."""
    form = await form_data(request)
    try:
        system = service.register_system(session, actor, parse(SystemCreate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _systems_page(
            request, session, actor, recover(request, session, exc), form, exc.status
        )
    flash(request, _("已登记系统「{name}」。").format(name=system.name))
    return redirect("/sharing/systems", request)


@router.post("/sharing/systems/{system_id}/tokens", response_class=HTMLResponse)
async def system_bind(
    request: Request, session: SessionDep, actor: UserDep, system_id: int
) -> Response:
    """Bind one of the user's API tokens to the system."""
    form = await form_data(request)
    try:
        token_id = int(str(form.get("token_id") or "0"))
        service.bind_system_token(session, actor, system_id, token_id)
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError):
            if exc.status in (403,):
                raise
            recover(request, session, exc)
            flash(request, exc.detail, "danger")
        else:
            flash(request, _("请选择令牌。"), "danger")
        return redirect("/sharing/systems", request)
    flash(request, _("令牌已绑定。"))
    return redirect("/sharing/systems", request)


# --- requests ------------------------------------------------------------------------------------


@router.get("/sharing/requests", response_class=HTMLResponse)
def requests_list(
    request: Request, session: SessionDep, actor: UserDep, status: str = ""
) -> Response:
    """The department's requests with their clocks."""
    return render_page(
        request,
        "sharing/requests.html",
        {
            "requests": service.list_requests(session, actor, status=status or None),
            "status": status,
            "statuses": STATUS_LABELS,
            "can_apply": actor.department_id is not None
            and permissions.can_submit_request(actor, actor.department_id),
        },
    )


def _form_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    resource_id: int | None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    published, _more = catalog.list_resources(
        session, actor, filters=ResourceFilter(status="published"), limit=500
    )
    resource = catalog.get_resource(session, actor, resource_id) if resource_id else None
    return render_page(
        request,
        "sharing/request_form.html",
        {
            "resources": published,
            "resource": resource,
            "systems": service.list_systems(session, actor),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@router.get("/sharing/requests/new", response_class=HTMLResponse)
def request_new(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int | None = None
) -> Response:
    """The request form: choose a resource, then its data items, purpose and row scope."""
    return _form_page(request, session, actor, resource_id)


@router.post("/sharing/requests", response_class=HTMLResponse)
async def request_submit(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Submit a request."""
    form = await form_data(request)
    data = dict(form)
    data["items"] = _lines(form.get("items"))
    data["row_filter"] = _row_filter(form)
    try:
        created = service.submit_request(session, actor, parse(RequestCreate, data))
    except DomainError as exc:
        if exc.status in (403,):
            raise
        errors = recover(request, session, exc)
        rid = str(form.get("resource_id") or "")
        return _form_page(
            request, session, actor, int(rid) if rid.isdigit() else None, errors, form, exc.status
        )
    flash(request, _("申请已提交：{label}。").format(label=created.status_label))
    return redirect(f"/sharing/requests/{created.id}", request)


def _request_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    request_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    req = service.get_request(session, actor, request_id)
    resource = catalog.get_resource(session, actor, req.resource_id)
    decide = req.status == "pending" and permissions.can_approve_request(
        actor, req.provider_department_id
    )
    options = {
        item: [
            (m.value, _(MASK_LABELS[m.value]))
            for m in Mask
            if STRENGTH[m] >= STRENGTH[Mask(req.default_masks.get(item, "none"))]
        ]
        for item in req.items
    }
    return render_page(
        request,
        "sharing/request.html",
        {
            "req": req,
            "resource": resource,
            "decide": decide,
            "can_object": req.status == "refused"
            and req.objection_until is not None
            and permissions.can_object_to_refusal(actor, req.department_id),
            "arbitrate": req.status == "objected" and permissions.can_arbitrate_objection(actor),
            "mask_options": options,
            "mask_labels": MASK_LABELS,
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/sharing/requests/{request_id}", response_class=HTMLResponse)
def request_detail(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """A request with its clock; the provider's reviewer decides here."""
    return _request_page(request, session, actor, request_id)


@router.post("/sharing/requests/{request_id}/approve", response_class=HTMLResponse)
async def request_approve(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """Approve, narrowed as chosen in the form."""
    form = await form_data(request)
    masks = _masks(form)
    data = {
        "items": _lines(form.get("items")),
        "row_filter": _row_filter(form),
        "masks": masks,
        "note": form.get("note", ""),
    }
    try:
        service.approve_request(session, actor, request_id, parse(Decision, data))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _request_page(request, session, actor, request_id, errors, exc.status)
    flash(request, _("已批准，授权已生效。"))
    return redirect(f"/sharing/requests/{request_id}", request)


async def _decide(
    request: Request, session: SessionDep, actor: UserDep, request_id: int, refuse: bool
) -> Response:
    form = await form_data(request)
    fn = service.refuse_request if refuse else service.return_request
    try:
        fn(session, actor, request_id, parse(Reason, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _request_page(request, session, actor, request_id, errors, exc.status)
    flash(request, _("已不予共享。") if refuse else _("已退回补充。"))
    return redirect(f"/sharing/requests/{request_id}", request)


@router.post("/sharing/requests/{request_id}/refuse", response_class=HTMLResponse)
async def request_refuse(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """Refuse with a reason."""
    return await _decide(request, session, actor, request_id, True)


@router.post("/sharing/requests/{request_id}/return", response_class=HTMLResponse)
async def request_return(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """Return for more information."""
    return await _decide(request, session, actor, request_id, False)


@router.post("/sharing/requests/{request_id}/object", response_class=HTMLResponse)
async def request_object(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """Object to a refusal with reasons."""
    form = await form_data(request)
    try:
        service.object_to_refusal(session, actor, request_id, parse(Objection, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _request_page(request, session, actor, request_id, errors, exc.status)
    flash(request, _("异议已提交，等待市电政办仲裁。"))
    return redirect(f"/sharing/requests/{request_id}", request)


@router.post("/sharing/requests/{request_id}/arbitrate", response_class=HTMLResponse)
async def request_arbitrate(
    request: Request, session: SessionDep, actor: UserDep, request_id: int
) -> Response:
    """市电政办's ruling: uphold the refusal, or order a grant narrowed as chosen."""
    form = await form_data(request)
    masks = _masks(form)
    data = {
        "outcome": form.get("outcome", ""),
        "note": form.get("note", ""),
        "items": _lines(form.get("items")) or None,
        "row_filter": _row_filter(form),
        "masks": masks,
    }
    try:
        service.arbitrate_objection(session, actor, request_id, parse(Arbitration, data))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _request_page(request, session, actor, request_id, errors, exc.status)
    flash(request, _("仲裁结果已送达双方。"))
    return redirect(f"/sharing/requests/{request_id}", request)


@router.get("/sharing/arbitration", response_class=HTMLResponse)
def arbitration_queue(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Objections waiting for 市电政办, the nearest deadline first."""
    return render_page(
        request,
        "sharing/arbitration.html",
        {"requests": service.list_arbitration_queue(session, actor)},
    )


@router.get("/sharing/review", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Pending requests on the department's resources, most urgent first."""
    return render_page(
        request, "sharing/review.html", {"requests": service.list_review_queue(session, actor)}
    )


# --- grants --------------------------------------------------------------------------------------


@router.get("/sharing/grants", response_class=HTMLResponse)
def grants(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Grants held or given by the department."""
    rows = service.list_grants(session, actor)
    revocable = {
        g.id
        for g in rows
        if g.active
        and permissions.can_revoke_grant(actor, g.department_id, g.provider_department_id)
    }
    renewable = {
        g.id
        for g in rows
        if g.expiring
        and g.renewal_status != "pending"
        and permissions.can_apply_renewal(actor, g.department_id)
    }
    return render_page(
        request,
        "sharing/grants.html",
        {
            "grants": rows,
            "mask_labels": MASK_LABELS,
            "can_revoke": revocable,
            "can_renew": renewable,
            "renewal_labels": RENEWAL_LABELS,
        },
    )


@router.post("/sharing/grants/{grant_id}/revoke", response_class=HTMLResponse)
async def grant_revoke(
    request: Request, session: SessionDep, actor: UserDep, grant_id: int
) -> Response:
    """Revoke a grant at once."""
    form = await form_data(request)
    try:
        service.revoke_grant(session, actor, grant_id, parse(Reason, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        recover(request, session, exc)
        flash(request, exc.detail, "danger")
        return redirect("/sharing/grants", request)
    flash(request, _("授权已吊销，下一次调用即被拒绝。"))
    return redirect("/sharing/grants", request)


@router.post("/sharing/grants/{grant_id}/renewals", response_class=HTMLResponse)
async def grant_renew(
    request: Request, session: SessionDep, actor: UserDep, grant_id: int
) -> Response:
    """Apply to renew an expiring grant, stating the purpose again."""
    form = await form_data(request)
    try:
        service.apply_renewal(session, actor, grant_id, parse(RenewalCreate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        flash(request, "；".join(errors.values()) or exc.detail, "danger")
        return redirect("/sharing/grants", request)
    flash(request, _("续期申请已提交，等待提供部门审核。"))
    return redirect("/sharing/grants", request)


@router.get("/sharing/renewals", response_class=HTMLResponse)
def renewals(request: Request, session: SessionDep, actor: UserDep, status: str = "") -> Response:
    """Renewals of grants held or given by the department; the provider decides here."""
    rows = service.list_renewals(session, actor, status=status or None)
    decidable = {
        r.id
        for r in rows
        if r.status == "pending"
        and permissions.can_approve_renewal(actor, r.provider_department_id)
    }
    return render_page(
        request,
        "sharing/renewals.html",
        {"renewals": rows, "decidable": decidable, "status": status, "statuses": RENEWAL_LABELS},
    )


@router.post("/sharing/renewals/{renewal_id}/{verb}", response_class=HTMLResponse)
async def renewal_decide(
    request: Request, session: SessionDep, actor: UserDep, renewal_id: int, verb: str
) -> Response:
    """Approve a renewal, or let the grant lapse with a reason."""
    form = await form_data(request)
    try:
        if verb == "approve":
            data = {"days": form.get("days") or None, "note": form.get("note", "")}
            service.approve_renewal(session, actor, renewal_id, parse(RenewalDecision, data))
        elif verb == "refuse":
            service.refuse_renewal(session, actor, renewal_id, parse(Reason, form))
        else:
            return Response(status_code=404)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        flash(request, "；".join(errors.values()) or exc.detail, "danger")
        return redirect("/sharing/renewals", request)
    flash(request, _("已续期。") if verb == "approve" else _("已不予续期，授权到期后失效。"))
    return redirect("/sharing/renewals", request)


# --- usage ---------------------------------------------------------------------------------------


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/sharing/usage", response_class=HTMLResponse)
def usage(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    side: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Usage dashboard with charts: per day, per system, per grant; filtered by date range."""
    side = side or ("provider" if permissions.can_list_review_queue(actor) else "consumer")
    errors: dict[str, str] = {}
    bad = [n for n, v in (("since", since), ("until", until)) if v and _date(v) is None]
    for name in bad:
        errors[name] = _("日期格式应为 YYYY-MM-DD。")
    try:
        report = service.get_usage(
            session, actor, side=side, since=_date(since), until=_date(until)
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors |= recover(request, session, exc)
        side = side if side in ("provider", "consumer") else "consumer"
        report = service.get_usage(session, actor, side=side)
    return render_page(
        request,
        "sharing/usage.html",
        {"report": report, "errors": errors, "side": side, "since": since, "until": until},
        status=422 if errors else 200,
    )
