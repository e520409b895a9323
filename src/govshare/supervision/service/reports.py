"""Progress reports with evidence, the supervisor's review, and extension requests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.clocks import service as clocks
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require, sm3_hex
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.supervision import permissions
from govshare.supervision.models import (
    Attachment,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Task,
    TaskEvent,
    TaskUnit,
)
from govshare.supervision.schemas import (
    AttachmentPublic,
    ExtensionCreate,
    ExtensionDecision,
    ExtensionPublic,
    ReportCreate,
    ReportReview,
    UploadedFile,
)
from govshare.supervision.service._state import (
    load_task,
    period_end,
    period_of,
    responsible_ids,
)

MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "ofd": (b"PK\x03\x04",),
}
REPORTER_ROLES = ["dept_admin", "steward"]


def _who(actor: Actor) -> str:
    return actor.display_name or actor.username or ""


def _responsible(session: Session, task: Task) -> set[int]:
    rows = list(session.scalars(select(TaskUnit).where(TaskUnit.task_id == task.id)))
    return responsible_ids(session, rows)


def _leads(session: Session, task: Task) -> set[int]:
    rows = session.scalars(
        select(TaskUnit.department_id).where(TaskUnit.task_id == task.id, TaskUnit.role == "lead")
    )
    return {d for d in rows if d is not None}


def uploads_dir() -> Path:
    """Where evidence files live: ``<data_dir>/uploads/supervision``."""
    return get_settings().data_dir / "uploads" / "supervision"


def _check_file(f: UploadedFile, index: int) -> str:
    settings = get_settings()
    allowed = [e.strip().lower() for e in settings.supervision_attachment_types.split(",")]
    name = Path(f.filename).name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    field = f"files.{index}"
    if ext not in allowed:
        msg = _("不允许的文件类型“{name}”：只接受 {types}。").format(
            name=name, types="、".join(allowed)
        )
        raise Invalid(msg, errors=[FieldError(field, msg)])
    if len(f.data) > settings.supervision_attachment_max_mb * 1024 * 1024:
        msg = _("文件“{name}”超过 {mb} MB。").format(
            name=name, mb=settings.supervision_attachment_max_mb
        )
        raise Invalid(msg, errors=[FieldError(field, msg)])
    if not f.data:
        msg = _("文件“{name}”是空的。").format(name=name)
        raise Invalid(msg, errors=[FieldError(field, msg)])
    if ext in MAGIC and not f.data.startswith(MAGIC[ext]):
        msg = _("文件“{name}”的内容与扩展名不符。").format(name=name)
        raise Invalid(msg, errors=[FieldError(field, msg)])
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name)[:200]


def submit_report(
    session: Session,
    actor: Actor,
    task_id: int,
    data: ReportCreate,
    files: list[UploadedFile] | None = None,
    *,
    period: str | None = None,
    at: dt.datetime | None = None,
) -> ProgressReport:
    """File a unit's progress on a task: percent, narrative, evidence (department admins and
    stewards of a responsible unit). Co-units report their own share."""
    task = load_task(session, task_id)
    responsible = _responsible(session, task)
    require(
        permissions.can_submit_report(actor, responsible),
        "supervision.submit_report",
        ("supervision_task", str(task.id), task.audit_label()),
        _("本单位不是该任务的责任单位，不能报送进度。"),
    )
    dept = data.department_id or actor.department_id
    if dept != actor.department_id:
        msg = _("只能为本单位报送进度。")
        raise Invalid(msg, errors=[FieldError("department_id", msg)])
    if data.milestone_id is not None:
        m = session.get(Milestone, data.milestone_id)
        if m is None or m.task_id != task.id:
            msg = _("里程碑不属于该任务。")
            raise Invalid(msg, errors=[FieldError("milestone_id", msg)])
    names = [_check_file(f, i) for i, f in enumerate(files or [])]
    now = at or utcnow()
    today = clocks.today(now)
    period = period or period_of(today)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        msg = _("报送期间应为 YYYY-MM。")
        raise Invalid(msg, errors=[FieldError("period", msg)])
    period = period_of(dt.date(int(period[:4]), int(period[5:]), 1))
    grace = clocks.add_working_days(
        session, SYSTEM, period_end(period), get_settings().supervision_report_grace_days
    ).result
    report = ProgressReport(
        task_id=task.id,
        department_id=dept,
        milestone_id=data.milestone_id,
        user_id=actor.user_id,
        author=_who(actor),
        period=period,
        percent=data.percent,
        narrative=data.narrative.strip(),
        submitted_at=now,
        on_time=today <= grace,
    )
    session.add(report)
    session.flush()
    folder = uploads_dir()
    for f, name in zip(files or [], names, strict=True):
        digest = sm3_hex(f.data)
        path = folder / digest[:2] / digest
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
        session.add(
            Attachment(
                report_id=report.id,
                filename=name,
                content_type=f.content_type[:100],
                size=len(f.data),
                digest=digest,
            )
        )
    session.add(
        TaskEvent(
            task_id=task.id,
            milestone_id=data.milestone_id,
            kind="report",
            at=now,
            actor=_who(actor),
            note=f"{actor.department_name or ''} {data.percent}%",
        )
    )
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.submit_report",
        report,
        after={
            "task": task.number,
            "percent": data.percent,
            "period": period,
            "files": [
                {"name": n, "size": len(f.data)} for f, n in zip(files or [], names, strict=True)
            ],
        },
    )
    return report


def review_report(
    session: Session,
    actor: Actor,
    report_id: int,
    data: ReportReview,
    *,
    at: dt.datetime | None = None,
) -> ProgressReport:
    """Accept or return a report (supervisors). An accepted report of a lead unit sets the task's
    progress; 100% closes the task and its milestones; ``milestone_done`` closes the report's
    milestone. The unit is told."""
    require(permissions.can_review_report(actor), "supervision.review_report")
    report = session.get(ProgressReport, report_id)
    if report is None:
        raise NotFound(_("进度报送不存在。"))
    if report.status != "submitted":
        raise Conflict(_("该报送已处理过。"))
    if data.decision == "return" and not data.note.strip():
        msg = _("退回时请写明原因。")
        raise Invalid(msg, errors=[FieldError("note", msg)])
    task = load_task(session, report.task_id)
    now = at or utcnow()
    day = clocks.today(now)
    before = {"status": report.status}
    report.status = "accepted" if data.decision == "accept" else "returned"
    report.reviewer, report.review_note, report.reviewed_at = _who(actor), data.note, now
    report.rating = data.rating if data.decision == "accept" else None
    if data.decision == "accept":
        _apply_progress(session, task, report, data, day)
    session.add(
        TaskEvent(
            task_id=task.id,
            milestone_id=report.milestone_id,
            kind="accept" if data.decision == "accept" else "return",
            at=now,
            actor=_who(actor),
            note=data.note or f"{report.percent}%",
        )
    )
    session.flush()
    word = _("采纳") if data.decision == "accept" else _("退回")
    notify.send(
        session,
        actor,
        recipients=Recipients(user_ids=[report.user_id] if report.user_id else []),
        subject=_("任务 {n} 的进度报送已被{word}").format(n=task.number, word=word),
        body=data.note,
        link=f"/supervision/tasks/{task.id}",
        kind="supervision.review",
    )
    audit.record(
        session,
        actor,
        "supervision.review_report",
        report,
        before=before,
        after={"status": report.status, "rating": report.rating, "note": data.note},
    )
    return report


def _apply_progress(
    session: Session, task: Task, report: ProgressReport, data: ReportReview, day: dt.date
) -> None:
    if report.department_id in _leads(session, task):
        task.percent = max(task.percent, report.percent) if task.done_on else report.percent
        if report.percent == 100:
            task.done_on = task.done_on or day
            for m in session.scalars(
                select(Milestone).where(Milestone.task_id == task.id, Milestone.done_on.is_(None))
            ):
                m.done_on = day
    if data.milestone_done and report.milestone_id is not None:
        one = session.get(Milestone, report.milestone_id)
        if one is not None and one.done_on is None:
            one.done_on = day


def get_attachment(
    session: Session, actor: Actor, attachment_id: int
) -> tuple[AttachmentPublic, bytes]:
    """An evidence file and its bytes (responsible units, supervisors, admins, auditors)."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(_("附件不存在。"))
    report = session.get(ProgressReport, att.report_id)
    task = load_task(session, report.task_id if report else -1)
    require(
        permissions.can_get_attachment(actor, _responsible(session, task)),
        "supervision.get_attachment",
    )
    path = uploads_dir() / att.digest[:2] / att.digest
    if not path.exists():
        raise NotFound(_("附件文件已丢失。"))
    audit.record(session, actor, "supervision.get_attachment", att, details={"size": att.size})
    return AttachmentPublic.model_validate(att), path.read_bytes()


