"""Usage of the data API, read from the audit trail the data API writes.

Every data call leaves an audit entry (``sharing.read_rows`` / ``lookup_record`` /
``lookup_records`` / ``verify_record``): on success its target is the grant and ``details.rows``
the records returned; a refusal names the grant or the resource. The calling token leads to the
consumer system it is bound to. Providers see the use of their resources, consumers their
systems' use and today's quota left; platform admins and auditors see all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.audit.schemas import ActionTally
from govshare.clocks import service as clocks
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, Grant, SystemToken
from govshare.sharing.schemas import GrantUsage, UsageCount, UsageReport
from govshare.sharing.service.common import Resources, grant_state

DATA_ACTIONS = (
    "sharing.read_rows",
    "sharing.lookup_record",
    "sharing.lookup_records",
    "sharing.verify_record",
)
MAX_DAYS = 366


def _bad(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field_name, message)])


@dataclass
class _Count:
    calls: int = 0
    records: int = 0
    refusals: int = 0

    def add(self, t: ActionTally) -> None:
        self.calls += t.entries
        self.records += t.rows
        if t.outcome != "success":
            self.refusals += t.entries

    def public(self, key: str, label: str) -> UsageCount:
        return UsageCount(
            key=key, label=label, calls=self.calls, records=self.records, refusals=self.refusals
        )


@dataclass
class _View:
    """The systems, tokens and grants one actor's report covers."""

    systems: dict[int, ConsumerSystem]
    token_system: dict[int, int]
    grants: dict[int, Grant]
    by_pair: dict[tuple[int, int], int] = field(default_factory=dict)


def _range(
    since: dt.date | None, until: dt.date | None, now: dt.datetime | None
) -> tuple[dt.date, dt.date]:
    until = until or clocks.today(now)
    since = since or until - dt.timedelta(days=29)
    if since > until:
        raise _bad("since", _("开始日期不能晚于结束日期。"))
    if (until - since).days >= MAX_DAYS:
        raise _bad("since", _("日期范围最长 {n} 天。").format(n=MAX_DAYS))
    return since, until


def _view(session: Session, actor: Actor, side: str) -> _View:
    everything = actor.has_role("platform_admin", "auditor")
    dept = actor.department_id or -1
    systems = {s.id: s for s in session.scalars(select(ConsumerSystem))}
    stmt = select(Grant)
    if not everything and side == "provider":
        stmt = stmt.where(Grant.provider_department_id == dept)
    elif not everything:
        own = [s.id for s in systems.values() if s.department_id == dept]
        stmt = stmt.where(Grant.system_id.in_(own))
    grants = {g.id: g for g in session.scalars(stmt)}
    tokens = {
        int(t): int(s)
        for t, s in session.execute(select(SystemToken.token_id, SystemToken.system_id))
    }
    view = _View(systems, tokens, grants)
    for g in sorted(grants.values(), key=lambda g: g.id):
        view.by_pair[(g.system_id, g.resource_id)] = g.id
    return view


def _grant_of(view: _View, t: ActionTally, system_id: int) -> int | None:
    if t.target_type == "sharing_grant" and t.target_id.isdigit():
        return int(t.target_id)
    if t.target_type == "resource" and t.target_id.isdigit():
        return view.by_pair.get((system_id, int(t.target_id)))
    return None


def _belongs(
    session: Session, actor: Actor, side: str, view: _View, t: ActionTally, resources: Resources
) -> tuple[int, int | None] | None:
    """(system, grant) of a tally when the actor's report covers it, else None."""
    system_id = view.token_system.get(t.token_id or -1)
    if system_id is None or system_id not in view.systems:
        return None
    grant_id = _grant_of(view, t, system_id)
    if actor.has_role("platform_admin", "auditor"):
        return system_id, grant_id if grant_id in view.grants else None
    dept = actor.department_id
    if side == "consumer":
        ok = view.systems[system_id].department_id == dept
        return (system_id, grant_id if grant_id in view.grants else None) if ok else None
    if grant_id in view.grants:
        return system_id, grant_id
    if t.target_type == "resource" and t.target_id.isdigit():
        try:
            provider = resources.get(int(t.target_id)).provider_department_id
        except NotFound:
            return None
        return (system_id, None) if provider == dept else None
    return None


def get_usage(
    session: Session,
    actor: Actor,
    *,
    side: str = "consumer",
    since: dt.date | None = None,
    until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> UsageReport:
    """Calls, records returned and refusals of the data API per consumer system, per grant
    and per day over a date range (default: the last 30 days), with each grant's quota left
    today. ``side``: provider (the use of the department's resources) or consumer (the
    department's systems' use)."""
    require(permissions.can_get_usage(actor), "sharing.get_usage")
    if side not in ("provider", "consumer"):
        raise _bad("side", _("请选择提供方或使用方视角。"))
    since, until = _range(since, until, now)
    today = clocks.today(now)
    view = _view(session, actor, side)
    resources = Resources(session)
    first, last = min(since, today), max(until, today)
    tallies = audit.list_action_tallies(
        session, SYSTEM, actions=DATA_ACTIONS, since=first, until=last
    )
    total, systems, grants = _Count(), dict[int, _Count](), dict[int, _Count]()
    days = {since + dt.timedelta(days=i): _Count() for i in range((until - since).days + 1)}
    used_today: dict[int, int] = {}
    for t in tallies:
        owner = _belongs(session, actor, side, view, t, resources)
        if owner is None:
            continue
        system_id, grant_id = owner
        if t.day == today and grant_id is not None:
            used_today[grant_id] = used_today.get(grant_id, 0) + _charged(t)
        if not since <= t.day <= until:
            continue
        total.add(t)
        days[t.day].add(t)
        systems.setdefault(system_id, _Count()).add(t)
        if grant_id is not None:
            grants.setdefault(grant_id, _Count()).add(t)
    shown = [
        g for g in view.grants.values() if g.id in grants or grant_state(g) in ("active", "not_yet")
    ]
    return UsageReport(
        side=side,
        since=since,
        until=until,
        totals=total.public("total", _("合计")),
        by_system=sorted(
            (c.public(str(s), view.systems[s].name) for s, c in systems.items()),
            key=lambda c: -c.calls,
        ),
        by_grant=[
            _grant_usage(view, g, grants.get(g.id, _Count()), used_today.get(g.id, 0), resources)
            for g in sorted(shown, key=lambda g: -grants.get(g.id, _Count()).calls)
        ],
        by_day=[c.public(d.isoformat(), d.strftime("%m-%d")) for d, c in days.items()],
    )


def _charged(t: ActionTally) -> int:
    """What calls charged to a grant's daily quota (records per day): the records returned,
    and one per verification (the record it consulted, though none is returned)."""
    if t.outcome != "success":
        return 0
    return t.entries if t.action == "sharing.verify_record" else t.rows


def _grant_usage(
    view: _View, g: Grant, c: _Count, used_today: int, resources: Resources
) -> GrantUsage:
    system = view.systems[g.system_id]
    return GrantUsage(
        key=str(g.id),
        label=_("授权 {id}").format(id=g.id),
        calls=c.calls,
        records=c.records,
        refusals=c.refusals,
        grant_id=g.id,
        system_name=system.name,
        resource_name=resources.get(g.resource_id).name,
        purpose=g.purpose,
        daily_quota=g.daily_quota,
        quota_left_today=max(0, g.daily_quota - used_today),
    )
