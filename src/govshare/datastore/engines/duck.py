"""DuckDB over the versions' Parquet files: merges, key checks, profiles, diffs, scans, streams.

Every connection is in-memory and short-lived, with a memory limit and a spill directory; the
files are the state. Scans for other modules run in a sandboxed connection: only the version's
files are reachable (``allowed_paths``, external access off, configuration locked), the SQL is
one SELECT over the named relations whose every function is on ``ALLOWED_FUNCTIONS``, and a timer
interrupts it at its time limit; at most ``row_cap`` rows come back.
"""

from __future__ import annotations

import json
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govshare.core.i18n import _
from govshare.datastore.engines.columns import Column

_write_lock = threading.Lock()  # one serialized writer of version files per process


class QueryRefused(Exception):
    """Consumer SQL that is not allowed (message in Chinese)."""


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped."""


def q(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def connect(memory_limit: str = "1GB", temp_dir: Path | None = None, threads: int = 2) -> Any:
    """A fresh in-memory DuckDB connection with a memory limit and a spill directory."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit='{memory_limit}'")
    con.execute(f"SET threads={int(threads)}")
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory={lit(temp_dir)}")
    return con


def writer_lock() -> threading.Lock:
    """Loads take this lock for their DuckDB writing phase: one writer at a time."""
    return _write_lock


# --- finalising a load -----------------------------------------------------------------------


@dataclass
class Finalized:
    rows: int
    duplicate_rejects: list[tuple[int, int | None, str, str]]  # row, first row, items, value
    duplicate_count: int


