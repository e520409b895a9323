"""API usage of the portal: CKAN calls per day and API key, and calls per released dataset.

A CKAN call only reads, so it must not become a write transaction (on SQLite every write queues
for the one write lock). Calls are tallied in this process's memory and added to the database by
the scheduler's ``opendata.usage`` pass (``govshare.schedule``) and when the app stops; several
app servers each add their own tally (the updates are increments). A process that dies between
two passes loses its last few minutes of counts: they are statistics, not the audit trail (every
``datastore_search`` is in the audit trail).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.core.db import local_today
from govshare.core.security import Actor, require
from govshare.opendata import permissions
from govshare.opendata.models import ApiUsage, Release
from govshare.opendata.schemas import PortalUsage, UsageRow
from govshare.opendata.service._common import PORTAL, released

_lock = threading.Lock()
_calls: Counter[tuple[dt.date, str, int | None]] = Counter()
_released: Counter[int] = Counter()


def tally_call(caller: Any | None, resource_ids: list[int]) -> None:
    """Count one CKAN call of ``caller`` (a public user, None: anonymous) touching
    ``resource_ids``, in memory."""
    key = (local_today(), caller.api_key_prefix if caller else "", caller.id if caller else None)
    with _lock:
        _calls[key] += 1
        for rid in resource_ids:
            _released[rid] += 1


def pending_calls() -> int:
    """Calls tallied and not yet added to the database (tests, metrics)."""
    with _lock:
        return sum(_calls.values())


def clear_tally() -> None:
    """Forget the calls tallied in memory (tests)."""
    _take()


def _take() -> tuple[Counter[tuple[dt.date, str, int | None]], Counter[int]]:
    global _calls, _released  # noqa: PLW0603 - swapped under the lock
    with _lock:
        calls, rels = _calls, _released
        _calls, _released = Counter(), Counter()
    return calls, rels


def _give_back(calls: Counter[Any], rels: Counter[int]) -> None:
    with _lock:
        _calls.update(calls)
        _released.update(rels)


def flush_portal_usage(session: Session, actor: Actor) -> dict[str, int]:
    """Add the calls tallied in memory to the daily usage rows and the releases' call counts (in
    the caller's transaction); what was added, for the scheduler's log."""
    require(permissions.can_flush_portal_usage(actor), "opendata.flush_portal_usage")
    calls, rels = _take()
    try:
        for (day, prefix, user_id), n in calls.items():
            _add_calls(session, day, prefix, user_id, n)
        by_count: dict[int, list[int]] = {}
        for rid, n in rels.items():
            by_count.setdefault(n, []).append(rid)
        for n, ids in by_count.items():
            for start in range(0, len(ids), 500):
                session.execute(
                    update(Release)
                    .where(Release.resource_id.in_(ids[start : start + 500]))
                    .values(api_calls=Release.api_calls + n)
                )
        session.flush()
    except BaseException:
        _give_back(calls, rels)
        raise
    return {"calls": sum(calls.values()), "datasets": len(rels)}


def get_portal_usage(session: Session, actor: Actor, *, days: int = 30, n: int = 50) -> PortalUsage:
    """Views, downloads and API calls of the released datasets (the ``n`` most used) and the CKAN
    calls of the last ``days`` days, for the e-government office."""
    require(permissions.can_get_portal_usage(actor), "opendata.get_portal_usage")
    used = Release.views + Release.downloads + Release.api_calls
    totals = session.execute(
        select(
            func.coalesce(func.sum(Release.views), 0),
            func.coalesce(func.sum(Release.downloads), 0),
            func.coalesce(func.sum(Release.api_calls), 0),
        ).where(Release.status == "released")
    ).one()
    top = list(
        session.scalars(
            select(Release)
            .where(Release.status == "released", used > 0)
            .order_by(used.desc(), Release.resource_id)
            .limit(n)
        )
    )
    names = {
        r.id: r
        for r in catalog.get_open_resources(
            session, PORTAL, released(), [t.resource_id for t in top], with_items=False
        )
    }
    rows = [
        UsageRow(
            resource_id=t.resource_id,
            name=names[t.resource_id].name,
            provider_name=names[t.resource_id].provider_name,
            level=t.level,
            views=t.views,
            downloads=t.downloads,
            api_calls=t.api_calls,
        )
        for t in top
        if t.resource_id in names
    ]
    today = local_today()
    span = [today - dt.timedelta(days=i) for i in range(days - 1, -1, -1)]
    anonymous = dict.fromkeys(span, 0)
    keyed = dict.fromkeys(span, 0)
    for day, prefix, calls in session.execute(
        select(ApiUsage.day, ApiUsage.key_prefix, ApiUsage.calls).where(ApiUsage.day >= span[0])
    ):
        if day in anonymous:
            (keyed if prefix else anonymous)[day] += int(calls)
    return PortalUsage(
        views=int(totals[0]),
        downloads=int(totals[1]),
        api_calls=int(totals[2]),
        rows=rows,
        days=span,
        anonymous_calls=list(anonymous.values()),
        keyed_calls=list(keyed.values()),
        pending_calls=pending_calls(),
    )


def _add_calls(session: Session, day: dt.date, prefix: str, user_id: int | None, n: int) -> None:
    stmt = (
        update(ApiUsage)
        .where(ApiUsage.day == day, ApiUsage.key_prefix == prefix)
        .values(calls=ApiUsage.calls + n)
    )
    if session.execute(stmt).rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(ApiUsage(day=day, key_prefix=prefix, public_user_id=user_id, calls=n))
    except IntegrityError:  # another server inserted the day's row first
        session.execute(stmt)
