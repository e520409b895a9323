"""Rules as DuckDB SQL: each row-level rule becomes a predicate that is true on a failing row.

Pure functions, no database: the datastore runs the compiled SQL over a version's files as one
aggregate query (``counts_sql``) for every rule's counts and, when some rule fails, one more
query (``samples_sql``) for at most 20 failing rows of each failing rule. The check digits of
GB 11643 and GB 32100 (with its embedded GB 11714 code) are weighted sums over substrings, so
they run inside the engine, never row by row in Python.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from govshare.core.areas import ALL as AREAS
from govshare.core.i18n import N_
from govshare.core.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    ORG_WEIGHTS,
    USCC_CATEGORIES,
    USCC_CHARS,
    USCC_WEIGHTS,
)

SAMPLE_LIMIT = 20
# Kinds that read another resource: each runs as its own anti-join, not in the one-pass aggregate.
JOINED = frozenset({"reference"})
TEXT_CODES = frozenset("CMG")

# kind → (label, dimension, number of items: 1, 2 or 0 = any ≥ 1; -1 = dataset-level)
KINDS: dict[str, tuple[str, str, int]] = {
    "not_null": (N_("非空"), "completeness", 1),
    "unique": (N_("唯一"), "uniqueness", 0),
    "pattern": (N_("格式（正则表达式）"), "validity", 1),
    "value_set": (N_("值域或代码表"), "validity", 1),
    "range": (N_("取值范围"), "validity", 1),
    "length": (N_("长度"), "validity", 1),
    "date_sane": (N_("日期合理"), "validity", 1),
    "citizen_id": (N_("公民身份号码（GB 11643）"), "validity", 1),
    "credit_code": (N_("统一社会信用代码（GB 32100）"), "validity", 1),
    "org_code": (N_("组织机构代码（GB 11714）"), "validity", 1),
    "mobile": (N_("手机号码"), "validity", 1),
    "phone": (N_("固定电话"), "validity", 1),
    "postal_code": (N_("邮政编码"), "validity", 1),
    "email": (N_("电子邮箱"), "validity", 1),
    "id_birth": (N_("出生日期与身份证号一致"), "consistency", 2),
    "id_gender": (N_("性别与身份证号一致"), "consistency", 2),
    "custom": (N_("自定义 SQL 表达式"), "consistency", 0),
    "reference": (N_("引用存在（值在另一资源中）"), "consistency", 1),
    "volume": (N_("数据量变化"), "timeliness", -1),
    "freshness": (N_("更新及时"), "timeliness", -1),
}
DIMENSIONS: dict[str, str] = {
    "completeness": N_("完整性"),
    "validity": N_("规范性"),
    "uniqueness": N_("唯一性"),
    "consistency": N_("一致性"),
    "timeliness": N_("时效性"),
}
GENDERS = ("男", "女", "未知的性别", "未说明的性别")
# GB 3304 names of the 56 ethnic groups (and the two catch-alls of GB/T 3304 usage).
ETHNIC_GROUPS = tuple(
    f"{n}族"
    for n in [
        "汉",
        "蒙古",
        "回",
        "藏",
        "维吾尔",
        "苗",
        "彝",
        "壮",
        "布依",
        "朝鲜",
        "满",
        "侗",
        "瑶",
        "白",
        "土家",
        "哈尼",
        "哈萨克",
        "傣",
        "黎",
        "傈僳",
        "佤",
        "畲",
        "高山",
        "拉祜",
        "水",
        "东乡",
        "纳西",
        "景颇",
        "柯尔克孜",
        "土",
        "达斡尔",
        "仫佬",
        "羌",
        "布朗",
        "撒拉",
        "毛南",
        "仡佬",
        "锡伯",
        "阿昌",
        "普米",
        "塔吉克",
        "怒",
        "乌孜别克",
        "俄罗斯",
        "鄂温克",
        "德昂",
        "保安",
        "裕固",
        "京",
        "塔塔尔",
        "独龙",
        "鄂伦春",
        "赫哲",
        "门巴",
        "珞巴",
        "基诺",
    ]
) + ("穿青人", "其他")
CODE_LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "area": (N_("德州市行政区划代码（含已撤销的代码）"), tuple(sorted(AREAS))),
    "area_current": (
        N_("德州市现行行政区划代码"),
        tuple(sorted(c for c, a in AREAS.items() if a.current)),
    ),
    "gender": (N_("性别（GB/T 2261.1）"), GENDERS),
    "ethnic": (N_("民族（GB 3304）"), ETHNIC_GROUPS),
}
PATTERNS = {
    "mobile": r"1[3-9]\d{9}",
    "phone": r"0\d{2,3}-?\d{7,8}(-\d{1,6})?",
    "postal_code": r"\d{6}",
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
}


class RuleError(ValueError):
    """A rule that cannot be compiled (Chinese message)."""


@dataclass(frozen=True)
class Spec:
    """What the compiler needs of a rule."""

    id: int
    kind: str
    items: Sequence[str]
    params: dict[str, Any] = field(default_factory=dict)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def s(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def text(name: str, types: dict[str, str]) -> str:
    return q(name) if types.get(name, "C") in TEXT_CODES else f"CAST({q(name)} AS VARCHAR)"


def id_valid_sql(x: str, today: dt.date | None) -> str:
    """SQL true when ``x`` (text) is a valid 18-digit GB 11643 number: layout, real birth date
    between 1850 and ``today`` (None: the parameter ``$today``), and the check character
    (weighted sum mod 11)."""
    weighted = " + ".join(f"(ord({x}[{i + 1}]) - 48) * {w}" for i, w in enumerate(ID_WEIGHTS))
    born = f"try_strptime(substr({x}, 7, 8), '%Y%m%d')"
    latest = "$today" if today is None else f"TIMESTAMP '{today.isoformat()}'"
    return (
        f"(regexp_full_match({x}, '\\d{{17}}[\\dX]') "
        f"AND substr({s(ID_CHECK)}, ({weighted}) % 11 + 1, 1) = substr({x}, 18, 1) "
        f"AND coalesce({born} BETWEEN TIMESTAMP '1850-01-01' AND {latest}, false))"
    )


def bind(sql: str, now: dt.datetime) -> dict[str, dt.datetime]:
    """The values of the time parameters a rule compiled with ``now=None`` uses in ``sql``
    (``now`` is local time): the same instants the literals would hold, so the SQL text of a
    dataset's rules stays the same from run to run (the datastore checks it once per process)."""
    values = {
        "now": now.replace(microsecond=0, tzinfo=None),
        "today": dt.datetime.combine(now.date(), dt.time()),
    }
    return {k: v for k, v in values.items() if f"${k}" in sql}


