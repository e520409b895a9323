"""Scores: the department scoreboard with trends, and the inspection report (HTML, .xlsx, PDF)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.quality import permissions
from govshare.quality.models import QualityFinding, QualityIssue, QualityRun
from govshare.quality.schemas import (
    AreaScore,
    DepartmentScore,
    FindingPublic,
    InspectionReport,
    IssuePublic,
    RunDetail,
    Scoreboard,
)
from govshare.quality.service._common import LOCAL, overall, weights


def _latest_per_dataset(runs: list[QualityRun]) -> list[QualityRun]:
    latest: dict[int, QualityRun] = {}
    for r in runs:
        if r.dataset_id not in latest or (r.started_at, r.id) > (
            latest[r.dataset_id].started_at,
            latest[r.dataset_id].id,
        ):
            latest[r.dataset_id] = r
    return list(latest.values())


def _mean_scores(runs: list[QualityRun]) -> dict[str, float]:
    dims: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        for d, v in r.scores.items():
            dims[d].append(v)
    return {d: round(sum(v) / len(v), 2) for d, v in dims.items()}


def get_scoreboard(session: Session, actor: Actor, *, months: int = 6) -> Scoreboard:
    """Departments ranked by the score of their datasets' latest runs (of published data:
    inspections and passed gates), with each department's monthly average as a trend."""
    require(permissions.can_get_scoreboard(actor), "quality.get_scoreboard")
    runs = list(
        session.scalars(
            select(QualityRun).where(QualityRun.status != "blocked").order_by(QualityRun.id)
        )
    )
    by_dept: dict[int, list[QualityRun]] = defaultdict(list)
    for r in _latest_per_dataset(runs):
        by_dept[r.department_id].append(r)
    open_issues: dict[int, int] = defaultdict(int)
    for i in session.scalars(
        select(QualityIssue).where(QualityIssue.status.in_(("open", "escalated", "fixed")))
    ):
        open_issues[i.department_id] += 1
    rows = []
    for dept, dept_runs in by_dept.items():
        scores = _mean_scores(dept_runs)
        rows.append((overall(scores), dept, dept_runs[0].department_name, len(dept_runs), scores))
    rows.sort(key=lambda x: (-x[0], x[2]))
    departments = [
        DepartmentScore(
            rank=i + 1,
            department_id=d,
            department_name=name,
            datasets=n,
            score=score,
            scores=scores,
            open_issues=open_issues[d],
        )
        for i, (score, d, name, n, scores) in enumerate(rows)
    ]
    areas = _by_area(session, actor, departments)
    labels: list[str] = []
    today = dt.datetime.now(LOCAL).date().replace(day=1)
    for k in range(months - 1, -1, -1):
        y, m = divmod(today.year * 12 + today.month - 1 - k, 12)
        labels.append(f"{y}-{m + 1:02d}")
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in runs:
        month = r.started_at.astimezone(LOCAL).strftime("%Y-%m")
        sums[r.department_name][month].append(r.score)
    trend = {
        name: [round(sum(v) / len(v), 2) if (v := per.get(m)) else None for m in labels]
        for name, per in sums.items()
    }
    return Scoreboard(
        departments=departments, areas=areas, months=labels, trend=trend, weights=weights()
    )


def _by_area(session: Session, actor: Actor, departments: list[DepartmentScore]) -> list[AreaScore]:
    """Department scores averaged per county-level division (city units under 德州市)."""
    from govshare.accounts import service as accounts
    from govshare.core.areas import area_name

    groups: dict[str, list[float]] = defaultdict(list)
    for d in departments:
        try:
            code = (accounts.get_department(session, actor, d.department_id).area_code or "")[:6]
        except NotFound:
            continue
        groups[code or "371400"].append(d.score)
    rows = [
        AreaScore(
            area_code=code,
            area_name=area_name(code) or code,
            departments=len(scores),
            score=round(sum(scores) / len(scores), 2),
        )
        for code, scores in groups.items()
    ]
    return sorted(rows, key=lambda a: (-a.score, a.area_code))


def get_report(
    session: Session, actor: Actor, department_id: int, start: dt.date, end: dt.date
) -> InspectionReport:
    """A department's inspection report for a period: the latest inspection of each dataset in
    it, failing rules with samples, and the rectification issues with their deadlines."""
    require(permissions.can_get_report(actor, department_id), "quality.get_report")
    return _report(session, actor, department_id, start, end)


def _report(
    session: Session, actor: Actor, department_id: int, start: dt.date, end: dt.date
) -> InspectionReport:
    if end < start:
        raise Invalid(
            _("结束日期不能早于开始日期。"),
            errors=[FieldError("end", _("结束日期不能早于开始日期。"))],
        )
    lo = dt.datetime.combine(start, dt.time(), LOCAL)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), LOCAL)
    runs = _latest_per_dataset(
        list(
            session.scalars(
                select(QualityRun).where(
                    QualityRun.department_id == department_id,
                    QualityRun.trigger != "gate",
                    QualityRun.started_at >= lo,
                    QualityRun.started_at < hi,
                )
            )
        )
    )
    hidden = not permissions.can_see_samples(actor, department_id)
    details = []
    for r in sorted(runs, key=lambda r: r.dataset_name):
        findings = session.scalars(
            select(QualityFinding)
            .where(QualityFinding.run_id == r.id)
            .order_by(QualityFinding.passed, QualityFinding.id)
        ).all()
        detail = RunDetail.model_validate(r, from_attributes=True)
        detail.findings = [
            FindingPublic.model_validate(f, from_attributes=True).model_copy(
                update={"samples": [] if hidden else f.samples}
            )
            for f in findings
        ]
        detail.samples_hidden = hidden
        details.append(detail)
    issues = session.scalars(
        select(QualityIssue)
        .where(
            QualityIssue.department_id == department_id,
            QualityIssue.created_at < hi,
            (QualityIssue.resolved_at.is_(None)) | (QualityIssue.resolved_at >= lo),
        )
        .order_by(QualityIssue.deadline)
    ).all()
    name = runs[0].department_name if runs else ""
    if not name:
        from govshare.accounts import service as accounts

        try:
            name = accounts.get_department(session, actor, department_id).name
        except NotFound:
            name = str(department_id)
    score = overall(_mean_scores(runs)) if runs else None
    return InspectionReport(
        department_id=department_id,
        department_name=name,
        start=start,
        end=end,
        score=score,
        runs=details,
        issues=[IssuePublic.model_validate(i, from_attributes=True) for i in issues],
        samples_hidden=hidden,
    )


def export_report(
    session: Session,
    actor: Actor,
    department_id: int,
    start: dt.date,
    end: dt.date,
    fmt: str,
    *,
    html: str = "",
) -> tuple[bytes, InspectionReport]:
    """The inspection report as .xlsx or PDF (``html``: the printable page WeasyPrint renders)."""
    require(permissions.can_export_report(actor, department_id), "quality.export_report")
    if fmt not in ("xlsx", "pdf"):
        raise Invalid(
            _("报告格式只能是 xlsx 或 pdf。"),
            errors=[FieldError("format", _("报告格式只能是 xlsx 或 pdf。"))],
        )
    from govshare.quality import reports

    report = _report(session, actor, department_id, start, end)
    data = reports.xlsx(report) if fmt == "xlsx" else reports.pdf(html)
    audit.record(
        session,
        actor,
        "quality.export_report",
        ("department", str(department_id), report.department_name),
        details={
            "format": fmt,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "runs": len(report.runs),
        },
    )
    return data, report
