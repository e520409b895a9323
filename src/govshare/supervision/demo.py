"""The demo's plans: the city's real task table with its original 2017–2018 dates (archived, with
a plausible history), and a copy shifted so that its deadlines fall around today, with living
progress — monthly reports (some late, some returned), evidence, ratings, an approved and a
pending extension, and reminder passes run a few days ago and today, so that statuses,
提醒 → 催办 steps and the ranking show real data. Deterministic (fixed seeds); every person is
fictional (the accounts demo).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.clocks import service as clocks
from govshare.core.security import SYSTEM, Actor
from govshare.supervision import service
from govshare.supervision.models import Milestone, Plan, ProgressReport, Task, TaskUnit
from govshare.supervision.schemas import (
    ExtensionCreate,
    ExtensionDecision,
    ReportCreate,
    ReportReview,
    UploadedFile,
)

SEED = Path(__file__).resolve().parent.parent / "data" / "dezhou_plan_2017.txt"
SEED_NAME = "dezhou_plan_2017.txt"
ORIGINAL_START = dt.date(2017, 11, 1)
ANCHOR = dt.date(2018, 6, 30)  # the plan's busiest deadline; lands three days before today
EVIDENCE = (
    b"%PDF-1.4\n% govshare demo evidence (synthetic)\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
)
NOON = dt.time(4, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, NOON)


def _actor(session: Session, department_id: int, role: str) -> Actor | None:
    users, _c = accounts.list_users(
        session, SYSTEM, department_id=department_id, role=role, limit=5
    )
    if not users:
        return None
    u = users[0]
    return Actor(
        kind="user",
        user_id=u.id,
        username=u.username,
        display_name=u.real_name,
        department_id=u.department_id,
        department_name=u.department_name,
        roles=frozenset(u.roles),
    )


def _supervisor(session: Session) -> Actor:
    users, _c = accounts.list_users(session, SYSTEM, role="supervisor", limit=5)
    u = users[0]
    return Actor(
        kind="user",
        user_id=u.id,
        username=u.username,
        display_name=u.real_name,
        department_id=u.department_id,
        department_name=u.department_name,
        roles=frozenset(u.roles),
    )


def _leads(session: Session, task: Task) -> list[int]:
    return [
        d
        for d in session.scalars(
            select(TaskUnit.department_id).where(
                TaskUnit.task_id == task.id, TaskUnit.role == "lead"
            )
        )
        if d is not None
    ]


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def seed_plans(session: Session, *, today: dt.date | None = None) -> dict[str, int]:
    """Import the seed plan twice (original, archived; shifted to now) and give both a history."""
    today = today or clocks.today()
    data = SEED.read_bytes()
    original = service.import_plan(
        session,
        SYSTEM,
        filename=SEED_NAME,
        data=data,
        starts_on=ORIGINAL_START,
        archived=True,
        note="原始时间节点（2017—2018 年）",
    )
    shift = (today - dt.timedelta(days=3) - ANCHOR).days
    live = service.create_shifted_copy(
        session,
        SYSTEM,
        original.id,
        days=shift,
        title=f"{original.title}（演示：日期平移至今）",
    )
    supervisor = _supervisor(session)
    _history(session, original, supervisor, today, random.Random(2017))
    _history(session, live, supervisor, today, random.Random(2026))
    _co_unit_reports(session, live, today, random.Random(371400))
    _extensions(session, live, supervisor, today)
    service.run_reminders(session, SYSTEM, now=_at(today - dt.timedelta(days=6)))
    service.run_reminders(session, SYSTEM, now=dt.datetime.now(dt.UTC))
    return {"original": original.id, "live": live.id}


def _history(
    session: Session, plan: Plan, supervisor: Actor, today: dt.date, rng: random.Random
) -> None:
    """Monthly reports of the lead units up to last month, reviews, completed milestones."""
    tasks = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.number)).all()
    end = min(today, dt.date(2019, 1, 31)) if plan.archived else today
    for task in tasks:
        miles = list(
            session.scalars(
                select(Milestone).where(Milestone.task_id == task.id).order_by(Milestone.due)
            )
        )
        finish = miles[-1].due if miles else None
        leads = _leads(session, task)
        reporter = _actor(session, leads[0], "steward") if leads else None
        if reporter is None:
            continue
        months = _months(plan.starts_on, end - dt.timedelta(days=1))
        # The archived plan keeps a quarterly history; the living one its last six months.
        months = months[::3] if plan.archived else months[-6:]
        slack = rng.random()
        for i, month in enumerate(months):
            if rng.random() < 0.12:
                continue  # a month without a report
            late = rng.random() < 0.1
            day = month + dt.timedelta(days=rng.randint(18, 26) + (20 if late else 0))
            if day >= today:
                continue
            span = max((finish - plan.starts_on).days, 1) if finish else 365
            pct = min(100, int(100 * (day - plan.starts_on).days / span * (0.8 + slack * 0.3)))
            pct = max(5, pct if finish else min(pct, 90))
            done_ms = [m for m in miles if m.due <= day and m.done_on is None]
            report = service.submit_report(
                session,
                reporter,
                task.id,
                ReportCreate(
                    percent=pct,
                    narrative=f"{month:%Y年%m月}：按计划推进，完成阶段工作 {pct}%。",
                    milestone_id=done_ms[0].id if done_ms else None,
                ),
                [
                    UploadedFile(
                        filename="工作台账.pdf", content_type="application/pdf", data=EVIDENCE
                    )
                ]
                if i == len(months) - 1
                else [],
                period=f"{month:%Y-%m}",
                at=_at(day),
            )
            returned = rng.random() < 0.07 and pct < 100
            service.review_report(
                session,
                supervisor,
                report.id,
                ReportReview(
                    decision="return" if returned else "accept",
                    note="请补充佐证材料。" if returned else "",
                    rating=None if returned else rng.choice((3, 4, 4, 5, 5)),
                ),
                at=_at(day + dt.timedelta(days=2)),
            )
        for m in miles:
            if m.due >= today or m.done_on is not None:
                continue
            roll = rng.random()
            done: dt.date | None = None
            if roll < 0.72:
                done = m.due - dt.timedelta(days=rng.randint(0, 12))
            elif roll < 0.84:
                late_day = m.due + dt.timedelta(days=rng.randint(3, 25))
                done = late_day if late_day < today else None
            if done is not None:
                service.set_milestone_done(session, supervisor, m.id, done_on=done)


def _co_unit_reports(session: Session, plan: Plan, today: dt.date, rng: random.Random) -> None:
    """The counties report their share of the tasks they support this month (not yet reviewed)."""
    counties = {
        d
        for d in session.scalars(
            select(TaskUnit.department_id)
            .join(Task, Task.id == TaskUnit.task_id)
            .where(Task.plan_id == plan.id, TaskUnit.via_group == "各县市区政府")
        )
        if d is not None
    }
    reporters = {d: _actor(session, d, "steward") for d in sorted(counties)}
    day = max(today.replace(day=1), today - dt.timedelta(days=6))
    tasks = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.number))
    for task in tasks:
        units = set(
            session.scalars(
                select(TaskUnit.department_id).where(
                    TaskUnit.task_id == task.id, TaskUnit.via_group == "各县市区政府"
                )
            )
        )
        for dept in sorted(d for d in units if d is not None):
            reporter = reporters.get(dept)
            if reporter is None or rng.random() < 0.25:
                continue
            pct = rng.randint(35, 100)
            service.submit_report(
                session,
                reporter,
                task.id,
                ReportCreate(percent=pct, narrative=f"本县（市、区）承担部分完成 {pct}%。"),
                at=_at(day),
            )


def _extensions(session: Session, plan: Plan, supervisor: Actor, today: dt.date) -> None:
    """One approved extension (a milestone now due in two working days) and one pending."""
    open_ = session.scalars(
        select(Milestone)
        .join(Task, Task.id == Milestone.task_id)
        .where(Task.plan_id == plan.id, Milestone.done_on.is_(None), Milestone.due < today)
        .order_by(Milestone.due.desc(), Task.number)
    ).all()
    soon = clocks.add_working_days(session, SYSTEM, today, 2).result
    for m, approve in zip(open_[:2], (True, False), strict=False):
        task = session.get(Task, m.task_id)
        assert task is not None
        leads = _leads(session, task)
        reporter = _actor(session, leads[0], "steward") if leads else None
        if reporter is None:
            continue
        due = soon if approve else today + dt.timedelta(days=30)
        ext = service.request_extension(
            session,
            reporter,
            m.id,
            ExtensionCreate(requested_due=due, reason="涉及省级平台对接，需等待省级接口开放。"),
        )
        if approve:
            service.decide_extension(
                session, supervisor, ext.id, ExtensionDecision(approve=True, note="同意延期。")
            )


def has_reports(session: Session) -> bool:
    """Whether any progress report exists (tests)."""
    return session.scalar(select(ProgressReport.id).limit(1)) is not None
