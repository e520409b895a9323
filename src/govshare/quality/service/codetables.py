"""Code tables a steward uploads (代码表) for value-set rules: each upload of a table is a new
immutable version; a rule names the table (latest version, or a pinned one) and the run checks
values against that version's codes inside the engine, exactly as for the built-in tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog.excel import FileProblem, decode_csv, read_xlsx
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.quality import permissions
from govshare.quality.models import QualityCodeTable, QualityCodeTableVersion

MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 200
HEADERS = {"代码": "code", "名称": "name", "生效日期": "valid_from", "失效日期": "valid_to"}
ALIASES = {"code": "code", "name": "name", "valid_from": "valid_from", "valid_to": "valid_to"}


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _read(filename: str, content: bytes) -> tuple[list[list[str]], str]:
    """The file's rows as text cells and its encoding ("xlsx" for a workbook)."""
    if not content:
        raise _bad("file", _("请选择要上传的代码表文件。"))
    if len(content) > MAX_BYTES:
        raise _bad("file", _("文件过大（上限 20 MB）。"))
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            sheets = read_xlsx(content, max_unpacked=MAX_BYTES * 10)
            first = next(iter(sheets.values()), None)
            rows = [[_cell(c) for c in r] for r in (first.rows if first else [])]
            return rows, "xlsx"
        if name.endswith(".csv"):
            text, encoding = decode_csv(content)
            return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))], encoding
    except FileProblem as exc:
        raise _bad("file", _(str(exc))) from exc
    except csv.Error as exc:
        raise _bad("file", _("CSV 文件格式有误：{error}").format(error=str(exc))) from exc
    raise _bad("file", _("请上传 .csv 或 .xlsx 文件。"))


def _row(
    line: int, cells: dict[str, str], seen: dict[str, int], errors: list[FieldError]
) -> dict[str, Any]:
    """One data row checked: its errors appended (field ``第 N 行·列名``), its values returned."""

    def err(column: str, message: str) -> None:
        errors.append(FieldError(_("第 {n} 行·{c}").format(n=line, c=column), message))

    code, name = cells["code"], cells["name"]
    if not code:
        err("代码", _("代码为空。"))
    elif code in seen:
        err("代码", _("代码「{code}」与第 {n} 行重复。").format(code=code, n=seen[code]))
    else:
        seen[code] = line
    if not name:
        err("名称", _("名称为空。"))
    dates: dict[str, dt.date | None] = {}
    for key, label in (("valid_from", "生效日期"), ("valid_to", "失效日期")):
        raw = cells.get(key, "")
        try:
            dates[key] = _date(raw) if raw else None
        except ValueError:
            dates[key] = None
            err(label, _("日期「{value}」无法识别，请写成 2024-01-31。").format(value=raw))
    start, end = dates["valid_from"], dates["valid_to"]
    if start and end and end < start:
        err("失效日期", _("失效日期早于生效日期。"))
    return {
        "code": code,
        "name": name,
        "valid_from": start.isoformat() if start else None,
        "valid_to": end.isoformat() if end else None,
    }


def parse_code_table(filename: str, content: bytes) -> tuple[list[dict[str, Any]], str]:
    """The rows of an uploaded code table and its encoding; every wrong row and cell at once
    (``Invalid`` with one error per cell, field ``第 N 行·列名``), so nothing half-saved."""
    rows, encoding = _read(filename, content)
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise _bad("file", _("文件是空的：第一行应为表头「代码」「名称」。"))
    header = [HEADERS.get(h, ALIASES.get(h.lower(), "")) for h in rows[0]]
    missing = [h for h, key in (("代码", "code"), ("名称", "name")) if key not in header]
    if missing:
        raise _bad(
            "header",
            _("缺少表头：{names}（第一行应包含「代码」「名称」）。").format(
                names="、".join(missing)
            ),
        )
    col: dict[str, int] = {
        key: header.index(key)
        for key in ("code", "name", "valid_from", "valid_to")
        if key in header
    }
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []

    for line, r in enumerate(rows[1:], start=2):
        cells = {k: (r[i] if i < len(r) else "") for k, i in col.items()}
        out.append(_row(line, cells, seen, errors))
    if errors:
        raise Invalid(
            _("代码表有 {n} 处错误，未保存任何内容。").format(n=len(errors)),
            errors=errors[:MAX_ERRORS],
        )
    if not out:
        raise _bad("file", _("代码表没有数据行。"))
    return out, encoding


