"""Shared loading for the supervision services: unit names, who is responsible for a task, and
the computed state (clocks and statuses) of a whole plan in a few queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.clocks import service as clocks
from govshare.clocks.schemas import ClockEvent, ClockState
from govshare.core.config import get_settings
from govshare.core.errors import NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM
from govshare.supervision.models import (
    Milestone,
    Plan,
    PlanPart,
    PlanSection,
    ProgressReport,
    Task,
    TaskUnit,
)
from govshare.supervision.schemas import MilestonePublic, Status, TaskSummary, UnitRef
from govshare.supervision.status import milestone_status, task_status

MILESTONE_KIND = "supervision.milestone"
REPORT_KIND = "supervision.report"


@dataclass(frozen=True)
class Unit:
    """A department as the plan pages need it."""

    id: int
    name: str
    full_name: str
    kind: str


def units(session: Session) -> dict[int, Unit]:
    """Every department by id (cached for the session)."""
    cache = session.info.get("supervision_units")
    if cache is None:
        cache = {}
        cursor = None
        while True:
            rows, cursor = accounts.list_departments(session, SYSTEM, cursor=cursor, limit=500)
            for d in rows:
                cache[d.id] = Unit(d.id, d.short_name or d.name, d.name, str(d.kind.value))
            if cursor is None:
                break
        session.info["supervision_units"] = cache
    return dict(cache)


def group_members(session: Session, names: set[str]) -> dict[str, list[int]]:
    """Member unit ids of named unit groups."""
    if not names:
        return {}
    out: dict[str, list[int]] = {}
    for match in accounts.find_units(session, SYSTEM, sorted(names)):
        if match.group is not None:
            out[match.text] = [m.id for m in match.group.members]
    return out


def responsible_ids(session: Session, rows: list[TaskUnit]) -> set[int]:
    """Units that may report on a task: leads, co-units, members of unresolved named groups."""
    ids = {r.department_id for r in rows if r.department_id is not None}
    pending = {r.group_name for r in rows if r.group_name and not r.resolved}
    for members in group_members(session, pending).values():
        ids |= set(members)
    return ids


def unit_refs(rows: list[TaskUnit], names: dict[int, Unit]) -> list[UnitRef]:
    """The units of a task for display, leads first, in the order written."""
    out = []
    for r in sorted(rows, key=lambda r: (r.role != "lead", r.position, r.id)):
        name = r.group_name or (names[r.department_id].name if r.department_id in names else "")
        out.append(
            UnitRef(
                role="lead" if r.role == "lead" else "co",
                department_id=r.department_id,
                name=name,
                group_name=r.group_name,
                via_group=r.via_group,
                resolved=r.resolved,
            )
        )
    return out


def load_plan(session: Session, plan_id: int) -> Plan:
    """A plan, or NotFound."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("工作方案不存在。"))
    return plan


def load_task(session: Session, task_id: int) -> Task:
    """A task, or NotFound."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound(_("任务不存在。"))
    return task


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: dt.date) -> dt.date:
    """The last day of the month before ``day``'s month."""
    return day.replace(day=1) - dt.timedelta(days=1)


def cadence_months() -> int:
    """Months in one reporting period (GOVSHARE_SUPERVISION_REPORT_CADENCE)."""
    return 3 if get_settings().supervision_report_cadence == "quarterly" else 1


