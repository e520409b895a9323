"""Evaluation (考核评价) of units, the plan's dashboards, a unit's own page, the home card."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.supervision import permissions, spreadsheets
from govshare.supervision.models import ExtensionRequest, Plan
from govshare.supervision.schemas import (
    Bar,
    Dashboard,
    Evaluation,
    ExtensionPublic,
    HomeProgress,
    MilestonePublic,
    ReportPublic,
    TaskSummary,
    TimelinePoint,
    UnitPage,
    UnitScore,
    Weights,
)
from govshare.supervision.service._state import (
    PlanState,
    load_plan,
    period_of,
    periods,
    plan_state,
    previous_period_end,
    units,
)
from govshare.supervision.service.plans import _plan_public


def default_weights() -> Weights:
    """The configured weights (GOVSHARE_SUPERVISION_WEIGHT_*)."""
    s = get_settings()
    return Weights(
        on_time=s.supervision_weight_on_time,
        timeliness=s.supervision_weight_timeliness,
        rating=s.supervision_weight_rating,
    )


def _score(state: PlanState, start: dt.date, end: dt.date, weights: Weights) -> list[UnitScore]:
    today = state.today
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    expected: dict[int, int] = defaultdict(int)
    timely: dict[int, int] = defaultdict(int)
    ratings: dict[int, list[int]] = defaultdict(list)
    last_complete = min(end, previous_period_end(today))
    for ts in state.tasks:
        leads = {u.department_id for u in ts.units if u.role == "lead" and u.department_id}
        members = {u.department_id for u in ts.units if u.department_id}
        for m in ts.milestones:
            if not (start <= m.due <= end) or m.due >= today:
                continue
            for d in leads:
                due[d] += 1
                if m.done_on is not None and m.done_on <= m.due:
                    on_time[d] += 1
        task_start = max(start, ts.task.starts_on or state.plan.starts_on)
        months = periods(task_start, last_complete) if task_start <= last_complete else []
        closing = ts.task.done_on
        for d in members:
            for period in months:
                if closing and period > period_of(closing):
                    continue
                expected[d] += 1
                if any(
                    r.department_id == d
                    and r.period == period
                    and r.on_time
                    and r.status != "returned"
                    for r in ts.reports
                ):
                    timely[d] += 1
            ratings[d] += [
                r.rating
                for r in ts.reports
                if r.department_id == d and r.rating and start <= r.submitted_at.date() <= end
            ]
    out = []
    for d in sorted(set(due) | set(expected)):
        parts: list[tuple[float, float | None]] = [
            (weights.on_time, 100 * on_time[d] / due[d] if due[d] else None),
            (weights.timeliness, 100 * timely[d] / expected[d] if expected[d] else None),
            (
                weights.rating,
                100 * sum(ratings[d]) / (5 * len(ratings[d])) if ratings[d] else None,
            ),
        ]
        present = [(w, v) for w, v in parts if v is not None and w > 0]
        total_w = sum(w for w, _v in present)
        score = sum(w * v for w, v in present) / total_w if total_w else 0.0
        unit = state.names.get(d)
        out.append(
            UnitScore(
                department_id=d,
                name=unit.name if unit else str(d),
                kind=unit.kind if unit else "",
                milestones_due=due[d],
                milestones_on_time=on_time[d],
                reports_expected=expected[d],
                reports_on_time=timely[d],
                rating=round(sum(ratings[d]) / len(ratings[d]), 2) if ratings[d] else None,
                on_time_score=_round(parts[0][1]),
                timeliness_score=_round(parts[1][1]),
                rating_score=_round(parts[2][1]),
                score=round(score, 1),
            )
        )
    out.sort(key=lambda u: (-u.score, u.name))
    for i, u in enumerate(out):
        u.rank = out[i - 1].rank if i and out[i - 1].score == u.score else i + 1
    return out


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def evaluate_units(
    session: Session,
    actor: Actor,
    plan_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    weights: Weights | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Score and rank the units of a plan for a period: milestones completed on time (leads),
    reports filed on time (leads and co-units, monthly) and supervisors' ratings, weighted
    (weights of missing parts are shared out among the others)."""
    require(permissions.can_evaluate_units(actor), "supervision.evaluate_units")
    state = plan_state(session, load_plan(session, plan_id), now)
    start = start or state.plan.starts_on
    end = end or state.today
    w = weights or default_weights()
    return Evaluation(
        plan_id=plan_id, start=start, end=end, weights=w, units=_score(state, start, end, w)
    )


def export_evaluation(
    session: Session,
    actor: Actor,
    plan_id: int,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    weights: Weights | None = None,
) -> bytes:
    """The ranking as .xlsx (supervisors, platform admins, auditors)."""
    require(permissions.can_export_evaluation(actor), "supervision.export_evaluation")
    ev = evaluate_units(session, actor, plan_id, start=start, end=end, weights=weights)
    header = [
        _("名次"),
        _("单位"),
        _("总分"),
        _("按期完成得分"),
        _("应完成里程碑"),
        _("按期完成"),
        _("报送及时得分"),
        _("应报送"),
        _("按期报送"),
        _("评价得分"),
        _("平均评价"),
    ]
    rows = [
        [
            u.rank,
            u.name,
            u.score,
            u.on_time_score,
            u.milestones_due,
            u.milestones_on_time,
            u.timeliness_score,
            u.reports_expected,
            u.reports_on_time,
            u.rating_score,
            u.rating,
        ]
        for u in ev.units
    ]
    audit.record(
        session,
        actor,
        "supervision.export_evaluation",
        ("supervision_plan", str(plan_id), ""),
        details={"start": ev.start, "end": ev.end, "units": len(rows)},
    )
    return spreadsheets.table_workbook(_("考核评价"), header, rows)


