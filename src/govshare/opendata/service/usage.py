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

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.core.db import utcnow
from govshare.core.security import Actor, require
from govshare.opendata import permissions
from govshare.opendata.models import ApiUsage, Release

_lock = threading.Lock()
_calls: Counter[tuple[dt.date, str, int | None]] = Counter()
_released: Counter[int] = Counter()


def tally_call(caller: Any | None, resource_ids: list[int]) -> None:
    """Count one CKAN call of ``caller`` (a public user, None: anonymous) touching
    ``resource_ids``, in memory."""
    key = (utcnow().date(), caller.api_key_prefix if caller else "", caller.id if caller else None)
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