def org_valid_sql(x: str) -> str:
    """SQL true when the 9 characters ``x`` are a valid GB 11714 organisation code."""
    weighted = " + ".join(
        f"(strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr({x}, {i + 1}, 1)) - 1) * {w}"
        for i, w in enumerate(ORG_WEIGHTS)
    )
    c9 = f"(11 - ({weighted}) % 11)"
    return (
        f"(regexp_full_match({x}, '[0-9A-Z]{{8}}[0-9X]') AND substr({x}, 9, 1) = "
        f"CASE {c9} WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE CAST({c9} AS VARCHAR) END)"
    )


def uscc_valid_sql(x: str) -> str:
    """SQL true when ``x`` is a valid GB 32100 code: layout, check character (mod 31), and a
    valid GB 11714 check character of the embedded organisation code."""
    chars = s(USCC_CHARS)
    weighted = " + ".join(
        f"(strpos({chars}, substr({x}, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(USCC_WEIGHTS)
    )
    return (
        f"(regexp_full_match({x}, '[1-9ANY][1-59]\\d{{6}}[0-9A-HJ-NP-RTUWXY]{{8}}[\\dX]"
        f"[\\dA-HJ-NP-RTUW-Y]') "
        f"AND substr({chars}, (31 - ({weighted}) % 31) % 31 + 1, 1) = substr({x}, 18, 1) "
        f"AND {org_valid_sql(f'substr({x}, 9, 9)')})"
    )


def uscc_category_sql(x: str) -> str:
    """SQL true when the registration/category pair of ``x`` is in the GB 32100 table."""
    pairs = ", ".join(s(d + c) for d, cats in USCC_CATEGORIES.items() for c in cats)
    return f"substr({x}, 1, 2) IN ({pairs})"


def _in_list(x: str, values: Sequence[str]) -> str:
    return f"{x} IN ({', '.join(s(v) for v in values)})"