def request_extension(
    session: Session, actor: Actor, milestone_id: int, data: ExtensionCreate
) -> ExtensionRequest:
    """Ask to move a milestone, with a reason (department admins and stewards of a responsible
    unit). Supervisors are told."""
    m = session.get(Milestone, milestone_id)
    if m is None:
        raise NotFound(_("里程碑不存在。"))
    task = load_task(session, m.task_id)
    require(
        permissions.can_request_extension(actor, _responsible(session, task)),
        "supervision.request_extension",
        ("supervision_milestone", str(m.id), m.audit_label()),
        _("本单位不是该任务的责任单位。"),
    )
    if m.done_on is not None:
        raise Conflict(_("里程碑已完成，无需延期。"))
    if data.requested_due <= m.due:
        msg = _("申请的日期应晚于当前截止日期 {due}。").format(due=m.due.isoformat())
        raise Invalid(msg, errors=[FieldError("requested_due", msg)])
    pending = session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.milestone_id == m.id, ExtensionRequest.status == "pending"
        )
    )
    if pending is not None:
        raise Conflict(_("该里程碑已有待审批的延期申请。"))
    ext = ExtensionRequest(
        milestone_id=m.id,
        task_id=task.id,
        department_id=actor.department_id or 0,
        author=_who(actor),
        requested_due=data.requested_due,
        reason=data.reason.strip(),
    )
    session.add(ext)
    session.add(
        TaskEvent(
            task_id=task.id,
            milestone_id=m.id,
            kind="extension",
            actor=_who(actor),
            note=f"{m.due} → {data.requested_due}：{data.reason.strip()}",
        )
    )
    session.flush()
    supervisors, _c = accounts.list_users(session, SYSTEM, role="supervisor", limit=500)
    notify.send(
        session,
        actor,
        recipients=Recipients(user_ids=[u.id for u in supervisors]),
        subject=_("任务 {n} 申请延期至 {due}").format(n=task.number, due=data.requested_due),
        body=data.reason,
        link=f"/supervision/tasks/{task.id}",
        kind="supervision.extension",
    )
    audit.record(
        session,
        actor,
        "supervision.request_extension",
        ext,
        after={"milestone": m.id, "requested_due": data.requested_due, "reason": data.reason},
    )
    return ext


