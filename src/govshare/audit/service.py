"""Recording, reading, exporting and verifying the audit trail.

``record`` is called by every write service, and by every service that reads data, inside the
caller's transaction: the entry is committed with the change it describes, or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    CursorResult,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from govshare.audit import permissions
from govshare.audit.chain import GENESIS, ChainWalker, Verification, chain_key, digest
from govshare.audit.models import AuditEntry, AuditHead
from govshare.audit.schemas import ActionTally, AuditFilter, DailyCount
from govshare.core.config import get_settings
from govshare.core.context import current_request
from govshare.core.db import Database, describe_target, utcnow
from govshare.core.errors import DomainError, NotFound
from govshare.core.i18n import N_, _
from govshare.core.pagination import keyset_page
from govshare.core.security import ANONYMOUS, Actor, require

XLSX_MAX_ROWS = 1_048_575
_key: bytes | None = None


def configure(secret: bytes) -> None:
    """Set the chain key (derived from the platform secret) at start-up."""
    global _key
    _key = chain_key(secret)


def _chain_key() -> bytes:
    if _key is None:
        configure(get_settings().secret())
    assert _key is not None
    return _key


def _plain(value: Any) -> Any:
    """Make before/after/details plain JSON (dates and enums as strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


_ENTRY = cast(Table, AuditEntry.__table__)
_HEAD = cast(Table, AuditHead.__table__)
_COLUMNS = [c.key for c in _ENTRY.columns if c.key != "id"]
# Statements built once: record() runs on every write of the platform.
_LOCK_HEAD = (
    select(_HEAD.c.seq, _HEAD.c.digest, select(func.max(_ENTRY.c.seq)).scalar_subquery())
    .where(_HEAD.c.id == 1)
    .with_for_update(of=_HEAD)
)
_INSERT_ENTRY = insert(_ENTRY)
_UPDATE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), digest=bindparam("new_digest"))
)


def _lock_head(session: Session | Connection) -> tuple[int, str, int | None]:
    """The head (seq, digest) under its row lock, and the highest seq actually stored."""
    row = session.execute(_LOCK_HEAD).one_or_none()
    if row is None:
        session.execute(insert(_HEAD).values(id=1, seq=0, digest=GENESIS))
        return 0, GENESIS, session.scalar(select(func.max(_ENTRY.c.seq)))
    return int(row[0]), str(row[1]), row[2]


def _entry_values(
    actor: Actor | None,
    action: str,
    target: object = None,
    *,
    outcome: str = "success",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    reason: str = "",
    plain: bool = False,
) -> dict[str, Any]:
    """The fields of an entry (all but its place in the chain), taken from the current request.

    ``plain``: the caller vouches that before/after/details hold only JSON's own types (str,
    int, float, bool, None, lists, dicts with str keys), so the JSON round trip that makes them
    so is skipped (the data API's reads, thousands a second)."""
    if not plain:
        before, after, details = _plain(before), _plain(after), _plain(details)
    ctx = current_request()
    kind, ident, label = describe_target(target) or ("", "", "")
    return {
        "occurred_at": utcnow(),
        "actor_kind": actor.kind if actor else "system",
        "actor_user_id": actor.user_id if actor else None,
        "actor_name": (actor.display_name or actor.username or "") if actor else "系统",
        "token_id": actor.token_id if actor else None,
        "department_id": actor.department_id if actor else None,
        "department_name": (actor.department_name or "") if actor else "",
        "action": action,
        "outcome": outcome,
        "target_type": kind[:60],
        "target_id": ident[:100],
        "target_label": label[:300],
        "reason": reason,
        "client_ip": (ctx.client_ip or "") if ctx else "",
        "request_id": ctx.request_id if ctx else "",
        "before": before,
        "after": after,
        "details": details,
    }


def _append_entry(session: Session, fields: dict[str, Any]) -> AuditEntry:
    """Chain and insert one prepared entry under the head lock (the caller's transaction).
    Batches of data reads go through ``_append_batch``."""
    session.flush()  # the caller's pending changes first, so the order of writes is kept
    rows = _chained(session, [fields])
    result = cast(CursorResult[Any], session.execute(_INSERT_ENTRY, rows[0]))
    entry = AuditEntry(**rows[0])
    entry.id = int(result.inserted_primary_key[0])  # type: ignore[index]
    _move_head(session, rows)
    return entry


