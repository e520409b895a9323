"""Escalation: rectification issues on the clocks ladder (``quality.rectification``: 提醒 before
the deadline → 催办 when overdue → 督办, when the issue escalates → 通报), counted in working days
of the platform calendar; objections left unanswered past their deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.clocks import service as clocks
from govshare.core.db import utcnow
from govshare.core.i18n import N_, _
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.quality import permissions
from govshare.quality.models import QualityIssue, QualityObjection
from govshare.quality.service._common import local_now

KIND = "quality.rectification"
OFFICE = "市电政办"
MANAGERS = ["steward", "dept_admin"]
SUBJECTS = {
    "remind": N_("【提醒】数据质量整改「{label}」应于 {due} 前完成。"),
    "urge": N_("【催办】数据质量整改「{label}」已超过整改期限（{due}）。"),
    "supervise": N_("【督办】数据质量整改「{label}」逾期未完成（期限 {due}），已升级。"),
    "notify": N_("【通报】数据质量整改「{label}」严重逾期（期限 {due}）。"),
}


def rectification_deadline(session: Session, now: dt.datetime | None = None) -> dt.date:
    """The deadline of an issue opened now: the ladder's limit in working days."""
    return clocks.evaluate_clock(session, SYSTEM, KIND, started_at=now or utcnow(), now=now).due


def _recipients(session: Session, issue: QualityIssue, stage: str) -> Recipients:
    if stage in ("remind", "urge"):
        return Recipients(department_ids=[issue.department_id], roles=MANAGERS)
    office = [
        m.department.id
        for m in accounts.find_units(session, SYSTEM, [OFFICE])
        if m.department is not None
    ]
    return Recipients(
        department_ids=[issue.department_id, *office],
        roles=[*MANAGERS, "supervisor", "platform_admin"],
    )


def _climb(
    session: Session, actor: Actor, issue: QualityIssue, state: Any, now: dt.datetime
) -> dict[str, int]:
    """Send each stage the issue's clock has reached and not yet sent; 督办 escalates it."""
    sent: dict[str, int] = {}
    for stage in state.reached:
        if stage not in SUBJECTS or not clocks.claim_stage(
            session, SYSTEM, KIND, str(issue.id), stage, state.due
        ):
            continue
        if stage == "supervise" and issue.status == "open":
            issue.status = "escalated"
            issue.escalated_at = now
            audit.record(
                session,
                actor,
                "quality.escalate_overdue_issues",
                issue,
                after={"status": "escalated", "due": state.due.isoformat()},
            )
        notify.send(
            session,
            SYSTEM,
            recipients=_recipients(session, issue, stage),
            subject=_(SUBJECTS[stage]).format(label=issue.audit_label(), due=state.due.isoformat()),
            link="/quality/issues",
            kind=f"quality.{stage}",
            payload={"issue": issue.id, "due": state.due.isoformat()},
        )
        sent[stage] = sent.get(stage, 0) + 1
    return sent


def _issues(session: Session, actor: Actor, now: dt.datetime) -> tuple[int, dict[str, int]]:
    cal = clocks.get_calendar(session, SYSTEM)
    ladder = clocks.get_ladder(session, SYSTEM, KIND)
    escalated = 0
    totals: dict[str, int] = {}
    for issue in session.scalars(
        select(QualityIssue).where(QualityIssue.status.in_(("open", "escalated")))
    ):
        state = clocks.evaluate_clock(
            session,
            SYSTEM,
            KIND,
            started_at=issue.created_at,
            now=now,
            due=issue.deadline,
            calendar=cal,
            ladder=ladder,
        )
        was_open = issue.status == "open"
        for stage, n in _climb(session, actor, issue, state, now).items():
            totals[stage] = totals.get(stage, 0) + n
        escalated += int(was_open and issue.status == "escalated")
    return escalated, totals


def _objections(session: Session, actor: Actor, now: dt.datetime) -> int:
    late = session.scalars(
        select(QualityObjection).where(
            QualityObjection.status == "open",
            QualityObjection.deadline < local_now(now).date(),
            QualityObjection.escalated_at.is_(None),
        )
    ).all()
    for o in late:
        o.escalated_at = now
        audit.record(
            session, actor, "quality.escalate_overdue_issues", o, after={"escalated": True}
        )
        notify.send(
            session,
            SYSTEM,
            recipients=Recipients(department_ids=[o.department_id], roles=["dept_admin"]),
            subject=_("数据异议逾期未答复：{label}（期限 {d}）").format(
                label=o.audit_label(), d=o.deadline.isoformat()
            ),
            link=f"/quality/objections/{o.id}",
            kind="quality.escalation",
        )
    return len(late)


def escalate_overdue_issues(session: Session, actor: Actor, now: dt.datetime | None = None) -> int:
    """Move every open rectification issue along the ``quality.rectification`` ladder (each
    stage sent once; 督办 marks the issue escalated and tells 市电政办 and supervisors), and tell
    the provider's admins of objections unanswered past their deadline (once). Returns how many
    issues and objections escalated in this pass."""
    require(permissions.can_escalate_overdue_issues(actor), "quality.escalate_overdue_issues")
    now = now or utcnow()
    escalated, stages = _issues(session, actor, now)
    late = _objections(session, actor, now)
    session.flush()
    if stages:
        audit.record(
            session,
            actor,
            "quality.escalate_overdue_issues",
            ("quality_issue", "", "reminders"),
            details=stages,
        )
    return escalated + late
