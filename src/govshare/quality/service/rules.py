"""Rules: write, list, suggest. Every rule is compiled when saved, so a bad one never runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.quality import permissions
from govshare.quality.compiler import (
    CODE_LISTS,
    JOINED,
    KINDS,
    RuleError,
    Spec,
    check_custom,
    check_pattern,
    compile_rule,
)
from govshare.quality.models import QualityRule
from govshare.quality.schemas import RuleCreate, RuleUpdate
from govshare.quality.service._common import dataset, target, types_of
from govshare.quality.service.codetables import resolve_code_table
from govshare.quality.service.references import entity_reference, referenced
from govshare.quality.suggest import suggestions


def _snapshot(rule: QualityRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "items": list(rule.items),
        "params": dict(rule.params),
        "severity": rule.severity,
        "tolerance": rule.tolerance,
        "enabled": rule.enabled,
    }


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def _check_items(ds: Any, kind: str, items: Sequence[str]) -> None:
    label, _dim, arity = KINDS[kind]
    if arity == -1 and items:
        raise _bad("items", _("「{kind}」规则针对整个数据集，不选数据项。").format(kind=_(label)))
    if arity == 1 and len(items) != 1:
        raise _bad("items", _("「{kind}」规则需要选择一个数据项。").format(kind=_(label)))
    if arity == 2 and len(items) != 2:
        raise _bad(
            "items",
            _("「{kind}」规则需要两个数据项：身份证号和要比对的数据项。").format(kind=_(label)),
        )
    if arity == 0 and not items:
        raise _bad("items", _("请至少选择一个数据项。"))
    missing = [i for i in items if i not in types_of(ds)]
    if missing:
        raise _bad("items", _("数据集中没有数据项：{names}").format(names="、".join(missing)))


def _check_params(actor: Actor, kind: str, params: dict[str, Any]) -> None:
    if kind == "pattern":
        problem = check_pattern(str(params.get("regex", "")))
        if problem:
            raise _bad("params.regex", _(problem))
    elif kind == "value_set":
        code_list, values = params.get("code_list"), params.get("values")
        if code_list and code_list not in CODE_LISTS:
            raise _bad("params.code_list", _("没有这个代码表。"))
        if not code_list and not (isinstance(values, list) and [v for v in values if str(v)]):
            raise _bad("params.values", _("请选择代码表或填写允许的值。"))
    elif kind in ("range", "length"):
        if params.get("min") in (None, "") and params.get("max") in (None, ""):
            raise _bad("params.min", _("请至少填写最小值或最大值。"))
    elif kind == "volume":
        share = params.get("max_change", 0.5)
        if not isinstance(share, (int, float)) or share <= 0:
            raise _bad("params.max_change", _("允许的变化比例应大于 0。"))
    elif kind == "custom":
        _check_custom(actor, str(params.get("sql", "")))


def _check_custom(actor: Actor, expression: str) -> None:
    problem = check_custom(expression)
    if problem:
        raise _bad("params.sql", _(problem))
    try:
        datastore.validate_scan_sql(
            actor, f"SELECT count(*) FILTER (WHERE NOT coalesce(({expression}), true)) FROM data"
        )
    except Invalid as exc:
        message = exc.errors[0].message if exc.errors else str(exc)
        raise _bad("params.sql", message) from exc


def _check(
    session: Session,
    ds: Any,
    actor: Actor,
    kind: str,
    items: Sequence[str],
    params: dict[str, Any],
) -> None:
    """Refuse a rule that cannot run: unknown items, bad parameters, a refused expression, a
    reference to a resource the actor cannot see (NotFound) or that has no data to compare."""
    _check_items(ds, kind, items)
    if kind == "value_set" and params.get("code_table"):
        params = resolve_code_table(session, params)
    _check_params(actor, kind, params)
    if kind in JOINED:
        referenced(session, actor, params)
        return
    if KINDS[kind][2] == -1:
        return
    try:
        # compiled as a run compiles it: the time as parameters, bound when it runs
        compile_rule(Spec(0, kind, items, params), types_of(ds), now=None)
    except RuleError as exc:
        raise _bad("params", _(str(exc))) from exc
    except (KeyError, ValueError, TypeError) as exc:
        raise _bad("params", _("规则参数不完整或与数据项类型不符。")) from exc


def list_rules(session: Session, actor: Actor, dataset_id: int) -> Sequence[QualityRule]:
    """A dataset's rules, in the order they were added."""
    ds = dataset(session, actor, dataset_id)
    require(permissions.can_list_rules(actor, ds.department_id), "quality.list_rules")
    return session.scalars(
        select(QualityRule).where(QualityRule.dataset_id == ds.id).order_by(QualityRule.id)
    ).all()