def _bars(groups: dict[str, list[tuple[int, bool]]]) -> list[Bar]:
    return [
        Bar(
            name=name,
            value=round(sum(p for p, _o in vals) / len(vals), 1) if vals else 0,
            count=len(vals),
            overdue=sum(1 for _p, o in vals if o),
        )
        for name, vals in groups.items()
    ]


def get_dashboard(
    session: Session, actor: Actor, plan_id: int, *, now: dt.datetime | None = None
) -> Dashboard:
    """Progress by part, section, lead unit and county; overdue tasks; the coming milestones;
    the timeline of every milestone."""
    require(permissions.can_get_dashboard(actor), "supervision.get_dashboard")
    state = plan_state(session, load_plan(session, plan_id), now)
    by_part: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    by_section: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    by_unit: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    by_county: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for ts in state.tasks:
        overdue = ts.status == "overdue"
        summary = state.summary(ts)
        by_part[f"{ts.part.number}、" if ts.part.number else ts.part.title].append(
            (ts.task.percent, overdue)
        )
        by_section[f"{ts.part.number}{ts.section.number}"].append((ts.task.percent, overdue))
        by_unit[summary.lead].append((ts.task.percent, overdue))
        for d in ts.responsible:
            unit = state.names.get(d)
            if unit and unit.kind == "county":
                mine = [r for r in ts.reports if r.department_id == d and r.status != "returned"]
                by_county[unit.name].append((mine[-1].percent if mine else 0, overdue))
    upcoming = sorted(
        (
            m
            for ts in state.tasks
            for m in ts.milestones
            if m.status != "done" and m.due >= state.today
        ),
        key=lambda m: m.due,
    )[:10]
    timeline = [
        TimelinePoint(task=ts.task.number, title=ts.task.title, due=m.due, status=m.status)
        for ts in state.tasks
        for m in ts.milestones
    ]
    units_sorted = sorted(_bars(by_unit), key=lambda b: (-b.count, b.name))
    return Dashboard(
        plan=_plan_public(state),
        by_part=_bars(by_part),
        by_section=_bars(by_section),
        by_unit=units_sorted[:20],
        by_county=sorted(_bars(by_county), key=lambda b: -b.value),
        overdue=[state.summary(ts) for ts in state.tasks if ts.status == "overdue"],
        upcoming=upcoming,
        timeline=timeline,
        today=state.today,
    )


def get_unit_page(
    session: Session, actor: Actor, department_id: int, *, now: dt.datetime | None = None
) -> UnitPage:
    """Everything a unit owes across the plans followed: tasks it leads or supports, open
    milestones, returned reports to redo, extension requests."""
    require(permissions.can_get_unit_page(actor, department_id), "supervision.get_unit_page")
    names = units(session)
    if department_id not in names:
        from govshare.core.errors import NotFound

        raise NotFound(_("单位不存在。"))
    lead: list[TaskSummary] = []
    co: list[TaskSummary] = []
    miles: list[MilestonePublic] = []
    returned: list[ReportPublic] = []
    for plan in session.scalars(select(Plan).where(Plan.archived.is_(False)).order_by(Plan.id)):
        state = plan_state(session, plan, now)
        for ts in state.tasks:
            if department_id not in ts.responsible:
                continue
            is_lead = any(u.role == "lead" and u.department_id == department_id for u in ts.units)
            (lead if is_lead else co).append(state.summary(ts))
            if is_lead:
                miles += [m for m in ts.milestones if m.status != "done"]
            returned += [
                ReportPublic.model_validate(r)
                for r in ts.reports
                if r.department_id == department_id and r.status == "returned"
            ]
    exts = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.department_id == department_id)
        .order_by(ExtensionRequest.id.desc())
    ).all()
    return UnitPage(
        department_id=department_id,
        name=names[department_id].name,
        lead=lead,
        co=co,
        milestones=sorted(miles, key=lambda m: m.due),
        returned=returned,
        extensions=[ExtensionPublic.model_validate(e) for e in exts],
    )


def home_progress(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> HomeProgress | None:
    """The plan followed now, for the home dashboard (None when there is none)."""
    require(permissions.can_home_progress(actor), "supervision.home_progress")
    plan = session.scalar(
        select(Plan).where(Plan.archived.is_(False)).order_by(Plan.id.desc()).limit(1)
    )
    if plan is None:
        plan = session.scalar(select(Plan).order_by(Plan.id.desc()).limit(1))
    if plan is None:
        return None
    state = plan_state(session, plan, now)
    mine = sum(1 for ts in state.tasks if actor.department_id in ts.responsible)
    overdue = [state.summary(ts) for ts in state.tasks if ts.status == "overdue"][:5]
    return HomeProgress(plan=_plan_public(state), mine=mine, overdue=overdue)
