"""Reading rows for other modules: key lookups, pages, CKAN search (row store), as-of-version
queries and scans (DuckDB over the version files). Every call has a time limit and a row cap,
and is recorded in the audit trail with who authorized it."""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.pagination import decode_cursor, encode_cursor
from govshare.core.security import Actor, require
from govshare.datastore import permissions
from govshare.datastore.engines import duck
from govshare.datastore.engines.columns import Column
from govshare.datastore.engines.serving import ServingStore
from govshare.datastore.models import Dataset, DatasetVersion
from govshare.datastore.schemas import Condition, RowsPage, ScanResult, SearchResult
from govshare.datastore.service._common import (
    columns_of,
    dataset_for_resource,
    serving,
    target,
    version_file,
    version_of,
)
from govshare.datastore.service.filters import compile_duck, compile_serving, stored, typed

LOOKUP_MAX_KEYS = 1000
_totals: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_totals_lock = threading.Lock()


def _query(
    ref: str, sql: str, params: dict[str, Any], store: ServingStore | None = None
) -> list[tuple[Any, ...]]:
    """A row-store query under the platform's time limit for queries run for others."""
    from govshare.datastore.engines.serving import QueryTimeout

    timeout = get_settings().datastore_query_timeout_ms
    try:
        return (store or serving()).query(ref, sql, params, timeout_ms=timeout)
    except QueryTimeout as exc:
        raise Conflict(_("查询超过时限 {ms} 毫秒，已停止。").format(ms=timeout)) from exc


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def _wanted(cols: list[Column], columns: Sequence[str] | None) -> list[int]:
    if not columns:
        return list(range(len(cols)))
    index = {c.name: i for i, c in enumerate(cols)}
    unknown = [c for c in columns if c not in index]
    if unknown:
        raise _bad("fields", _("没有这些信息项：{names}").format(names="、".join(unknown)))
    return [index[c] for c in columns]


