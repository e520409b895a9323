"""Pages of the open-data portal: the public pages under /open (anonymous, Chinese, phone-readable,
cached by the portal's version), the DCAT feeds at the ckanext-dcat paths, the public users'
registration, sign-in and applications, public data requests, and the staff pages under
/open-admin (releases and masks, level changes, applications, data requests)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from email.utils import format_datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from govshare.core.context import current_locale
from govshare.core.errors import DomainError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.masking import Mask
from govshare.core.security import ANONYMOUS, Actor
from govshare.core.validation import parse
from govshare.core.web import (
    ActorDep,
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
from govshare.opendata import permissions, service
from govshare.opendata.schemas import (
    APPLICATION_STATUS_LABELS,
    CHANGE_STATUS_LABELS,
    LEVEL_LABELS,
    REQUEST_STATUS_LABELS,
    REQUESTER_KINDS,
    ApplicationCreate,
    DataRequestAnswer,
    DataRequestCreate,
    Decision,
    LevelChangeCreate,
    PublicUserCreate,
    ReleaseCreate,
)

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(N_("开放门户"), "/open", "globe2", lambda a: a.is_authenticated, N_("开放")),
    NavEntry(N_("开放管理"), "/open-admin", "unlock", permissions.can_list_releases, N_("开放")),
    NavEntry(
        N_("开放申请"),
        "/open-admin/applications",
        "envelope-check",
        permissions.can_list_applications,
        N_("开放"),
    ),
    NavEntry(
        N_("开放用量"),
        "/open-admin/usage",
        "bar-chart-line",
        permissions.can_get_portal_usage,
        N_("开放"),
    ),
    NavEntry(
        N_("数据需求办理"),
        "/open-admin/requests",
        "chat-square-text",
        lambda a: a.is_platform_admin or a.has_role("steward", "reviewer", "dept_admin"),
        N_("开放"),
    ),
]
MASK_LABELS = {
    Mask.NONE.value: N_("明文"),
    Mask.KEEP_ENDS.value: N_("保留首尾"),
    Mask.PHONE.value: N_("电话掩码"),
    Mask.NAME.value: N_("仅保留姓"),
    Mask.ADDRESS.value: N_("截至街道"),
    Mask.DATE_YEAR.value: N_("仅保留年份"),
    Mask.EMAIL.value: N_("邮箱掩码"),
    Mask.PSEUDONYM.value: N_("假名化"),
    Mask.SUPPRESS.value: N_("不提供"),
}
SORT_LABELS = {
    "relevance": N_("相关度"),
    "modified_desc": N_("最近更新"),
    "name_asc": N_("名称"),
    "newest": N_("最新开放"),
}
FACET_TITLES = {
    "domain": N_("领域"),
    "provider": N_("提供部门"),
    "county": N_("区县"),
    "open_type": N_("开放级别"),
    "format_class": N_("资源格式"),
}
FACET_PARAMS = {
    "domain": "domain",
    "provider": "provider_department_id",
    "county": "county",
    "open_type": "open_type",
    "format_class": "format_class",
}


# --- the visitor ----------------------------------------------------------------------------------


def rate_limited(request: Request) -> None:
    """Every public request counts against the visitor's address."""
    client = request.client.host if request.client else "unknown"
    service.check_visitor_rate(ANONYMOUS, client)


RateDep = Annotated[None, Depends(rate_limited)]


def visitor_of(request: Request, session: SessionDep) -> Any:
    """The signed-in public user (the portal's signed cookie), or None."""
    data = request.session.get("open_user") if "session" in request.scope else None
    if not isinstance(data, list) or len(data) != 2:
        return None
    return service.resolve_public_user(session, ANONYMOUS, data[0], data[1])


VisitorDep = Annotated[Any, Depends(visitor_of)]


def _ctx(visitor: Any, **extra: Any) -> dict[str, Any]:
    return {
        "visitor": visitor,
        "LEVEL_LABELS": LEVEL_LABELS,
        "MASK_LABELS": MASK_LABELS,
        **extra,
    }


