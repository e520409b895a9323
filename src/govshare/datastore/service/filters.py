"""The simple filter grammar compiled to SQL: for DuckDB over Parquet, for the row store.

Values are bound as parameters, typed by the column's type code; column names come only from
the dataset's columns, so no text of a filter reaches SQL unbound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _
from govshare.datastore.engines.checking import _PARSERS
from govshare.datastore.engines.columns import TEXT_CODES, Column
from govshare.datastore.engines.duck import q
from govshare.datastore.schemas import Condition, parse_filter

SQL_OPS = {"=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


def _bad(message: str) -> Invalid:
    return Invalid(message, errors=[FieldError("filter", message)])


def conditions(cols: Sequence[Column], text: str | None | list[Condition]) -> list[Condition]:
    if isinstance(text, list):
        conds = text
    else:
        try:
            conds = parse_filter(text)
        except ValueError as exc:
            raise _bad(str(exc)) from exc
    names = {c.name for c in cols}
    for c in conds:
        if c.column not in names:
            raise _bad(_("筛选条件中的「{name}」不是本数据集的信息项。").format(name=c.column))
    return conds


def typed(col: Column, value: str) -> Any:
    """A filter value in the column's type; Invalid with the reason when it does not parse."""
    if col.type_code in TEXT_CODES:
        return value
    try:
        v = _PARSERS[col.type_code](col, value)
    except ValueError as exc:
        raise _bad(
            _("「{name}」的值「{value}」：{reason}").format(name=col.name, value=value, reason=exc)
        ) from exc
    if hasattr(v, "is_finite"):  # Decimal
        return float(v)
    return v


def _escape_like(v: str) -> str:
    return v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def compile_duck(
    cols: Sequence[Column], text: str | None | list[Condition]
) -> tuple[str, list[Any]]:
    """A WHERE clause (with ``?`` parameters) over the version's named columns."""
    by_name = {c.name: c for c in cols}
    parts: list[str] = []
    params: list[Any] = []
    for cond in conditions(cols, text):
        col = by_name[cond.column]
        name = q(col.name)
        if cond.op == "null":
            parts.append(f"{name} IS NULL")
        elif cond.op == "notnull":
            parts.append(f"{name} IS NOT NULL")
        elif cond.op == "in":
            marks = ", ".join("?" for _ in cond.values)
            parts.append(f"{name} IN ({marks})")
            params.extend(typed(col, v) for v in cond.values)
        elif cond.op in ("contains", "prefix"):
            pattern = _escape_like(cond.values[0])
            pattern = f"%{pattern}%" if cond.op == "contains" else f"{pattern}%"
            parts.append(f"CAST({name} AS VARCHAR) LIKE ? ESCAPE '\\'")
            params.append(pattern)
        else:
            parts.append(f"{name} {SQL_OPS[cond.op]} ?")
            params.append(typed(col, cond.values[0]))
    return " AND ".join(parts), params


def stored(value: Any) -> Any:
    """A value as the row store holds it (dates as ISO text, logicals as 0/1)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def compile_serving(cols: Sequence[Column], conds: list[Condition]) -> tuple[str, dict[str, Any]]:
    """A WHERE clause (``:pN`` parameters) over the row store's ``cN`` columns."""
    index = {c.name: i for i, c in enumerate(cols)}
    by_name = {c.name: c for c in cols}
    parts: list[str] = []
    params: dict[str, Any] = {}

    def bind(v: Any) -> str:
        key = f"p{len(params)}"
        params[key] = v
        return f":{key}"

    for cond in conditions(cols, conds):
        col = by_name[cond.column]
        name = f"c{index[cond.column]}"
        if cond.op == "null":
            parts.append(f"{name} IS NULL")
        elif cond.op == "notnull":
            parts.append(f"{name} IS NOT NULL")
        elif cond.op == "in":
            marks = ", ".join(bind(stored(typed(col, v))) for v in cond.values)
            parts.append(f"{name} IN ({marks})")
        elif cond.op in ("contains", "prefix"):
            if col.type_code not in TEXT_CODES:
                raise _bad(_("「{name}」不是文本，不能按包含或开头筛选。").format(name=col.name))
            pattern = _escape_like(cond.values[0])
            pattern = f"%{pattern}%" if cond.op == "contains" else f"{pattern}%"
            parts.append(f"{name} LIKE {bind(pattern)} ESCAPE '\\'")
        else:
            parts.append(f"{name} {SQL_OPS[cond.op]} {bind(stored(typed(col, cond.values[0])))}")
    return " AND ".join(parts), params
