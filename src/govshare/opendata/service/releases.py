"""Releases: opening a published resource on the portal after the de-identification check,
masks, and level changes (lowering needs a platform admin's approval, 344号)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourceFilter, ResourcePublic
from govshare.core import masking
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.opendata import permissions
from govshare.opendata.models import LevelChange, Release
from govshare.opendata.schemas import (
    LEVEL_RANK,
    Decision,
    LevelChangeCreate,
    ReleaseCreate,
    ReleasePublic,
    ReleaseRow,
)
from govshare.opendata.service._common import personal_unmasked, proposed_masks


def _snapshot(rel: Release) -> dict[str, Any]:
    return {"level": rel.level, "status": rel.status, "masks": dict(rel.masks)}


def _target(resource: ResourcePublic) -> tuple[str, str, str]:
    return ("resource", str(resource.id), resource.name)


def _checked_masks(resource: ResourcePublic, masks: dict[str, str]) -> dict[str, str]:
    """The masks for every item (missing ones: in the clear), refusing unknown items or masks
    and personal items left unmasked (the de-identification check)."""
    names = {i.name for i in resource.data_items}
    allowed = {m.value for m in masking.Mask}
    errors = [FieldError(f"masks.{k}", _("没有这个信息项。")) for k in masks if k not in names] + [
        FieldError(f"masks.{k}", _("未知的脱敏方式。"))
        for k, v in masks.items()
        if k in names and v not in allowed
    ]
    if errors:
        raise Invalid(_("脱敏设置有误。"), errors=errors)
    full = {i.name: masks.get(i.name, masking.Mask.NONE.value) for i in resource.data_items}
    clear = personal_unmasked(resource.data_items, full)
    if clear:
        msg = _("以下个人信息项未脱敏，不能开放：{names}").format(names="、".join(clear))
        raise Invalid(msg, errors=[FieldError(f"masks.{n}", msg) for n in clear])
    return full


def _resource(session: Session, actor: Actor, resource_id: int) -> ResourcePublic:
    return catalog.get_resource(session, actor, resource_id)


def list_releases(
    session: Session, actor: Actor, *, department_id: int | None = None
) -> list[ReleaseRow]:
    """Published resources that may be opened (开放属性 open or conditional) of the actor's
    department (platform admins: any, or the one asked for), with their releases."""
    require(permissions.can_list_releases(actor), "opendata.list_releases")
    dept = department_id if actor.is_platform_admin else actor.department_id
    rows: list[ResourcePublic] = []
    cursor: str | None = None
    while True:
        page, cursor = catalog.list_resources(
            session,
            actor,
            filters=ResourceFilter(status="published", provider_department_id=dept),
            cursor=cursor,
            limit=500,
        )
        rows += [r for r in page if r.open_type != "closed"]
        if cursor is None or len(rows) >= 2000:
            break
    rels = {
        r.resource_id: r
        for r in session.scalars(
            select(Release).where(Release.resource_id.in_([r.id for r in rows]))
        )
    }
    from govshare.catalog.schemas import ResourceSummary

    return [
        ReleaseRow(
            resource=ResourceSummary(**r.model_dump(include=set(ResourceSummary.model_fields))),
            release=ReleasePublic.model_validate(rels[r.id]) if r.id in rels else None,
            personal_items=[i.name for i in r.data_items if i.personal],
            proposed_masks=dict(rels[r.id].masks) if r.id in rels else proposed_masks(r),
        )
        for r in rows
    ]


def release_resource(session: Session, actor: Actor, data: ReleaseCreate) -> Release:
    """Open a published resource on the portal at its catalog 开放属性, with masks; refused while
    any personal data item would leave unmasked."""
    resource = _resource(session, actor, data.resource_id)
    require(
        permissions.can_release_resource(actor, resource),
        "opendata.release_resource",
        _target(resource),
    )
    if resource.status != "published" or resource.open_type == "closed":
        raise Conflict(_("只有已发布且开放属性为无条件开放或有条件开放的资源才能开放。"))
    masks = _checked_masks(resource, data.masks)
    rel = session.scalars(select(Release).where(Release.resource_id == resource.id)).one_or_none()
    before = _snapshot(rel) if rel else None
    if rel is not None and rel.status == "released":
        raise Conflict(_("该资源已经开放。"))
    if rel is None:
        rel = Release(resource_id=resource.id)
        session.add(rel)
    rel.level, rel.status, rel.masks, rel.note = resource.open_type, "released", masks, data.note
    rel.released_by_id, rel.released_at, rel.updated_at = actor.user_id, utcnow(), utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "opendata.release_resource",
        _target(resource),
        before=before,
        after=_snapshot(rel),
    )
    return rel


def update_release_masks(
    session: Session, actor: Actor, resource_id: int, masks: dict[str, str]
) -> Release:
    """Change the masks of a released resource (the de-identification check runs again)."""
    resource = _resource(session, actor, resource_id)
    require(
        permissions.can_update_release_masks(actor, resource),
        "opendata.update_release_masks",
        _target(resource),
    )
    rel = _release(session, resource_id)
    before = _snapshot(rel)
    rel.masks = _checked_masks(resource, masks)
    rel.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "opendata.update_release_masks",
        _target(resource),
        before=before,
        after=_snapshot(rel),
    )
    return rel


def _release(session: Session, resource_id: int) -> Release:
    rel = session.scalars(
        select(Release).where(Release.resource_id == resource_id, Release.status == "released")
    ).one_or_none()
    if rel is None:
        raise NotFound(_("该资源没有在门户开放。"))
    return rel


def _apply(session: Session, rel: Release, to_level: str) -> None:
    if to_level == "closed":
        rel.status = "withdrawn"
    else:
        rel.level = to_level
    rel.updated_at = utcnow()


def request_level_change(
    session: Session, actor: Actor, resource_id: int, data: LevelChangeCreate
) -> LevelChange:
    """Change a released resource's level. Raising it (conditional → open) applies at once, up
    to the catalog's 开放属性; lowering it (open → conditional/closed, conditional → closed)
    waits for a platform admin's approval (344号), one request at a time."""
    resource = _resource(session, actor, resource_id)
    require(
        permissions.can_request_level_change(actor, resource),
        "opendata.request_level_change",
        _target(resource),
    )
    rel = _release(session, resource_id)
    if data.to_level == rel.level:
        raise Conflict(_("开放级别没有变化。"))
    pending = session.scalar(
        select(LevelChange.id).where(
            LevelChange.release_id == rel.id, LevelChange.status == "pending"
        )
    )
    if pending:
        raise Conflict(_("该资源已有待审批的级别变更。"))
    lowering = LEVEL_RANK[data.to_level] < LEVEL_RANK[rel.level]
    if not lowering and LEVEL_RANK[data.to_level] > LEVEL_RANK[resource.open_type]:
        raise Conflict(_("目录中的开放属性更严格，请先修订目录再提高开放级别。"))
    change = LevelChange(
        release_id=rel.id,
        resource_id=resource_id,
        from_level=rel.level,
        to_level=data.to_level,
        reason=data.reason,
        requested_by_id=actor.user_id,
        status="pending" if lowering else "approved",
    )
    session.add(change)
    before = _snapshot(rel)
    if not lowering:
        change.decided_at, change.decision_note = utcnow(), _("提高开放级别，无需审批。")
        _apply(session, rel, data.to_level)
    session.flush()
    audit.record(
        session,
        actor,
        "opendata.request_level_change",
        change,
        before=before,
        after=_snapshot(rel),
        details={"lowering": lowering, "reason": data.reason},
    )
    return change