def period_of(day: dt.date) -> str:
    """The reporting period of a day, named by its last month: ``2026-11`` monthly,
    ``2026-12`` for the fourth quarter when reporting quarterly."""
    step = cadence_months()
    month = ((day.month - 1) // step + 1) * step
    return f"{day.year:04d}-{month:02d}"


def period_end(period: str) -> dt.date:
    """The last day of a period (the last day of the month that names it)."""
    first = dt.date(int(period[:4]), int(period[5:7]), 1)
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def previous_period_end(day: dt.date) -> dt.date:
    """The last day of the period before the one ``day`` falls in."""
    current = period_end(period_of(day))
    start = current.replace(day=1)
    for _i in range(cadence_months() - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start - dt.timedelta(days=1)


def periods(start: dt.date, end: dt.date) -> list[str]:
    """The periods from the one holding ``start`` to the one holding ``end``."""
    out: list[str] = []
    day = start
    while day <= end:
        out.append(period_of(day))
        day = period_end(out[-1]) + dt.timedelta(days=1)
    return out


@dataclass
class TaskState:
    """A task with its units, milestones (with clocks and statuses) and reports."""

    task: Task
    part: PlanPart
    section: PlanSection
    units: list[TaskUnit]
    milestones: list[MilestonePublic]
    reports: list[ProgressReport]
    status: Status
    responsible: set[int]
    reports_late: bool


@dataclass
class PlanState:
    """Everything computed about one plan at one moment."""

    plan: Plan
    today: dt.date
    tasks: list[TaskState]
    names: dict[int, Unit]
    parts: list[PlanPart] = field(default_factory=list)
    sections: list[PlanSection] = field(default_factory=list)

    def summary(self, ts: TaskState) -> TaskSummary:
        """The list form of one task."""
        leads = [u for u in unit_refs(ts.units, self.names) if u.role == "lead"]
        lead_group = next((u.via_group for u in leads if u.via_group), "")
        lead_name = lead_group or (leads[0].name if leads else "")
        co = []
        for u in unit_refs(ts.units, self.names):
            label = u.via_group or u.name
            if u.role == "co" and label not in co and label != lead_name:
                co.append(label)
        open_ = [m for m in ts.milestones if m.status != "done"]
        nxt = min(open_, key=lambda m: m.due) if open_ else None
        return TaskSummary(
            id=ts.task.id,
            plan_id=ts.task.plan_id,
            number=ts.task.number,
            title=ts.task.title,
            part=f"{ts.part.number}、{ts.part.title}" if ts.part.number else ts.part.title,
            section=f"{ts.section.number}{ts.section.title}",
            time_node=ts.task.time_node,
            recurring=ts.task.recurring,
            lead=lead_name,
            lead_id=leads[0].department_id if len(leads) == 1 else None,
            co_units=co,
            percent=ts.task.percent,
            status=ts.status,
            next_due=nxt.due if nxt else None,
            provisional=bool(nxt and nxt.clock and nxt.clock.provisional),
            stage=nxt.clock.stage if nxt and nxt.clock else "",
        )


def reports_late(
    reports: list[ProgressReport], leads: set[int], start: dt.date, today: dt.date
) -> bool:
    """Whether the lead's report for the last period is missing after the grace period."""
    settings = get_settings()
    last = previous_period_end(today)
    if last < start or not leads:
        return False
    grace_end = last + dt.timedelta(days=settings.supervision_report_grace_days + 2)
    if today <= grace_end:
        return False
    wanted = period_of(last)
    return not any(r.period >= wanted and r.department_id in leads for r in reports)


def plan_state(session: Session, plan: Plan, now: dt.datetime | None = None) -> PlanState:
    """Compute clocks and statuses of every milestone and task of a plan."""
    settings = get_settings()
    today = clocks.today(now)
    cal = clocks.get_calendar(session, SYSTEM)
    ladder = clocks.get_ladder(session, SYSTEM, MILESTONE_KIND)
    parts = list(
        session.scalars(
            select(PlanPart).where(PlanPart.plan_id == plan.id).order_by(PlanPart.position)
        )
    )
    part_by_id = {p.id: p for p in parts}
    sections = list(
        session.scalars(
            select(PlanSection)
            .where(PlanSection.part_id.in_(part_by_id))
            .order_by(PlanSection.position)
        )
    )
    section_by_id = {s.id: s for s in sections}
    tasks = list(session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.number)))
    ids = [t.id for t in tasks]
    unit_rows: dict[int, list[TaskUnit]] = defaultdict(list)
    for u in session.scalars(select(TaskUnit).where(TaskUnit.task_id.in_(ids))):
        unit_rows[u.task_id].append(u)
    miles: dict[int, list[Milestone]] = defaultdict(list)
    for m in session.scalars(
        select(Milestone).where(Milestone.task_id.in_(ids)).order_by(Milestone.due)
    ):
        miles[m.task_id].append(m)
    reps: dict[int, list[ProgressReport]] = defaultdict(list)
    for r in session.scalars(
        select(ProgressReport)
        .where(ProgressReport.task_id.in_(ids))
        .order_by(ProgressReport.submitted_at)
    ):
        reps[r.task_id].append(r)
    pending_groups = {
        u.group_name for rows in unit_rows.values() for u in rows if u.group_name and not u.resolved
    }
    members = group_members(session, pending_groups)
    out = []
    for t in tasks:
        rows = unit_rows[t.id]
        responsible = {u.department_id for u in rows if u.department_id is not None}
        for u in rows:
            if u.group_name and not u.resolved:
                responsible |= set(members.get(u.group_name, []))
        leads = {u.department_id for u in rows if u.role == "lead" and u.department_id}
        start = t.starts_on or plan.starts_on
        task_reports = reps[t.id]
        reported = any(r.status != "returned" for r in task_reports)
        late = reports_late(task_reports, leads, start, today)
        ms_public = []
        for m in miles[t.id]:
            events = [ClockEvent(type="done", on=m.done_on)] if m.done_on else []
            state: ClockState = clocks.evaluate_clock(
                session,
                SYSTEM,
                MILESTONE_KIND,
                started_at=start,
                events=events,
                now=now,
                due=m.due,
                calendar=cal,
                ladder=ladder,
            )
            status = milestone_status(
                done=m.done_on is not None,
                clock=state,
                percent=t.percent,
                reported=reported,
                reports_late=late,
                start=start,
                today=today,
                gap=settings.supervision_at_risk_gap,
            )
            ms_public.append(
                MilestonePublic(
                    id=m.id,
                    task_id=t.id,
                    task_number=t.number,
                    task_title=t.title,
                    due=m.due,
                    original_due=m.original_due,
                    source=m.source,
                    sentence=m.sentence,
                    done_on=m.done_on,
                    corrected=m.corrected,
                    status=status,
                    clock=state,
                )
            )
        status = task_status(
            milestone_statuses=[m.status for m in ms_public],
            recurring=t.recurring,
            done=t.done_on is not None,
            reported=reported,
            reports_late=late,
        )
        section = section_by_id[t.section_id]
        out.append(
            TaskState(
                task=t,
                part=part_by_id[section.part_id],
                section=section,
                units=rows,
                milestones=ms_public,
                reports=task_reports,
                status=status,
                responsible=responsible,
                reports_late=late,
            )
        )
    return PlanState(
        plan=plan, today=today, tasks=out, names=units(session), parts=parts, sections=sections
    )