def _key_expr(keys: Sequence[Column], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{q(k.name)}" for k in keys)


def finalize(
    con: Any,
    staged: Path,
    previous: Path | None,
    columns: list[Column],
    mode: str,
    out: Path,
    *,
    reject_sample: int = 1000,
) -> Finalized:
    """Write the version's Parquet from the staged rows (and the previous version).

    Rows whose key repeats within the load are rejected except the first; in append mode rows
    whose key exists in the previous version are rejected too.
    """
    keys = [c for c in columns if c.is_key]
    cols = ", ".join(q(c.name) for c in columns)
    con.execute(f"CREATE TEMP VIEW staged AS SELECT * FROM read_parquet({lit(staged)})")
    has_prev = previous is not None and mode != "replace"
    if has_prev:
        con.execute(
            f"CREATE TEMP VIEW prev AS SELECT *, row_number() OVER () AS _prow "
            f"FROM read_parquet({lit(previous)})"  # type: ignore[arg-type]
        )
    dup_rows: list[tuple[int, int | None, str, str]] = []
    dup_count = 0
    if keys:
        _find_duplicates(con, "staged", keys)
        if has_prev and mode == "append":
            on = " AND ".join(f"s.{q(k.name)} = p.{q(k.name)}" for k in keys)
            con.execute(
                f"INSERT INTO dup SELECT s._row, {_key_expr(keys, 's')}, NULL FROM staged s "
                f"WHERE EXISTS (SELECT 1 FROM prev p WHERE {on}) "
                f"AND s._row NOT IN (SELECT _row FROM dup)"
            )
        dup_rows, dup_count = _duplicate_sample(con, keys, reject_sample)
        clean = "SELECT * FROM staged WHERE _row NOT IN (SELECT _row FROM dup)"
    else:
        clean = "SELECT * FROM staged"
    con.execute(f"CREATE TEMP VIEW clean AS {clean}")
    if not has_prev:
        body = f"SELECT {cols} FROM clean"  # staged rows are in _row order; filters keep it
    elif mode == "append":
        body = (
            f"SELECT {cols} FROM (SELECT {cols}, 0 AS _src, _prow AS _o FROM prev "
            f"UNION ALL BY NAME SELECT {cols}, 1 AS _src, _row AS _o FROM clean) ORDER BY _src, _o"
        )
    else:  # upsert / delete: previous rows not touched by the load, then the new rows
        on = " AND ".join(f"c.{q(k.name)} = p.{q(k.name)}" for k in keys)
        new = "clean WHERE _op = 'upsert'" if mode == "delete" else "clean"
        body = (
            f"SELECT {cols} FROM (SELECT {cols}, 0 AS _src, _prow AS _o FROM prev p "
            f"WHERE NOT EXISTS (SELECT 1 FROM clean c WHERE {on}) "
            f"UNION ALL BY NAME SELECT {cols}, 1 AS _src, _row AS _o FROM {new}) "
            f"ORDER BY _src, _o"
        )
    con.execute(
        f"COPY ({body}) TO {lit(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
    )
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(str(out)).metadata.num_rows
    return Finalized(int(rows), dup_rows, int(dup_count))


def _find_duplicates(con: Any, rel: str, keys: Sequence[Column], extra: str = "") -> None:
    """Temp table ``dup``: the rows of ``rel`` whose key an earlier row (lower ``_row``) has,
    with that first row (``_first``) and the ``extra`` columns of ``rel``."""
    # Most loads have no duplicate key: one aggregate finds that; details only if needed.
    con.execute(
        f"CREATE TEMP TABLE dupkey AS SELECT {_key_expr(keys)}, min(_row) AS _first FROM {rel} "
        f"GROUP BY ALL HAVING count(*) > 1"
    )
    using = ", ".join(q(k.name) for k in keys)
    con.execute(
        f"CREATE TEMP TABLE dup AS SELECT s._row, {_key_expr(keys, 's')}, d._first{extra} "
        f"FROM {rel} s JOIN dupkey d USING ({using}) WHERE s._row <> d._first"
    )


def _duplicate_sample(
    con: Any, keys: Sequence[Column], reject_sample: int
) -> tuple[list[tuple[int, int | None, str, str]], int]:
    """The first ``reject_sample`` rows of ``dup`` as rejects, and how many there are."""
    dup_count = int(con.execute("SELECT count(*) FROM dup").fetchone()[0])
    label = "、".join(k.name for k in keys)
    out = []
    for row in con.execute(
        f"SELECT _row, _first, {_key_expr(keys)} FROM dup ORDER BY _row LIMIT {int(reject_sample)}"
    ).fetchall():
        value = "|".join("" if v is None else str(v) for v in row[2:])
        out.append((int(row[0]), row[1], label, value))
    return out, dup_count


@dataclass
class Duplicates:
    rejects: list[tuple[int, int | None, str, str]]  # row, first row, items, value
    count: int
    positions: list[int]  # 0-based positions of the duplicate rows in the version file


def duplicates(
    con: Any, keys_file: Path, keys: Sequence[Column], *, reject_sample: int = 1000
) -> Duplicates:
    """Rows of a replace load whose key repeats (all but the first): ``keys_file`` holds the
    key columns and ``_row`` of the version file's rows, in the same order."""
    con.execute(
        f"CREATE TEMP VIEW loadkeys AS SELECT * FROM read_parquet({lit(keys_file)}, "
        f"file_row_number = true)"
    )
    _find_duplicates(con, "loadkeys", keys, ", s.file_row_number AS _pos")
    rejects, count = _duplicate_sample(con, keys, reject_sample)
    positions = (
        [int(r[0]) for r in con.execute("SELECT _pos FROM dup ORDER BY _pos").fetchall()]
        if count
        else []
    )
    return Duplicates(rejects, count, positions)


def drop_rows(con: Any, path: Path, columns: list[Column]) -> None:
    """Rewrite a version file without the rows in temp table ``dup`` (``_pos``)."""
    tmp = path.with_suffix(".rewrite")
    cols = ", ".join(q(c.name) for c in columns)
    con.execute(
        f"COPY (SELECT {cols} FROM read_parquet({lit(path)}, file_row_number = true) "
        f"WHERE file_row_number NOT IN (SELECT _pos FROM dup)) TO {lit(tmp)} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
    )
    tmp.replace(path)


# --- comparing versions ----------------------------------------------------------------------


def _diff_sql(a: Path, b: Path, columns: list[Column]) -> tuple[str, str]:
    keys = [c for c in columns if c.is_key]
    on = " AND ".join(f"a.{q(k.name)} = b.{q(k.name)}" for k in keys)
    changed = " OR ".join(f"a.{q(c.name)} IS DISTINCT FROM b.{q(c.name)}" for c in columns)
    base = f"FROM read_parquet({lit(a)}) a FULL OUTER JOIN read_parquet({lit(b)}) b ON {on}"
    kind = (
        f"CASE WHEN a.{q(keys[0].name)} IS NULL THEN 'added' "
        f"WHEN b.{q(keys[0].name)} IS NULL THEN 'removed' "
        f"WHEN {changed or 'false'} THEN 'changed' ELSE 'same' END"
    )
    return base, kind


def diff_counts(con: Any, a: Path, b: Path, columns: list[Column]) -> dict[str, int]:
    """Rows added, changed and removed from version file ``a`` to ``b`` (by key or by row)."""
    keys = [c for c in columns if c.is_key]
    if not keys:
        cols = ", ".join(q(c.name) for c in columns)
        added = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM read_parquet({lit(b)}) EXCEPT ALL "
            f"SELECT {cols} FROM read_parquet({lit(a)}))"
        ).fetchone()[0]
        removed = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM read_parquet({lit(a)}) EXCEPT ALL "
            f"SELECT {cols} FROM read_parquet({lit(b)}))"
        ).fetchone()[0]
        return {"added": int(added), "changed": 0, "removed": int(removed)}
    base, kind = _diff_sql(a, b, columns)
    rows = dict(con.execute(f"SELECT {kind} AS k, count(*) {base} GROUP BY k").fetchall())
    return {k: int(rows.get(k, 0)) for k in ("added", "changed", "removed")}


