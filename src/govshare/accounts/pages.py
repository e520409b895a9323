"""Pages: login, the department tree, unit groups, users, one's profile and API tokens."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from govshare.accounts import permissions, service
from govshare.accounts.schemas import (
    DEPARTMENT_KIND_LABELS,
    DepartmentCreate,
    DepartmentUpdate,
    PasswordChange,
    RolesUpdate,
    TokenCreate,
    UnitGroupCreate,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from govshare.core.config import get_settings
from govshare.core.errors import DomainError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.security import ROLES, TOKEN_SCOPES, Actor
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
    safe_next,
)

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(
        N_("单位"),
        "/accounts/departments",
        "building",
        lambda a: a.is_authenticated,
        N_("平台管理"),
    ),
    NavEntry(
        N_("单位组"), "/accounts/groups", "collection", lambda a: a.is_authenticated, N_("平台管理")
    ),
    NavEntry(N_("用户"), "/accounts/users", "people", permissions.can_list_users, N_("平台管理")),
]

SESSION_COOKIE = "govshare_session"


def _kinds() -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in DEPARTMENT_KIND_LABELS.items()]


# --- login -----------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: ActorDep, next: str = "/") -> Response:
    """The login form (already logged in: straight on)."""
    if actor.is_authenticated:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """Check the password; on success set the session cookie and go on."""
    form = await form_data(request)
    result = service.log_in(
        session,
        actor,
        username=str(form.get("username", "")),
        password=str(form.get("password", "")),
    )
    target = safe_next(str(form.get("next", "/")))
    if not result.ok or result.session_token is None:
        return render(
            request,
            "accounts/login.html",
            {"next": target, "username": form.get("username", ""), "error": result.message},
            status=401,
        )
    settings = get_settings()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.session_token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """End the session and return to the login form."""
    service.log_out(session, actor, session_token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- departments -------------------------------------------------------------------------------


@router.get("/accounts/departments", response_class=HTMLResponse)
def department_tree(request: Request, session: SessionDep, actor: UserDep, q: str = "") -> Response:
    """The tree of units, or the units matching a search."""
    if q.strip():
        rows, _cursor = service.list_departments(session, actor, q=q.strip(), limit=200)
        return render(
            request,
            "accounts/departments.html",
            {"matches": rows, "q": q, "kinds": dict(_kinds())},
            fragment="accounts/_department_matches.html",
        )
    tree = service.get_department_tree(session, actor)
    return render(
        request,
        "accounts/departments.html",
        {
            "tree": tree,
            "q": "",
            "kinds": dict(_kinds()),
            "can_create": permissions.can_create_department(actor),
        },
    )


@router.get("/accounts/departments/new", response_class=HTMLResponse)
def department_new(
    request: Request, session: SessionDep, actor: UserDep, parent_id: int | None = None
) -> Response:
    """The form for a new unit."""
    parents, _c = service.list_departments(session, actor, limit=500)
    return render(
        request,
        "accounts/department_form.html",
        {
            "dept": None,
            "values": {"parent_id": parent_id or ""},
            "errors": {},
            "kinds": _kinds(),
            "parents": parents,
        },
    )


@router.post("/accounts/departments", response_class=HTMLResponse)
async def department_create(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Create a unit."""
    form = await form_data(request)
    form["parent_id"] = form.get("parent_id") or None
    try:
        dept = service.create_department(session, actor, parse(DepartmentCreate, form))
    except (Invalid, DomainError) as exc:
        if exc.status == 403:
            raise
        errors = recover(request, session, exc)
        parents, _c = service.list_departments(session, actor, limit=500)
        return render(
            request,
            "accounts/department_form.html",
            {
                "dept": None,
                "values": form,
                "errors": errors,
                "kinds": _kinds(),
                "parents": parents,
            },
            status=exc.status,
        )
    flash(request, _("已创建单位：{name}").format(name=dept.name))
    return redirect(f"/accounts/departments/{dept.id}", request)