def _chained(db: Session | Connection, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries with their place in the chain (seq, previous digest, digest), taken under
    the head lock."""
    head_seq, head_digest, top = _lock_head(db)
    # Rows past the head were not written by the platform (they would break appends with a
    # duplicate seq): step over them; verification names them as inserted.
    seq = max(head_seq, top or 0)
    prev = head_digest
    key = _chain_key()
    rows = []
    for fields in values:
        seq += 1
        row = {**fields, "seq": seq, "prev_digest": prev}
        row["digest"] = prev = digest(key, prev, row)
        rows.append(row)
    return rows


def _move_head(db: Session | Connection, rows: list[dict[str, Any]]) -> None:
    db.execute(_UPDATE_HEAD, {"new_seq": rows[-1]["seq"], "new_digest": rows[-1]["digest"]})


#: Rows per multi-row INSERT of a batch (21 parameters a row: far below SQLite's 32,766).
_CHUNK = 200


@functools.cache
def _batch_insert(dialect: Any, rows: int) -> str:
    """``INSERT … VALUES (?, …), (?, …)`` of ``rows`` entries (SQLite's positional style)."""
    one = "(" + ", ".join(["?"] * len(_COLUMNS)) + ")"
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in _COLUMNS)
    return f"INSERT INTO {quote(_ENTRY.name)} ({names}) VALUES " + ", ".join([one] * rows)


@functools.cache
def _bind_processors(dialect: Any) -> list[Callable[[Any], Any] | None]:
    """The columns' own bind processors (UTC naive times, JSON text), as the ORM applies them."""
    return [_ENTRY.c[name].type.bind_processor(dialect) for name in _COLUMNS]


def _append_batch(conn: Connection, values: list[dict[str, Any]]) -> None:
    """Chain and insert a batch of entries under the head lock (the caller's transaction).

    The group committer's write: a few statements per batch whatever its size. On SQLite, one
    multi-row INSERT of up to ``_CHUNK`` entries with the columns' bind processors applied here,
    so the writer makes one database call (one release of the GIL) per chunk instead of one per
    entry (docs/decisions/0770). Elsewhere the driver's own ``executemany`` (psycopg pipelines
    it, and adapts the JSON columns itself)."""
    rows = _chained(conn, values)
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(_INSERT_ENTRY, rows)
    else:
        processors = list(zip(_COLUMNS, _bind_processors(dialect), strict=True))
        for start in range(0, len(rows), _CHUNK):
            part = rows[start : start + _CHUNK]
            flat = tuple(
                row[name] if process is None else process(row[name])
                for row in part
                for name, process in processors
            )
            conn.exec_driver_sql(_batch_insert(dialect, len(part)), flat)
    _move_head(conn, rows)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    target: object = None,
    *,
    outcome: str = "success",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append an entry to the chain in the caller's transaction and return it.

    ``action`` is ``<module>.<function>``; ``target`` a model instance or a (type, id, label)
    tuple. The chain head's row lock (PostgreSQL) or SQLite's write lock orders appends. Written
    with Core statements (this runs on every write of the platform).
    """
    fields = _entry_values(
        actor,
        action,
        target,
        outcome=outcome,
        before=before,
        after=after,
        details=details,
        reason=reason,
    )
    return _append_entry(session, fields)


def record_refusal(db: Database, actor: Actor | None, exc: DomainError) -> None:
    """Record a refused request in a transaction of its own (the request's work was undone)."""
    if exc.action is None:
        return
    with db.session() as session, session.begin():
        record(
            session,
            actor or ANONYMOUS,
            exc.action,
            exc.target,
            outcome=exc.outcome,
            reason=exc.detail,
            details={"errors": [e.as_dict() for e in exc.errors]} if exc.errors else None,
        )


# --- reading ---------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), ZoneInfo(get_settings().timezone))
    return local.astimezone(dt.UTC)


def _filtered(actor: Actor, f: AuditFilter) -> Any:
    stmt = permissions.visible_audit_entries(actor)
    if f.action:
        stmt = stmt.where(
            AuditEntry.action.startswith(f.action)
            if f.action.endswith(".")
            else AuditEntry.action == f.action
        )
    if f.actor:
        stmt = stmt.where(AuditEntry.actor_name.contains(f.actor, autoescape=True))
    if f.department_id is not None:
        stmt = stmt.where(AuditEntry.department_id == f.department_id)
    if f.outcome:
        stmt = stmt.where(AuditEntry.outcome == f.outcome)
    if f.target_type:
        stmt = stmt.where(AuditEntry.target_type == f.target_type)
    if f.target_id:
        stmt = stmt.where(AuditEntry.target_id == f.target_id)
    if f.request_id:
        stmt = stmt.where(AuditEntry.request_id == f.request_id)
    if f.since:
        stmt = stmt.where(AuditEntry.occurred_at >= _day_start(f.since))
    if f.until:
        stmt = stmt.where(AuditEntry.occurred_at < _day_start(f.until + dt.timedelta(days=1)))
    return stmt


def list_audit_entries(
    session: Session,
    actor: Actor,
    *,
    filters: AuditFilter | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[AuditEntry], str | None]:
    """A page of entries, newest first, narrowed by ``filters`` and the actor's visibility."""
    require(permissions.can_list_audit_entries(actor), "audit.list_audit_entries")
    stmt = _filtered(actor, filters or AuditFilter())
    return keyset_page(session, stmt, AuditEntry.seq, cursor=cursor, limit=limit)


def get_audit_entry(session: Session, actor: Actor, entry_id: int) -> AuditEntry:
    """One entry, or NotFound when it does not exist or is not visible to the actor."""
    require(permissions.can_get_audit_entry(actor), "audit.get_audit_entry")
    entry = session.scalars(
        permissions.visible_audit_entries(actor).where(AuditEntry.id == entry_id)
    ).one_or_none()
    if entry is None:
        raise NotFound(_("审计记录不存在。"))
    return entry


def summarize_audit(session: Session, actor: Actor, *, days: int = 14) -> list[DailyCount]:
    """Entries per day for the last ``days`` days (Asia/Shanghai), split success / refused."""
    require(permissions.can_summarize_audit(actor), "audit.summarize_audit")
    tz = ZoneInfo(get_settings().timezone)
    today = dt.datetime.now(tz).date()
    first = today - dt.timedelta(days=days - 1)
    stmt = _filtered(actor, AuditFilter(since=first)).with_only_columns(
        AuditEntry.occurred_at, AuditEntry.outcome
    )
    counts = {first + dt.timedelta(days=i): [0, 0] for i in range(days)}
    for occurred, outcome in session.execute(stmt):
        day = occurred.astimezone(tz).date()
        if day in counts:
            counts[day][0 if outcome == "success" else 1] += 1
    return [DailyCount(day=d, success=s, refused=r) for d, (s, r) in counts.items()]


def home_activity(session: Session, actor: Actor) -> list[DailyCount] | None:
    """The activity chart of the home dashboard, or None for those who may not read the trail."""
    require(permissions.can_home_activity(actor), "audit.home_activity")
    if not permissions.can_summarize_audit(actor):
        return None
    return summarize_audit(session, actor)


def list_action_tallies(
    session: Session,
    actor: Actor,
    *,
    actions: Sequence[str],
    since: dt.date,
    until: dt.date,
    token_ids: Sequence[int] | None = None,
) -> list[ActionTally]:
    """Entries of ``actions`` from ``since`` to ``until`` (local days, inclusive), counted per
    day, action, outcome, token and target, with their ``details.rows`` summed (the data API's
    records returned). Grouped in SQL by UTC hour, then by local day here (time zones with
    whole-hour offsets, as Asia/Shanghai)."""
    require(permissions.can_list_action_tallies(actor), "audit.list_action_tallies")
    hour = func.substr(sql_cast(AuditEntry.occurred_at, String), 1, 13)
    rows = func.coalesce(func.sum(AuditEntry.details["rows"].as_integer()), 0)
    stmt = (
        select(
            hour,
            AuditEntry.action,
            AuditEntry.outcome,
            AuditEntry.token_id,
            AuditEntry.target_type,
            AuditEntry.target_id,
            func.count(),
            rows,
        )
        .where(
            AuditEntry.action.in_(list(actions)),
            AuditEntry.occurred_at >= _day_start(since),
            AuditEntry.occurred_at < _day_start(until + dt.timedelta(days=1)),
        )
        .group_by(
            hour,
            AuditEntry.action,
            AuditEntry.outcome,
            AuditEntry.token_id,
            AuditEntry.target_type,
            AuditEntry.target_id,
        )
    )
    if token_ids is not None:
        stmt = stmt.where(AuditEntry.token_id.in_(list(token_ids)))
    tz = ZoneInfo(get_settings().timezone)
    out: dict[tuple[Any, ...], list[int]] = {}
    for h, action, outcome, token, ttype, tid, n, total in session.execute(stmt):
        at = dt.datetime.strptime(str(h).replace("T", " "), "%Y-%m-%d %H").replace(tzinfo=dt.UTC)
        key = (at.astimezone(tz).date(), action, outcome, token, ttype, tid)
        acc = out.setdefault(key, [0, 0])
        acc[0] += int(n)
        acc[1] += int(total or 0)
    return [
        ActionTally(
            day=k[0],
            action=k[1],
            outcome=k[2],
            token_id=k[3],
            target_type=k[4],
            target_id=k[5],
            entries=n,
            rows=r,
        )
        for k, (n, r) in sorted(out.items(), key=lambda kv: (kv[0][0], str(kv[0][1:])))
    ]


# --- export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("seq", N_("序号")),
    ("occurred_at", N_("时间（UTC）")),
    ("actor_name", N_("操作人")),
    ("department_name", N_("部门")),
    ("action", N_("操作")),
    ("outcome", N_("结果")),
    ("target_type", N_("对象类型")),
    ("target_id", N_("对象编号")),
    ("target_label", N_("对象")),
    ("reason", N_("说明")),
    ("client_ip", N_("来源地址")),
    ("request_id", N_("请求编号")),
    ("digest", N_("链式摘要")),
)


def _export_row(entry: AuditEntry) -> list[Any]:
    row = []
    for name, _label in EXPORT_COLUMNS:
        value = getattr(entry, name)
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S")
        row.append(value)
    return row


def export_audit_entries(
    session: Session,
    actor: Actor,
    *,
    filters: AuditFilter | None = None,
    fmt: Literal["csv", "xlsx"] = "csv",
) -> Iterator[bytes]:
    """Stream the filtered trail as CSV (UTF-8 with BOM) or XLSX; the export itself is audited."""
    require(permissions.can_export_audit_entries(actor), "audit.export_audit_entries")
    f = filters or AuditFilter()
    stmt = _filtered(actor, f).order_by(AuditEntry.seq)
    total = (
        session.scalar(
            stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        )
        or 0
    )
    record(
        session,
        actor,
        "audit.export_audit_entries",
        details={"format": fmt, "rows": total, "filters": f.model_dump(exclude_none=True)},
    )
    rows = session.scalars(stmt.execution_options(yield_per=1000))
    if fmt == "csv":
        return _csv_stream(rows)
    return _xlsx_stream(rows)


def _csv_stream(rows: Iterator[AuditEntry]) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_(label) for _n, label in EXPORT_COLUMNS])
    yield ("\ufeff" + buf.getvalue()).encode()
    for entry in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(_export_row(entry))
        yield buf.getvalue().encode()