def suggest_rules(session: Session, actor: Actor, dataset_id: int) -> list[RuleCreate]:
    """Rules proposed from the data items' names and type codes, minus those already there."""
    ds = dataset(session, actor, dataset_id)
    require(
        permissions.can_suggest_rules(actor, ds.department_id), "quality.suggest_rules", target(ds)
    )
    existing = {
        (r.kind, tuple(r.items))
        for r in session.scalars(select(QualityRule).where(QualityRule.dataset_id == ds.id))
    }
    proposed = suggestions(ds.columns, entity_reference(session, actor, ds))
    return [s for s in proposed if (s.kind, tuple(s.items)) not in existing]


def create_rule(
    session: Session, actor: Actor, dataset_id: int, data: RuleCreate, *, suggested: bool = False
) -> QualityRule:
    """Add a rule to a dataset (checked and compiled first)."""
    ds = dataset(session, actor, dataset_id)
    require(permissions.can_create_rule(actor, ds.department_id), "quality.create_rule", target(ds))
    _check(session, ds, actor, data.kind, data.items, data.params)
    label, dimension, _arity = KINDS[data.kind]
    name = data.name.strip() or (f"{'、'.join(data.items)}：{_(label)}" if data.items else _(label))
    rule = QualityRule(
        dataset_id=ds.id,
        department_id=ds.department_id,
        name=name[:200],
        kind=data.kind,
        items=list(data.items),
        params=dict(data.params),
        dimension=dimension,
        severity=data.severity,
        tolerance=data.tolerance,
        enabled=data.enabled,
        suggested=suggested,
        created_by_id=actor.user_id,
    )
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor,
        "quality.create_rule",
        rule,
        after=_snapshot(rule),
        details={"dataset_id": ds.id},
    )
    return rule


def _rule(session: Session, actor: Actor, rule_id: int) -> tuple[QualityRule, Any]:
    rule = session.get(QualityRule, rule_id)
    if rule is None:
        raise NotFound(_("规则不存在。"))
    return rule, dataset(session, actor, rule.dataset_id)


def update_rule(session: Session, actor: Actor, rule_id: int, data: RuleUpdate) -> QualityRule:
    """Change a rule's name, parameters, severity, tolerance or whether it runs."""
    rule, ds = _rule(session, actor, rule_id)
    require(
        permissions.can_update_rule(actor, rule.department_id),
        "quality.update_rule",
        ("quality_rule", str(rule.id), rule.name),
    )
    before = _snapshot(rule)
    params = data.params if data.params is not None else rule.params
    _check(session, ds, actor, rule.kind, rule.items, params)
    for field in ("name", "severity", "tolerance", "enabled"):
        value = getattr(data, field)
        if value is not None:
            setattr(rule, field, value.strip() if isinstance(value, str) else value)
    rule.params = dict(params)
    session.flush()
    audit.record(session, actor, "quality.update_rule", rule, before=before, after=_snapshot(rule))
    return rule


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    """Remove a rule (its past findings stay, named)."""
    rule, _ds = _rule(session, actor, rule_id)
    require(
        permissions.can_delete_rule(actor, rule.department_id),
        "quality.delete_rule",
        ("quality_rule", str(rule.id), rule.name),
    )
    audit.record(session, actor, "quality.delete_rule", rule, before=_snapshot(rule))
    session.delete(rule)
    session.flush()