def diff_rows(
    con: Any, a: Path, b: Path, columns: list[Column], *, limit: int, kinds: Sequence[str]
) -> list[dict[str, Any]]:
    """Up to ``limit`` differing rows: kind, key, and old/new values of changed columns."""
    keys = [c for c in columns if c.is_key]
    if not keys:
        return []
    base, kind = _diff_sql(a, b, columns)
    sel = ", ".join(
        f"a.{q(c.name)} AS {q('a_' + c.name)}, b.{q(c.name)} AS {q('b_' + c.name)}" for c in columns
    )
    wanted = ", ".join(f"'{k}'" for k in kinds if k in ("added", "changed", "removed")) or "''"
    order = ", ".join(f"coalesce(b.{q(k.name)}, a.{q(k.name)})" for k in keys)
    cur = con.execute(
        f"SELECT {kind} AS _k, {sel} {base} WHERE {kind} IN ({wanted}) "
        f"ORDER BY {order} LIMIT {int(limit)}"
    )
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        k = rec["_k"]
        side = "a_" if k == "removed" else "b_"
        item: dict[str, Any] = {
            "kind": k,
            "key": {c.name: rec[side + c.name] for c in keys},
            "changes": {},
        }
        for c in columns:
            old, new = rec["a_" + c.name], rec["b_" + c.name]
            if k == "changed" and old != new or k != "changed":
                item["changes"][c.name] = [old, new]
        out.append(item)
    return out


# --- profile and preview ---------------------------------------------------------------------


PROFILE_SAMPLE_FROM = 200_000  # rows; from here on the candidate top values come from a sample


