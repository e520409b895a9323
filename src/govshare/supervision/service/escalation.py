"""Reminders and escalation: 提醒 before a due date, 催办 when overdue, 督办 after a further
period, 通报 candidates after that — each stage sent once, recorded on the task, and told by
in-app notification, e-mail and webhook (notify). Also reminders to file the monthly report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.clocks import service as clocks
from govshare.core.db import utcnow
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.supervision import permissions
from govshare.supervision.models import Plan, TaskEvent
from govshare.supervision.schemas import MilestonePublic, ReminderReport, TaskSummary
from govshare.supervision.service._state import (
    MILESTONE_KIND,
    REPORT_KIND,
    PlanState,
    TaskState,
    load_plan,
    period_end,
    period_of,
    plan_state,
)

REPORTER_ROLES = ["dept_admin", "steward"]


def _message(stage: str, ts: TaskState, m: MilestonePublic) -> tuple[str, str]:
    assert m.clock is not None
    task = ts.task
    flag = _("（暂定）") if m.clock.provisional else ""
    head = {
        "remind": _("【提醒】"),
        "urge": _("【催办】"),
        "supervise": _("【督办】"),
        "notify": _("【通报候选】"),
    }[stage]
    if stage == "remind":
        text = _("任务 {n}「{title}」的里程碑将于 {due}{flag} 到期，还有 {k} 个工作日。").format(
            n=task.number, title=task.title, due=m.due, flag=flag, k=m.clock.working_days_left
        )
    else:
        text = _("任务 {n}「{title}」的里程碑已于 {due} 到期，已逾期 {k} 个工作日。").format(
            n=task.number, title=task.title, due=m.due, k=m.clock.overdue_working_days
        )
    return head + text, m.sentence


def _supervisor_ids(session: Session) -> list[int]:
    users, _c = accounts.list_users(session, SYSTEM, role="supervisor", limit=500)
    return [u.id for u in users if u.active]


def _escalate(
    session: Session, actor: Actor, state: PlanState, now: dt.datetime, report: ReminderReport
) -> None:
    supervisors: list[int] | None = None
    for ts in state.tasks:
        for m in ts.milestones:
            clock = m.clock
            if (
                m.status == "done"
                or clock is None
                or clock.stage not in ("remind", "urge", "supervise", "notify")
            ):
                continue
            stage = clock.stage
            if not clocks.claim_stage(session, SYSTEM, MILESTONE_KIND, str(m.id), stage, m.due):
                continue
            subject, body = _message(stage, ts, m)
            to = Recipients(department_ids=sorted(ts.responsible), roles=REPORTER_ROLES)
            if stage in ("supervise", "notify"):
                supervisors = supervisors if supervisors is not None else _supervisor_ids(session)
                to.user_ids = supervisors
            if stage == "notify":
                to = Recipients(user_ids=supervisors or [])
            sent = notify.send(
                session,
                actor,
                recipients=to,
                subject=subject,
                body=body,
                link=f"/supervision/tasks/{ts.task.id}",
                kind=f"supervision.{stage}",
                payload={"task": ts.task.number, "milestone": m.id, "due": m.due.isoformat()},
            )
            session.add(
                TaskEvent(
                    task_id=ts.task.id,
                    milestone_id=m.id,
                    kind=stage,
                    at=now,
                    actor=_("系统"),
                    note=subject,
                    recipients=sent.notifications,
                )
            )
            setattr(report, stage, getattr(report, stage) + 1)


def _report_due(
    session: Session, actor: Actor, state: PlanState, now: dt.datetime, report: ReminderReport
) -> None:
    """Near the end of a reporting period, remind lead units that have not reported in it."""
    today = state.today
    ladder = clocks.get_ladder(session, SYSTEM, REPORT_KIND)
    period = period_of(today)
    month_end = period_end(period)
    cal = clocks.get_calendar(session, SYSTEM)
    if cal.working_days_between(today, month_end) > ladder.remind_before_days:
        return
    for ts in state.tasks:
        if ts.status == "done":
            continue
        leads = sorted({u.department_id for u in ts.units if u.role == "lead" and u.department_id})
        for dept in leads:
            if any(r.period == period and r.department_id == dept for r in ts.reports):
                continue
            case = f"{ts.task.id}:{dept}"
            if not clocks.claim_stage(session, SYSTEM, REPORT_KIND, case, "remind", month_end):
                continue
            sent = notify.send(
                session,
                actor,
                recipients=Recipients(department_ids=[dept], roles=REPORTER_ROLES),
                subject=_("【提醒】请在 {end} 前报送任务 {n}「{title}」本期进度。").format(
                    end=month_end, n=ts.task.number, title=ts.task.title
                ),
                link=f"/supervision/tasks/{ts.task.id}",
                kind="supervision.report_due",
            )
            session.add(
                TaskEvent(
                    task_id=ts.task.id,
                    kind="report_due",
                    at=now,
                    actor=_("系统"),
                    note=state.names[dept].name if dept in state.names else "",
                    recipients=sent.notifications,
                )
            )
            report.report_due += 1


def run_reminders(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> ReminderReport:
    """One pass of reminders and escalation over every plan still followed (not archived).

    Idempotent: a stage of a milestone (for its current due date) is sent once, however often
    the pass runs; an approved extension gives the milestone a new due date and a fresh ladder.
    """
    require(permissions.can_run_reminders(actor), "supervision.run_reminders")
    now = now or utcnow()
    report = ReminderReport()
    for plan in session.scalars(select(Plan).where(Plan.archived.is_(False)).order_by(Plan.id)):
        state = plan_state(session, plan, now)
        _escalate(session, actor, state, now, report)
        _report_due(session, actor, state, now, report)
    session.flush()
    if any(report.model_dump().values()):
        audit.record(session, actor, "supervision.run_reminders", details=report.model_dump())
    return report


def list_notice_candidates(
    session: Session, actor: Actor, plan_id: int, *, now: dt.datetime | None = None
) -> list[tuple[TaskSummary, MilestonePublic]]:
    """Milestones overdue long enough to be 通报 candidates, most overdue first."""
    require(permissions.can_list_notice_candidates(actor), "supervision.list_notice_candidates")
    state = plan_state(session, load_plan(session, plan_id), now)
    out = [
        (state.summary(ts), m)
        for ts in state.tasks
        for m in ts.milestones
        if m.status != "done" and m.clock is not None and m.clock.stage == "notify"
    ]
    return sorted(out, key=lambda p: -(p[1].clock.overdue_working_days if p[1].clock else 0))
