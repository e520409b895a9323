"""The data API's single-record lookup on its fast path: resolved once, then answered without
the ORM.

A call (token × resource) is resolved through the same services as every other data call —
the token's actor, its bound system, the grant, the resource, the current version's prepared
row-store lookup, the grant's masks compiled once — and kept per process under the access stamp
(``sharing_access_stamp``, changed by trigger in the transaction of every change to tokens,
their users, systems, bindings, grants and current versions; migration 0730) for at most
``ENTRY_SECONDS``. Each call then costs: the stamp (one row), the clock against the token's
expiry and the grant's validity period, one prepared row-store read, the row filter, the rate
and quota count, the masks. Everything else — an unknown or stale entry, a row missing or
outside the filter, a call over the limits, a key that does not parse — is left to the full
path (``lookup_record``), which answers and records it exactly as before. The fast path counts a
call against the limits only when it answers it, so nothing is counted twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from govshare.core.db import Database, utcnow
from govshare.core.errors import Conflict, DomainError
from govshare.core.i18n import _
from govshare.core.ratelimit import get_rate_limiter
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.sharing import access, permissions
from govshare.sharing.access import Scope
from govshare.sharing.service.common import as_utc
from govshare.sharing.service.data import grant_scope, limits, rate_key

ACTION = "sharing.lookup_record"
STAMP_SQL = "SELECT token FROM sharing_access_stamp WHERE id = 1"
#: How long a resolved call is kept at most (as the resource metadata cache; the token's
#: last-use note, taken when a call is resolved, is then at most this much older).
ENTRY_SECONDS = 60.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Resolved:
    """A token's lookup on one resource, resolved under one access stamp."""

    stamp: str
    made: float
    actor: Actor
    scope: Scope
    grant_id: int
    target: tuple[str, str, str]
    purpose: str
    valid_from: Any
    valid_until: Any
    limits: tuple[str, ...]
    rate_key: str
    lookup: datastore.KeyLookup
    mask: Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Answer:
    """What the fast path answers (the body of a ``RecordAnswer``) and its audit details."""

    body: dict[str, Any]
    details: dict[str, Any]


_entries: dict[tuple[str, str], Resolved] = {}
_lock = threading.Lock()


def clear_entries() -> None:
    """Forget every resolved call (tests, whose rolled-back ids are reused)."""
    with _lock:
        _entries.clear()


def read_stamp(db: Database) -> str:
    """The current access stamp (one row, read outside any transaction)."""
    row = db.read_one(STAMP_SQL)
    return "" if row is None else str(row[0])


def cached(who: str, code: str, stamp: str) -> Resolved | None:
    """The call resolved for this caller and resource under this stamp, if still fresh."""
    entry = _entries.get((who, code))
    if entry is None or entry.stamp != stamp or time.monotonic() - entry.made > ENTRY_SECONDS:
        return None
    return entry


def remember(who: str, code: str, entry: Resolved) -> None:
    """Keep a resolved call (the oldest entries make room when the table is full)."""
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            for k in list(_entries)[: MAX_ENTRIES // 10]:
                _entries.pop(k, None)
        _entries[(who, code)] = entry


def resolve_lookup(session: Session, actor: Actor, resource_code: str, stamp: str) -> Resolved:
    """Resolve a lookup call as ``lookup_record`` does (permission, system, grant, resource,
    the current version), without reading a row or counting the call; refusals raise."""
    require(permissions.can_lookup_record(actor), ACTION)
    scope, grant, key_item = grant_scope(session, actor, resource_code, ACTION)
    if not key_item:
        raise Conflict(_("该资源没有主键信息项，不能按主键查询。"), action=ACTION)
    lookup = datastore.prepare_lookup(
        session,
        actor,
        scope.resource_id,
        columns=list(dict.fromkeys([*scope.read_columns, key_item])),
        authorized_by=f"sharing.grant:{grant.id}",
    )
    return Resolved(
        stamp=stamp,
        made=time.monotonic(),
        actor=actor,
        scope=scope,
        grant_id=grant.id,
        target=("sharing_grant", str(grant.id), grant.audit_label()),
        purpose=grant.purpose,
        valid_from=as_utc(grant.valid_from),
        valid_until=as_utc(grant.valid_until),
        limits=tuple(limits(grant)),
        rate_key=rate_key(grant.id),
        lookup=lookup,
        mask=access.compile_masks(scope),
    )


def answer_lookup(entry: Resolved, key: str) -> Answer | None:
    """The answer to a lookup of ``key`` under a resolved call, counted against the grant's
    limits; None when the full path must answer (expired, missing, outside, over the limits)."""
    now = utcnow()
    expires = entry.actor.token_expires_at
    if expires is not None and expires <= now:
        return None
    if not entry.valid_from <= now < entry.valid_until:
        return None
    try:
        row = entry.lookup.find(key.strip())
    except DomainError:
        return None
    if row is None or not access.inside(entry.scope, row):
        return None
    if not get_rate_limiter().hit_all(entry.rate_key, list(entry.limits)).allowed:
        return None
    scope = entry.scope
    return Answer(
        body={
            "resource_code": scope.resource_code,
            "grant_id": entry.grant_id,
            "record": entry.mask(row),
        },
        details={
            "system": scope.system_id,
            "grant": entry.grant_id,
            "resource": scope.resource_code,
            "purpose": entry.purpose,
            "items": list(scope.items),
            "rows": 1,
        },
    )