def _cached(request: Request, session: Any, visitor: Any, build: Any) -> Response:
    """Answer 304 when the client holds the current version; else render with ETag and
    Last-Modified (a reverse proxy may serve repeat hits)."""
    tag, changed = service.get_portal_stamp(session, ANONYMOUS)
    who = visitor.id if visitor is not None else 0
    raw = f"{tag}|{request.url.path}?{request.url.query}|{current_locale()}|{who}"
    etag = 'W/"' + hashlib.sha1(raw.encode()).hexdigest()[:20] + '"'  # noqa: S324 - a cache key
    headers = {"ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate"}
    if visitor is not None:
        headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    if changed is not None:
        headers["Last-Modified"] = format_datetime(changed, usegmt=True)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    response: Response = build()
    response.headers.update(headers)
    return response


# --- public pages ---------------------------------------------------------------------------------


@router.get("/open", response_class=HTMLResponse)
def portal_home(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    def build() -> Response:
        home = service.get_portal_home(session, ANONYMOUS)
        chart = {
            "tooltip": {},
            "grid": {"left": 100, "right": 16, "top": 8, "bottom": 24},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": [d.label for d in home.domains[:10]][::-1]},
            "series": [{"type": "bar", "data": [d.count for d in home.domains[:10]][::-1]}],
        }
        return render(request, "opendata/home.html", _ctx(visitor, home=home, chart=chart))

    return _cached(request, session, visitor, build)


def _search_args(request: Request) -> tuple[str, dict[str, Any], str, int]:
    qp = request.query_params
    page = optional_int(qp.get("page"), "page") or 1
    filters = {k: qp.get(k) for k in FACET_PARAMS.values() if qp.get(k)}
    return qp.get("q", ""), filters, qp.get("sort", ""), page


def _url(base: str, params: dict[str, Any], **change: Any) -> str:
    merged = {k: v for k, v in {**params, **change}.items() if v not in (None, "")}
    return base + ("?" + urlencode(merged) if merged else "")


@router.get("/open/search", response_class=HTMLResponse)
def portal_search(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    q, filters, sort, page = _search_args(request)

    def build() -> Response:
        result = service.search_portal(
            session, ANONYMOUS, q=q, filters=filters, sort=sort, page=page
        )
        params = {"q": q, "sort": sort, **filters}
        return render(
            request,
            "opendata/search.html",
            _ctx(
                visitor,
                result=result,
                q=q,
                sort=sort,
                filters=filters,
                params=params,
                url=_url,
                SORT_LABELS=SORT_LABELS,
                FACET_TITLES=FACET_TITLES,
                FACET_PARAMS=FACET_PARAMS,
            ),
            fragment="opendata/_results.html",
        )

    return _cached(request, session, visitor, build)


@router.get("/open/datasets/{resource_id}", response_class=HTMLResponse)
def dataset_page(
    request: Request, resource_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> HTMLResponse:
    page = service.get_portal_dataset(
        session, ANONYMOUS, resource_id, visitor_id=visitor.id if visitor else None
    )
    return render(request, "opendata/dataset.html", _ctx(visitor, page=page))


@router.get("/open/datasets/{resource_id}/download.{fmt}")
def dataset_download(
    resource_id: int, fmt: str, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> StreamingResponse:
    name, media, body = service.download_dataset(
        session, ANONYMOUS, resource_id, fmt, visitor_id=visitor.id if visitor else None
    )
    from urllib.parse import quote

    return StreamingResponse(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="download.{fmt}"; '
            f"filename*=UTF-8''{quote(name, safe='')}"
        },
    )


@router.get("/open/datasets/{resource_id}/datapackage.json")
def dataset_datapackage(resource_id: int, session: SessionDep, _r: RateDep) -> dict[str, Any]:
    return service.get_datapackage(session, ANONYMOUS, resource_id)


@router.get("/open/datasets/{resource_id}/api", response_class=HTMLResponse)
def dataset_api(
    request: Request, resource_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> HTMLResponse:
    page = service.get_portal_dataset(
        session, ANONYMOUS, resource_id, visitor_id=visitor.id if visitor else None
    )
    from govshare.opendata import ckan

    return render(
        request,
        "opendata/api.html",
        _ctx(visitor, page=page, rid=ckan.resource_uuid(resource_id, "csv")),
    )


@router.get("/open/departments", response_class=HTMLResponse)
def departments(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    def build() -> Response:
        units = service.list_portal_departments(session, ANONYMOUS)
        return render(request, "opendata/departments.html", _ctx(visitor, units=units))

    return _cached(request, session, visitor, build)


@router.get("/open/departments/{department_id}", response_class=HTMLResponse)
def department_page(
    request: Request, department_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    page = optional_int(request.query_params.get("page"), "page") or 1

    def build() -> Response:
        dept, result = service.get_portal_department(session, ANONYMOUS, department_id, page=page)
        return render(
            request,
            "opendata/department.html",
            _ctx(visitor, dept=dept, result=result, url=_url, params={}),
        )

    return _cached(request, session, visitor, build)


@router.get("/open/rankings", response_class=HTMLResponse)
def rankings(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> HTMLResponse:
    ranks = service.get_rankings(session, ANONYMOUS)
    return render(request, "opendata/rankings.html", _ctx(visitor, ranks=ranks))


@router.get("/open/apis", response_class=HTMLResponse)
def api_index(request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep) -> Response:
    def build() -> Response:
        result = service.search_portal(session, ANONYMOUS, filters={"open_type": "open"}, size=50)
        return render(request, "opendata/apis.html", _ctx(visitor, result=result))

    return _cached(request, session, visitor, build)


# --- DCAT feeds (ckanext-dcat's paths) ---------------------------------------------------------


def _feed(request: Request, session: Any, fmt: str) -> Response:
    def build() -> Response:
        body, media = service.get_portal_dcat(session, ANONYMOUS, fmt)
        return Response(body, media_type=media)

    return _cached(request, session, None, build)


@router.get("/catalog.jsonld")
def dcat_jsonld(request: Request, session: SessionDep, _r: RateDep) -> Response:
    return _feed(request, session, "jsonld")


@router.get("/catalog.ttl")
def dcat_turtle(request: Request, session: SessionDep, _r: RateDep) -> Response:
    return _feed(request, session, "ttl")


@router.get("/catalog.rdf")
def dcat_rdfxml(request: Request, session: SessionDep, _r: RateDep) -> Response:
    return _feed(request, session, "rdf")


# --- public users ------------------------------------------------------------------------------


@router.get("/open/register", response_class=HTMLResponse)
def register_form(request: Request, visitor: VisitorDep, _r: RateDep) -> HTMLResponse:
    return render(request, "opendata/register.html", _ctx(visitor, values={}, errors={}))


@router.post("/open/register", response_class=HTMLResponse)
async def register_submit(
    request: Request, session: SessionDep, visitor: VisitorDep, actor: ActorDep, _r: RateDep
) -> Response:
    form = await form_data(request)
    try:
        data = parse(PublicUserCreate, form)
        service.register_public_user(session, actor, data)
    except DomainError as exc:
        errors = recover(request, session, exc)
        form.pop("password", None)
        return render(
            request,
            "opendata/register.html",
            _ctx(visitor, values=form, errors=errors),
            status=exc.status,
        )
    return render(request, "opendata/registered.html", _ctx(visitor, email=form.get("email")))


@router.get("/open/verify", response_class=HTMLResponse)
def verify_email(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    try:
        service.verify_public_email(session, ANONYMOUS, request.query_params.get("token", ""))
    except Invalid as exc:
        recover(request, session, exc)
        return render(
            request,
            "opendata/verified.html",
            _ctx(visitor, ok=False, detail=exc.detail),
            status=422,
        )
    return render(request, "opendata/verified.html", _ctx(visitor, ok=True))


@router.get("/open/login", response_class=HTMLResponse)
def login_form(request: Request, visitor: VisitorDep, _r: RateDep) -> HTMLResponse:
    nxt = request.query_params.get("next", "/open/me")
    return render(request, "opendata/login.html", _ctx(visitor, errors={}, values={}, next=nxt))


def _local(url: Any) -> str:
    text = str(url or "")
    return text if text.startswith("/open") and "//" not in text else "/open/me"


@router.post("/open/login", response_class=HTMLResponse)
async def login_submit(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    form = await form_data(request)
    try:
        user, nonce = service.log_in_public_user(
            session,
            ANONYMOUS,
            email=str(form.get("email", "")),
            password=str(form.get("password", "")),
        )
    except DomainError as exc:
        errors = recover(request, session, exc)
        return render(
            request,
            "opendata/login.html",
            _ctx(
                visitor,
                errors=errors,
                values={"email": form.get("email", "")},
                next=form.get("next"),
            ),
            status=401,
        )
    request.session["open_user"] = [user.id, nonce]
    return redirect(_local(form.get("next")), request)


@router.post("/open/logout")
def logout(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    if visitor is not None:
        service.log_out_public_user(session, ANONYMOUS, visitor.id)
    request.session.pop("open_user", None)
    return redirect("/open", request)


@router.get("/open/me", response_class=HTMLResponse)
def me(request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep) -> Response:
    if visitor is None:
        return redirect("/open/login?next=/open/me")
    apps = service.list_my_applications(session, ANONYMOUS, visitor)
    return render(
        request,
        "opendata/me.html",
        _ctx(visitor, apps=apps, new_key=None, STATUS=APPLICATION_STATUS_LABELS),
    )


@router.post("/open/me/key", response_class=HTMLResponse)
def new_key(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    key = service.create_public_api_key(session, ANONYMOUS, visitor)
    apps = service.list_my_applications(session, ANONYMOUS, visitor)
    return render(
        request,
        "opendata/me.html",
        _ctx(visitor, apps=apps, new_key=key, STATUS=APPLICATION_STATUS_LABELS),
    )


@router.get("/open/datasets/{resource_id}/apply", response_class=HTMLResponse)
def apply_form(
    request: Request, resource_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    if visitor is None:
        return redirect(f"/open/login?next=/open/datasets/{resource_id}/apply")
    page = service.get_portal_dataset(session, ANONYMOUS, resource_id, visitor_id=visitor.id)
    return render(request, "opendata/apply.html", _ctx(visitor, page=page, values={}, errors={}))


@router.post("/open/datasets/{resource_id}/apply", response_class=HTMLResponse)
async def apply_submit(
    request: Request, resource_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> Response:
    form = await form_data(request)
    form["agree"] = form.get("agree") == "on"
    try:
        data = parse(ApplicationCreate, form)
        service.apply_for_resource(session, ANONYMOUS, visitor, resource_id, data)
    except DomainError as exc:
        errors = recover(request, session, exc)
        page = service.get_portal_dataset(
            session, ANONYMOUS, resource_id, visitor_id=visitor.id if visitor else None
        )
        return render(
            request,
            "opendata/apply.html",
            _ctx(visitor, page=page, values=form, errors=errors),
            status=exc.status,
        )
    flash(request, _("申请已提交，提供部门将按时答复，结果会发到您的邮箱。"))
    return redirect(f"/open/datasets/{resource_id}", request)


# --- public data requests ------------------------------------------------------------------------


@router.get("/open/requests", response_class=HTMLResponse)
def requests_list(
    request: Request, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> HTMLResponse:
    page = optional_int(request.query_params.get("page"), "page") or 1
    rows, total = service.list_data_requests(session, ANONYMOUS, page=page)
    return render(
        request,
        "opendata/requests.html",
        _ctx(visitor, rows=rows, total=total, page=page, STATUS=REQUEST_STATUS_LABELS),
    )


def _kinds() -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in REQUESTER_KINDS.items()]


@router.get("/open/requests/new", response_class=HTMLResponse)
def request_form(request: Request, visitor: VisitorDep, _r: RateDep) -> HTMLResponse:
    values = {"requester_name": visitor.name} if visitor else {}
    return render(
        request,
        "opendata/request_form.html",
        _ctx(visitor, values=values, errors={}, kind_options=_kinds()),
    )


@router.post("/open/requests/new", response_class=HTMLResponse)
async def request_submit(
    request: Request, session: SessionDep, visitor: VisitorDep, actor: ActorDep, _r: RateDep
) -> Response:
    form = await form_data(request)
    try:
        data = parse(DataRequestCreate, form)
        created = service.submit_data_request(session, actor, data, visitor=visitor)
    except DomainError as exc:
        errors = recover(request, session, exc)
        return render(
            request,
            "opendata/request_form.html",
            _ctx(visitor, values=form, errors=errors, kind_options=_kinds()),
            status=exc.status,
        )
    flash(request, _("需求已提交，答复会在本页公开。"))
    return redirect(f"/open/requests/{created.id}", request)


@router.get("/open/requests/{request_id}", response_class=HTMLResponse)
def request_detail(
    request: Request, request_id: int, session: SessionDep, visitor: VisitorDep, _r: RateDep
) -> HTMLResponse:
    req = service.get_data_request(session, ANONYMOUS, request_id)
    return render(
        request,
        "opendata/request.html",
        _ctx(visitor, req=req, STATUS=REQUEST_STATUS_LABELS, KINDS=REQUESTER_KINDS),
    )


# --- staff pages ----------------------------------------------------------------------------------


def _admin_ctx(actor: Actor, **extra: Any) -> dict[str, Any]:
    return {
        "LEVEL_LABELS": LEVEL_LABELS,
        "MASK_LABELS": MASK_LABELS,
        "CHANGE_STATUS": CHANGE_STATUS_LABELS,
        "APP_STATUS": APPLICATION_STATUS_LABELS,
        "REQ_STATUS": REQUEST_STATUS_LABELS,
        "can_approve": permissions.can_approve_level_change(actor),
        "can_withdraw": permissions.can_withdraw_release(actor),
        "can_assign": permissions.can_assign_data_request(actor),
        **extra,
    }


@router.get("/open-admin", response_class=HTMLResponse)
def admin_releases(request: Request, session: SessionDep, actor: UserDep) -> HTMLResponse:
    dept = optional_int(request.query_params.get("department_id"), "department_id")
    rows = service.list_releases(session, actor, department_id=dept)
    changes = service.list_level_changes(session, actor, status="pending")
    return render(
        request, "opendata/admin.html", _admin_ctx(actor, rows=rows, changes=changes, errors={})
    )


@router.get("/open-admin/usage", response_class=HTMLResponse)
def admin_usage(request: Request, session: SessionDep, actor: UserDep) -> HTMLResponse:
    usage = service.get_portal_usage(session, actor)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("匿名调用"), _("凭密钥调用")]},
        "grid": {"left": 48, "right": 16, "top": 32, "bottom": 24},
        "xAxis": {"type": "category", "data": [d.strftime("%m-%d") for d in usage.days]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("匿名调用"), "type": "bar", "stack": "calls", "data": usage.anonymous_calls},
            {"name": _("凭密钥调用"), "type": "bar", "stack": "calls", "data": usage.keyed_calls},
        ],
    }
    return render(request, "opendata/admin_usage.html", _admin_ctx(actor, usage=usage, chart=chart))


def _masks(form: dict[str, Any]) -> dict[str, str]:
    return {k[5:]: str(v) for k, v in form.items() if k.startswith("mask.")}


T = TypeVar("T")


def _admin_action(
    request: Request,
    session: SessionDep,
    call: Callable[[], T],
    done: str | Callable[[T], str],
    back: str,
    then: str | None = None,
) -> Response:
    """One admin form's service call: a refusal flashes its messages and goes back to ``back``;
    success flashes ``done`` (or what it makes of the result) and goes to ``then`` or ``back``."""
    try:
        result = call()
    except DomainError as exc:
        errors = recover(request, session, exc)
        flash(request, "；".join(errors.values()), "danger")
        return redirect(back, request)
    flash(request, done if isinstance(done, str) else done(result))
    return redirect(then or back, request)


@router.post("/open-admin/release")
async def admin_release(request: Request, session: SessionDep, actor: UserDep) -> Response:
    form = await form_data(request)
    rid = optional_int(str(form.get("resource_id", "")), "resource_id") or 0
    data = ReleaseCreate(resource_id=rid, masks=_masks(form), note=str(form.get("note", "")))
    return _admin_action(
        request,
        session,
        lambda: service.release_resource(session, actor, data),
        _("已开放到门户。"),
        "/open-admin",
    )


@router.post("/open-admin/resources/{resource_id}/masks")
async def admin_masks(
    request: Request, resource_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    return _admin_action(
        request,
        session,
        lambda: service.update_release_masks(session, actor, resource_id, _masks(form)),
        _("脱敏设置已保存。"),
        "/open-admin",
    )


@router.post("/open-admin/resources/{resource_id}/level")
async def admin_level(
    request: Request, resource_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    return _admin_action(
        request,
        session,
        lambda: service.request_level_change(
            session, actor, resource_id, parse(LevelChangeCreate, form)
        ),
        lambda change: (
            _("开放级别已调整。")
            if change.status == "approved"
            else _("降低开放级别的申请已提交，待平台管理员审批。")
        ),
        "/open-admin",
    )


@router.post("/open-admin/level-changes/{change_id}/decide")
async def admin_decide_level(
    request: Request, change_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    note = str(form.get("note", ""))
    decide = (
        service.approve_level_change if form.get("approve") == "1" else service.refuse_level_change
    )
    return _admin_action(
        request,
        session,
        lambda: decide(session, actor, change_id, note=note),
        _("已处理。"),
        "/open-admin",
    )


@router.post("/open-admin/resources/{resource_id}/withdraw")
async def admin_withdraw(
    request: Request, resource_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    reason = str(form.get("reason", ""))
    return _admin_action(
        request,
        session,
        lambda: service.withdraw_release(session, actor, resource_id, reason=reason),
        _("已从门户撤回。"),
        "/open-admin",
    )


@router.get("/open-admin/dcat", response_class=HTMLResponse)
def admin_dcat(request: Request, session: SessionDep, actor: UserDep) -> HTMLResponse:
    check = service.check_portal_dcat(session, actor)
    return render(request, "opendata/admin_dcat.html", {"check": check})


@router.get("/open-admin/applications", response_class=HTMLResponse)
def admin_applications(request: Request, session: SessionDep, actor: UserDep) -> HTMLResponse:
    rows = service.list_applications(session, actor)
    return render(request, "opendata/admin_applications.html", _admin_ctx(actor, rows=rows))


@router.get("/open-admin/applications/pending", response_class=HTMLResponse)
def pending_applications_panel(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The provider's undecided public applications, as a panel the sharing review queue loads
    (HTMX): one place for a reviewer's deadlines. Empty for whoever may not decide them."""
    if not permissions.can_list_applications(actor):
        return HTMLResponse("")
    rows = service.list_applications(session, actor, status="submitted")
    return render(request, "opendata/_pending_applications.html", {"rows": rows})


@router.post("/open-admin/applications/{application_id}/decide")
async def admin_decide_application(
    request: Request, application_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    decision = Decision(approve=form.get("approve") == "1", note=str(form.get("note", "")))
    return _admin_action(
        request,
        session,
        lambda: service.decide_application(session, actor, application_id, decision),
        _("已答复申请人。"),
        "/open-admin/applications",
    )


@router.get("/open-admin/requests", response_class=HTMLResponse)
def admin_requests(request: Request, session: SessionDep, actor: UserDep) -> HTMLResponse:
    rows, _total = service.list_data_requests(session, actor, size=100)
    units = (
        service.list_request_providers(session, actor)
        if permissions.can_assign_data_request(actor)
        else []
    )
    answerable = {r.id for r in rows if permissions.can_answer_data_request(actor, r)}
    return render(
        request,
        "opendata/admin_requests.html",
        _admin_ctx(actor, rows=rows, departments=units, answerable=answerable),
    )


@router.post("/open-admin/requests/{request_id}/assign")
async def admin_assign(
    request: Request, request_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    return _admin_action(
        request,
        session,
        lambda: service.assign_data_request(
            session,
            actor,
            request_id,
            optional_int(str(form.get("department_id", "")), "department_id") or 0,
        ),
        _("已分派给提供部门。"),
        "/open-admin/requests",
    )


@router.post("/open-admin/requests/{request_id}/answer")
async def admin_answer(
    request: Request, request_id: int, session: SessionDep, actor: UserDep
) -> Response:
    form = await form_data(request)
    if not str(form.get("resource_id", "")).strip():
        form.pop("resource_id", None)
    return _admin_action(
        request,
        session,
        lambda: service.answer_data_request(
            session, actor, request_id, parse(DataRequestAnswer, form)
        ),
        _("答复已公开。"),
        "/open-admin/requests",
        then=f"/open/requests/{request_id}",
    )