@router.get("/accounts/departments/{department_id}", response_class=HTMLResponse)
def department_detail(
    request: Request, session: SessionDep, actor: UserDep, department_id: int
) -> Response:
    """One unit: its data, its sub-units, its groups, and (for its admins) its users."""
    dept = service.get_department(session, actor, department_id)
    children, _c = service.list_departments(session, actor, parent_id=dept.id, limit=500)
    parent = service.get_department(session, actor, dept.parent_id) if dept.parent_id else None
    users = None
    if permissions.can_list_users(actor):
        users, _c = service.list_users(session, actor, department_id=dept.id, limit=200)
    groups = [
        g
        for g in service.list_unit_groups(session, actor)
        if any(m.id == dept.id for m in g.members)
    ]
    return render(
        request,
        "accounts/department_detail.html",
        {
            "dept": dept,
            "parent": parent,
            "children": children,
            "users": users,
            "groups": groups,
            "kinds": dict(_kinds()),
            "can_edit": permissions.can_update_department(actor, dept),
            "can_add_user": permissions.can_create_user(actor, dept.id),
        },
    )


@router.get("/accounts/departments/{department_id}/edit", response_class=HTMLResponse)
def department_edit(
    request: Request, session: SessionDep, actor: UserDep, department_id: int
) -> Response:
    """The form to change a unit."""
    dept = service.get_department(session, actor, department_id)
    parents, _c = service.list_departments(session, actor, limit=500)
    values = {
        k: getattr(dept, k)
        for k in ("code", "name", "short_name", "area_code", "sort_order", "parent_id")
    }
    values["kind"] = dept.kind.value
    return render(
        request,
        "accounts/department_form.html",
        {
            "dept": dept,
            "values": values,
            "errors": {},
            "kinds": _kinds(),
            "parents": parents,
        },
    )


