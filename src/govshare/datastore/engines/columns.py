"""Column specifications and the storage types of the catalog's data-type codes (STANDARDS §1.3).

| code | 类型 | Arrow / Parquet | row store |
|---|---|---|---|
| C 字符型, M 备注型, G 通用型 | string | TEXT |
| N 数值型 (length ``p,s``: decimal) , B 双精度型, F 浮点型 | float64 / decimal | REAL |
| Y 货币型 | decimal(18, 2) | REAL |
| I 整型 | int64 | INTEGER |
| D 日期型 | date32 | TEXT (ISO) |
| T 日期时间型 | timestamp[s] | TEXT (ISO) |
| L 逻辑型 | bool | INTEGER 0/1 |
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TYPE_CODES: dict[str, str] = {
    "C": "字符型",
    "N": "数值型",
    "Y": "货币型",
    "D": "日期型",
    "T": "日期时间型",
    "L": "逻辑型",
    "M": "备注型",
    "G": "通用型",
    "B": "双精度型",
    "I": "整型",
    "F": "浮点型",
}
TEXT_CODES = frozenset("CMG")


@dataclass(frozen=True)
class Column:
    """One column of a dataset as the engines see it (``name`` is the data item's name)."""

    name: str
    type_code: str
    length: str | None = None
    is_key: bool = False
    required: bool = False

    @property
    def max_chars(self) -> int | None:
        if self.type_code in TEXT_CODES and self.length and self.length.strip().isdigit():
            return int(self.length)
        return None

    @property
    def decimal(self) -> tuple[int, int] | None:
        if self.type_code == "Y":
            p, s = _precision(self.length, (18, 2))
            return p, s
        if self.type_code == "N" and self.length and "," in self.length:
            return _precision(self.length, (18, 2))
        return None

    def arrow_type(self) -> pa.DataType:
        dec = self.decimal
        if dec:
            return pa.decimal128(*dec)
        return {
            "N": pa.float64(),
            "B": pa.float64(),
            "F": pa.float64(),
            "I": pa.int64(),
            "D": pa.date32(),
            "T": pa.timestamp("s"),
            "L": pa.bool_(),
        }.get(self.type_code, pa.string())

    def sql_type(self) -> str:
        """The column type in the row store (portable between SQLite and PostgreSQL)."""
        if self.type_code in ("I",):
            return "BIGINT"
        if self.type_code == "L":
            return "SMALLINT"
        if self.type_code in ("N", "Y", "B", "F"):
            return "DOUBLE PRECISION"
        return "TEXT"


def _precision(length: str | None, default: tuple[int, int]) -> tuple[int, int]:
    try:
        p, s = (int(x) for x in (length or "").split(","))
    except ValueError:
        return default
    p = min(max(p, 1), 38)
    return p, min(max(s, 0), p)


def arrow_schema(columns: list[Column]) -> pa.Schema:
    """The Parquet schema of a version: the columns in order."""
    return pa.schema([pa.field(c.name, c.arrow_type()) for c in columns])
