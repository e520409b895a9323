"""Typing and checking a text batch against the columns: vectorised, with a slow path for bad data.

Each column is first cast as a whole (Arrow compute, C++ speed). Only when that fails are its
values parsed one by one, to name every bad value with its row and reason — so clean data costs
little and bad data is still reported exactly. Keys and required items must not be empty; text
must fit its length; numbers, dates, times and logicals must parse. Key uniqueness is checked
later over the whole load (``duck.duplicate_keys``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from govshare.core.i18n import _
from govshare.datastore.engines.columns import Column, arrow_schema
from govshare.datastore.engines.sources import SourceError, TextBatch

OP_HEADERS = ("操作", "操作类型", "_op", "op", "operation")
OP_VALUES = {
    "i": "upsert",
    "u": "upsert",
    "insert": "upsert",
    "update": "upsert",
    "upsert": "upsert",
    "新增": "upsert",
    "修改": "upsert",
    "d": "delete",
    "delete": "delete",
    "删除": "delete",
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
)
TRUE = {"true", "1", "t", "y", "yes", "是", "真"}
FALSE = {"false", "0", "f", "n", "no", "否", "假"}
_INT = re.compile(r"^[+-]?\d+$")

Reject = tuple[int, str, str, str]  # row number, column, value, reason


@dataclass
class Plan:
    """Which source header feeds which column; the operation column for incremental files."""

    sources: list[int | None]  # per dataset column: index into the batch's columns
    op_index: int | None
    headers: list[str]


def make_plan(
    columns: list[Column], headers: list[str], mapping: dict[str, str], *, mode: str
) -> Plan:
    """Map headers to columns by name (or the saved mapping); unknown headers are an error."""
    by_name = {c.name: i for i, c in enumerate(columns)}
    lowered = {c.name.lower(): i for i, c in enumerate(columns)}
    sources: list[int | None] = [None] * len(columns)
    op_index = None
    for h_index, header in enumerate(headers):
        target = mapping.get(header, header)
        if target == "":  # saved mapping: ignore this header
            continue
        if header in OP_HEADERS or header.lower() in OP_HEADERS:
            op_index = h_index
            continue
        i = by_name.get(target, lowered.get(target.lower()))
        if i is None:
            raise SourceError(
                _(
                    "表头「{header}」对应不到任何信息项：请修改表头，或在「列映射」中指定它对应的"
                    "信息项（或忽略它）。"
                ).format(header=header)
            )
        if sources[i] is not None:
            raise SourceError(_("信息项「{name}」对应了多个表头。").format(name=columns[i].name))
        sources[i] = h_index
    needed = [c for i, c in enumerate(columns) if sources[i] is None and (c.is_key or c.required)]
    if mode == "delete":
        needed = [c for i, c in enumerate(columns) if sources[i] is None and c.is_key]
    if needed:
        raise SourceError(
            _("缺少必填信息项的列：{names}。").format(names="、".join(c.name for c in needed))
        )
    return Plan(sources, op_index, headers)


@dataclass
class Checked:
    """The accepted rows of a batch, typed, with their source row numbers and operations."""

    batch: pa.RecordBatch  # the dataset's columns + _row (+ _op in delete mode)
    rejects: list[Reject]
    rejected_rows: int


def check_batch(columns: list[Column], plan: Plan, tb: TextBatch, *, mode: str) -> Checked:
    """Type and check one batch; rows with any problem are rejected (one entry per problem)."""
    n = tb.num_rows
    numbers = tb.numbers()
    bad = pa.array([False] * n)
    rejects: list[Reject] = []
    typed: list[pa.Array] = []
    ops = _operations(plan, tb, mode)
    deleting = pc.equal(ops, "delete") if ops is not None else None
    for i, col in enumerate(columns):
        src = plan.sources[i]
        raw = tb.columns[src] if src is not None else pa.nulls(n, pa.string())
        text = _clean(raw)
        values, col_bad, reasons = _convert(col, text)
        empty = pc.is_null(text)
        if col.is_key or (col.required and mode != "delete"):
            missing = empty
            if deleting is not None and not col.is_key:
                missing = pc.and_(missing, pc.invert(deleting))
            col_bad = pc.or_(col_bad, missing) if col_bad is not None else missing
            reasons = _merge_reason(
                reasons, missing, _("必填项为空") if not col.is_key else _("主键信息项为空")
            )
        if col_bad is not None and pc.any(col_bad).as_py():
            idx = pc.indices_nonzero(col_bad).to_pylist()
            nums = numbers.take(pa.array(idx)).to_pylist()
            vals = raw.take(pa.array(idx)).to_pylist()
            for j, row_no, value in zip(idx, nums, vals, strict=True):
                rejects.append((row_no, col.name, value or "", reasons(j)))
            bad = pc.or_(bad, col_bad)
        typed.append(values)
    if ops is not None:
        unknown = pc.is_null(ops)
        if pc.any(unknown).as_py():
            idx = pc.indices_nonzero(unknown).to_pylist()
            raw_ops = tb.columns[plan.op_index] if plan.op_index is not None else None
            for j in idx:
                value = raw_ops[j].as_py() if raw_ops is not None else ""
                rejects.append(
                    (
                        numbers[j].as_py(),
                        _("操作"),
                        value or "",
                        _("操作类型应为 I/U/D（新增/修改/删除）"),
                    )
                )
            bad = pc.or_(bad, unknown)
    schema = arrow_schema(columns)
    arrays = typed + [numbers]
    fields = list(schema) + [pa.field("_row", pa.int64())]
    if ops is not None:
        arrays.append(ops)
        fields.append(pa.field("_op", pa.string()))
    batch = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
    rejected = int(pc.sum(pc.cast(bad, pa.int64())).as_py() or 0)
    if rejected:
        batch = batch.filter(pc.invert(bad))
    return Checked(batch, rejects, rejected)


def _operations(plan: Plan, tb: TextBatch, mode: str) -> pa.Array | None:
    if mode != "delete":
        return None
    if plan.op_index is None:
        return pa.array(["delete"] * tb.num_rows, pa.string())
    raw = pc.utf8_lower(pc.utf8_trim_whitespace(tb.columns[plan.op_index]))
    return pa.array(
        [OP_VALUES.get(v) if v is not None else None for v in raw.to_pylist()], pa.string()
    )


def _clean(raw: pa.Array) -> pa.Array:
    """Trim whitespace; an empty cell is a missing value."""
    trimmed = pc.utf8_trim_whitespace(raw)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


ReasonOf = Callable[[int], str]


def _merge_reason(first: ReasonOf, mask: pa.Array, text: str) -> ReasonOf:
    flags = mask.to_pylist()

    def reason(j: int) -> str:
        return text if flags[j] else first(j)

    return reason


def _no_reason(_j: int) -> str:
    return ""


def _convert(col: Column, text: pa.Array) -> tuple[pa.Array, pa.Array | None, ReasonOf]:
    """(typed values, mask of bad values, reason of row j)."""
    code = col.type_code
    if code in ("C", "M", "G"):
        limit = col.max_chars
        if limit is None:
            return text, None, _no_reason
        lengths = pc.utf8_length(text)
        too_long = pc.fill_null(pc.greater(lengths, limit), False)
        lens = lengths.to_pylist() if pc.any(too_long).as_py() else []
        return (
            text,
            too_long,
            lambda j: _("长度 {n} 超过 {limit} 个字符").format(n=lens[j], limit=limit),
        )
    target = col.arrow_type()
    fast = _fast_cast(code, text, target)
    if fast is not None:
        return fast, None, _no_reason
    return _slow(col, text, target)


def _fast_cast(code: str, text: pa.Array, target: pa.DataType) -> pa.Array | None:
    try:
        if code == "D":
            ts = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=False)
            return pc.cast(ts, pa.date32())
        if code == "T":
            return pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=False)
        if code == "L":
            low = pc.utf8_lower(text)
            yes = pc.is_in(low, value_set=pa.array(sorted(TRUE)))
            no = pc.is_in(low, value_set=pa.array(sorted(FALSE)))
            if not pc.all(pc.or_(pc.or_(yes, no), pc.is_null(text))).as_py():
                return None
            return pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()), yes)
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _slow(col: Column, text: pa.Array, target: pa.DataType) -> tuple[pa.Array, pa.Array, ReasonOf]:
    parse = _PARSERS[col.type_code if col.type_code in _PARSERS else "N"]
    values: list[Any] = []
    reasons: dict[int, str] = {}
    for j, v in enumerate(text.to_pylist()):
        if v is None:
            values.append(None)
            continue
        try:
            values.append(parse(col, v))
        except ValueError as exc:
            values.append(None)
            reasons[j] = str(exc)
    mask = pa.array([j in reasons for j in range(len(values))])
    return pa.array(values, target), mask, lambda j: reasons.get(j, "")


def _parse_int(col: Column, v: str) -> int:
    if not _INT.match(v.replace(",", "")):
        raise ValueError(_("不是整数"))
    n = int(v.replace(",", ""))
    if abs(n) >= 2**63:
        raise ValueError(_("整数超出范围"))
    return n


def _parse_float(col: Column, v: str) -> Any:
    try:
        x = decimal.Decimal(v.replace(",", "").replace("¥", "").replace("￥", ""))
    except decimal.InvalidOperation:
        raise ValueError(_("不是数值")) from None
    if not x.is_finite():
        raise ValueError(_("不是数值"))
    dec = col.decimal
    if dec is None:
        return float(x)
    p, s = dec
    q = x.quantize(decimal.Decimal(1).scaleb(-s), rounding=decimal.ROUND_HALF_UP)
    if len(q.as_tuple().digits) > p:
        raise ValueError(_("数值超出长度 {p} 位（含 {s} 位小数）").format(p=p, s=s))
    return q


def _parse_date(col: Column, v: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("日期格式无法识别（应为 YYYY-MM-DD）"))


def _parse_time(col: Column, v: str) -> dt.datetime:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt)
        except ValueError:
            continue
    raise ValueError(_("日期时间格式无法识别（应为 YYYY-MM-DD HH:MM:SS）"))


def _parse_bool(col: Column, v: str) -> bool:
    low = v.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise ValueError(_("不是逻辑值（应为 是/否、true/false、1/0）"))


_PARSERS: dict[str, Callable[[Column, str], Any]] = {
    "I": _parse_int,
    "N": _parse_float,
    "Y": _parse_float,
    "B": _parse_float,
    "F": _parse_float,
    "D": _parse_date,
    "T": _parse_time,
    "L": _parse_bool,
}