def _row_dict(cols: list[Column], idx: list[int], row: Sequence[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for j, i in enumerate(idx):
        v = row[j]
        if cols[i].type_code == "L" and v is not None:
            v = bool(v)
        out[cols[i].name] = v
    return out


def _current(session: Session, ds: Dataset) -> DatasetVersion:
    return version_of(session, ds, None)


def _record(
    session: Session,
    actor: Actor,
    action: str,
    ds: Dataset,
    audited_by_caller: bool,
    **details: Any,
) -> None:
    if audited_by_caller and details.get("authorized_by"):
        return
    audit.record(session, actor, action, ds, details=details)


def lookup_rows(
    session: Session,
    actor: Actor,
    resource_id: int,
    keys: Sequence[Any],
    *,
    columns: Sequence[str] | None = None,
    authorized_by: str | None = None,
    audited_by_caller: bool = False,
) -> list[dict[str, Any]]:
    """Rows of the current version whose key is one of ``keys`` (≤ 1,000), requested columns only.

    ``keys``: values of the key item, or dicts {item: value} for a composite key. Rows come in
    the order of ``keys``; keys with no row are left out. Served by the row store, not DuckDB.
    """
    ds = dataset_for_resource(session, actor, resource_id)
    require(
        permissions.can_lookup_rows(actor, ds, authorized_by), "datastore.lookup_rows", target(ds)
    )
    if len(keys) > LOOKUP_MAX_KEYS:
        raise _bad("keys", _("一次最多查询 {n} 个主键。").format(n=LOOKUP_MAX_KEYS))
    v = _current(session, ds)
    cols = columns_of(v.columns)
    key_idx = [i for i, c in enumerate(cols) if c.is_key]
    if not key_idx:
        raise Conflict(_("该数据集没有主键信息项，不能按主键查询。"))
    idx = _wanted(cols, columns)
    tuples = [_key_tuple(cols, key_idx, k) for k in keys]
    rows: list[dict[str, Any]] = []
    if tuples:
        params: dict[str, Any] = {}
        if len(key_idx) == 1:
            marks = []
            for n, t in enumerate(tuples):
                params[f"k{n}"] = t[0]
                marks.append(f":k{n}")
            where = f"c{key_idx[0]} IN ({', '.join(marks)})"
        else:
            ors = []
            for n, t in enumerate(tuples):
                ands = []
                for m, i in enumerate(key_idx):
                    params[f"k{n}_{m}"] = t[m]
                    ands.append(f"c{i} = :k{n}_{m}")
                ors.append("(" + " AND ".join(ands) + ")")
            where = " OR ".join(ors)
        sel = ", ".join([f"c{i}" for i in key_idx] + [f"c{i}" for i in idx])
        found = _query(v.serving_ref, f"SELECT {sel} FROM {{t}} WHERE {where}", params)
        by_key = {tuple(r[: len(key_idx)]): r[len(key_idx) :] for r in found}
        rows = [_row_dict(cols, idx, by_key[t]) for t in tuples if t in by_key]
    _record(
        session,
        actor,
        "datastore.lookup_rows",
        ds,
        audited_by_caller,
        version=v.number,
        keys=len(tuples),
        found=len(rows),
        authorized_by=authorized_by,
    )
    return rows


@dataclass(frozen=True)
class KeyLookup:
    """A single-key lookup on the current version's row store, prepared once: the version's
    store, the SQL (the same text every time, so the driver reuses its prepared statement) and
    how to read a row back. ``find`` reads no metadata and records nothing: the caller that
    prepared it (sharing's data API, under a grant) records the read."""

    ref: str
    store: ServingStore  # resolved once: finding it (the data dir's real path) costs more
    version: int
    sql: str
    names: tuple[str, ...]
    logical: tuple[bool, ...]
    key: Column

    def find(self, key: str) -> dict[str, Any] | None:
        """The row whose key is ``key`` (the requested columns), or None; Invalid when the key
        does not parse as the key item's type."""
        value = stored(typed(self.key, key))
        found = _query(self.ref, self.sql, {"k": value}, self.store)
        if not found:
            return None
        return {
            n: (bool(v) if b and v is not None else v)
            for n, b, v in zip(self.names, self.logical, found[0], strict=True)
        }


def prepare_lookup(
    session: Session,
    actor: Actor,
    resource_id: int,
    *,
    columns: Sequence[str],
    authorized_by: str,
) -> KeyLookup:
    """Prepare what ``lookup_rows`` does for one key of a single-item key, to run many times
    (sharing's data API keeps it until the grant, the token or the current version changes).
    Conflict when the dataset has no key, Invalid when its key is composite."""
    ds = dataset_for_resource(session, actor, resource_id)
    require(
        permissions.can_prepare_lookup(actor, ds, authorized_by),
        "datastore.prepare_lookup",
        target(ds),
    )
    v = _current(session, ds)
    cols = columns_of(v.columns)
    key_idx = [i for i, c in enumerate(cols) if c.is_key]
    if not key_idx:
        raise Conflict(_("该数据集没有主键信息项，不能按主键查询。"))
    if len(key_idx) > 1:
        raise _bad("keys", _("该数据集是组合主键，请按 {{信息项: 值}} 给出。"))
    idx = _wanted(cols, columns)
    sel = ", ".join(f"c{i}" for i in idx)
    return KeyLookup(
        ref=v.serving_ref,
        store=serving(),
        version=v.number,
        sql=f"SELECT {sel} FROM {{t}} WHERE c{key_idx[0]} = :k",
        names=tuple(cols[i].name for i in idx),
        logical=tuple(cols[i].type_code == "L" for i in idx),
        key=cols[key_idx[0]],
    )


def _key_tuple(cols: list[Column], key_idx: list[int], key: Any) -> tuple[Any, ...]:
    if isinstance(key, dict):
        missing = [cols[i].name for i in key_idx if cols[i].name not in key]
        if missing:
            raise _bad("keys", _("主键缺少：{names}").format(names="、".join(missing)))
        return tuple(stored(typed(cols[i], str(key[cols[i].name]))) for i in key_idx)
    if len(key_idx) != 1:
        raise _bad("keys", _("该数据集是组合主键，请按 {{信息项: 值}} 给出。"))
    return (stored(typed(cols[key_idx[0]], str(key))),)


def page_rows(
    session: Session,
    actor: Actor,
    resource_id: int,
    *,
    filter_text: str | None = None,
    conditions: list[Condition] | None = None,
    columns: Sequence[str] | None = None,
    cursor: str | None = None,
    limit: int = 100,
    authorized_by: str | None = None,
    audited_by_caller: bool = False,
) -> RowsPage:
    """A page of the current version's rows matching the filter, with a cursor (row store).

    A cursor keeps to the version it started on; once that version's row store is gone
    (two publishes later) it answers 409 and the caller starts again.
    """
    ds = dataset_for_resource(session, actor, resource_id)
    require(permissions.can_page_rows(actor, ds, authorized_by), "datastore.page_rows", target(ds))
    cap = get_settings().datastore_row_cap
    if limit < 1 or limit > cap:
        raise _bad("limit", _("每页条数应在 1 到 {n} 之间。").format(n=cap))
    after = decode_cursor(cursor)
    v = _current(session, ds)
    if after is not None:
        try:
            number, last = int(after["v"]), int(after["r"])
        except (KeyError, TypeError, ValueError):
            raise _bad("cursor", _("分页游标无效。")) from None
        if number != v.number:
            v = version_of(session, ds, number)
            if v.serving_dropped:
                raise Conflict(_("数据已更新，请从第一页重新开始。"))
    else:
        last = 0
    cols = columns_of(v.columns)
    idx = _wanted(cols, columns)
    conds = conditions if conditions is not None else _conds(cols, filter_text)
    where, params = compile_serving(cols, conds)
    params["after"] = last
    params["lim"] = limit + 1
    sel = ", ".join(["_row"] + [f"c{i}" for i in idx])
    sql = (
        f"SELECT {sel} FROM {{t}} WHERE _row > :after"
        f"{' AND ' + where if where else ''} ORDER BY _row LIMIT :lim"
    )
    found = _query(v.serving_ref, sql, params)
    nxt = None
    if len(found) > limit:
        found = found[:limit]
        nxt = encode_cursor({"v": v.number, "r": found[-1][0]})
    rows = [_row_dict(cols, idx, r[1:]) for r in found]
    _record(
        session,
        actor,
        "datastore.page_rows",
        ds,
        audited_by_caller,
        version=v.number,
        rows=len(rows),
        filter=filter_text or "",
        authorized_by=authorized_by,
    )
    return RowsPage(
        columns=[cols[i].name for i in idx], rows=rows, next_cursor=nxt, version=v.number
    )


def _conds(cols: list[Column], text: str | None) -> list[Condition]:
    from govshare.datastore.service.filters import conditions

    return conditions(cols, text)


def search_rows(
    session: Session,
    actor: Actor,
    resource_id: int,
    *,
    filters: dict[str, Any] | None = None,
    q: str | None = None,
    fields: Sequence[str] | None = None,
    sort: str | None = None,
    limit: int = 100,
    offset: int = 0,
    include_total: bool = True,
    authorized_by: str | None = None,
    audited_by_caller: bool = False,
) -> SearchResult:
    """CKAN ``datastore_search`` over the current version: exact ``filters`` (value or list),
    ``q`` (text contained in any text item), ``fields``, ``sort`` ("项 asc, 项2 desc"),
    ``limit``/``offset``; ``total`` is cached per version and query."""
    ds = dataset_for_resource(session, actor, resource_id)
    require(
        permissions.can_search_rows(actor, ds, authorized_by), "datastore.search_rows", target(ds)
    )
    cap = get_settings().datastore_row_cap
    if limit < 0 or limit > cap or offset < 0:
        raise _bad("limit", _("limit 应在 0 到 {n} 之间，offset 不能为负。").format(n=cap))
    v = _current(session, ds)
    cols = columns_of(v.columns)
    idx = _wanted(cols, fields)
    conds = [
        Condition(name, "in", tuple(str(x) for x in value))
        if isinstance(value, list)
        else Condition(name, "=", (str(value),))
        for name, value in (filters or {}).items()
    ]
    where, params = compile_serving(cols, conds)
    if q:
        text_cols = [i for i, c in enumerate(cols) if c.type_code in "CMG"]
        params["q"] = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        qsql = " OR ".join(f"c{i} LIKE :q ESCAPE '\\'" for i in text_cols) or "1=0"
        where = f"({where}) AND ({qsql})" if where else f"({qsql})"
    order = _order(cols, sort)
    sel = ", ".join(f"c{i}" for i in idx)
    key = (v.serving_ref, where, tuple(sorted(params.items())))
    total = -1
    if include_total:
        total = _total(v, where, params, key)
    found = _page(v, sel, where, params, order, limit, offset, key)
    records = [{"_id": r[0], **_row_dict(cols, idx, r[1:])} for r in found]
    _record(
        session,
        actor,
        "datastore.search_rows",
        ds,
        audited_by_caller,
        version=v.number,
        rows=len(records),
        authorized_by=authorized_by,
    )
    type_names = {
        "I": "int",
        "N": "numeric",
        "Y": "numeric",
        "B": "float",
        "F": "float",
        "D": "date",
        "T": "timestamp",
        "L": "bool",
    }
    fields_out = [{"id": "_id", "type": "int"}] + [
        {"id": cols[i].name, "type": type_names.get(cols[i].type_code, "text")} for i in idx
    ]
    return SearchResult(
        fields=fields_out,
        records=records,
        total=total,
        limit=limit,
        offset=offset,
        version=v.number,
    )


def _total(v: DatasetVersion, where: str, params: dict[str, Any], key: tuple[Any, ...]) -> int:
    """How many rows match, counted once per version and filter (the whole version: its row
    count, known since the load)."""
    if not where and v.rows is not None:
        return int(v.rows)
    with _totals_lock:
        cached = _totals.get(key)
    if cached is None:
        cnt = f"SELECT count(*) FROM {{t}}{' WHERE ' + where if where else ''}"
        cached = int(_query(v.serving_ref, cnt, params)[0][0])
        with _totals_lock:
            _totals[key] = cached
            while len(_totals) > 4096:
                _totals.popitem(last=False)
    return cached


def _page(
    v: DatasetVersion,
    sel: str,
    where: str,
    params: dict[str, Any],
    order: str,
    limit: int,
    offset: int,
    key: tuple[Any, ...],
) -> list[tuple[Any, ...]]:
    """One page in ``order``. In row order the page is found by seeking on ``_row`` instead of
    skipping ``offset`` rows: straight to it when the version's rows are numbered 1…n without a
    filter, else from the nearest of the seek points kept per version and filter (``_row`` of
    every SEEK_STRIDE-th match) (docs/performance.md, "Open data")."""
    after, skip = 0, offset
    if order == "_row" and offset >= SEEK_STRIDE:
        if not where and _dense(v):
            after, skip = offset, 0
        elif where:
            stride, points = _seek_points(v, where, params, key)
            k = min(offset // stride, len(points))
            if k:
                after, skip = points[k - 1], offset - k * stride
    conds = " AND ".join(c for c in (("_row > :after" if after else ""), where) if c)
    sql = (
        f"SELECT _row, {sel} FROM {{t}}{' WHERE ' + conds if conds else ''} "
        f"ORDER BY {order} LIMIT :lim OFFSET :off"
    )
    return _query(v.serving_ref, sql, {**params, "after": after, "lim": limit, "off": skip})


SEEK_STRIDE = 100
_dense_refs: dict[str, bool] = {}
SEEK_POINTS_MAX = 10_000  # per version and filter: 80 kB; the stride grows with the version
_seeks: OrderedDict[tuple[Any, ...], tuple[int, array[int]]] = OrderedDict()


def _dense(v: DatasetVersion) -> bool:
    """Whether the version's row store numbers its rows 1…rows (then row n is ``_row = n``)."""
    known = _dense_refs.get(v.serving_ref)
    if known is None:
        lo, hi = _query(v.serving_ref, "SELECT min(_row), max(_row) FROM {t}", {})[0]
        known = lo == 1 and hi == v.rows
        with _totals_lock:
            _dense_refs[v.serving_ref] = known
    return known


def _seek_points(
    v: DatasetVersion, where: str, params: dict[str, Any], key: tuple[Any, ...]
) -> tuple[int, array[int]]:
    """A stride (SEEK_STRIDE, more for versions over a million rows) and ``_row`` of every
    stride-th row matching ``where`` (one pass, then cached)."""
    with _totals_lock:
        found = _seeks.get(key)
    if found is None:
        stride = max(SEEK_STRIDE, -(-int(v.rows or 0) // SEEK_POINTS_MAX))
        sql = (
            "SELECT _row FROM (SELECT _row, row_number() OVER (ORDER BY _row) AS n "
            f"FROM {{t}} WHERE {where}) s WHERE n - (n / {stride}) * {stride} = 0 "
            "ORDER BY _row"
        )
        found = (stride, array("q", (int(r[0]) for r in _query(v.serving_ref, sql, params))))
        with _totals_lock:
            _seeks[key] = found
            while len(_seeks) > 256:
                _seeks.popitem(last=False)
    return found


def _order(cols: list[Column], sort: str | None) -> str:
    if not sort:
        return "_row"
    index = {c.name: i for i, c in enumerate(cols)}
    index["_id"] = -1
    parts = []
    for part in sort.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        name, direction = bits[0].strip('"'), (bits[1].lower() if len(bits) > 1 else "asc")
        if name not in index or direction not in ("asc", "desc"):
            raise _bad("sort", _("无法按「{part}」排序。").format(part=part.strip()))
        parts.append(f"{'_row' if index[name] < 0 else f'c{index[name]}'} {direction.upper()}")
    return ", ".join(parts + ["_row"])


def query_version(
    session: Session,
    actor: Actor,
    resource_id: int,
    version: int | None = None,
    *,
    filter_text: str | None = None,
    columns: Sequence[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    authorized_by: str | None = None,
) -> RowsPage:
    """Rows of any kept version ("as of version N"), filtered, from its Parquet file."""
    ds = dataset_for_resource(session, actor, resource_id)
    require(
        permissions.can_query_version(actor, ds, authorized_by),
        "datastore.query_version",
        target(ds),
    )
    cap = get_settings().datastore_row_cap
    if limit < 1 or limit > cap:
        raise _bad("limit", _("每页条数应在 1 到 {n} 之间。").format(n=cap))
    v = version_of(session, ds, version)
    cols = columns_of(v.columns)
    names = [cols[i].name for i in _wanted(cols, columns)]
    where, params = compile_duck(cols, filter_text)
    batches = duck.stream(
        version_file(v), names, where=where, params=params, limit=limit + 1, offset=offset
    )
    rows = [r for b in batches for r in b.to_pylist()]
    audit.record(
        session,
        actor,
        "datastore.query_version",
        ds,
        details={
            "version": v.number,
            "rows": min(len(rows), limit),
            "authorized_by": authorized_by,
        },
    )
    more = len(rows) > limit
    return RowsPage(
        columns=names,
        rows=[{k: _plain(x) for k, x in r.items()} for r in rows[:limit]],
        next_cursor=str(offset + limit) if more else None,
        version=v.number,
    )


def _plain(v: Any) -> Any:
    import datetime as dt
    import decimal

    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def run_scan(
    session: Session,
    actor: Actor,
    resource_id: int,
    version: int | None,
    select_sql: str,
    params: Sequence[Any] | dict[str, Any] | None = None,
    *,
    timeout_ms: int | None = None,
    row_cap: int | None = None,
    authorized_by: str | None = None,
    threads: int | None = None,
) -> ScanResult:
    """Run one SELECT over a version's files with DuckDB: the version is the relation ``data``,
    the version published before it ``previous``. Functions are checked against an allow-list;
    the query stops at ``timeout_ms`` and returns at most ``row_cap`` rows. ``threads`` (fewer
    than the cores) suits a query that stops early: quality's bounded sample pass uses 1."""
    ds = dataset_for_resource(session, actor, resource_id)
    require(permissions.can_run_scan(actor, ds, authorized_by), "datastore.run_scan", target(ds))
    v = version_of(session, ds, version)
    relations = {"data": version_file(v)}
    prev = _previous(session, ds, v)
    if prev is not None:
        relations["previous"] = version_file(prev)
    result = _scan(relations, select_sql, params, timeout_ms, row_cap, v.number, threads)
    _audit_scan(
        session, actor, "datastore.run_scan", ds, v.number, result, authorized_by, select_sql
    )
    return result


def _scan(
    relations: dict[str, Any],
    select_sql: str,
    params: Sequence[Any] | dict[str, Any] | None,
    timeout_ms: int | None,
    row_cap: int | None,
    number: int,
    threads: int | None = None,
) -> ScanResult:
    """The sandboxed DuckDB scan shared by run_scan and run_reference_scan."""
    s = get_settings()
    timeout = min(timeout_ms or s.datastore_query_timeout_ms, 600_000)
    cap = min(row_cap or s.datastore_row_cap, s.datastore_row_cap)
    try:
        names, rows, truncated = duck.scan(
            relations,
            select_sql,
            params,
            timeout_ms=timeout,
            row_cap=cap,
            memory_limit=s.datastore_memory_limit,
            threads=threads,
        )
    except duck.QueryRefused as exc:
        raise _bad("sql", str(exc)) from exc
    except duck.QueryTimeout as exc:
        raise Conflict(str(exc)) from exc
    return ScanResult(
        columns=names,
        rows=[[_plain(x) for x in r] for r in rows],
        truncated=truncated,
        version=number,
    )


def run_reference_scan(
    session: Session,
    actor: Actor,
    resource_id: int,
    version: int | None,
    ref_resource_id: int,
    select_sql: str,
    *,
    timeout_ms: int | None = None,
    row_cap: int | None = None,
    authorized_by: str | None = None,
) -> ScanResult:
    """Run one SELECT over a version's file (``data``) and the current version of another
    resource's dataset (``ref``), in the same sandbox as run_scan: allow-listed functions, only
    those two files readable, a time limit and a row cap. Quality's reference rule uses it for an
    anti-join ("the value exists in the other resource"). Both reads are audited.

    NotFound when either dataset is missing, or ``ref`` has no published version."""
    ds = dataset_for_resource(session, actor, resource_id)
    ref = dataset_for_resource(session, actor, ref_resource_id)
    for d in (ds, ref):
        require(
            permissions.can_run_reference_scan(actor, d, authorized_by),
            "datastore.run_reference_scan",
            target(d),
        )
    v = version_of(session, ds, version)
    if ref.current_version_id is None:
        raise NotFound(_("引用的数据集还没有已发布的版本。"))
    rv = version_of(session, ref, None)
    result = _scan(
        {"data": version_file(v), "ref": version_file(rv)},
        select_sql,
        None,
        timeout_ms,
        row_cap,
        v.number,
    )
    for d, n in ((ds, v.number), (ref, rv.number)):
        _audit_scan(
            session, actor, "datastore.run_reference_scan", d, n, result, authorized_by, select_sql
        )
    return result


def _audit_scan(
    session: Session,
    actor: Actor,
    action: str,
    ds: Dataset,
    number: int,
    result: ScanResult,
    authorized_by: str | None,
    sql: str = "",
) -> None:
    details = {"version": number, "rows": len(result.rows), "authorized_by": authorized_by}
    audit.record(session, actor, action, ds, details={**details, "sql": sql[:1000]})


def _previous(session: Session, ds: Dataset, v: DatasetVersion) -> DatasetVersion | None:
    from sqlalchemy import select

    return session.scalars(
        select(DatasetVersion)
        .where(
            DatasetVersion.dataset_id == ds.id,
            DatasetVersion.number < v.number,
            DatasetVersion.status.in_(("published", "superseded")),
        )
        .order_by(DatasetVersion.number.desc())
        .limit(1)
    ).first()


def validate_scan_sql(actor: Actor, select_sql: str, relations: Sequence[str] = ("data",)) -> None:
    """Check consumer SQL against the allow-list without running it (Invalid when refused)."""
    require(permissions.can_validate_scan_sql(actor), "datastore.validate_scan_sql")
    try:
        duck.check_sql(select_sql, list(relations) + ["previous"])
    except duck.QueryRefused as exc:
        raise _bad("sql", str(exc)) from exc