def profile(con: Any, path: Path, columns: list[Column], top: int = 5) -> list[dict[str, Any]]:
    """Per column: nulls, distinct (approximate past 10k), min, max, most frequent values.

    The most frequent values are found by ``approx_top_k`` over the whole file, or over a 10%
    sample of its row groups past ``PROFILE_SAMPLE_FROM`` rows (the sketch costs more than the
    rest of the profile together); their counts are then exact, from the whole file."""
    rel = f"read_parquet({lit(path)})"
    parts = []
    for c in columns:
        n = q(c.name)
        parts.append(
            f"count(*) - count({n}), approx_count_distinct({n}), min({n})::VARCHAR, "
            f"max({n})::VARCHAR"
        )
    row = con.execute(f"SELECT count(*), {', '.join(parts)} FROM {rel}").fetchone()
    total = row[0]
    sample = (
        f"(SELECT * FROM {rel} USING SAMPLE 10% (system))" if total >= PROFILE_SAMPLE_FROM else rel
    )
    sketch = ", ".join(f"approx_top_k({q(c.name)}, {top})" for c in columns)

    def candidates(source: str) -> list[list[Any]]:
        found = con.execute(f"SELECT {sketch} FROM {source}").fetchone()
        return [[v for v in (vs or []) if v is not None] for vs in found]

    tops = candidates(sample)
    if sample != rel and not any(tops):  # the sample drew no row (tiny chance): the whole file
        tops = candidates(rel)
    out: list[dict[str, Any]] = []
    for i, c in enumerate(columns):
        nulls, distinct, lo, hi = row[1 + i * 4 : 5 + i * 4]
        out.append(
            {
                "name": c.name,
                "type_code": c.type_code,
                "rows": total,
                "nulls": int(nulls),
                "distinct": int(distinct),
                "min": lo,
                "max": hi,
                "top": [],
            }
        )
    # Exact counts of the candidates, one query per column (their types differ): only rows
    # holding a candidate are grouped.
    for i, c in enumerate(columns):
        if not tops[i]:
            continue
        params = {f"v{j}": v for j, v in enumerate(tops[i])}
        marks = ", ".join(f"${k}" for k in params)
        sql = f"SELECT {q(c.name)}, count(*) FROM {rel} WHERE {q(c.name)} IN ({marks}) GROUP BY 1"
        counts = dict(con.execute(sql, params).fetchall())
        ranked = sorted(enumerate(tops[i]), key=lambda p: (-counts.get(p[1], 0), p[0]))
        out[i]["top"] = [[_jsonable(v), int(counts.get(v, 0))] for _j, v in ranked]
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def head(con: Any, path: Path, n: int) -> list[dict[str, Any]]:
    """The first ``n`` rows as JSON-able dicts."""
    cur = con.execute(f"SELECT * FROM read_parquet({lit(path)}) LIMIT {int(n)}")
    names = [d[0] for d in cur.description]
    return [{k: _jsonable(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def count_rows(path: Path, where: str = "", params: Sequence[Any] = ()) -> int:
    con = connect()
    try:
        sql = f"SELECT count(*) FROM read_parquet({lit(path)})"
        if where:
            sql += f" WHERE {where}"
        return int(con.execute(sql, list(params)).fetchone()[0])
    finally:
        con.close()


def stream(
    path: Path,
    columns: Sequence[str],
    *,
    where: str = "",
    params: Sequence[Any] = (),
    order: str = "",
    limit: int | None = None,
    offset: int = 0,
    batch_rows: int = 65536,
    memory_limit: str = "1GB",
) -> Iterator[pa.RecordBatch]:
    """Arrow batches of a version file, filtered; bounded memory, in file order by default.

    DuckDB reads ahead on a thread (at most ``_AHEAD`` batches) while the caller encodes the
    previous batch, so decoding and writing overlap; closing the generator stops the thread.
    """
    sql = f"SELECT {', '.join(q(c) for c in columns)} FROM read_parquet({lit(path)})"
    if where:
        sql += f" WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if offset:
        sql += f" OFFSET {int(offset)}"
    con = connect(memory_limit)
    try:
        reader = con.sql(sql, params=list(params)).to_arrow_reader(batch_rows)
    except BaseException:
        con.close()
        raise
    yield from _read_ahead(reader, con)


_AHEAD = 3
_END = object()


def _read_ahead(reader: Any, con: Any) -> Iterator[pa.RecordBatch]:
    """The reader's batches, fetched on a thread; closes ``con`` when done or closed early."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=_AHEAD)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in reader:
                if not offer(batch):
                    return
            offer(_END)
        except BaseException as exc:  # handed to the consumer
            offer(exc)

    thread = threading.Thread(target=produce, name="duck-stream", daemon=True)
    thread.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
        con.close()


# --- sandboxed scans for other modules -------------------------------------------------------

ALLOWED_FUNCTIONS = frozenset(
    [
        "count",
        "count_star",
        "sum",
        "avg",
        "mean",
        "min",
        "max",
        "any_value",
        "first",
        "last",
        "arg_min",
        "arg_max",
        "median",
        "mode",
        "quantile",
        "quantile_cont",
        "quantile_disc",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "var_pop",
        "var_samp",
        "variance",
        "approx_count_distinct",
        "approx_quantile",
        "approx_top_k",
        "bool_and",
        "bool_or",
        "string_agg",
        "list",
        "histogram",
        "abs",
        "ceil",
        "ceiling",
        "floor",
        "round",
        "sign",
        "sqrt",
        "power",
        "pow",
        "ln",
        "log",
        "log10",
        "log2",
        "exp",
        "greatest",
        "least",
        "mod",
        "trunc",
        "isnan",
        "isinf",
        "length",
        "strlen",
        "char_length",
        "character_length",
        "upper",
        "lower",
        "ucase",
        "lcase",
        "trim",
        "ltrim",
        "rtrim",
        "substring",
        "substr",
        "left",
        "right",
        "lpad",
        "rpad",
        "replace",
        "reverse",
        "concat",
        "concat_ws",
        "contains",
        "prefix",
        "suffix",
        "starts_with",
        "ends_with",
        "strpos",
        "instr",
        "position",
        "split_part",
        "regexp_matches",
        "regexp_full_match",
        "regexp_replace",
        "regexp_extract",
        "like_escape",
        "ilike_escape",
        "md5",
        "hash",
        "strip_accents",
        "ascii",
        "chr",
        "repeat",
        "unicode",
        "ord",
        "array_length",
        "len",
        "list_contains",
        "list_extract",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "dayofweek",
        "dayofyear",
        "week",
        "quarter",
        "date_part",
        "datepart",
        "date_trunc",
        "datetrunc",
        "date_diff",
        "datediff",
        "date_add",
        "date_sub",
        "age",
        "current_date",
        "today",
        "strftime",
        "strptime",
        "try_strptime",
        "make_date",
        "epoch",
        "to_timestamp",
        "last_day",
        "coalesce",
        "ifnull",
        "nullif",
    ]
)
# Operators and forms DuckDB's parser reports as functions.
ALLOWED_OPERATORS = frozenset(
    [
        "~~",
        "!~~",
        "~~*",
        "!~~*",
        "~~~",
        "!~~~",
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "=",
        "<>",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "||",
        "^",
        "**",
        "&",
        "|",
        "<<",
        ">>",
        "!",
        "array_extract",
        "list_value",
        "struct_pack",
        "row",
    ]
)


def _walk(node: Any, found: dict[str, set[str]]) -> None:
    if isinstance(node, dict):
        cls = node.get("class") or node.get("type")
        if cls == "FUNCTION" and "function_name" in node:
            found["functions"].add(str(node["function_name"]).lower())
        if node.get("type") == "TABLE_FUNCTION":
            found["table_functions"].add(str(node.get("function", {}).get("function_name")))
        if node.get("type") == "BASE_TABLE":
            found["tables"].add(str(node.get("table_name")))
            if node.get("schema_name") or node.get("catalog_name"):
                found["qualified"].add(str(node.get("table_name")))
        if node.get("type") == "CTE_NODE" or "cte_map" in node:
            for entry in (node.get("cte_map") or {}).get("map", []):
                found["ctes"].add(str(entry.get("key")))
        for v in node.values():
            _walk(v, found)
    elif isinstance(node, list):
        for v in node:
            _walk(v, found)


_parser = threading.local()
_passed: OrderedDict[tuple[str, tuple[str, ...]], None] = OrderedDict()
_passed_lock = threading.Lock()
PASSED_MAX = 512


def _parse(sql: str) -> dict[str, Any]:
    """DuckDB's parse tree of ``sql`` as JSON, from an empty in-memory connection kept per
    thread (it only parses: nothing is executed there)."""
    con = getattr(_parser, "con", None)
    if con is None:
        con = _parser.con = duckdb.connect(":memory:")
    row = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    doc: dict[str, Any] = json.loads(row[0] if row else "{}")
    return doc


def check_sql(sql: str, relations: Sequence[str]) -> None:
    """Refuse anything but one SELECT over ``relations`` using allowed functions only.

    A text that passed is remembered (per process, the last 512): the verdict depends only on
    the text and the relations, and quality runs the same compiled SQL on every load."""
    key = (sql, tuple(sorted(relations)))
    with _passed_lock:
        if key in _passed:
            _passed.move_to_end(key)
            return
    _check(sql, relations)
    with _passed_lock:
        _passed[key] = None
        while len(_passed) > PASSED_MAX:
            _passed.popitem(last=False)


def _check(sql: str, relations: Sequence[str]) -> None:
    doc = _parse(sql)
    if doc.get("error"):
        raise QueryRefused(
            _("SQL 无法解析或不是单条 SELECT 查询：{error}").format(
                error=str(doc.get("error_message", ""))[:200]
            )
        )
    statements = doc.get("statements") or []
    if len(statements) != 1:
        raise QueryRefused(_("只能提交一条 SELECT 查询。"))
    found: dict[str, set[str]] = {
        "functions": set(),
        "table_functions": set(),
        "tables": set(),
        "qualified": set(),
        "ctes": set(),
    }
    _walk(statements[0], found)
    if found["table_functions"]:
        raise QueryRefused(
            _("不允许使用表函数：{names}").format(names="、".join(sorted(found["table_functions"])))
        )
    allowed_tables = set(relations) | found["ctes"]
    bad_tables = (found["tables"] - allowed_tables) | found["qualified"]
    if bad_tables:
        raise QueryRefused(
            _("只能查询 {allowed}，不能查询：{names}").format(
                allowed="、".join(relations), names="、".join(sorted(bad_tables))
            )
        )
    bad = sorted(
        f for f in found["functions"] if f not in ALLOWED_FUNCTIONS and f not in ALLOWED_OPERATORS
    )
    if bad:
        raise QueryRefused(_("不允许使用的函数：{names}").format(names="、".join(bad)))


def scan(
    relations: dict[str, Path],
    sql: str,
    params: Sequence[Any] | dict[str, Any] | None,
    *,
    timeout_ms: int,
    row_cap: int,
    memory_limit: str = "1GB",
    threads: int | None = None,
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """Run checked SQL over named version files: (column names, rows, truncated).

    ``threads``: fewer than the cores for a query that stops early (parts with a LIMIT), which
    then reads less past its limit."""
    check_sql(sql, list(relations))
    con = duckdb.connect(":memory:")
    timer = threading.Timer(timeout_ms / 1000, con.interrupt)
    try:
        con.execute(f"SET memory_limit='{memory_limit}'")
        if threads:
            con.execute(f"SET threads={int(threads)}")
        paths = ", ".join(lit(p) for p in relations.values())
        con.execute(f"SET allowed_paths=[{paths}]")
        con.execute("SET enable_external_access=false")
        con.execute("SET enable_progress_bar=false")  # no terminal: printing it is waste
        for name, path in relations.items():
            con.execute(f"CREATE VIEW {q(name)} AS SELECT * FROM read_parquet({lit(path)})")
        con.execute("SET lock_configuration=true")
        timer.start()
        try:
            cur = con.execute(sql, params or [])
            rows = cur.fetchmany(row_cap + 1)
        except duckdb.InterruptException as exc:
            raise QueryTimeout(_("查询超过时限 {ms} 毫秒，已停止。").format(ms=timeout_ms)) from exc
        except duckdb.PermissionException as exc:
            raise QueryRefused(_("查询试图访问版本以外的文件。")) from exc
        except duckdb.Error as exc:
            raise QueryRefused(
                _("查询出错：{error}").format(error=str(exc).splitlines()[0][:300])
            ) from exc
        names = [d[0] for d in cur.description]
        return names, rows[:row_cap], len(rows) > row_cap
    finally:
        timer.cancel()
        con.close()
