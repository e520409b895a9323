"""The data API: rows, lookup, batch lookup and verification (核验) under a grant.

Each call: the token must be bound to a consumer system; the resource must be visible (else 404
as if missing); the system must hold an active grant on it; the call is counted against the
grant's rate and the records it returns against its daily quota (records per day); rows are
read through the datastore with the granted items (plus the filter's items), kept inside the row
filter, projected and masked; the call is recorded in the audit trail with the system, grant,
purpose, items and rows returned. Refusals name their action, so they are recorded too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.core.db import utcnow
from govshare.core.errors import (
    DomainError,
    FieldError,
    Invalid,
    NotAuthorized,
    NotFound,
    RateLimited,
)
from govshare.core.i18n import _
from govshare.core.masking import Mask
from govshare.core.ratelimit import get_rate_limiter
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.datastore.schemas import Condition, parse_filter
from govshare.sharing import access, permissions
from govshare.sharing.access import Scope
from govshare.sharing.models import ConsumerSystem, Grant, SystemToken
from govshare.sharing.schemas import (
    BATCH_MAX_KEYS,
    BatchAnswer,
    RecordAnswer,
    RowsAnswer,
    VerifyAnswer,
)
from govshare.sharing.service.common import as_utc


@contextmanager
def _counted(action: str) -> Iterator[None]:
    """Refusals raised below (by the datastore too) name the call, so the trail counts them."""
    try:
        yield
    except DomainError as exc:
        if exc.action is None:
            exc.action = action
        raise


def _bad(action: str, field: str, message: str) -> Invalid:
    return Invalid(message, action=action, errors=[FieldError(field, message)])


@dataclass(frozen=True)
class _System:
    id: int
    name: str
    key: bytes
    active: bool


@dataclass(frozen=True)
class _Resource:
    id: int
    code: str
    name: str
    key_item: str


# A token's binding to a system never changes (a token is bound once; revoking the token is
# checked by accounts on every call), so it is cached per process. Published resources are visible
# to every logged-in caller, so their metadata is cached for RESOURCE_TTL seconds by code; grants
# are read on every call, so a revocation stops the very next one.
RESOURCE_TTL = 60.0
_systems: dict[int, _System | None] = {}
_resources: dict[str, tuple[float, _Resource]] = {}
_lock = threading.Lock()


def clear_caches() -> None:
    """Forget cached bindings and resources (tests, whose rolled-back ids are reused)."""
    with _lock:
        _systems.clear()
        _resources.clear()


def _system_of(session: Session, token_id: int) -> _System | None:
    cached = _systems.get(token_id)
    if cached is not None:
        return cached
    bound = session.execute(
        select(ConsumerSystem)
        .join(SystemToken, SystemToken.system_id == ConsumerSystem.id)
        .where(SystemToken.token_id == token_id)
    ).scalar_one_or_none()
    if bound is None:
        return None
    found = _System(bound.id, bound.name, bytes.fromhex(bound.pseudonym_key), bound.active)
    with _lock:
        _systems[token_id] = found
    return found


def _resource_of(session: Session, actor: Actor, code: str, action: str) -> _Resource:
    now = time.monotonic()
    hit = _resources.get(code)
    if hit is not None and now - hit[0] < RESOURCE_TTL:
        return hit[1]
    try:
        resource = catalog.get_resource_by_code(session, actor, code)
    except NotFound:
        raise NotFound(
            _("信息资源不存在。"), action=action, target=("resource", "", code)
        ) from None
    found = _Resource(
        resource.id,
        resource.code,
        resource.name,
        next((i.name for i in resource.data_items if i.is_key), ""),
    )
    if resource.status in ("published", "retired"):  # visible to every logged-in caller
        with _lock:
            _resources[code] = (now, found)
    return found


def _scope(session: Session, actor: Actor, code: str, action: str) -> tuple[Scope, Grant, str]:
    """The grant the calling token's system holds on the resource, as a Scope. The call is
    counted against the grant's rate; its daily quota must have room for a record (429 when
    either is spent). The records the call returns are charged after the read (``_charge``)."""
    scope, grant, key_item = grant_scope(session, actor, code, action)
    limiter = get_rate_limiter()
    rate, quota = limits(grant)
    room = limiter.test(rate_key(grant.id), quota)
    if not room.allowed:
        raise rate_limited(action, scope, grant, room.retry_after)
    decision = limiter.hit(rate_key(grant.id), rate)
    if not decision.allowed:
        raise rate_limited(action, scope, grant, decision.retry_after)
    return scope, grant, key_item


def _charge(grant: Grant, records: int) -> None:
    """Count the records a call returned (a verification: the one record it consulted) against
    the grant's daily quota. A call may take the quota past its last record; the next is 429."""
    get_rate_limiter().charge(rate_key(grant.id), limits(grant)[1], records)


