"""Runs: measure a version with all its dataset's rules in one engine pass (plus one bounded
sample pass for failing rules), store findings and scores, open and verify rectification issues;
the publish gate; scheduled inspections."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.datastore import service as datastore
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.quality import permissions
from govshare.quality.compiler import (
    JOINED,
    KINDS,
    Compiled,
    RuleError,
    Spec,
    bind,
    compile_rule,
    counts_sql,
    samples_sql,
)
from govshare.quality.models import (
    QualityFinding,
    QualityIssue,
    QualityObjection,
    QualityRule,
    QualityRun,
)
from govshare.quality.service._common import (
    dataset,
    keys_of,
    local_now,
    overall,
    target,
    types_of,
)
from govshare.quality.service.codetables import resolve_code_table
from govshare.quality.service.escalation import rectification_deadline
from govshare.quality.service.references import measure_reference

CYCLE_DAYS = {"实时": 1, "每日": 1, "每周": 7, "每月": 31, "每季度": 92, "每半年": 183, "每年": 366}


def _rules(session: Session, dataset_id: int) -> Sequence[QualityRule]:
    return session.scalars(
        select(QualityRule)
        .where(QualityRule.dataset_id == dataset_id, QualityRule.enabled.is_(True))
        .order_by(QualityRule.id)
    ).all()


def _versions(session: Session, ds: Any, number: int) -> tuple[Any, Any]:
    """The version measured and the published version before it (or None)."""
    current = previous = None
    for v in datastore.list_versions(session, SYSTEM, ds.id):
        if v.number == number:
            current = v
        elif v.number < number and v.status in ("published", "superseded") and previous is None:
            previous = v
    if current is None:
        raise NotFound(_("版本不存在。"))
    return current, previous


def _dataset_level(
    rule: QualityRule, version: Any, previous: Any, ds: Any, now: dt.datetime
) -> tuple[int, str]:
    """Failing (0 or 1) and a detail line of a volume or freshness rule."""
    if rule.kind == "volume":
        if previous is None or not previous.rows:
            return 0, _("没有上一版本，不比较数据量。")
        change = (version.rows - previous.rows) / previous.rows
        limit = float(rule.params.get("max_change", 0.5))
        detail = _("数据量 {a} → {b} 行，变化 {c:+.1%}（允许 ±{l:.0%}）").format(
            a=previous.rows, b=version.rows, c=change, l=limit
        )
        return int(abs(change) > limit), detail
    cycle = CYCLE_DAYS.get(ds.update_cycle or "")
    if cycle is None:
        return 0, _("目录未规定更新周期，不检查时效。")
    grace = int(rule.params.get("grace_days", 1))
    made = version.published_at or version.created_at
    age = (now - made).total_seconds() / 86400 if made else 0
    detail = _("距最近一次加载 {d:.1f} 天，更新周期「{c}」（{n} 天，宽限 {g} 天）").format(
        d=age, c=ds.update_cycle, n=cycle, g=grace
    )
    return int(age > cycle + grace), detail


def _compile(
    session: Session, rules: Sequence[QualityRule], types: dict[str, str], now: dt.datetime
) -> tuple[list[tuple[Spec, Compiled]], list[tuple[Spec, str]]]:
    """The row-level rules as SQL for the one-pass aggregate, and apart the rules that join
    another resource (with their names)."""
    compiled: list[tuple[Spec, Compiled]] = []
    joined: list[tuple[Spec, str]] = []
    for rule in rules:
        if KINDS[rule.kind][2] == -1:
            continue
        spec = Spec(rule.id, rule.kind, rule.items, rule.params)
        if rule.kind in JOINED:
            joined.append((spec, rule.name))
            continue
        try:
            if rule.kind == "value_set" and rule.params.get("code_table"):
                params = resolve_code_table(session, rule.params)
                spec = Spec(rule.id, rule.kind, rule.items, params)
            compiled.append((spec, compile_rule(spec, types, now=None)))
        except (RuleError, KeyError, ValueError, Invalid) as exc:
            raise Invalid(
                _("规则「{name}」无法执行：{why}").format(name=rule.name, why=_(str(exc)))
            ) from exc
    return compiled, joined


def _detail(r: dict[str, Any]) -> str:
    """The detail line of a row-level result: counts reported apart, or the rule's own note."""
    if r["extra"].get("unknown_category"):
        return _("另有 {n} 个代码的登记管理部门和机构类别不在 GB 32100 代码表中（警告）。").format(
            n=r["extra"]["unknown_category"]
        )
    if r["extra"].get("legacy"):
        return _("另有 {n} 个 15 位旧身份证号码（不计为错误）。").format(n=r["extra"]["legacy"])
    return str(r.get("detail", ""))