def decide_extension(
    session: Session, actor: Actor, extension_id: int, data: ExtensionDecision
) -> ExtensionRequest:
    """Approve (the milestone moves; its clock recomputes) or refuse an extension (supervisors)."""
    require(permissions.can_decide_extension(actor), "supervision.decide_extension")
    ext = session.get(ExtensionRequest, extension_id)
    if ext is None:
        raise NotFound(_("延期申请不存在。"))
    if ext.status != "pending":
        raise Conflict(_("该申请已处理过。"))
    if not data.approve and not data.note.strip():
        msg = _("不批准时请写明原因。")
        raise Invalid(msg, errors=[FieldError("note", msg)])
    m = session.get(Milestone, ext.milestone_id)
    assert m is not None
    before = {"status": ext.status, "due": m.due}
    ext.status = "approved" if data.approve else "refused"
    ext.decided_at, ext.decided_by, ext.decision_note = utcnow(), _who(actor), data.note
    if data.approve:
        m.due = ext.requested_due
    session.add(
        TaskEvent(
            task_id=ext.task_id,
            milestone_id=m.id,
            kind="extension_ok" if data.approve else "extension_no",
            actor=_who(actor),
            note=data.note or f"→ {ext.requested_due}",
        )
    )
    session.flush()
    task = load_task(session, ext.task_id)
    notify.send(
        session,
        actor,
        recipients=Recipients(department_ids=[ext.department_id], roles=REPORTER_ROLES),
        subject=(
            _("任务 {n} 的延期申请已批准，新截止日期 {due}").format(
                n=task.number, due=ext.requested_due
            )
            if data.approve
            else _("任务 {n} 的延期申请未获批准").format(n=task.number)
        ),
        body=data.note,
        link=f"/supervision/tasks/{task.id}",
        kind="supervision.extension",
    )
    audit.record(
        session,
        actor,
        "supervision.decide_extension",
        ext,
        before=before,
        after={"status": ext.status, "due": m.due},
    )
    return ext


def list_extensions(
    session: Session, actor: Actor, *, status: str | None = "pending"
) -> list[ExtensionPublic]:
    """Extension requests, oldest first (supervisors' queue)."""
    require(permissions.can_list_extensions(actor), "supervision.list_extensions")
    stmt = select(ExtensionRequest).order_by(ExtensionRequest.created_at)
    if status:
        stmt = stmt.where(ExtensionRequest.status == status)
    return [ExtensionPublic.model_validate(e) for e in session.scalars(stmt)]