def rate_key(grant_id: int) -> str:
    """The rate limiter's key of a grant (rate and daily quota)."""
    return f"sharing:grant:{grant_id}"


def limits(grant: Grant) -> list[str]:
    """The grant's limits: calls per second, records per day (a single-record lookup counts one
    of each, so the hot path checks and counts both at once)."""
    return [f"{grant.rate_limit}/second", f"{grant.daily_quota}/day"]


def rate_limited(action: str, scope: Scope, grant: Grant, retry_after: int) -> RateLimited:
    """The 429 of a call over the grant's rate or quota, with its Retry-After."""
    return RateLimited(
        _("超过授权的调用频率或每日配额，请 {n} 秒后再试。").format(n=retry_after),
        action=action,
        target=("resource", str(scope.resource_id), scope.resource_name),
        headers={"Retry-After": str(retry_after)},
    )


def grant_scope(session: Session, actor: Actor, code: str, action: str) -> tuple[Scope, Grant, str]:
    """The grant the calling token's system holds on the resource, as a Scope (not counted)."""
    bound = _system_of(session, actor.token_id or -1)
    if bound is None or not bound.active:
        raise NotAuthorized(_("此接口令牌未绑定消费系统，不能调用数据接口。"), action=action)
    resource = _resource_of(session, actor, code, action)
    now = utcnow()
    grants = session.scalars(
        select(Grant).where(
            Grant.system_id == bound.id,
            Grant.resource_id == resource.id,
            Grant.revoked_at.is_(None),
        )
    ).all()
    grant = next((g for g in grants if as_utc(g.valid_from) <= now < as_utc(g.valid_until)), None)
    target = ("resource", str(resource.id), resource.name)
    if grant is None:
        raise NotAuthorized(
            _("消费系统「{system}」没有该资源的有效授权。").format(system=bound.name),
            action=action,
            target=target,
        )
    key_item = resource.key_item
    scope = Scope(
        grant_id=grant.id,
        system_id=bound.id,
        resource_id=resource.id,
        resource_code=resource.code,
        resource_name=resource.name,
        items=tuple(grant.items),
        masks={k: Mask(v) for k, v in grant.masks.items()},
        row_filter=tuple((f["item"], frozenset(f["values"])) for f in grant.row_filter),
        key=bound.key,
    )
    return scope, grant, key_item


#: Records a read's audit entry and returns once it is durable: the group-commit recorder's
#: ``record_blocking`` (the data API passes it), or None to write in the caller's transaction.
Recorder = Callable[..., None] | None


def _record(
    session: Session,
    actor: Actor,
    action: str,
    scope: Scope,
    grant: Grant,
    items: Sequence[str],
    rows: int,
    audit_with: Recorder = None,
    **details: Any,
) -> None:
    target = ("sharing_grant", str(grant.id), grant.audit_label())
    fields = {
        "system": scope.system_id,
        "grant": grant.id,
        "resource": scope.resource_code,
        "purpose": grant.purpose,
        "items": list(items),
        "rows": rows,
        **details,
    }
    if audit_with is not None:
        audit_with(actor, action, target, details=fields)
    else:
        audit.record(session, actor, action, target, details=fields)


def _fields(action: str, scope: Scope, fields: Sequence[str] | None) -> list[str]:
    if not fields:
        return list(scope.items)
    outside = [f for f in fields if f not in scope.items]
    if outside:
        raise _bad(
            action,
            "fields",
            _("未获授权的信息项：{names}").format(names="、".join(outside)),
        )
    return list(dict.fromkeys(fields))


def read_rows(
    session: Session,
    actor: Actor,
    resource_code: str,
    *,
    fields: Sequence[str] | None = None,
    filter_text: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
    audit_with: Recorder = None,
) -> RowsAnswer:
    """A page of the granted rows, optionally filtered on granted unmasked items."""
    action = "sharing.read_rows"
    require(permissions.can_read_rows(actor), action)
    scope, grant, _key = _scope(session, actor, resource_code, action)
    wanted = _fields(action, scope, fields)
    with _counted(action):
        conds = parse_filter(filter_text)
    for c in conds:
        if c.column not in scope.items:
            raise _bad(
                action, "filter", _("不能按未获授权的信息项筛选：{name}").format(name=c.column)
            )
        if scope.masks.get(c.column, Mask.NONE) is not Mask.NONE:
            raise _bad(action, "filter", _("不能按脱敏的信息项筛选：{name}").format(name=c.column))
    conds += [Condition(col, "in", tuple(sorted(values))) for col, values in scope.row_filter]
    with _counted(action):
        page = datastore.page_rows(
            session,
            actor,
            scope.resource_id,
            conditions=conds,
            columns=scope.read_columns,
            cursor=cursor,
            limit=limit,
            authorized_by=f"sharing.grant:{grant.id}",
            audited_by_caller=True,
        )
    rows = [{k: r[k] for k in wanted} for r in access.serve(scope, page.rows)]
    _charge(grant, len(rows))
    _record(
        session,
        actor,
        action,
        scope,
        grant,
        wanted,
        len(rows),
        audit_with,
        filter=filter_text or "",
    )
    return RowsAnswer(
        resource_code=scope.resource_code,
        grant_id=grant.id,
        items=wanted,
        rows=rows,
        next_cursor=page.next_cursor,
    )


