"""Consumer systems: a department registers its applications and binds API tokens to them."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.core.errors import Conflict, FieldError, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, SystemToken
from govshare.sharing.schemas import SystemCreate, SystemPublic
from govshare.sharing.service.common import load_system


def register_system(
    session: Session, actor: Actor, data: SystemCreate, *, department_id: int | None = None
) -> SystemPublic:
    """Register a consumer system of the actor's department (platform admins: any department)."""
    dept = department_id if department_id is not None else actor.department_id
    require(
        dept is not None and permissions.can_register_system(actor, dept),
        "sharing.register_system",
    )
    assert dept is not None
    exists = session.scalar(
        select(ConsumerSystem.id).where(
            ConsumerSystem.department_id == dept, ConsumerSystem.name == data.name
        )
    )
    if exists is not None:
        msg = _("本部门已有名为「{name}」的系统。").format(name=data.name)
        raise Conflict(msg, errors=[FieldError("name", msg)])
    system = ConsumerSystem(
        department_id=dept,
        name=data.name,
        purpose=data.purpose,
        contact=data.contact,
        pseudonym_key=secrets.token_hex(32),
    )
    session.add(system)
    session.flush()
    audit.record(session, actor, "sharing.register_system", system, after=data.model_dump())
    return SystemPublic.model_validate(system)


def list_systems(session: Session, actor: Actor) -> list[SystemPublic]:
    """The systems the actor may see: their department's (platform admins, auditors: all)."""
    require(permissions.can_list_systems(actor), "sharing.list_systems")
    stmt = select(ConsumerSystem).order_by(ConsumerSystem.department_id, ConsumerSystem.name)
    if not (actor.is_platform_admin or actor.has_role("auditor") or actor.kind == "system"):
        stmt = stmt.where(ConsumerSystem.department_id == (actor.department_id or -1))
    return [SystemPublic.model_validate(s) for s in session.scalars(stmt)]


def bind_system_token(
    session: Session, actor: Actor, system_id: int, token_id: int
) -> SystemPublic:
    """Bind one of the actor's API tokens to a system of their department.

    A bound token answers only for that system's grants; a token is bound to one system at most.
    """
    system = load_system(session, actor, system_id)
    mine = {t.id: t for t in accounts.list_my_tokens(session, actor)} if actor.user_id else {}
    if token_id not in mine:
        raise NotFound(_("令牌不存在。"))
    require(
        permissions.can_bind_system_token(actor, system.department_id, actor.user_id or -1),
        "sharing.bind_system_token",
        ("sharing_system", str(system.id), system.name),
    )
    bound = session.scalar(select(SystemToken).where(SystemToken.token_id == token_id))
    if bound is not None:
        raise Conflict(_("该令牌已绑定到一个消费系统。"))
    session.add(SystemToken(system_id=system.id, token_id=token_id))
    session.flush()
    audit.record(
        session,
        actor,
        "sharing.bind_system_token",
        system,
        after={"token": mine[token_id].prefix},
    )
    return SystemPublic.model_validate(system)
