"""The department tree and unit groups."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from govshare.accounts import permissions
from govshare.accounts.models import Department, UnitGroup, UnitGroupMember, User
from govshare.accounts.schemas import (
    DepartmentCreate,
    DepartmentKind,
    DepartmentNode,
    DepartmentPublic,
    DepartmentUpdate,
    HomeSummary,
    UnitGroupCreate,
    UnitGroupPublic,
    UnitMatch,
)
from govshare.audit import service as audit
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.pagination import keyset_page
from govshare.core.security import Actor, require

SNAPSHOT = ("code", "name", "short_name", "kind", "parent_id", "area_code", "sort_order", "active")


def _snapshot(dept: Department) -> dict[str, object]:
    return {f: getattr(dept, f) for f in SNAPSHOT}


def list_departments(
    session: Session,
    actor: Actor,
    *,
    kind: DepartmentKind | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Department], str | None]:
    """A page of units, filtered by kind, parent and a name/code search."""
    require(permissions.can_list_departments(actor), "accounts.list_departments")
    stmt = permissions.visible_departments(actor)
    if kind is not None:
        stmt = stmt.where(Department.kind == kind)
    if parent_id is not None:
        stmt = stmt.where(Department.parent_id == parent_id)
    if q:
        stmt = stmt.where(
            or_(
                Department.name.contains(q, autoescape=True),
                Department.short_name.contains(q, autoescape=True),
                Department.code.contains(q.upper(), autoescape=True),
            )
        )
    return keyset_page(session, stmt, Department.id, cursor=cursor, limit=limit, descending=False)


def get_department(session: Session, actor: Actor, department_id: int) -> Department:
    """One unit, or NotFound."""
    require(permissions.can_get_department(actor), "accounts.get_department")
    dept = session.scalars(
        permissions.visible_departments(actor).where(Department.id == department_id)
    ).one_or_none()
    if dept is None:
        raise NotFound(_("单位不存在。"))
    return dept


def get_department_tree(session: Session, actor: Actor) -> list[DepartmentNode]:
    """The whole tree, roots first, children by sort order then name, with user counts."""
    require(permissions.can_get_department_tree(actor), "accounts.get_department_tree")
    depts = session.scalars(
        permissions.visible_departments(actor).order_by(Department.sort_order, Department.id)
    ).all()
    counts = dict(
        session.execute(
            select(User.department_id, func.count()).where(User.active).group_by(User.department_id)
        ).all()
    )
    nodes = {
        d.id: DepartmentNode(
            id=d.id,
            code=d.code,
            name=d.name,
            short_name=d.short_name,
            kind=d.kind,
            area_code=d.area_code,
            active=d.active,
            user_count=counts.get(d.id, 0),
            children=[],
        )
        for d in depts
    }
    roots: list[DepartmentNode] = []
    for d in depts:
        parent = nodes.get(d.parent_id) if d.parent_id else None
        (parent.children if parent else roots).append(nodes[d.id])
    return roots


def _check_parent(session: Session, parent_id: int | None, own_id: int | None = None) -> None:
    if parent_id is None:
        return
    parent = session.get(Department, parent_id)
    if parent is None:
        raise Invalid(
            _("上级单位不存在。"), errors=[FieldError("parent_id", _("上级单位不存在。"))]
        )
    seen = set()
    while parent is not None:
        if own_id is not None and parent.id == own_id:
            msg = _("不能把单位设为自己下级单位的下级。")
            raise Invalid(msg, errors=[FieldError("parent_id", msg)])
        if parent.id in seen:
            break
        seen.add(parent.id)
        parent = session.get(Department, parent.parent_id) if parent.parent_id else None


def _check_unique(
    session: Session,
    *,
    code: str | None,
    name: str | None,
    parent_id: int | None,
    own_id: int | None = None,
) -> None:
    if code is not None:
        clash = session.scalar(select(Department.id).where(Department.code == code))
        if clash is not None and clash != own_id:
            msg = _("单位代码 {code} 已被使用。").format(code=code)
            raise Conflict(msg, errors=[FieldError("code", msg)])
    if name is not None:
        clash = session.scalar(
            select(Department.id).where(
                Department.name == name,
                Department.parent_id.is_(None)
                if parent_id is None
                else Department.parent_id == parent_id,
            )
        )
        if clash is not None and clash != own_id:
            msg = _("同一上级下已有名为“{name}”的单位。").format(name=name)
            raise Conflict(msg, errors=[FieldError("name", msg)])


def create_department(session: Session, actor: Actor, data: DepartmentCreate) -> Department:
    """Add a unit to the tree (platform admins)."""
    require(permissions.can_create_department(actor), "accounts.create_department")
    _check_parent(session, data.parent_id)
    _check_unique(session, code=data.code, name=data.name, parent_id=data.parent_id)
    dept = Department(**data.model_dump())
    session.add(dept)
    session.flush()
    audit.record(session, actor, "accounts.create_department", dept, after=_snapshot(dept))
    return dept


def update_department(
    session: Session, actor: Actor, department_id: int, data: DepartmentUpdate
) -> Department:
    """Change a unit's code, names, kind, parent, area code or order (platform admins)."""
    dept = get_department(session, actor, department_id)
    require(
        permissions.can_update_department(actor, dept),
        "accounts.update_department",
        ("department", str(dept.id), dept.name),
    )
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes:
        _check_parent(session, changes["parent_id"], own_id=dept.id)
    _check_unique(
        session,
        code=changes.get("code"),
        name=changes.get("name"),
        parent_id=changes.get("parent_id", dept.parent_id),
        own_id=dept.id,
    )
    before = _snapshot(dept)
    for key, value in changes.items():
        setattr(dept, key, value)
    session.flush()
    audit.record(
        session, actor, "accounts.update_department", dept, before=before, after=_snapshot(dept)
    )
    return dept