def _measure(
    session: Session,
    actor: Actor,
    ds: Any,
    version: Any,
    previous: Any,
    rules: Sequence[QualityRule],
    now: dt.datetime,
    *,
    with_samples: bool = True,
) -> tuple[int, list[dict[str, Any]]]:
    """Rows of the version and one result per rule (counts in one pass; samples in one more)."""
    settings = get_settings()
    types = types_of(ds)
    compiled, joined = _compile(session, rules, types, now)
    results: dict[int, dict[str, Any]] = {}
    authorized = f"quality.rules:{ds.id}"
    sql, names = counts_sql(compiled)
    scan = datastore.run_scan(
        session,
        actor,
        ds.resource_id,
        version.number,
        sql,
        bind(sql, local_now(now)),
        timeout_ms=settings.quality_timeout_ms,
        authorized_by=authorized,
    )
    counts = dict(zip(names, scan.rows[0], strict=True))
    rows = int(counts["rows"])
    if rows == 0:
        raise Invalid(_("版本 {n} 没有数据行，无法检查。").format(n=version.number))
    for spec, _c in compiled:
        prefix = f"{spec.id}:"
        extra = {
            n.removeprefix(prefix): int(v)
            for n, v in counts.items()
            if n.startswith(prefix) and n.removeprefix(prefix) not in ("checked", "failing")
        }
        results[spec.id] = {
            "failing": int(counts[f"{prefix}failing"]),
            "checked": int(counts[f"{prefix}checked"]),
            "extra": extra,
            "samples": [],
            "detail": spec.params.get("detail", ""),
        }
    for spec, name in joined:
        results[spec.id] = measure_reference(session, actor, ds, version.number, spec, name)
    failing = [(s, c) for s, c in compiled if results[s.id]["failing"]]
    if failing and with_samples:
        wanted = samples_sql(failing, keys_of(ds), types)
        sample = datastore.run_scan(
            session,
            actor,
            ds.resource_id,
            version.number,
            wanted,
            bind(wanted, local_now(now)),
            timeout_ms=settings.quality_timeout_ms,
            authorized_by=authorized,
            threads=1,  # each part stops at its 20th row: one thread reads less past it
        )
        for rule_id, key, value in sample.rows:
            results[int(rule_id)]["samples"].append({"key": key, "value": value})
    out = []
    for rule in rules:
        if rule.id in results:
            r = results[rule.id]
            detail = _detail(r)
        else:
            fail, detail = _dataset_level(rule, version, previous, ds, now)
            r = {"failing": fail, "checked": 1, "samples": []}
        share = r["failing"] / r["checked"] if r["checked"] else 0.0
        out.append(
            {
                "rule": rule,
                "failing": r["failing"],
                "checked": r["checked"],
                "share": share,
                "passed": share <= rule.tolerance,
                "samples": r["samples"],
                "detail": detail,
            }
        )
    return rows, out


def _store(
    session: Session,
    actor: Actor,
    ds: Any,
    version: Any,
    trigger: str,
    rows: int,
    results: list[dict[str, Any]],
    elapsed_ms: int,
) -> QualityRun:
    by_dim: dict[str, list[float]] = {}
    for r in results:
        by_dim.setdefault(r["rule"].dimension, []).append(100.0 * (1 - r["share"]))
    scores = {d: round(sum(v) / len(v), 2) for d, v in by_dim.items()}
    blocked = any(not r["passed"] and r["rule"].severity == "error" for r in results)
    warned = any(not r["passed"] for r in results)
    run = QualityRun(
        dataset_id=ds.id,
        department_id=ds.department_id,
        dataset_name=ds.name,
        department_name=ds.provider_name or "",
        version_id=version.id,
        version_number=version.number,
        trigger=trigger,
        status="blocked" if blocked else "warnings" if warned else "passed",
        rows=rows,
        rules=len(results),
        failed_rules=sum(1 for r in results if not r["passed"]),
        scores=scores,
        score=overall(scores),
        elapsed_ms=elapsed_ms,
        created_by_name=actor.display_name or actor.username or "",
    )
    session.add(run)
    session.flush()
    for r in results:
        rule = r["rule"]
        f = QualityFinding(
            run_id=run.id,
            rule_id=rule.id,
            rule_name=rule.name,
            kind=rule.kind,
            items=list(rule.items),
            dimension=rule.dimension,
            severity=rule.severity,
            failing=r["failing"],
            checked=r["checked"],
            share=r["share"],
            passed=r["passed"],
            detail=r["detail"][:500],
        )
        f.samples = r["samples"]
        session.add(f)
    session.flush()
    return run


