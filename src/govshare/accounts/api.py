"""JSON API: who am I, departments, unit groups, users and one's tokens (/api/v1/accounts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from govshare.accounts import service
from govshare.accounts.schemas import (
    DepartmentCreate,
    DepartmentKind,
    DepartmentNode,
    DepartmentPublic,
    DepartmentUpdate,
    Me,
    RolesUpdate,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UnitGroupCreate,
    UnitGroupPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from govshare.core.config import get_settings
from govshare.core.pagination import Page, clamp_limit
from govshare.core.web import ActorDep, SessionDep, UserDep

router = APIRouter(tags=["accounts"])
Limit = Annotated[int | None, Query(description="Rows per page (default 50, at most 500)")]


def _limit(limit: int | None) -> int:
    s = get_settings()
    return clamp_limit(limit, s.page_size, s.page_size_max)


@router.get("/me", response_model=Me, tags=["accounts"])
def get_me(actor: ActorDep) -> Me:
    """The caller: user, department, roles and (for tokens) scopes."""
    return service.get_me(actor)


@router.get("/accounts/departments", response_model=Page[DepartmentPublic])
def list_departments(
    session: SessionDep,
    actor: UserDep,
    kind: DepartmentKind | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Page[DepartmentPublic]:
    """Units of the department tree, by kind, parent or a name/code search."""
    n = _limit(limit)
    rows, nxt = service.list_departments(
        session, actor, kind=kind, parent_id=parent_id, q=q, cursor=cursor, limit=n
    )
    return Page(items=[DepartmentPublic.model_validate(r) for r in rows], next_cursor=nxt, limit=n)


@router.get("/accounts/departments/tree", response_model=list[DepartmentNode])
def department_tree(session: SessionDep, actor: UserDep) -> list[DepartmentNode]:
    """The whole tree with user counts."""
    return service.get_department_tree(session, actor)


@router.get("/accounts/departments/{department_id}", response_model=DepartmentPublic)
def get_department(session: SessionDep, actor: UserDep, department_id: int) -> DepartmentPublic:
    """One unit."""
    return DepartmentPublic.model_validate(service.get_department(session, actor, department_id))


@router.post("/accounts/departments", response_model=DepartmentPublic, status_code=201)
def create_department(
    session: SessionDep, actor: UserDep, data: DepartmentCreate
) -> DepartmentPublic:
    """Add a unit (platform admins)."""
    return DepartmentPublic.model_validate(service.create_department(session, actor, data))


@router.patch("/accounts/departments/{department_id}", response_model=DepartmentPublic)
def update_department(
    session: SessionDep, actor: UserDep, department_id: int, data: DepartmentUpdate
) -> DepartmentPublic:
    """Change a unit (platform admins)."""
    return DepartmentPublic.model_validate(
        service.update_department(session, actor, department_id, data)
    )


@router.get("/accounts/groups", response_model=list[UnitGroupPublic])
def list_unit_groups(session: SessionDep, actor: UserDep) -> list[UnitGroupPublic]:
    """Named groups of units (市直有关部门, 各县市区政府 …) with their members."""
    return service.list_unit_groups(session, actor)


@router.post("/accounts/groups", response_model=UnitGroupPublic, status_code=201)
def create_unit_group(
    session: SessionDep, actor: UserDep, data: UnitGroupCreate
) -> UnitGroupPublic:
    """Define a unit group (platform admins)."""
    return service.create_unit_group(session, actor, data)


@router.put("/accounts/groups/{group_id}", response_model=UnitGroupPublic)
def update_unit_group(
    session: SessionDep, actor: UserDep, group_id: int, data: UnitGroupCreate
) -> UnitGroupPublic:
    """Rename a unit group and replace its members (platform admins)."""
    return service.update_unit_group(session, actor, group_id, data)


@router.get("/accounts/users", response_model=Page[UserPublic])
def list_users(
    session: SessionDep,
    actor: UserDep,
    department_id: int | None = None,
    role: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Page[UserPublic]:
    """Accounts the caller may see (all for platform admins and auditors, own department for
    department admins)."""
    n = _limit(limit)
    rows, nxt = service.list_users(
        session, actor, department_id=department_id, role=role, q=q, cursor=cursor, limit=n
    )
    return Page(items=rows, next_cursor=nxt, limit=n)


@router.get("/accounts/users/{user_id}", response_model=UserPublic)
def get_user(session: SessionDep, actor: UserDep, user_id: int) -> UserPublic:
    """One account (mobile numbers masked unless the caller administers it)."""
    return service.get_user(session, actor, user_id)


@router.post("/accounts/users", response_model=UserPublic, status_code=201)
def create_user(session: SessionDep, actor: UserDep, data: UserCreate) -> UserPublic:
    """Open an account (department admins in their own department; platform admins)."""
    return service.create_user(session, actor, data)


@router.patch("/accounts/users/{user_id}", response_model=UserPublic)
def update_user(session: SessionDep, actor: UserDep, user_id: int, data: UserUpdate) -> UserPublic:
    """Change an account."""
    return service.update_user(session, actor, user_id, data)


@router.put("/accounts/users/{user_id}/roles", response_model=UserPublic)
def set_user_roles(
    session: SessionDep, actor: UserDep, user_id: int, data: RolesUpdate
) -> UserPublic:
    """Replace an account's roles."""
    return service.set_user_roles(session, actor, user_id, data.roles)


@router.post("/accounts/users/{user_id}/unlock", response_model=UserPublic)
def unlock_user(session: SessionDep, actor: UserDep, user_id: int) -> UserPublic:
    """Lift a lockout."""
    return service.unlock_user(session, actor, user_id)


@router.get("/accounts/tokens", response_model=list[TokenPublic])
def list_my_tokens(session: SessionDep, actor: UserDep) -> list[TokenPublic]:
    """The caller's own tokens (never their secrets)."""
    return service.list_my_tokens(session, actor)


@router.post("/accounts/tokens", response_model=TokenCreated, status_code=201)
def create_token(
    session: SessionDep, actor: UserDep, data: TokenCreate, response: Response
) -> TokenCreated:
    """Issue a token for the caller; the answer is the only time its secret is shown."""
    response.headers["Cache-Control"] = "no-store"
    return service.create_token(session, actor, data)


@router.delete("/accounts/tokens/{token_id}", response_model=TokenPublic)
def revoke_token(session: SessionDep, actor: UserDep, token_id: int) -> TokenPublic:
    """Revoke a token: its next request is refused."""
    return service.revoke_token(session, actor, token_id)