def upload_code_table(
    session: Session,
    actor: Actor,
    *,
    name: str,
    description: str = "",
    filename: str,
    content: bytes,
) -> tuple[QualityCodeTable, QualityCodeTableVersion, Sequence[QualityCodeTableVersion]]:
    """Upload a code table: a new table, or the next version of the table with that name.
    Versions are immutable; a bad file raises ``Invalid`` with every wrong cell, nothing saved."""
    require(permissions.can_upload_code_table(actor), "quality.upload_code_table")
    name = name.strip()
    if not name:
        raise _bad("name", _("请填写代码表名称。"))
    if len(name) > 200:
        raise _bad("name", _("代码表名称不能超过 200 个字。"))
    rows, encoding = parse_code_table(filename, content)
    table = session.scalars(select(QualityCodeTable).where(QualityCodeTable.name == name)).first()
    who = actor.display_name or actor.username or ""
    if table is None:
        table = QualityCodeTable(
            name=name,
            description=description.strip(),
            department_id=actor.department_id,
            latest_version=0,
            created_by_name=who,
        )
        session.add(table)
    elif description.strip():
        table.description = description.strip()
    table.latest_version += 1
    session.flush()
    version = QualityCodeTableVersion(
        table_id=table.id,
        number=table.latest_version,
        row_count=len(rows),
        filename=filename[:200],
        encoding=encoding[:20],
        rows=rows,
        created_by_name=who,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "quality.upload_code_table",
        table,
        details={"version": version.number, "rows": len(rows), "encoding": encoding},
    )
    return table, version, list_code_table_versions(session, table.id)


def list_code_tables(session: Session, actor: Actor) -> Sequence[QualityCodeTable]:
    """Every uploaded code table, by name."""
    require(permissions.can_list_code_tables(actor), "quality.list_code_tables")
    return session.scalars(select(QualityCodeTable).order_by(QualityCodeTable.name)).all()


def list_code_table_versions(session: Session, table_id: int) -> Sequence[QualityCodeTableVersion]:
    return session.scalars(
        select(QualityCodeTableVersion)
        .where(QualityCodeTableVersion.table_id == table_id)
        .order_by(QualityCodeTableVersion.number.desc())
    ).all()


def code_table_version(
    session: Session, table_id: int, number: int | None = None
) -> tuple[QualityCodeTable, QualityCodeTableVersion]:
    """A table and one of its versions (the latest when ``number`` is None); NotFound."""
    table = session.get(QualityCodeTable, table_id)
    if table is None:
        raise NotFound(_("代码表不存在。"))
    version = session.scalars(
        select(QualityCodeTableVersion).where(
            QualityCodeTableVersion.table_id == table.id,
            QualityCodeTableVersion.number == (number or table.latest_version),
        )
    ).first()
    if version is None:
        raise NotFound(_("代码表「{name}」没有第 {n} 版。").format(name=table.name, n=number))
    return table, version


def get_code_table(
    session: Session, actor: Actor, table_id: int, number: int | None = None
) -> tuple[QualityCodeTable, QualityCodeTableVersion, Sequence[QualityCodeTableVersion]]:
    """A code table, one version with its rows (latest unless ``number``), and all versions."""
    require(permissions.can_get_code_table(actor), "quality.get_code_table")
    table, version = code_table_version(session, table_id, number)
    return table, version, list_code_table_versions(session, table.id)


def resolve_code_table(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """A value-set rule's parameters with the named uploaded table's codes as ``values`` and a
    ``detail`` naming the version checked (the latest, or ``code_table_version`` when pinned)."""
    try:
        table_id = int(params.get("code_table") or 0)
        pinned = int(params["code_table_version"]) if params.get("code_table_version") else None
    except (TypeError, ValueError) as exc:
        raise _bad("params.code_table", _("代码表参数有误。")) from exc
    try:
        table, version = code_table_version(session, table_id, pinned)
    except NotFound as exc:
        raise _bad("params.code_table", str(exc)) from exc
    return {
        **params,
        "values": [r["code"] for r in version.rows],
        "detail": _("对照代码表「{name}」第 {n} 版（{rows} 个代码）。").format(
            name=table.name, n=version.number, rows=version.row_count
        ),
        "code_table_checked": {"id": table.id, "name": table.name, "version": version.number},
    }
