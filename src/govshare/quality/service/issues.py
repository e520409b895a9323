"""Rectification issues and objections: list, mark fixed, file, answer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.quality import permissions
from govshare.quality.models import QualityIssue, QualityObjection
from govshare.quality.schemas import IssueFix, ObjectionAnswer, ObjectionCreate
from govshare.quality.service._common import dataset, deadline, target


def list_issues(
    session: Session,
    actor: Actor,
    *,
    department_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
) -> Sequence[QualityIssue]:
    """Rectification issues: of one department, or of every department the actor follows."""
    require(permissions.can_list_issues(actor, department_id), "quality.list_issues")
    stmt = select(QualityIssue).order_by(QualityIssue.deadline, QualityIssue.id).limit(limit)
    if department_id is not None:
        stmt = stmt.where(QualityIssue.department_id == department_id)
    elif not (actor.is_platform_admin or actor.kind == "system" or actor.has_role("supervisor")):
        stmt = stmt.where(QualityIssue.department_id == (actor.department_id or -1))
    if status:
        stmt = stmt.where(QualityIssue.status == status)
    return session.scalars(stmt).all()


def mark_issue_fixed(session: Session, actor: Actor, issue_id: int, data: IssueFix) -> QualityIssue:
    """The department says it fixed the data; the next run verifies it."""
    issue = session.get(QualityIssue, issue_id)
    if issue is None:
        raise NotFound(_("整改事项不存在。"))
    require(
        permissions.can_mark_issue_fixed(actor, issue.department_id),
        "quality.mark_issue_fixed",
        ("quality_issue", str(issue.id), issue.audit_label()),
    )
    if issue.status not in ("open", "escalated"):
        raise Conflict(_("该事项已标记整改或已复查通过。"))
    before = {"status": issue.status}
    issue.status = "fixed"
    issue.note = (issue.note + "\n" + data.note).strip()
    issue.fixed_at = utcnow()
    issue.fixed_by_name = actor.display_name or actor.username or ""
    session.flush()
    audit.record(
        session,
        actor,
        "quality.mark_issue_fixed",
        issue,
        before=before,
        after={"status": "fixed", "note": data.note[:500]},
    )
    return issue


def file_objection(
    session: Session, actor: Actor, dataset_id: int, data: ObjectionCreate
) -> QualityObjection:
    """A consumer flags a wrong value; the provider must answer within the deadline."""
    ds = dataset(session, actor, dataset_id)
    require(
        permissions.can_file_objection(actor, ds.department_id),
        "quality.file_objection",
        target(ds),
    )
    if data.item not in {c["name"] for c in ds.columns}:
        raise Invalid(
            _("数据集中没有这个数据项。"),
            errors=[FieldError("item", _("数据集中没有这个数据项。"))],
        )
    o = QualityObjection(
        dataset_id=ds.id,
        department_id=ds.department_id,
        dataset_name=ds.name,
        item=data.item,
        row_key=data.row_key.strip(),
        value=data.value.strip(),
        description=data.description,
        filed_by_id=actor.user_id,
        filed_by_name=actor.display_name or actor.username or "",
        filer_department_id=actor.department_id,
        deadline=deadline(session, get_settings().quality_objection_days),
    )
    session.add(o)
    session.flush()
    audit.record(
        session, actor, "quality.file_objection", o, after={"item": o.item, "row_key": o.row_key}
    )
    notify.send(
        session,
        SYSTEM,
        recipients=Recipients(department_ids=[ds.department_id], roles=["steward", "dept_admin"]),
        subject=_("数据异议：{name} 的「{item}」，请于 {d} 前答复").format(
            name=ds.name, item=o.item, d=o.deadline.isoformat()
        ),
        body=o.description,
        link=f"/quality/objections/{o.id}",
        kind="quality.objection",
    )
    return o


def _objection(session: Session, actor: Actor, objection_id: int) -> QualityObjection:
    o = session.get(QualityObjection, objection_id)
    if o is None or not permissions.can_see_objection(actor, o.department_id, o.filed_by_id):
        raise NotFound(_("数据异议不存在。"))
    return o


def get_objection(session: Session, actor: Actor, objection_id: int) -> QualityObjection:
    """One objection (the filer, the provider's staff, supervisors, platform admins)."""
    require(permissions.can_get_objection(actor), "quality.get_objection")
    return _objection(session, actor, objection_id)


def answer_objection(
    session: Session, actor: Actor, objection_id: int, data: ObjectionAnswer
) -> QualityObjection:
    """The provider confirms (to fix in a new version) or explains why the value is right."""
    o = _objection(session, actor, objection_id)
    require(
        permissions.can_answer_objection(actor, o.department_id),
        "quality.answer_objection",
        ("quality_objection", str(o.id), o.audit_label()),
    )
    if o.status != "open":
        raise Conflict(_("该异议已经答复。"))
    from govshare.datastore import service as datastore

    ds = dataset(session, actor, o.dataset_id)
    current = datastore.get_version(session, SYSTEM, ds.id) if ds.current_version_id else None
    o.status = "confirmed" if data.accept else "rejected"
    o.answer = data.answer
    o.answered_by_name = actor.display_name or actor.username or ""
    o.answered_at = utcnow()
    o.answered_version = current.number if current is not None else 0
    session.flush()
    audit.record(
        session,
        actor,
        "quality.answer_objection",
        o,
        before={"status": "open"},
        after={"status": o.status},
    )
    if o.filed_by_id:
        notify.send(
            session,
            SYSTEM,
            recipients=Recipients(user_ids=[o.filed_by_id]),
            subject=_("您提出的数据异议已答复：{label}").format(label=o.audit_label()),
            body=o.answer,
            link=f"/quality/objections/{o.id}",
            kind="quality.objection",
        )
    return o


def list_objections(
    session: Session, actor: Actor, *, dataset_id: int | None = None, limit: int = 200
) -> Sequence[QualityObjection]:
    """Objections the actor may see: filed by them, to their department, or all (supervisors,
    platform admins)."""
    require(permissions.can_list_objections(actor), "quality.list_objections")
    stmt = select(QualityObjection).order_by(QualityObjection.id.desc()).limit(limit)
    if dataset_id is not None:
        stmt = stmt.where(QualityObjection.dataset_id == dataset_id)
    if not (actor.is_platform_admin or actor.kind == "system" or actor.has_role("supervisor")):
        mine = QualityObjection.filed_by_id == (actor.user_id or -1)
        if actor.has_role(*permissions.STAFF) and actor.department_id:
            stmt = stmt.where(or_(mine, QualityObjection.department_id == actor.department_id))
        else:
            stmt = stmt.where(mine)
    return session.scalars(stmt).all()