def _xlsx_stream(rows: Iterator[AuditEntry]) -> Iterator[bytes]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    ws.append([_(label) for _n, label in EXPORT_COLUMNS])
    for i, entry in enumerate(rows):
        if i >= XLSX_MAX_ROWS:
            break
        ws.append(_export_row(entry))
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
        tmp.seek(0)
        while chunk := tmp.read(65536):
            yield chunk


# --- verification ----------------------------------------------------------------------------


def verify_audit_chain(session: Session, actor: Actor) -> Verification:
    """Walk the whole chain and name every altered, inserted or deleted entry.

    The verification is itself recorded (after the walk, so it does not verify itself).
    """
    require(permissions.can_verify_audit_chain(actor), "audit.verify_audit_chain")
    head = session.get(AuditHead, 1)
    head_seq, head_digest = (head.seq, head.digest) if head else (0, GENESIS)
    # The head is read first: entries appended during the walk chain on from it and verify.
    walker = ChainWalker(_chain_key(), head_seq)
    stmt = (
        select(AuditEntry).order_by(AuditEntry.seq, AuditEntry.id).execution_options(yield_per=2000)
    )
    for entry in session.scalars(stmt):
        walker.feed(entry)
    result = walker.finish(head_digest)
    record(
        session,
        actor,
        "audit.verify_audit_chain",
        outcome="success" if result.ok else "failed",
        details={"checked": result.checked, "findings": len(result.findings)},
    )
    return result