def _track_issues(session: Session, run: QualityRun, now: dt.datetime) -> int:
    """Open issues for failing rules, verify fixed ones; returns how many were opened."""
    findings = session.scalars(select(QualityFinding).where(QualityFinding.run_id == run.id)).all()
    unresolved = {
        i.rule_id: i
        for i in session.scalars(
            select(QualityIssue).where(
                QualityIssue.dataset_id == run.dataset_id,
                QualityIssue.status.in_(("open", "fixed", "escalated")),
            )
        )
    }
    opened = 0
    for f in findings:
        issue = unresolved.get(f.rule_id)
        if f.passed:
            if issue is not None:
                issue.status = "resolved"
                issue.resolved_at = now
                issue.last_finding_id = f.id
                issue.failing = 0
            continue
        if issue is None:
            session.add(
                QualityIssue(
                    dataset_id=run.dataset_id,
                    department_id=run.department_id,
                    rule_id=f.rule_id,
                    rule_name=f.rule_name,
                    dataset_name=run.dataset_name,
                    opened_run_id=run.id,
                    last_finding_id=f.id,
                    failing=f.failing,
                    status="open",
                    deadline=rectification_deadline(session, now),
                )
            )
            opened += 1
        else:
            if issue.status == "fixed":
                issue.status = "open"
                issue.note = (
                    issue.note + "\n" + _("复查未通过：仍有 {n} 行不符合。").format(n=f.failing)
                ).strip()
            issue.failing = f.failing
            issue.last_finding_id = f.id
    session.flush()
    if opened:
        notify.send(
            session,
            SYSTEM,
            recipients=Recipients(
                department_ids=[run.department_id], roles=["steward", "dept_admin"]
            ),
            subject=_("数据质量检查：{name} 有 {n} 项问题需要整改").format(
                name=run.dataset_name, n=opened
            ),
            body=_("请在期限内整改并标记已整改，下次检查将复查。"),
            link=f"/quality/runs/{run.id}",
            kind="quality.issue",
        )
    return opened


def _snapshot(run: QualityRun) -> dict[str, Any]:
    return {
        "status": run.status,
        "rows": run.rows,
        "score": run.score,
        "failed_rules": run.failed_rules,
        "version": run.version_number,
    }


def run_inspection(
    session: Session,
    actor: Actor,
    dataset_id: int,
    *,
    trigger: str = "manual",
    now: dt.datetime | None = None,
) -> QualityRun:
    """Check the dataset's current version with all its enabled rules, store the findings and
    scores, and open or verify rectification issues."""
    ds = dataset(session, actor, dataset_id)
    require(
        permissions.can_run_inspection(actor, ds.department_id),
        "quality.run_inspection",
        target(ds),
    )
    rules = _rules(session, ds.id)
    if not rules:
        raise Invalid(_("数据集还没有启用的质量规则。"))
    if ds.current_version_id is None:
        raise Invalid(_("数据集还没有已发布的版本，无法检查。"))
    now = now or utcnow()
    current = datastore.get_version(session, SYSTEM, ds.id)
    version, previous = _versions(session, ds, current.number)
    started = time.perf_counter()
    rows, results = _measure(session, actor, ds, version, previous, rules, now)
    run = _store(
        session,
        actor,
        ds,
        version,
        trigger,
        rows,
        results,
        int((time.perf_counter() - started) * 1000),
    )
    _track_issues(session, run, now)
    audit.record(
        session,
        actor,
        "quality.run_inspection",
        run,
        after=_snapshot(run),
        details={"dataset_id": ds.id, "trigger": trigger},
    )
    return run


def gate_version(session: Session, candidate: datastore.Candidate) -> list[str]:
    """The publish gate (main.PUBLISH_GATES): measure the candidate version; error-severity
    failures refuse it, each named with its failing count and samples."""
    actor = candidate.actor
    require(permissions.can_gate_version(actor), "quality.gate_version")
    rules = _rules(session, candidate.dataset_id)
    if not rules:
        return []
    ds = dataset(session, SYSTEM, candidate.dataset_id)
    now = utcnow()
    version, previous = _versions(session, ds, candidate.number)
    started = time.perf_counter()
    rows, results = _measure(session, actor, ds, version, previous, rules, now)
    run = _store(
        session,
        actor,
        ds,
        version,
        "gate",
        rows,
        results,
        int((time.perf_counter() - started) * 1000),
    )
    audit.record(
        session,
        actor,
        "quality.gate_version",
        run,
        after=_snapshot(run),
        details={"dataset_id": ds.id, "version": candidate.number},
    )
    problems = []
    for r in results:
        if r["passed"] or r["rule"].severity != "error":
            continue
        examples = "、".join(s["value"] or s["key"] for s in r["samples"][:3])
        problems.append(
            _("规则「{name}」：{n} 行不符合（{share:.2%}），例如 {examples}").format(
                name=r["rule"].name, n=r["failing"], share=r["share"], examples=examples or "—"
            )
        )
    if not problems:
        _track_issues(session, run, now)
        _fix_objections(session, ds, candidate.number, now)
    return problems


