"""The classification: 类 and 项 (national, seeded by the migration), 目 and 细目 (added by
市电政办 reviewers)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import permissions
from govshare.catalog.models import Category
from govshare.catalog.schemas import CategoryCreate, CategoryPublic
from govshare.core.errors import Conflict, FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import Actor, require


def list_categories(
    session: Session, actor: Actor, *, category_class: str | None = None
) -> list[CategoryPublic]:
    """Every node of the classification in code order (active and inactive)."""
    require(permissions.can_list_categories(actor), "catalog.list_categories")
    stmt = select(Category).order_by(Category.full_code)
    if category_class:
        stmt = stmt.where(Category.category_class == category_class)
    return [CategoryPublic.model_validate(c) for c in session.scalars(stmt)]


def create_category(session: Session, actor: Actor, data: CategoryCreate) -> CategoryPublic:
    """Add a 目 (3 digits, under a 项) or a 细目 (letters and digits, under a 目)."""
    require(permissions.can_create_category(actor), "catalog.create_category")
    parent = session.get(Category, data.parent_id)
    if parent is None or parent.level not in (2, 3):
        msg = _("上级分类应为项或目。")
        raise Invalid(msg, errors=[FieldError("parent_id", msg)])
    pattern = r"\d{3}" if parent.level == 2 else r"[0-9A-Z]{1,14}"
    if not re.fullmatch(pattern, data.code):
        msg = (
            _("目的代码应为 3 位数字。")
            if parent.level == 2
            else _("细目代码应为 1–14 位数字或大写字母。")
        )
        raise Invalid(msg, errors=[FieldError("code", msg)])
    full = parent.full_code + data.code
    if session.scalar(select(Category.id).where(Category.full_code == full)) is not None:
        msg = _("分类代码 {code} 已存在。").format(code=full)
        raise Conflict(msg, errors=[FieldError("code", msg)])
    category = Category(
        level=parent.level + 1,
        code=data.code,
        full_code=full,
        name=data.name,
        category_class=parent.category_class,
        parent_id=parent.id,
        department_id=data.department_id,
        sort_order=data.sort_order,
    )
    session.add(category)
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.create_category",
        category,
        after={"full_code": full, "name": data.name},
    )
    return CategoryPublic.model_validate(category)


def list_units(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Units that can be providers or authoritative sources (id, name), for forms."""
    require(permissions.can_list_units(actor), "catalog.list_units")
    from govshare.accounts import service as accounts

    rows, _c = accounts.list_departments(session, actor, limit=10_000)
    return [(d.id, d.name) for d in rows]
