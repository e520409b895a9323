"""Versions and reviews: the review queue, return with comments, publish, retire, the version
history and field-by-field differences between versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import permissions
from govshare.catalog.models import Resource, ResourceVersion, Review
from govshare.catalog.schemas import (
    FieldChange,
    ItemChange,
    QueueEntry,
    ResourcePublic,
    RetireRequest,
    ReturnDecision,
    ReviewDecision,
    ReviewPublic,
    VersionDiff,
    VersionPublic,
)
from govshare.catalog.service.common import (
    Lookups,
    apply,
    data_of,
    index,
    load,
    pending_version,
    public,
    resolve,
    snapshot,
    target,
    today,
)
from govshare.clocks import service as clocks
from govshare.clocks.calendar import WorkCalendar
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, NotFound
from govshare.core.i18n import N_, _
from govshare.core.security import SYSTEM, Actor, require


def _submitted(session: Session, resource: Resource, action: str) -> ResourceVersion:
    pv = pending_version(session, resource.id)
    if pv is None or pv.status != "submitted":
        raise Conflict(_("只有已提交审核的资源才能审核。"), action=action)
    return pv


def _review(
    session: Session, actor: Actor, resource: Resource, version: int, decision: str, comment: str
) -> None:
    session.add(
        Review(
            resource_id=resource.id,
            version=version,
            decision=decision,
            comment=comment,
            reviewer_id=actor.user_id,
            reviewer_name=actor.display_name or actor.username or "",
        )
    )


def return_resource(
    session: Session, actor: Actor, resource_id: int, decision: ReturnDecision
) -> ResourcePublic:
    """Return a submission to its department with comments saying what to fix (reviewers)."""
    return public(session, actor, send_back(session, actor, resource_id, decision))


def send_back(
    session: Session, actor: Actor, resource_id: int, decision: ReturnDecision
) -> Resource:
    """``return_resource`` answering the model."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_return_resource(actor, resource),
        "catalog.return_resource",
        target(resource),
    )
    pv = _submitted(session, resource, "catalog.return_resource")
    before = snapshot(resource)
    now = utcnow()
    pv.status, pv.review_comment, pv.decided_at, pv.decided_by_id = (
        "returned",
        decision.comment,
        now,
        actor.user_id,
    )
    if resource.published_at is None:
        resource.status = "returned"
    _review(session, actor, resource, pv.version, "returned", decision.comment)
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.return_resource",
        target(resource),
        before=before,
        after={**snapshot(resource), "returned_version": pv.version},
        reason=decision.comment,
    )
    return resource


def publish_resource(
    session: Session, actor: Actor, resource_id: int, decision: ReviewDecision | None = None
) -> ResourcePublic:
    """Publish a submission (reviewers): a first filing becomes visible to everyone; a revision
    replaces the published state and becomes the current version."""
    return public(session, actor, publish(session, actor, resource_id, decision))


def publish(
    session: Session,
    actor: Actor,
    resource_id: int,
    decision: ReviewDecision | None = None,
    cache: Lookups | None = None,
) -> Resource:
    """``publish_resource`` answering the model; batch callers (the demo) pass a cache."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_publish_resource(actor, resource),
        "catalog.publish_resource",
        target(resource),
    )
    pv = _submitted(session, resource, "catalog.publish_resource")
    data = data_of(pv.payload)
    resolved = resolve(session, actor, data, "catalog.publish_resource", resource, cache)
    before = snapshot(resource)
    now = utcnow()
    if data.publish_date is None:
        data = data.model_copy(update={"publish_date": resource.publish_date or today()})
    resource.status = "published"
    if resource.published_at is None:
        resource.publish_date = data.publish_date  # a first filing's row already holds the rest
        index(session, resource, data)  # now visible to everyone: its scope changes
    else:
        apply(session, resource, data, resolved)
    for old in session.scalars(
        select(ResourceVersion).where(
            ResourceVersion.resource_id == resource.id, ResourceVersion.status == "published"
        )
    ):
        old.status = "superseded"
    pv.status, pv.decided_at, pv.decided_by_id = "published", now, actor.user_id
    pv.payload = {
        **pv.payload,
        "publish_date": data.publish_date.isoformat() if data.publish_date else None,
    }
    note = decision.comment if decision else ""
    pv.review_comment = note
    resource.status, resource.version, resource.published_at = "published", pv.version, now
    _review(session, actor, resource, pv.version, "published", note)
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.publish_resource",
        target(resource),
        before=before,
        after=snapshot(resource),
    )
    return resource


def retire_resource(
    session: Session, actor: Actor, resource_id: int, data: RetireRequest
) -> ResourcePublic:
    """Retire a published resource: it stays findable by code and history, marked retired."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_retire_resource(actor, resource),
        "catalog.retire_resource",
        target(resource),
    )
    before = snapshot(resource)
    pv = pending_version(session, resource.id)
    if pv is not None:
        pv.status = "withdrawn"
    resource.status, resource.retired_at = "retired", utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.retire_resource",
        target(resource),
        before=before,
        after=snapshot(resource),
        reason=data.reason,
    )
    return public(session, actor, resource)


def _versions(session: Session, actor: Actor, resource: Resource) -> list[ResourceVersion]:
    stmt = select(ResourceVersion).where(ResourceVersion.resource_id == resource.id)
    if not permissions.can_see_unpublished(actor, resource):
        stmt = stmt.where(ResourceVersion.status.in_(("published", "superseded")))
    return list(session.scalars(stmt.order_by(ResourceVersion.version.desc())))