def _fix_objections(session: Session, ds: Any, number: int, now: dt.datetime) -> None:
    """Confirmed objections are fixed by the next version published."""
    for o in session.scalars(
        select(QualityObjection).where(
            QualityObjection.dataset_id == ds.id,
            QualityObjection.status == "confirmed",
            QualityObjection.answered_version < number,
        )
    ):
        o.status = "fixed"
        o.fixed_version = number
        audit.record(
            session,
            SYSTEM,
            "quality.answer_objection",
            o,
            after={"status": "fixed", "version": number},
        )
        if o.filed_by_id:
            notify.send(
                session,
                SYSTEM,
                recipients=Recipients(user_ids=[o.filed_by_id]),
                subject=_("您提出的数据异议已在 {name} 第 {n} 版更正").format(
                    name=ds.name, n=number
                ),
                link=f"/quality/objections/{o.id}",
                kind="quality.objection",
            )


def run_due_inspections(
    session: Session, actor: Actor, now: dt.datetime | None = None
) -> dict[str, int]:
    """Periodic inspection: check every dataset with rules whose last run is older than
    ``GOVSHARE_QUALITY_INSPECTION_DAYS`` (at most ``GOVSHARE_QUALITY_INSPECTIONS_PER_PASS``)."""
    require(permissions.can_run_due_inspections(actor), "quality.run_due_inspections")
    settings = get_settings()
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.quality_inspection_days)
    last = (
        select(QualityRun.dataset_id, func.max(QualityRun.started_at).label("last"))
        .where(QualityRun.trigger != "gate")
        .group_by(QualityRun.dataset_id)
        .subquery()
    )
    ids = session.scalars(
        select(QualityRule.dataset_id)
        .outerjoin(last, last.c.dataset_id == QualityRule.dataset_id)
        .where(QualityRule.enabled.is_(True))
        .where((last.c.last.is_(None)) | (last.c.last < cutoff))
        .group_by(QualityRule.dataset_id)
        .order_by(QualityRule.dataset_id)
        .limit(settings.quality_inspections_per_pass)
    ).all()
    done = failed = 0
    for dataset_id in ids:
        ds = dataset(session, SYSTEM, dataset_id)
        if ds.current_version_id is None:
            continue
        try:
            with session.begin_nested():
                run_inspection(session, actor, dataset_id, trigger="schedule", now=now)
            done += 1
        except (Invalid, NotFound):
            failed += 1
    audit.record(
        session,
        actor,
        "quality.run_due_inspections",
        None,
        details={"inspected": done, "failed": failed},
    )
    return {"inspected": done, "failed": failed}


def list_runs(
    session: Session, actor: Actor, dataset_id: int, *, limit: int = 50
) -> Sequence[QualityRun]:
    """A dataset's runs, newest first."""
    ds = dataset(session, actor, dataset_id)
    require(permissions.can_list_runs(actor, ds.department_id), "quality.list_runs")
    return session.scalars(
        select(QualityRun)
        .where(QualityRun.dataset_id == ds.id)
        .order_by(QualityRun.started_at.desc(), QualityRun.id.desc())
        .limit(limit)
    ).all()


def get_run(
    session: Session, actor: Actor, run_id: int
) -> tuple[QualityRun, Sequence[QualityFinding], bool]:
    """A run with its findings; the last value says whether samples were withheld."""
    run = session.get(QualityRun, run_id)
    if run is None:
        raise NotFound(_("检查记录不存在。"))
    dataset(session, actor, run.dataset_id)
    require(permissions.can_get_run(actor, run.department_id), "quality.get_run")
    findings = session.scalars(
        select(QualityFinding)
        .where(QualityFinding.run_id == run.id)
        .order_by(QualityFinding.passed, QualityFinding.id)
    ).all()
    hidden = not permissions.can_see_samples(actor, run.department_id)
    if not hidden and any(f.samples_json for f in findings):
        audit.record(session, actor, "quality.get_run", run, details={"samples": True})
    return run, findings, hidden