@router.post("/accounts/departments/{department_id}/edit", response_class=HTMLResponse)
async def department_update(
    request: Request, session: SessionDep, actor: UserDep, department_id: int
) -> Response:
    """Save changes to a unit."""
    form = await form_data(request)
    form["parent_id"] = form.get("parent_id") or None
    form["active"] = form.get("active") == "on"
    try:
        dept = service.update_department(
            session, actor, department_id, parse(DepartmentUpdate, form)
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        dept = service.get_department(session, actor, department_id)
        parents, _c = service.list_departments(session, actor, limit=500)
        return render(
            request,
            "accounts/department_form.html",
            {
                "dept": dept,
                "values": form,
                "errors": errors,
                "kinds": _kinds(),
                "parents": parents,
            },
            status=exc.status,
        )
    flash(request, _("已保存。"))
    return redirect(f"/accounts/departments/{dept.id}", request)


# --- unit groups -------------------------------------------------------------------------------


@router.get("/accounts/groups", response_class=HTMLResponse)
def group_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Named groups of units and their members."""
    groups = service.list_unit_groups(session, actor)
    return render(
        request,
        "accounts/groups.html",
        {
            "groups": groups,
            "can_edit": permissions.can_update_unit_group(actor),
        },
    )


def _group_form(
    request: Request,
    session: SessionDep,
    actor: Actor,
    group: object,
    values: Mapping[str, object],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    units, _c = service.list_departments(session, actor, limit=500)
    return render(
        request,
        "accounts/group_form.html",
        {
            "group": group,
            "values": values,
            "errors": errors,
            "units": units,
        },
        status=status,
    )


@router.get("/accounts/groups/new", response_class=HTMLResponse)
def group_new(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The form for a new unit group."""
    return _group_form(request, session, actor, None, {"member_ids": []}, {})


@router.get("/accounts/groups/{group_id}/edit", response_class=HTMLResponse)
def group_edit(request: Request, session: SessionDep, actor: UserDep, group_id: int) -> Response:
    """The form to change a unit group."""
    group = service.get_unit_group(session, actor, group_id)
    values = {
        "name": group.name,
        "description": group.description,
        "member_ids": [m.id for m in group.members],
    }
    return _group_form(request, session, actor, group, values, {})


@router.post("/accounts/groups", response_class=HTMLResponse)
@router.post("/accounts/groups/{group_id}/edit", response_class=HTMLResponse)
async def group_save(
    request: Request, session: SessionDep, actor: UserDep, group_id: int | None = None
) -> Response:
    """Create or change a unit group."""
    form = await form_data(request)
    members = form.get("member_ids", [])
    form["member_ids"] = [
        int(m) for m in (members if isinstance(members, list) else [members]) if str(m).isdigit()
    ]
    try:
        data = parse(UnitGroupCreate, form)
        if group_id is None:
            service.create_unit_group(session, actor, data)
        else:
            service.update_unit_group(session, actor, group_id, data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _group_form(request, session, actor, group_id, form, errors, exc.status)
    flash(request, _("已保存单位组。"))
    return redirect("/accounts/groups", request)


# --- users -----------------------------------------------------------------------------------


@router.get("/accounts/users", response_class=HTMLResponse)
def user_list(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    q: str = "",
    department_id: str = "",
    role: str = "",
    cursor: str | None = None,
) -> Response:
    """Accounts the actor may see, filtered; more rows load in place."""
    dept = optional_int(department_id, "department_id")
    users, next_cursor = service.list_users(
        session, actor, department_id=dept, role=role or None, q=q or None, cursor=cursor
    )
    departments, _c = service.list_departments(session, actor, limit=500)
    query = {"q": q, "department_id": dept or "", "role": role}
    return render(
        request,
        "accounts/users.html",
        {
            "users": users,
            "next_cursor": next_cursor,
            "query": query,
            "departments": departments,
            "roles": ROLES,
            "can_create": permissions.can_create_user(actor, actor.department_id or -1)
            or actor.is_platform_admin,
        },
        fragment="accounts/_user_rows.html" if cursor else None,
    )


def _user_form(
    request: Request,
    session: SessionDep,
    actor: Actor,
    user: object,
    values: dict[str, object],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    departments, _c = service.list_departments(session, actor, limit=500)
    if not actor.is_platform_admin:
        departments = [d for d in departments if d.id == actor.department_id]
    return render(
        request,
        "accounts/user_form.html",
        {
            "user": user,
            "values": values,
            "errors": errors,
            "departments": departments,
            "roles": [r for r in ROLES if actor.is_platform_admin or not r.platform_level],
        },
        status=status,
    )


@router.get("/accounts/users/new", response_class=HTMLResponse)
def user_new(
    request: Request, session: SessionDep, actor: UserDep, department_id: int | None = None
) -> Response:
    """The form for a new account."""
    values: dict[str, object] = {"department_id": department_id or actor.department_id, "roles": []}
    return _user_form(request, session, actor, None, values, {})


@router.post("/accounts/users", response_class=HTMLResponse)
async def user_create(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Create an account."""
    form = await form_data(request)
    roles = form.get("roles", [])
    form["roles"] = roles if isinstance(roles, list) else [roles]
    form["posts"] = [p.strip() for p in str(form.get("posts", "")).split("，") if p.strip()]
    try:
        user = service.create_user(session, actor, parse(UserCreate, form))
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = recover(request, session, exc)
        form.pop("password", None)
        form["posts"] = "，".join(form["posts"])
        return _user_form(request, session, actor, None, form, errors, exc.status)
    flash(request, _("已创建用户：{name}").format(name=user.real_name))
    return redirect(f"/accounts/users/{user.id}", request)


@router.get("/accounts/users/{user_id}", response_class=HTMLResponse)
def user_detail(request: Request, session: SessionDep, actor: UserDep, user_id: int) -> Response:
    """One account with the actions the actor may take on it."""
    user = service.get_user(session, actor, user_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "user": user,
            "roles": ROLES,
            **_user_actions(actor, user),
        },
    )


def _user_actions(actor: Actor, user: UserPublic) -> dict[str, bool]:
    return {
        "can_edit": permissions.can_update_user(actor, user),
        "can_roles": permissions.can_update_user(actor, user),
        "can_reset": permissions.can_reset_password(actor, user),
        "can_unlock": permissions.can_unlock_user(actor, user),
    }


@router.get("/accounts/users/{user_id}/edit", response_class=HTMLResponse)
def user_edit(request: Request, session: SessionDep, actor: UserDep, user_id: int) -> Response:
    """The form to change an account."""
    user = service.get_user(session, actor, user_id)
    values = user.model_dump()
    values["posts"] = "，".join(user.posts)
    return _user_form(request, session, actor, user, values, {})


@router.post("/accounts/users/{user_id}/edit", response_class=HTMLResponse)
async def user_update(
    request: Request, session: SessionDep, actor: UserDep, user_id: int
) -> Response:
    """Save changes to an account."""
    form = await form_data(request)
    form["posts"] = [p.strip() for p in str(form.get("posts", "")).split("，") if p.strip()]
    form["active"] = form.get("active") == "on"
    form["email"] = form.get("email") or None
    try:
        service.update_user(session, actor, user_id, parse(UserUpdate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        user = service.get_user(session, actor, user_id)
        form["posts"] = "，".join(form["posts"])
        return _user_form(request, session, actor, user, form, errors, exc.status)
    flash(request, _("已保存。"))
    return redirect(f"/accounts/users/{user_id}", request)


@router.post("/accounts/users/{user_id}/roles", response_class=HTMLResponse)
async def user_roles(
    request: Request, session: SessionDep, actor: UserDep, user_id: int
) -> Response:
    """Replace an account's roles."""
    form = await form_data(request)
    roles = form.get("roles", [])
    data = parse(RolesUpdate, {"roles": roles if isinstance(roles, list) else [roles]})
    service.set_user_roles(session, actor, user_id, data.roles)
    flash(request, _("已更新角色。"))
    return redirect(f"/accounts/users/{user_id}", request)


@router.post("/accounts/users/{user_id}/reset-password", response_class=HTMLResponse)
async def user_reset_password(
    request: Request, session: SessionDep, actor: UserDep, user_id: int
) -> Response:
    """Give an account a new password (its sessions end)."""
    form = await form_data(request)
    try:
        service.reset_password(session, actor, user_id, str(form.get("new_password", "")))
    except Invalid as exc:
        recover(request, session, exc)
        flash(request, exc.errors[0].message if exc.errors else exc.detail, "danger")
        return redirect(f"/accounts/users/{user_id}", request)
    flash(request, _("已重置密码，该用户的登录会话已全部结束。"))
    return redirect(f"/accounts/users/{user_id}", request)


@router.post("/accounts/users/{user_id}/unlock", response_class=HTMLResponse)
def user_unlock(request: Request, session: SessionDep, actor: UserDep, user_id: int) -> Response:
    """Lift a lockout."""
    service.unlock_user(session, actor, user_id)
    flash(request, _("已解除锁定。"))
    return redirect(f"/accounts/users/{user_id}", request)


# --- me and my tokens ------------------------------------------------------------------------


@router.get("/accounts/me", response_class=HTMLResponse)
def me(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """One's own account and the password form."""
    user = service.get_user(session, actor, actor.user_id or -1)
    return render(request, "accounts/me.html", {"user": user, "errors": {}, "roles": ROLES})


@router.post("/accounts/me/password", response_class=HTMLResponse)
async def me_password(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Change one's own password."""
    form = await form_data(request)
    try:
        service.change_own_password(session, actor, parse(PasswordChange, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        user = service.get_user(session, actor, actor.user_id or -1)
        return render(
            request,
            "accounts/me.html",
            {"user": user, "errors": errors, "roles": ROLES},
            status=exc.status,
        )
    flash(request, _("密码已修改。"))
    return redirect("/accounts/me", request)


@router.get("/accounts/tokens", response_class=HTMLResponse)
def token_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """One's API tokens and the form for a new one."""
    tokens = service.list_my_tokens(session, actor)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "scopes": TOKEN_SCOPES,
            "errors": {},
            "created": None,
            "default_days": get_settings().token_default_days,
            "values": {"scopes": ["read"]},
        },
    )


@router.post("/accounts/tokens", response_class=HTMLResponse)
async def token_create(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Issue a token and show its secret this once."""
    form = await form_data(request)
    scopes = form.get("scopes", [])
    form["scopes"] = scopes if isinstance(scopes, list) else [scopes]
    form["days"] = form.get("days") or None
    created = None
    errors: dict[str, str] = {}
    status = 200
    try:
        created = service.create_token(session, actor, parse(TokenCreate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors, status = recover(request, session, exc), exc.status
    tokens = service.list_my_tokens(session, actor)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "scopes": TOKEN_SCOPES,
            "errors": errors,
            "created": created,
            "default_days": get_settings().token_default_days,
            "values": form,
        },
        status=status,
        headers={"Cache-Control": "no-store"},
    )


@router.post("/accounts/tokens/{token_id}/revoke", response_class=HTMLResponse)
def token_revoke(request: Request, session: SessionDep, actor: UserDep, token_id: int) -> Response:
    """Revoke a token at once."""
    token = service.revoke_token(session, actor, token_id)
    flash(request, _("已吊销令牌 {name}。").format(name=token.name))
    return redirect("/accounts/tokens", request)