def list_level_changes(
    session: Session, actor: Actor, *, status: str | None = None
) -> Sequence[LevelChange]:
    """Level changes, newest first (provider staff: their department's resources)."""
    require(permissions.can_list_level_changes(actor), "opendata.list_level_changes")
    stmt = select(LevelChange).order_by(LevelChange.id.desc()).limit(500)
    if status:
        stmt = stmt.where(LevelChange.status == status)
    changes = session.scalars(stmt).all()
    if actor.is_platform_admin or actor.has_role("auditor"):
        return changes
    mine = {
        r.id
        for r in catalog.get_open_resources(
            session, actor, select(Release.resource_id), [c.resource_id for c in changes]
        )
        if r.provider_department_id == actor.department_id
    }
    return [c for c in changes if c.resource_id in mine]


def _decide(
    session: Session, actor: Actor, change_id: int, decision: Decision, action: str
) -> LevelChange:
    change = session.get(LevelChange, change_id)
    if change is None:
        raise NotFound(_("级别变更不存在。"))
    if change.status != "pending":
        raise Conflict(_("该级别变更已经处理。"))
    if not decision.approve and not decision.note.strip():
        raise Invalid(_("驳回时请写明理由。"), errors=[FieldError("note", _("不能为空。"))])
    rel = session.get(Release, change.release_id)
    assert rel is not None
    before = _snapshot(rel)
    change.status = "approved" if decision.approve else "refused"
    change.decided_by_id, change.decided_at = actor.user_id, utcnow()
    change.decision_note = decision.note.strip()
    if decision.approve:
        _apply(session, rel, change.to_level)
    session.flush()
    audit.record(session, actor, action, change, before=before, after=_snapshot(rel))
    return change


def approve_level_change(
    session: Session, actor: Actor, change_id: int, *, note: str = ""
) -> LevelChange:
    """Approve a lowering: the release takes the new level (closed: it is withdrawn)."""
    require(permissions.can_approve_level_change(actor), "opendata.approve_level_change")
    return _decide(
        session,
        actor,
        change_id,
        Decision(approve=True, note=note),
        "opendata.approve_level_change",
    )


def refuse_level_change(
    session: Session, actor: Actor, change_id: int, *, note: str
) -> LevelChange:
    """Refuse a lowering, with the reason; the level stays."""
    require(permissions.can_refuse_level_change(actor), "opendata.refuse_level_change")
    return _decide(
        session,
        actor,
        change_id,
        Decision(approve=False, note=note),
        "opendata.refuse_level_change",
    )


def withdraw_release(session: Session, actor: Actor, resource_id: int, *, reason: str) -> Release:
    """Take a resource off the portal at once (platform admins: e.g. data found to leak);
    recorded as an approved lowering to 不予开放."""
    require(
        permissions.can_withdraw_release(actor),
        "opendata.withdraw_release",
        ("resource", str(resource_id), ""),
    )
    rel = _release(session, resource_id)
    if not reason.strip():
        raise Invalid(_("请写明撤回理由。"), errors=[FieldError("reason", _("不能为空。"))])
    before = _snapshot(rel)
    session.add(
        LevelChange(
            release_id=rel.id,
            resource_id=resource_id,
            from_level=rel.level,
            to_level="closed",
            reason=reason.strip(),
            status="approved",
            requested_by_id=actor.user_id,
            decided_by_id=actor.user_id,
            decided_at=utcnow(),
        )
    )
    _apply(session, rel, "closed")
    session.flush()
    audit.record(
        session, actor, "opendata.withdraw_release", rel, before=before, after=_snapshot(rel)
    )
    return rel
