"""Tasks: lists, one task with its whole record, milestone corrections, named groups resolved."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.supervision import permissions
from govshare.supervision.models import (
    Attachment,
    ExtensionRequest,
    Milestone,
    Task,
    TaskEvent,
    TaskUnit,
)
from govshare.supervision.schemas import (
    AttachmentPublic,
    EventPublic,
    ExtensionPublic,
    GroupResolve,
    MilestoneCreate,
    MilestoneUpdate,
    ReportPublic,
    Status,
    TaskDetail,
    TaskSummary,
)
from govshare.supervision.service._state import (
    group_members,
    load_plan,
    load_task,
    plan_state,
    unit_refs,
)


def list_tasks(
    session: Session,
    actor: Actor,
    plan_id: int,
    *,
    status: Status | None = None,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[TaskSummary]:
    """A plan's tasks, by status or by a responsible unit."""
    require(permissions.can_list_tasks(actor), "supervision.list_tasks")
    state = plan_state(session, load_plan(session, plan_id), now)
    out = []
    for ts in state.tasks:
        if status and ts.status != status:
            continue
        if department_id is not None and department_id not in ts.responsible:
            continue
        out.append(state.summary(ts))
    return out


def get_task(
    session: Session, actor: Actor, task_id: int, *, now: dt.datetime | None = None
) -> TaskDetail:
    """One task: content, units, milestones with clocks, reports, extensions, every step."""
    require(permissions.can_get_task(actor), "supervision.get_task")
    task = load_task(session, task_id)
    state = plan_state(session, load_plan(session, task.plan_id), now)
    ts = next(t for t in state.tasks if t.task.id == task.id)
    report_ids = [r.id for r in ts.reports]
    files: dict[int, list[AttachmentPublic]] = {}
    for a in session.scalars(
        select(Attachment).where(Attachment.report_id.in_(report_ids)).order_by(Attachment.id)
    ):
        files.setdefault(a.report_id, []).append(AttachmentPublic.model_validate(a))
    extensions = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.task_id == task.id)
        .order_by(ExtensionRequest.id.desc())
    ).all()
    events = session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.at, TaskEvent.id)
    ).all()
    summary = state.summary(ts)
    return TaskDetail(
        **summary.model_dump(),
        content=task.content,
        units_text=task.units_text,
        weight=task.weight,
        units=unit_refs(ts.units, state.names),
        milestones=ts.milestones,
        reports=[ReportPublic.model_validate(r) for r in reversed(ts.reports)],
        attachments=files,
        extensions=[ExtensionPublic.model_validate(e) for e in extensions],
        events=[EventPublic.model_validate(e) for e in events],
        responsible_ids=sorted(ts.responsible),
        unit_names={i: u.name for i, u in state.names.items()},
        group_members=group_members(session, {u.group_name for u in ts.units if u.group_name}),
    )


def _milestone(session: Session, milestone_id: int) -> Milestone:
    m = session.get(Milestone, milestone_id)
    if m is None:
        raise NotFound(_("里程碑不存在。"))
    return m


def _event(
    session: Session, actor: Actor, task_id: int, kind: str, note: str, milestone_id: int | None
) -> None:
    session.add(
        TaskEvent(
            task_id=task_id,
            milestone_id=milestone_id,
            kind=kind,
            actor=actor.display_name or actor.username or "",
            note=note,
        )
    )


def update_milestone(
    session: Session, actor: Actor, milestone_id: int, data: MilestoneUpdate
) -> Milestone:
    """Correct an extracted milestone's date or sentence (supervisors)."""
    require(permissions.can_update_milestone(actor), "supervision.update_milestone")
    m = _milestone(session, milestone_id)
    before = {"due": m.due, "sentence": m.sentence}
    m.due, m.sentence, m.corrected = data.due, data.sentence.strip() or m.sentence, True
    m.original_due = data.due
    _event(session, actor, m.task_id, "milestone", f"{before['due']} → {data.due}", m.id)
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.update_milestone",
        m,
        before=before,
        after={"due": m.due, "sentence": m.sentence},
    )
    return m


def add_milestone(session: Session, actor: Actor, task_id: int, data: MilestoneCreate) -> Milestone:
    """Add a milestone the extraction missed (supervisors)."""
    require(permissions.can_add_milestone(actor), "supervision.add_milestone")
    task = load_task(session, task_id)
    if session.scalar(
        select(Milestone.id).where(Milestone.task_id == task.id, Milestone.due == data.due)
    ):
        msg = _("该任务已有 {due} 到期的里程碑。").format(due=data.due.isoformat())
        raise Conflict(msg, errors=[FieldError("due", msg)])
    m = Milestone(
        task_id=task.id,
        due=data.due,
        original_due=data.due,
        source="manual",
        sentence=data.sentence.strip(),
        corrected=True,
    )
    session.add(m)
    session.flush()
    _event(session, actor, task.id, "milestone", f"+ {data.due}", m.id)
    audit.record(
        session, actor, "supervision.add_milestone", m, after={"due": m.due, "task": task.number}
    )
    return m


def set_milestone_done(
    session: Session, actor: Actor, milestone_id: int, *, done_on: dt.date | None
) -> Milestone:
    """Confirm a milestone completed on a day, or reopen it (``None``) (supervisors)."""
    require(permissions.can_set_milestone_done(actor), "supervision.set_milestone_done")
    m = _milestone(session, milestone_id)
    before = {"done_on": m.done_on}
    m.done_on = done_on
    _event(
        session,
        actor,
        m.task_id,
        "milestone",
        _("确认完成") if done_on else _("重新打开"),
        m.id,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.set_milestone_done",
        m,
        before=before,
        after={"done_on": done_on},
    )
    return m


def set_group_units(session: Session, actor: Actor, task_id: int, data: GroupResolve) -> Task:
    """Name the units a group such as 市直有关部门 stands for on one task (supervisors).

    The chosen units become co-units (or leads, if the group was the lead); they must be members
    of the group. An empty choice keeps the group unresolved.
    """
    require(permissions.can_set_group_units(actor), "supervision.set_group_units")
    task = load_task(session, task_id)
    row = session.scalar(
        select(TaskUnit).where(TaskUnit.task_id == task.id, TaskUnit.group_name == data.group_name)
    )
    if row is None:
        raise NotFound(_("该任务没有这个单位组。"))
    members = set(group_members(session, {data.group_name}).get(data.group_name, []))
    strangers = [i for i in data.department_ids if i not in members]
    if strangers:
        msg = _("所选单位不属于“{group}”。").format(group=data.group_name)
        raise Invalid(msg, errors=[FieldError("department_ids", msg)])
    session.execute(
        delete(TaskUnit).where(TaskUnit.task_id == task.id, TaskUnit.via_group == data.group_name)
    )
    for i, dept in enumerate(sorted(set(data.department_ids))):
        session.add(
            TaskUnit(
                task_id=task.id,
                role=row.role,
                department_id=dept,
                via_group=data.group_name,
                position=row.position * 100 + i + 1,
            )
        )
    row.resolved = bool(data.department_ids)
    _event(
        session,
        actor,
        task.id,
        "resolve",
        _("{group}：{n} 个单位").format(group=data.group_name, n=len(set(data.department_ids))),
        None,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.set_group_units",
        task,
        after={"group": data.group_name, "department_ids": sorted(set(data.department_ids))},
    )
    return task