def list_versions(session: Session, actor: Actor, resource_id: int) -> list[VersionPublic]:
    """Every version of a resource the actor may see, newest first."""
    require(permissions.can_list_versions(actor), "catalog.list_versions")
    resource = load(session, actor, resource_id)
    return [VersionPublic.model_validate(v) for v in _versions(session, actor, resource)]


def list_reviews(session: Session, actor: Actor, resource_id: int) -> list[ReviewPublic]:
    """The reviewers' decisions on a resource, newest first (provider department, reviewers)."""
    require(permissions.can_list_reviews(actor), "catalog.list_reviews")
    resource = load(session, actor, resource_id)
    if not permissions.can_see_unpublished(actor, resource):
        return []
    rows = session.scalars(
        select(Review).where(Review.resource_id == resource.id).order_by(Review.id.desc())
    )
    return [ReviewPublic.model_validate(r) for r in rows]


DIFF_LABELS: dict[str, str] = {
    "name": N_("信息资源名称"),
    "code": N_("信息资源代码"),
    "category_code": N_("信息资源分类"),
    "provider_department_id": N_("信息资源提供方"),
    "abstract": N_("信息资源摘要"),
    "format_class": N_("格式分类"),
    "format_type": N_("格式类型"),
    "share_type": N_("共享类型"),
    "share_conditions": N_("共享条件"),
    "share_method": N_("共享方式"),
    "share_method_note": N_("其他共享方式说明"),
    "open_type": N_("开放属性"),
    "open_conditions": N_("开放条件"),
    "update_cycle": N_("更新周期"),
    "grading_level": N_("数据分级"),
    "grading_override_reason": N_("分级调整理由"),
    "legal_basis": N_("法律法规依据"),
    "publish_date": N_("发布日期"),
    "related_codes": N_("关联资源代码"),
    "keywords": N_("关键字"),
    "record_count": N_("数据量（条）"),
    "service_url": N_("在线资源链接地址"),
    "secret": N_("涉密"),
    "type_code": N_("数据类型"),
    "length": N_("数据长度"),
    "description": N_("描述"),
    "is_key": N_("主键"),
    "required": N_("必填"),
    "personal": N_("个人信息"),
    "sensitivity_level": N_("敏感级别"),
    "authoritative_provider_id": N_("权威来源部门"),
}


def _field_changes(
    before: dict[str, Any], after: dict[str, Any], skip: set[str]
) -> list[FieldChange]:
    out = []
    for key in DIFF_LABELS:
        if key in skip or (key not in before and key not in after):
            continue
        if before.get(key) != after.get(key):
            out.append(
                FieldChange(
                    field=key,
                    label=_(DIFF_LABELS[key]),
                    before=before.get(key),
                    after=after.get(key),
                )
            )
    return out


def diff_payloads(resource_id: int, a: ResourceVersion, b: ResourceVersion) -> VersionDiff:
    """Field-by-field differences of two stored versions; data items matched by name."""
    before, after = a.payload, b.payload
    fields = _field_changes(before, after, {"data_items", "name_key"})
    old_items = {i["name"]: i for i in before.get("data_items", [])}
    new_items = {i["name"]: i for i in after.get("data_items", [])}
    items: list[ItemChange] = []
    for name, item in new_items.items():
        if name not in old_items:
            items.append(ItemChange(name=name, change="added"))
            continue
        changes = _field_changes(old_items[name], item, {"name"})
        if changes:
            items.append(ItemChange(name=name, change="changed", fields=changes))
    items += [ItemChange(name=n, change="removed") for n in old_items if n not in new_items]
    return VersionDiff(
        resource_id=resource_id,
        from_version=a.version,
        to_version=b.version,
        fields=fields,
        items=items,
    )


def diff_versions(
    session: Session, actor: Actor, resource_id: int, from_version: int, to_version: int
) -> VersionDiff:
    """What changed between two versions of a resource, field by field and item by item."""
    require(permissions.can_diff_versions(actor), "catalog.diff_versions")
    resource = load(session, actor, resource_id)
    versions = {v.version: v for v in _versions(session, actor, resource)}
    if from_version not in versions or to_version not in versions:
        raise NotFound(_("版本不存在。"))
    return diff_payloads(resource.id, versions[from_version], versions[to_version])


def due_date(calendar: WorkCalendar, submitted: dt.date, working_days: int) -> dt.date:
    """The day a review falls due: working days after submission on the platform's working-day
    calendar (the clocks module's: holidays and 调休 of the years entered, weekends beyond them),
    the same calendar as every other deadline."""
    return calendar.add_working_days(submitted, working_days)


def list_review_queue(session: Session, actor: Actor) -> list[QueueEntry]:
    """Submitted first filings and revisions, oldest first, with their due dates (reviewers)."""
    require(permissions.can_list_review_queue(actor), "catalog.list_review_queue")
    rows = session.execute(
        select(ResourceVersion, Resource)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .where(ResourceVersion.status == "submitted")
        .order_by(ResourceVersion.submitted_at, ResourceVersion.id)
    ).all()
    days = get_settings().catalog_review_days
    now, calendar = today(), clocks.get_calendar(session, SYSTEM)
    out = []
    for version, resource in rows:
        submitted = version.submitted_at
        due = due_date(calendar, local_date(submitted), days) if submitted else None
        out.append(
            QueueEntry(
                resource_id=resource.id,
                code=resource.code,
                name=version.payload.get("name", resource.name),
                provider_name=resource.provider_name,
                version=version.version,
                first_filing=resource.published_at is None,
                submitted_at=submitted,
                due_date=due,
                overdue=due is not None and due < now,
            )
        )
    return out


def local_date(value: dt.datetime) -> dt.date:
    """The calendar day of a stored time in the configured time zone."""
    return clocks.today(value)