def _literal(value: Any, type_code: str) -> str:
    if type_code == "D":
        return f"DATE {s(dt.date.fromisoformat(str(value)).isoformat())}"
    if type_code == "T":
        return f"TIMESTAMP {s(dt.datetime.fromisoformat(str(value)).isoformat(sep=' '))}"
    return repr(float(value))


@dataclass
class Compiled:
    """A rule as SQL: the failing predicate, what it counts over, and extra counts."""

    fails: str  # true on a failing row ('' for unique: counted by distinct)
    checked: str  # true on a row the rule looks at
    extra: dict[str, str] = field(default_factory=dict)  # name → predicate counted apart
    unique: str = ""  # the distinct expression of a unique rule


def _not_null(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    a = spec.items[0]
    blank = f" OR trim({q(a)}) = ''" if types[a] in TEXT_CODES else ""
    return Compiled(f"({q(a)} IS NULL{blank})", "true")


def _unique(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    cols = ", ".join(q(i) for i in spec.items)
    present = " AND ".join(f"{q(i)} IS NOT NULL" for i in spec.items)
    expr = q(spec.items[0]) if len(spec.items) == 1 else f"row({cols})"
    return Compiled("", present, unique=expr)


def _on_value(fails: str, spec: Spec, types: dict[str, str]) -> Compiled:
    """A single-item rule that looks only at present values: ``fails`` uses ``{x}`` (text)."""
    a = spec.items[0]
    notnull = f"{q(a)} IS NOT NULL"
    return Compiled(f"({notnull} AND {fails.format(x=text(a, types), col=q(a))})", notnull)


def _pattern(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    regex = spec.params.get("regex", "") if spec.kind == "pattern" else PATTERNS[spec.kind]
    return _on_value(
        "NOT regexp_full_match({x}, " + s(regex).replace("{", "{{").replace("}", "}}") + ")",
        spec,
        types,
    )


def _value_set(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    p = spec.params
    values = CODE_LISTS[p["code_list"]][1] if p.get("code_list") else tuple(p["values"])
    listed = ", ".join(s(v) for v in values).replace("{", "{{").replace("}", "}}")
    return _on_value(f"NOT {{x}} IN ({listed})", spec, types)


def _bounds(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    p = spec.params
    a = spec.items[0]
    if spec.kind == "range":
        lo = f"{q(a)} < {_literal(p['min'], types[a])}" if p.get("min") not in (None, "") else ""
        hi = f"{q(a)} > {_literal(p['max'], types[a])}" if p.get("max") not in (None, "") else ""
    else:
        lo = f"length({text(a, types)}) < {int(p['min'])}" if p.get("min") not in (None, "") else ""
        hi = f"length({text(a, types)}) > {int(p['max'])}" if p.get("max") not in (None, "") else ""
    conds = " OR ".join(c for c in (lo, hi) if c).replace("{", "{{").replace("}", "}}")
    return _on_value(f"({conds})", spec, types)


def _date_sane(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    earliest = str(spec.params.get("not_before") or "1900-01-01")
    latest = (
        "$now"
        if now is None
        else f"TIMESTAMP {s(now.replace(microsecond=0, tzinfo=None).isoformat(sep=' '))}"
    )
    return _on_value(
        f"(CAST({{col}} AS TIMESTAMP) > {latest} "
        f"OR CAST({{col}} AS TIMESTAMP) < TIMESTAMP {s(earliest)})",
        spec,
        types,
    )


def _citizen_id(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    a = spec.items[0]
    x = text(a, types)
    notnull = f"{q(a)} IS NOT NULL"
    legacy = f"(length({x}) = 15 AND regexp_full_match({x}, '\\d{{15}}'))"
    conds = [id_valid_sql(x, None if now is None else now.date())]
    if spec.params.get("check_area"):
        conds.append(_in_list(f"substr({x}, 1, 6)", CODE_LISTS["area"][1]))
    # the legacy test runs only on the few invalid rows; length() is NULL (false) on NULL
    return Compiled(
        f"({notnull} AND NOT ({' AND '.join(conds)}) AND NOT {legacy})",
        notnull,
        extra={"legacy": legacy},
    )


def _credit_code(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    a = spec.items[0]
    x = text(a, types)
    notnull = f"{q(a)} IS NOT NULL"
    return Compiled(
        f"({notnull} AND NOT {uscc_valid_sql(x)})",
        notnull,
        extra={"unknown_category": f"({notnull} AND NOT {uscc_category_sql(x)})"},
    )


def _org_code(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    a = spec.items[0]
    notnull = f"{q(a)} IS NOT NULL"
    code = f"replace({text(a, types)}, '-', '')"
    return Compiled(f"({notnull} AND NOT {org_valid_sql(code)})", notnull)


def _agrees_with_id(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    idx = text(spec.items[0], types)
    other = q(spec.items[1])
    both = f"{q(spec.items[0])} IS NOT NULL AND {other} IS NOT NULL"
    shaped = f"regexp_full_match({idx}, '\\d{{17}}[\\dX]')"
    if spec.kind == "id_birth":
        if types[spec.items[1]] in ("D", "T"):
            value = f"strftime({other}, '%Y%m%d')"
        else:
            value = f"replace(replace({text(spec.items[1], types)}, '-', ''), '/', '')"
        differs = f"{value} <> substr({idx}, 7, 8)"
    else:
        odd = f"(unicode(substr({idx}, 17, 1)) - 48) % 2 = 1"
        differs = f"{text(spec.items[1], types)} <> CASE WHEN {odd} THEN '男' ELSE '女' END"
    # the cheap comparison first: the layout regex then runs only on the rows that differ
    return Compiled(f"({both} AND {differs} AND {shaped})", f"({both})")


def _custom(spec: Spec, types: dict[str, str], now: dt.datetime | None) -> Compiled:
    return Compiled(f"(NOT coalesce(({spec.params['sql']}), true))", "true")


COMPILERS: dict[str, Callable[[Spec, dict[str, str], dt.datetime | None], Compiled]] = {
    "not_null": _not_null,
    "unique": _unique,
    "pattern": _pattern,
    "mobile": _pattern,
    "phone": _pattern,
    "postal_code": _pattern,
    "email": _pattern,
    "value_set": _value_set,
    "range": _bounds,
    "length": _bounds,
    "date_sane": _date_sane,
    "citizen_id": _citizen_id,
    "credit_code": _credit_code,
    "org_code": _org_code,
    "id_birth": _agrees_with_id,
    "id_gender": _agrees_with_id,
    "custom": _custom,
}


def compile_rule(spec: Spec, types: dict[str, str], *, now: dt.datetime | None) -> Compiled:
    """The SQL of one row-level rule over the version's columns (``types``: item → type code).

    ``now`` is local time: dates after it are in the future. None leaves the time as the
    parameters ``$now`` and ``$today``, whose values ``bind`` gives."""
    for item in spec.items:
        if item not in types:
            raise RuleError(N_("数据项「{item}」不存在。").format(item=item))
    compiler = COMPILERS.get(spec.kind)
    if compiler is None:
        raise RuleError(N_("规则类型「{kind}」不能在数据上逐行检查。").format(kind=spec.kind))
    return compiler(spec, types, now)


def check_pattern(regex: str) -> str | None:
    """Why a regular expression cannot be used (Chinese message), or None."""
    if not regex:
        return N_("请填写正则表达式。")
    if re.search(r"\\[1-9]|\(\?[=!<]", regex):
        return N_("正则表达式不能使用反向引用或前后断言（DuckDB 的 RE2 不支持）。")
    try:
        re.compile(regex)
    except re.error as exc:
        return N_("正则表达式有误：{error}").format(error=str(exc))
    return None


def check_custom(expression: str) -> str | None:
    """Why a custom expression is refused before the engine's allow-list sees it, or None."""
    if not expression.strip():
        return N_("请填写 SQL 表达式。")
    if ";" in expression or re.search(
        r"\b(select|insert|update|delete|create|drop|alter|copy|attach|pragma|install|load|set"
        r"|call|export|import)\b",
        expression,
        re.IGNORECASE,
    ):
        return N_("自定义表达式只能是对本行数据项的条件，不能查询其他表或修改数据。")
    return None


def _count_of(predicate: str) -> str:
    """count(*) where ``predicate`` holds; ``count(col)`` for a bare ``col IS NOT NULL``."""
    if predicate == "true":
        return "count(*)"
    bare = re.fullmatch(r'("(?:[^"]|"")+") IS NOT NULL', predicate)
    return f"count({bare.group(1)})" if bare else f"count(*) FILTER (WHERE {predicate})"


def _key_and_value(spec: Spec, keys: Sequence[str], types: dict[str, str]) -> tuple[str, str]:
    key = " || '|' || ".join(f"coalesce({text(k, types)}, '')" for k in keys) if keys else "''"
    value = " || ' / ' || ".join(f"coalesce({text(i, types)}, '')" for i in spec.items) or "''"
    return key, value


def counts_sql(rules: Sequence[tuple[Spec, Compiled]]) -> tuple[str, list[str]]:
    """One aggregate over ``data``: the row count, then per rule the rows checked, the rows
    failing and extra counts. Returns the SQL and the names of its result columns, in order.

    Samples are not gathered here: an aggregate such as ``min(x, 20) FILTER (WHERE …)`` builds
    its argument for every row and cost a third more than the counts (bench/bench_quality.py)."""
    parts = ["count(*)"]
    names = ["rows"]
    for spec, c in rules:
        parts.append(_count_of(c.checked))
        names.append(f"{spec.id}:checked")
        if c.unique:
            # count(DISTINCT x) skips NULL itself; a row() of several items needs the filter
            distinct = f"count(DISTINCT {c.unique})"
            if c.unique.startswith("row("):
                distinct += f" FILTER (WHERE {c.checked})"
            parts.append(f"{_count_of(c.checked)} - {distinct}")
        else:
            parts.append(f"count(*) FILTER (WHERE {c.fails})")
        names.append(f"{spec.id}:failing")
        for extra, pred in c.extra.items():
            parts.append(f"count(*) FILTER (WHERE {pred})")
            names.append(f"{spec.id}:{extra}")
    return f"SELECT {', '.join(parts)} FROM data", names


def samples_sql(
    rules: Sequence[tuple[Spec, Compiled]], keys: Sequence[str], types: dict[str, str]
) -> str:
    """At most ``SAMPLE_LIMIT`` rows per failing rule, as (rule id, key items, values); for a
    uniqueness rule its repeated values. Each part stops at its limit, so the query reads only
    as far as the twentieth failing row of each rule."""
    selects = []
    for spec, c in rules:
        key, value = _key_and_value(spec, keys, types)
        if c.unique:
            cols = ", ".join(q(i) for i in spec.items)
            selects.append(
                f"(SELECT {spec.id} AS _rule, '' AS _key, {value} AS _value FROM data "
                f"WHERE {c.checked} GROUP BY {cols} HAVING count(*) > 1 "
                f"ORDER BY {value} LIMIT {SAMPLE_LIMIT})"
            )
        else:
            selects.append(
                f"(SELECT {spec.id} AS _rule, {key} AS _key, {value} AS _value FROM data "
                f"WHERE {c.fails} LIMIT {SAMPLE_LIMIT})"
            )
    return " UNION ALL ".join(selects)


def _text_at(alias: str, name: str, type_code: str) -> str:
    col = f"{alias}.{q(name)}"
    return col if type_code in TEXT_CODES else f"CAST({col} AS VARCHAR)"


def reference_sql(
    spec: Spec, keys: Sequence[str], types: dict[str, str], ref_type: str
) -> tuple[str, str]:
    """A reference rule (the value of ``spec.items[0]`` exists in item ``params["item"]`` of
    the relation ``ref``) as two queries: the counts (rows checked, rows failing) as one
    anti-join, and at most ``SAMPLE_LIMIT`` failing rows (key items, value). Values compare as
    text, so a numeric code matches its text form."""
    a = spec.items[0]
    if a not in types:
        raise RuleError(N_("数据项「{item}」不存在。").format(item=a))
    x = _text_at("d", a, types[a])
    y = _text_at("r", str(spec.params["item"]), ref_type)
    present = f"d.{q(a)} IS NOT NULL"
    known = f"(SELECT DISTINCT {y} AS _k FROM ref AS r WHERE {y} IS NOT NULL)"
    counts = (
        f"SELECT count(d.{q(a)}), count(*) FILTER (WHERE {present} AND k._k IS NULL) "
        f"FROM data AS d LEFT JOIN {known} AS k ON {x} = k._k"
    )
    key, value = _key_and_value(spec, keys, types)
    samples = (
        f"SELECT {key} AS _key, {value} AS _value FROM data AS d WHERE {present} "
        f"AND NOT EXISTS (SELECT 1 FROM ref AS r WHERE {y} = {x}) "
        f"LIMIT {SAMPLE_LIMIT}"
    )
    return counts, samples