# --- unit groups -------------------------------------------------------------------------------


def _group_public(session: Session, group: UnitGroup) -> UnitGroupPublic:
    members = session.scalars(
        select(Department)
        .join(UnitGroupMember, UnitGroupMember.department_id == Department.id)
        .where(UnitGroupMember.group_id == group.id)
        .order_by(Department.sort_order, Department.id)
    ).all()
    return UnitGroupPublic(
        id=group.id,
        name=group.name,
        description=group.description,
        members=[DepartmentPublic.model_validate(m) for m in members],
    )


def list_unit_groups(session: Session, actor: Actor) -> list[UnitGroupPublic]:
    """All unit groups with their members."""
    require(permissions.can_list_unit_groups(actor), "accounts.list_unit_groups")
    groups = session.scalars(select(UnitGroup).order_by(UnitGroup.id)).all()
    return [_group_public(session, g) for g in groups]


def get_unit_group(session: Session, actor: Actor, group_id: int) -> UnitGroupPublic:
    """One unit group, or NotFound."""
    require(permissions.can_get_unit_group(actor), "accounts.get_unit_group")
    group = session.get(UnitGroup, group_id)
    if group is None:
        raise NotFound(_("单位组不存在。"))
    return _group_public(session, group)


def _set_members(session: Session, group: UnitGroup, member_ids: list[int]) -> None:
    ids = sorted(set(member_ids))
    found = set(session.scalars(select(Department.id).where(Department.id.in_(ids))).all())
    missing = [i for i in ids if i not in found]
    if missing:
        msg = _("单位不存在：{ids}").format(ids="、".join(map(str, missing)))
        raise Invalid(msg, errors=[FieldError("member_ids", msg)])
    for m in session.scalars(select(UnitGroupMember).where(UnitGroupMember.group_id == group.id)):
        session.delete(m)
    session.flush()
    session.add_all(UnitGroupMember(group_id=group.id, department_id=i) for i in ids)


def create_unit_group(session: Session, actor: Actor, data: UnitGroupCreate) -> UnitGroupPublic:
    """Define a named group of units (platform admins)."""
    require(permissions.can_create_unit_group(actor), "accounts.create_unit_group")
    if session.scalar(select(UnitGroup.id).where(UnitGroup.name == data.name)) is not None:
        msg = _("已有名为“{name}”的单位组。").format(name=data.name)
        raise Conflict(msg, errors=[FieldError("name", msg)])
    group = UnitGroup(name=data.name, description=data.description)
    session.add(group)
    session.flush()
    _set_members(session, group, data.member_ids)
    session.flush()
    audit.record(
        session,
        actor,
        "accounts.create_unit_group",
        group,
        after={"name": group.name, "member_ids": sorted(set(data.member_ids))},
    )
    return _group_public(session, group)


def update_unit_group(
    session: Session, actor: Actor, group_id: int, data: UnitGroupCreate
) -> UnitGroupPublic:
    """Rename a group and replace its members (platform admins)."""
    require(permissions.can_update_unit_group(actor), "accounts.update_unit_group")
    group = session.get(UnitGroup, group_id)
    if group is None:
        raise NotFound(_("单位组不存在。"))
    before = _group_public(session, group)
    clash = session.scalar(select(UnitGroup.id).where(UnitGroup.name == data.name))
    if clash is not None and clash != group.id:
        msg = _("已有名为“{name}”的单位组。").format(name=data.name)
        raise Conflict(msg, errors=[FieldError("name", msg)])
    group.name, group.description = data.name, data.description
    _set_members(session, group, data.member_ids)
    session.flush()
    audit.record(
        session,
        actor,
        "accounts.update_unit_group",
        group,
        before={"name": before.name, "member_ids": [m.id for m in before.members]},
        after={"name": group.name, "member_ids": sorted(set(data.member_ids))},
    )
    return _group_public(session, group)


def find_units(session: Session, actor: Actor, names: list[str]) -> list[UnitMatch]:
    """Resolve unit names as documents write them (short names like 市电政办, full names, or
    group names like 各县市区政府) to units or groups."""
    require(permissions.can_find_units(actor), "accounts.find_units")
    depts = session.scalars(select(Department)).all()
    by_name: dict[str, Department] = {}
    for d in depts:
        for key in (d.name, d.short_name):
            if key:
                by_name.setdefault(key, d)
    groups = {g.name: g for g in session.scalars(select(UnitGroup)).all()}
    out = []
    for raw in names:
        text = raw.strip()
        if text in by_name:
            out.append(
                UnitMatch(text=text, department=DepartmentPublic.model_validate(by_name[text]))
            )
        elif text in groups:
            out.append(UnitMatch(text=text, group=_group_public(session, groups[text])))
        else:
            out.append(UnitMatch(text=text))
    return out


def home_summary(session: Session, actor: Actor) -> HomeSummary:
    """Counts for the home dashboard: units by kind, active accounts."""
    require(permissions.can_home_summary(actor), "accounts.home_summary")
    by_kind = dict(
        session.execute(
            select(Department.kind, func.count()).where(Department.active).group_by(Department.kind)
        ).all()
    )
    users = session.scalar(select(func.count()).select_from(User).where(User.active)) or 0
    return HomeSummary(
        departments_by_kind={str(k): int(v) for k, v in by_kind.items()},
        departments=int(sum(by_kind.values())),
        users=int(users),
    )