def _lookup(
    session: Session,
    actor: Actor,
    scope: Scope,
    grant: Grant,
    key_item: str,
    keys: list[str],
    action: str,
) -> dict[str, dict[str, Any]]:
    """Raw rows (granted + filter + key items) inside the filter, by key text."""
    if not key_item:
        raise _bad(action, "key", _("该资源没有主键信息项，不能按主键查询。"))
    columns = list(dict.fromkeys([*scope.read_columns, key_item]))
    with _counted(action):
        rows = datastore.lookup_rows(
            session,
            actor,
            scope.resource_id,
            keys,
            columns=columns,
            authorized_by=f"sharing.grant:{grant.id}",
            audited_by_caller=True,
        )
    return {str(r[key_item]): r for r in rows if access.inside(scope, r)}


def lookup_record(
    session: Session, actor: Actor, resource_code: str, key: str, audit_with: Recorder = None
) -> RecordAnswer:
    """One record by its key, as the grant allows; 404 when missing or outside the row filter."""
    action = "sharing.lookup_record"
    require(permissions.can_lookup_record(actor), action)
    scope, grant, key_item = _scope(session, actor, resource_code, action)
    found = _lookup(session, actor, scope, grant, key_item, [key.strip()], action)
    if not found:
        raise NotFound(
            _("没有该记录，或该记录不在授权范围内。"),
            action=action,
            target=("sharing_grant", str(grant.id), grant.audit_label()),
        )
    row = access.mask_row(scope, next(iter(found.values())))
    _charge(grant, 1)
    _record(session, actor, action, scope, grant, scope.items, 1, audit_with)
    return RecordAnswer(resource_code=scope.resource_code, grant_id=grant.id, record=row)


def lookup_records(
    session: Session,
    actor: Actor,
    resource_code: str,
    keys: Sequence[str],
    audit_with: Recorder = None,
) -> BatchAnswer:
    """Up to 1,000 records by key, in key order; keys not found (or outside) listed apart."""
    action = "sharing.lookup_records"
    require(permissions.can_lookup_records(actor), action)
    scope, grant, key_item = _scope(session, actor, resource_code, action)
    if len(keys) > BATCH_MAX_KEYS:
        raise _bad(action, "keys", _("一次最多查询 {n} 个主键。").format(n=BATCH_MAX_KEYS))
    if not keys:
        raise _bad(action, "keys", _("请至少给出一个主键。"))
    clean = [str(k).strip() for k in keys]
    found = _lookup(session, actor, scope, grant, key_item, clean, action)
    records = [access.mask_row(scope, found[k]) for k in clean if k in found]
    missing = [k for k in clean if k not in found]
    _charge(grant, len(records))
    _record(
        session, actor, action, scope, grant, scope.items, len(records), audit_with, keys=len(clean)
    )
    return BatchAnswer(
        resource_code=scope.resource_code, grant_id=grant.id, records=records, missing=missing
    )


def verify_record(
    session: Session,
    actor: Actor,
    resource_code: str,
    key: str,
    fields: dict[str, str],
    audit_with: Recorder = None,
) -> VerifyAnswer:
    """核验: whether the record exists and each given value matches, without returning data."""
    action = "sharing.verify_record"
    require(permissions.can_verify_record(actor), action)
    scope, grant, key_item = _scope(session, actor, resource_code, action)
    _fields(action, scope, list(fields))
    found = _lookup(session, actor, scope, grant, key_item, [key.strip()], action)
    row = next(iter(found.values()), None)
    answer = access.compare(row, fields) if row else dict.fromkeys(fields, False)
    _charge(grant, 1)
    _record(
        session, actor, action, scope, grant, list(fields), 0, audit_with, exists=row is not None
    )
    return VerifyAnswer(
        resource_code=scope.resource_code,
        grant_id=grant.id,
        exists=row is not None,
        fields=answer,
    )
