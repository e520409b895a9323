"""Excel and CSV: the filing template, importing a department's catalog with a per-row,
per-cell Chinese error report (all or nothing by default, or explicitly the valid rows only),
and exporting any filtered view to .xlsx in the template's own columns."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.catalog import excel, permissions
from govshare.catalog.excel import (
    ITEM_COLUMNS,
    ITEM_SHEET,
    RESOURCE_COLUMNS,
    RESOURCE_SHEET,
    Column,
    FileProblem,
    Sheet,
)
from govshare.catalog.models import Category, Resource
from govshare.catalog.rules import build_code, normalize_name
from govshare.catalog.schemas import (
    FORMAT_CLASS_LABELS,
    OPEN_TYPE_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    TYPE_CODE_LABELS,
    CellError,
    ImportReport,
    ResourceCreate,
    ResourceFilter,
)
from govshare.catalog.service.common import Lookups, check, parts_of, public_many
from govshare.catalog.service.resources import filtered, insert_many
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.security import Actor, require
from govshare.core.validation import field_errors

MB = 1024 * 1024
EXPORT_MAX = 100_000
SPLIT = re.compile(r"[;；,，、\s]+")


class FileTooLarge(Invalid):
    """The uploaded file is larger than the configured limit (413)."""

    status = 413
    type_slug = "too-large"

    @property
    def title(self) -> str:
        return _("文件过大")


def _reverse(labels: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {k: k for k in labels}
    out.update({v: k for k, v in labels.items()})
    out.update(extra or {})
    return out


FORMAT_VALUES = _reverse(FORMAT_CLASS_LABELS, {"文件": "file", "表格": "spreadsheet"})
SHARE_VALUES = _reverse(SHARE_TYPE_LABELS)
OPEN_VALUES = _reverse(OPEN_TYPE_LABELS, {"不开放": "closed", "依申请开放": "conditional"})
METHOD_VALUES = _reverse(
    SHARE_METHOD_LABELS,
    {
        "数据库": "database",
        "库表": "database",
        "接口": "interface",
        "文件": "file",
        "其他": "other",
    },
)
TYPE_VALUES = {**{k: k for k in TYPE_CODE_LABELS}, **{v: k for k, v in TYPE_CODE_LABELS.items()}}
BOOLEAN = {
    "是": True,
    "否": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "": False,
}


# --- the template ---------------------------------------------------------------------------------


def _instructions() -> list[list[str]]:
    s = get_settings()
    rows = [
        ["德州市政务信息资源目录填报模板", ""],
        ["依据", "《政务信息资源目录编制指南（试行）》（发改高技〔2017〕1272号）核心元数据"],
        ["填写方法", "“信息资源”表每行一个资源；“信息项”表每行一个信息项，用“资源序号”关联。"],
        ["必填列", "表头带 * 的列必须填写。下拉列从列表中选择，不要手工输入其他值。"],
        ["不要", "不要合并单元格、不要使用公式（请粘贴为数值）、不要改动表头。"],
        [
            "信息资源代码",
            f"前段码（类1位+项2位+目3位+细目）{s.catalog_code_separator}顺序码"
            f"（{s.catalog_sequence_digits}位），例如 101001{s.catalog_code_separator}"
            f"{1:0{s.catalog_sequence_digits}d}。新资源可不填，由平台自动编码。",
        ],
        [
            "共享与开放",
            "有条件共享须填共享条件和法律法规依据；不予共享须填依据；有条件开放须填开放条件。",
        ],
        ["格式与共享方式", "文件、表格类资源只能以文件方式共享；数据库类可用数据库或接口方式。"],
        [
            "数据分级",
            "1 级默认无条件共享、无条件开放；2 级无条件共享、有条件开放；"
            "3、4 级有条件共享、不予开放。其他选择须填调整理由。",
        ],
        ["涉密", "涉密资源不得在本平台编目（请在电子政务内网管理）。"],
        ["日期", "发布日期请用日期格式单元格，或写成 2026-01-31 的文本。"],
        [
            "导入",
            "默认任何一行有错则全部不导入；也可选择“只导入无误的行”。错误报告会列出每个出错的单元格。",
        ],
    ]
    rows.append(["", ""])
    rows.append(["列", "说明"])
    for col in (*RESOURCE_COLUMNS, *ITEM_COLUMNS):
        rows.append([excel.header_of(col), col.help])
    return rows


def get_template(session: Session, actor: Actor) -> bytes:
    """The filing template (.xlsx): instructions, the guide's columns with drop-downs, and an
    example row for the actor's department."""
    require(permissions.can_get_template(actor), "catalog.get_template")
    s = get_settings()
    cats = session.scalars(
        select(Category).where(Category.level >= 3, Category.active).order_by(Category.full_code)
    )
    lists: dict[str, Sequence[str]] = {
        "category_code": [f"{c.full_code} {c.name}" for c in cats],
        "format_class": [_(v) for v in FORMAT_CLASS_LABELS.values()],
        "share_type": [_(v) for v in SHARE_TYPE_LABELS.values()],
        "share_method": [_(v) for v in SHARE_METHOD_LABELS.values()],
        "open_type": [_(v) for v in OPEN_TYPE_LABELS.values()],
        "update_cycle": list(s.catalog_update_cycles),
        "grading_level": ["1", "2", "3", "4"],
        "secret": [excel.NO, excel.YES],
        "item.type_code": [f"{k} {_(v)}" for k, v in TYPE_CODE_LABELS.items()],
        "item.is_key": [excel.YES, excel.NO],
        "item.required": [excel.YES, excel.NO],
        "item.personal": [excel.YES, excel.NO],
        "item.sensitivity_level": ["1", "2", "3", "4"],
    }
    return excel.write_template(lists, _instructions(), [])


# --- reading rows ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One parsed row of a sheet: its Excel row number, values by key, and its cell errors."""

    sheet: str
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class Parsed:
    """A file read into rows: resources (by 序号) and their item rows."""

    resources: list[Row]
    items: dict[str, list[Row]]
    errors: list[CellError]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # most cells: first, before the type checks below
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _cell_error(
    sheet: str, row: int, col: int, columns: Sequence[Column], value: Any, msg: str
) -> CellError:
    header = columns[col].header if col < len(columns) else ""
    return CellError(
        sheet=sheet,
        row=row,
        column=excel.letter(col + 1),
        header=header,
        value=_text(value)[:80],
        message=msg,
    )


def _check_headers(
    sheet: Sheet, columns: Sequence[Column], optional_tail: str | None = None
) -> None:
    got = [excel.clean_header(h) for h in (sheet.rows[0] if sheet.rows else [])]
    while got and not got[-1]:
        got.pop()
    want = [c.header for c in columns]
    if optional_tail and got[len(want) :] == [optional_tail]:
        got = got[: len(want)]
    errors = []
    for i, header in enumerate(want):
        have = got[i] if i < len(got) else ""
        if have != header:
            errors.append(
                FieldError(
                    f"{sheet.name}!{excel.letter(i + 1)}1",
                    _("“{sheet}”表第 {col} 列表头应为“{want}”，实为“{have}”。").format(
                        sheet=sheet.name,
                        col=excel.letter(i + 1),
                        want=header,
                        have=have or _("空"),
                    ),
                )
            )
    for i in range(len(want), len(got)):
        if got[i]:
            errors.append(
                FieldError(
                    f"{sheet.name}!{excel.letter(i + 1)}1",
                    _("“{sheet}”表多出一列“{have}”：请使用平台下载的模板。").format(
                        sheet=sheet.name, have=got[i]
                    ),
                )
            )
    if errors:
        raise Invalid(
            _("表头与模板不符，未导入任何资源：请下载最新模板，按模板填写。"), errors=errors
        )


def _rows(sheet: Sheet, columns: Sequence[Column], extra: Sequence[str] = ()) -> Iterator[Row]:
    """Data rows with merged-cell and formula errors attached (blank rows skipped)."""
    merged_at: dict[int, list[tuple[int, int, int, int]]] = {}
    for rng in sheet.merged:
        if rng[2] >= 1:
            for r in range(max(rng[0], 1), rng[2] + 1):
                merged_at.setdefault(r, []).append(rng)
    formulas_at: dict[int, list[tuple[int, str]]] = {}
    for (fr, fc), formula in sheet.formulas.items():
        formulas_at.setdefault(fr, []).append((fc, formula))
    keys = [c.key for c in columns] + list(extra)
    for r in range(1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(_text(v) == "" for v in cells) and r not in merged_at:
            continue
        row = Row(sheet.name, r + 1)
        for c, key in enumerate(keys):
            row.raw[key] = cells[c] if c < len(cells) else None
        for r1, c1, r2, c2 in merged_at.get(r, []):
            first = f"{excel.letter(c1 + 1)}{r1 + 1}"
            ref = f"{first}:{excel.letter(c2 + 1)}{r2 + 1}"
            row.errors.append(
                _cell_error(
                    sheet.name,
                    r + 1,
                    c1,
                    columns,
                    row.raw.get(keys[c1] if c1 < len(keys) else "", ""),
                    _("单元格 {ref} 是合并单元格：请取消合并，在每一行分别填写。").format(ref=ref),
                )
            )
        for fc, formula in formulas_at.get(r, []):
            row.errors.append(
                _cell_error(
                    sheet.name,
                    r + 1,
                    fc,
                    columns,
                    formula,
                    _("单元格含公式 {formula}：请复制后“粘贴为数值”再导入。").format(
                        formula=formula[:40]
                    ),
                )
            )
        yield row


@dataclass
class Context:
    """What converting rows needs: the importing department and every unit by its names."""

    department_id: int
    department_name: str
    units: dict[str, int]


def _unit(ctx: Context, value: str) -> int | None:
    return ctx.units.get(value) or ctx.units.get(value.upper())


def _date(value: Any) -> tuple[dt.date | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float):
        return None, _("发布日期是数字 {value}：请把单元格设为日期格式。").format(
            value=_text(value)
        )
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            return None, _("发布日期“{value}”不是有效日期。").format(value=text)
    return None, _("发布日期“{value}”是文本，不是日期：请设为日期格式，或写成 2026-01-31。").format(
        value=text
    )


def _integer(value: Any, label: str) -> tuple[int | None, str | None]:
    text = _text(value)
    if not text:
        return None, None
    if text.isdecimal():  # what \d+ matches
        return int(text), None
    return None, _("{label}应为整数，实为“{value}”。").format(label=_(label), value=text)


def _choice(value: Any, mapping: dict[str, str], label: str) -> tuple[str | None, str | None]:
    text = _text(value)
    if not text:
        return None, None
    if text in mapping:
        return mapping[text], None
    return None, _("{label}“{value}”不在可选值中：{allowed}。").format(
        label=_(label), value=text, allowed="、".join(k for k in mapping if not k.isascii())
    )


def _set(
    row: Row, col: int, columns: Sequence[Column], key: str, result: tuple[Any, str | None]
) -> None:
    value, problem = result
    if problem:
        row.errors.append(
            _cell_error(row.sheet, row.number, col, columns, row.raw.get(key), problem)
        )
    elif value is not None:
        row.values[key] = value


_RESOURCE_INDEX = {c.key: i for i, c in enumerate(RESOURCE_COLUMNS)}
_ITEM_INDEX = {c.key: i for i, c in enumerate(ITEM_COLUMNS)}


def _convert_resource(row: Row, ctx: Context) -> None:
    cols, idx = RESOURCE_COLUMNS, _RESOURCE_INDEX
    raw = row.raw
    for key in (
        "name",
        "abstract",
        "format_type",
        "share_conditions",
        "share_method_note",
        "open_conditions",
        "update_cycle",
        "grading_override_reason",
        "legal_basis",
        "code",
    ):
        text = _text(raw.get(key))
        if text:
            row.values[key] = text
    row.values["category_code"] = (
        re.match(r"[0-9A-Z]*", _text(raw.get("category_code")).upper()) or [""]
    )[0]
    provider = _text(raw.get("provider"))
    pid = _unit(ctx, provider) if provider else ctx.department_id
    if pid is None:
        row.errors.append(
            _cell_error(
                row.sheet,
                row.number,
                idx["provider"],
                cols,
                provider,
                _("信息资源提供方“{value}”不是平台上的单位。").format(value=provider),
            )
        )
    elif pid != ctx.department_id:
        row.errors.append(
            _cell_error(
                row.sheet,
                row.number,
                idx["provider"],
                cols,
                provider,
                _("只能导入本部门（{name}）的目录。").format(name=ctx.department_name),
            )
        )
    row.values["provider_department_id"] = ctx.department_id
    _set(
        row,
        idx["format_class"],
        cols,
        "format_class",
        _choice(raw.get("format_class"), FORMAT_VALUES, N_("格式分类")),
    )
    _set(
        row,
        idx["share_type"],
        cols,
        "share_type",
        _choice(raw.get("share_type"), SHARE_VALUES, N_("共享类型")),
    )
    _set(
        row,
        idx["share_method"],
        cols,
        "share_method",
        _choice(raw.get("share_method"), METHOD_VALUES, N_("共享方式")),
    )
    _set(
        row,
        idx["open_type"],
        cols,
        "open_type",
        _choice(raw.get("open_type"), OPEN_VALUES, N_("开放属性")),
    )
    _set(
        row,
        idx["grading_level"],
        cols,
        "grading_level",
        _integer(raw.get("grading_level"), N_("数据分级")),
    )
    _set(
        row,
        idx["record_count"],
        cols,
        "record_count",
        _integer(raw.get("record_count"), N_("数据量")),
    )
    _set(row, idx["publish_date"], cols, "publish_date", _date(raw.get("publish_date")))
    secret = _text(raw.get("secret")).lower()
    if secret not in BOOLEAN:
        row.errors.append(
            _cell_error(row.sheet, row.number, idx["secret"], cols, secret, _("应填“是”或“否”。"))
        )
    else:
        row.values["secret"] = BOOLEAN[secret]
    for key in ("related_codes", "keywords"):
        row.values[key] = [
            v
            for v in SPLIT.split(
                _text(raw.get(key)).upper() if key == "related_codes" else _text(raw.get(key))
            )
            if v
        ]


def _convert_item(row: Row, ctx: Context) -> dict[str, Any]:
    cols, idx = ITEM_COLUMNS, _ITEM_INDEX
    raw = row.raw
    item: dict[str, Any] = {
        "name": _text(raw.get("name")),
        "description": _text(raw.get("description")),
    }
    type_text = _text(raw.get("type_code"))
    code = type_text.split(" ")[0].upper() if type_text else ""
    if not type_text:
        row.errors.append(
            _cell_error(
                row.sheet,
                row.number,
                idx["type_code"],
                cols,
                "",
                _("信息项“{name}”缺少数据类型。").format(name=item["name"]),
            )
        )
    elif code in TYPE_VALUES or type_text in TYPE_VALUES:
        item["type_code"] = TYPE_VALUES.get(code) or TYPE_VALUES[type_text]
    else:
        row.errors.append(
            _cell_error(
                row.sheet,
                row.number,
                idx["type_code"],
                cols,
                type_text,
                _("数据类型应为 C、N、Y、D、T、L、M、G、B、I、F 之一。"),
            )
        )
    value, problem = _integer(raw.get("length"), N_("数据长度"))
    if problem:
        row.errors.append(
            _cell_error(row.sheet, row.number, idx["length"], cols, raw.get("length"), problem)
        )
    item["length"] = value
    for key in ("is_key", "required", "personal"):
        text = _text(raw.get(key)).lower()
        if text not in BOOLEAN:
            row.errors.append(
                _cell_error(row.sheet, row.number, idx[key], cols, text, _("应填“是”或“否”。"))
            )
        item[key] = BOOLEAN.get(text, False)
    level, problem = _integer(raw.get("sensitivity_level"), N_("敏感级别"))
    if problem:
        row.errors.append(
            _cell_error(
                row.sheet,
                row.number,
                idx["sensitivity_level"],
                cols,
                raw.get("sensitivity_level"),
                problem,
            )
        )
    item["sensitivity_level"] = level or 1
    source = _text(raw.get("authoritative_provider"))
    if source:
        pid = _unit(ctx, source)
        if pid is None:
            row.errors.append(
                _cell_error(
                    row.sheet,
                    row.number,
                    idx["authoritative_provider"],
                    cols,
                    source,
                    _("权威来源部门“{value}”不是平台上的单位。").format(value=source),
                )
            )
        item["authoritative_provider_id"] = pid
    return item


def _csv_items(row: Row, ctx: Context) -> list[dict[str, Any]]:
    """Items of a CSV row: ``名称:类型:长度；名称:类型`` in the optional 信息项 column."""
    text = _text(row.raw.get("csv_items"))
    out = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；]", text))):
        bits = [b.strip() for b in re.split(r"[:：]", part)]
        item: dict[str, Any] = {"name": bits[0]}
        code = bits[1].upper() if len(bits) > 1 else ""
        if code not in TYPE_VALUES:
            row.errors.append(
                _cell_error(
                    row.sheet,
                    row.number,
                    len(RESOURCE_COLUMNS),
                    RESOURCE_COLUMNS,
                    part,
                    _("信息项“{name}”缺少数据类型或类型无效。").format(name=bits[0]),
                )
            )
            continue
        item["type_code"] = TYPE_VALUES[code]
        if len(bits) > 2 and bits[2].isdigit():
            item["length"] = int(bits[2])
        out.append(item)
    return out


def parse(sheets: dict[str, Sheet], ctx: Context, *, csv_file: bool) -> Parsed:
    """The resource and item rows of a file, converted, with their cell errors."""
    res_sheet = sheets.get(RESOURCE_SHEET)
    if res_sheet is None:
        raise Invalid(
            _("工作簿中没有“信息资源”工作表：请使用平台下载的模板。"),
            errors=[FieldError("file", _("缺少“信息资源”工作表。"))],
        )
    _check_headers(res_sheet, RESOURCE_COLUMNS, excel.CSV_ITEMS_HEADER if csv_file else None)
    item_sheet = sheets.get(ITEM_SHEET)
    if item_sheet is not None:
        _check_headers(item_sheet, ITEM_COLUMNS)
    extra = ("csv_items",) if csv_file else ()
    resources = list(_rows(res_sheet, RESOURCE_COLUMNS, extra))
    max_rows = get_settings().catalog_import_max_rows
    if len(resources) > max_rows:
        raise Invalid(
            _("一次最多导入 {n} 行资源，请拆分文件。").format(n=max_rows),
            errors=[FieldError("file", _("行数超过上限。"))],
        )
    items: dict[str, list[Row]] = {}
    errors: list[CellError] = []
    seen_no: dict[str, int] = {}
    for row in resources:
        _convert_resource(row, ctx)
        no = _text(row.raw.get("row_no"))
        if not no:
            row.errors.append(
                _cell_error(row.sheet, row.number, 0, RESOURCE_COLUMNS, "", _("序号不能为空。"))
            )
        elif no in seen_no:
            row.errors.append(
                _cell_error(
                    row.sheet,
                    row.number,
                    0,
                    RESOURCE_COLUMNS,
                    no,
                    _("序号 {no} 与第 {row} 行重复。").format(no=no, row=seen_no[no]),
                )
            )
        else:
            seen_no[no] = row.number
        row.values["row_no"] = no
        if csv_file:
            row.values["data_items"] = _csv_items(row, ctx)
    if item_sheet is not None:
        for row in _rows(item_sheet, ITEM_COLUMNS):
            no = _text(row.raw.get("row_no"))
            row.values = _convert_item(row, ctx)
            if no not in seen_no:
                row.errors.append(
                    _cell_error(
                        row.sheet,
                        row.number,
                        0,
                        ITEM_COLUMNS,
                        no,
                        _("资源序号“{no}”在“信息资源”表中不存在。").format(no=no),
                    )
                )
                errors.extend(row.errors)
                continue
            items.setdefault(no, []).append(row)
    return Parsed(resources, items, errors)


# --- importing ---------------------------------------------------------------------------------

_RESOURCE_FIELD_KEY = {
    "provider_department_id": "provider",
    "data_items": "row_no",
}
_ITEM_FIELD_KEY = {"authoritative_provider_id": "authoritative_provider"}


def _to_cell(row: Row, item_rows: Sequence[Row], error: FieldError, csv_file: bool) -> CellError:
    """A field error of a filed resource placed on the cell it came from."""
    parts = error.field.split(".")
    if parts[0] == "data_items" and len(parts) > 1 and parts[1].isdigit():
        i = int(parts[1])
        if not csv_file and i < len(item_rows):
            key = _ITEM_FIELD_KEY.get(parts[2] if len(parts) > 2 else "name", parts[-1])
            col = next((n for n, c in enumerate(ITEM_COLUMNS) if c.key == key), 1)
            item = item_rows[i]
            return _cell_error(
                item.sheet, item.number, col, ITEM_COLUMNS, item.raw.get(key), error.message
            )
        return _cell_error(
            row.sheet,
            row.number,
            len(RESOURCE_COLUMNS),
            RESOURCE_COLUMNS,
            row.raw.get("csv_items"),
            error.message,
        )
    key = _RESOURCE_FIELD_KEY.get(parts[0], parts[0])
    col = next((n for n, c in enumerate(RESOURCE_COLUMNS) if c.key == key), 1)
    return _cell_error(
        row.sheet, row.number, col, RESOURCE_COLUMNS, row.raw.get(key), error.message
    )


def _read(filename: str, content: bytes) -> tuple[dict[str, Sheet], str | None, bool]:
    settings = get_settings()
    limit = settings.catalog_import_max_mb * MB
    if len(content) > limit:
        msg = _("文件大小 {size:.1f} MB，超过 {limit} MB 的上限：请拆分后分批导入。").format(
            size=len(content) / MB, limit=settings.catalog_import_max_mb
        )
        raise FileTooLarge(msg, errors=[FieldError("file", msg)], action="catalog.import_resources")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    try:
        if suffix == "xlsx":
            return excel.read_xlsx(content, max_unpacked=limit * 20), None, False
        if suffix == "csv":
            sheet, encoding = excel.read_csv(content)
            return {RESOURCE_SHEET: sheet}, encoding, True
    except FileProblem as exc:
        msg = _(str(exc))
        raise Invalid(msg, errors=[FieldError("file", msg)]) from exc
    msg = _("只能导入 .xlsx 或 .csv 文件（.xls 请在 Excel 中另存为 .xlsx）。")
    raise Invalid(msg, errors=[FieldError("file", msg)])


def _context(session: Session, actor: Actor, department_id: int) -> Context:
    dept = accounts.get_department(session, actor, department_id)
    units, _c = accounts.list_departments(session, actor, limit=10_000)
    names: dict[str, int] = {}
    for u in units:
        for key in (u.code, u.name, u.short_name):
            if key:
                names.setdefault(key, u.id)
    return Context(department_id=dept.id, department_name=dept.name, units=names)


def _lookups(session: Session, department_id: int) -> Lookups:
    cache = Lookups()
    cache.names = {
        (department_id, key): rid
        for rid, key in session.execute(
            select(Resource.id, Resource.name_key).where(
                Resource.provider_department_id == department_id, Resource.status != "retired"
            )
        )
    }
    cache.codes = {code: rid for rid, code in session.execute(select(Resource.id, Resource.code))}
    return cache


@dataclass
class Accepted:
    row: Row
    data: ResourceCreate
    resolved: Any
    seq: int | None


def _validate_rows(
    session: Session, actor: Actor, parsed: Parsed, cache: Lookups, csv_file: bool
) -> tuple[list[Accepted], list[CellError]]:
    settings = get_settings()
    accepted: list[Accepted] = []
    errors = list(parsed.errors)
    in_file: dict[str, int] = {}
    for row in parsed.resources:
        item_rows = [] if csv_file else parsed.items.get(row.values["row_no"], [])
        row_errors = list(row.errors) + [e for ir in item_rows for e in ir.errors]
        payload = {k: v for k, v in row.values.items() if k != "row_no"}
        if not csv_file:
            payload["data_items"] = [ir.values for ir in item_rows]
        data, schema_errors = _schema(payload)
        taken = {(e.sheet, e.row, e.column) for e in row_errors}
        for e in schema_errors:
            cell = _to_cell(row, item_rows, e, csv_file)
            if (cell.sheet, cell.row, cell.column) not in taken:  # conversion said it better
                row_errors.append(cell)
        if data is None:
            errors += _unique(row_errors)
            continue
        key = normalize_name(data.name)
        if key in in_file:
            row_errors.append(
                _to_cell(
                    row,
                    item_rows,
                    FieldError(
                        "name",
                        _("与本文件第 {n} 行的资源重名（名称忽略空格和标点后相同）。").format(
                            n=in_file[key]
                        ),
                    ),
                    csv_file,
                )
            )
        resolved, errs, conflicts = check(session, actor, data, cache=cache, settings=settings)
        if schema_errors:  # checked without the wrong items: their absence is no news
            errs = [e for e in errs if not e.field.startswith("data_items")]
        row_errors += [_to_cell(row, item_rows, e, csv_file) for e in errs + conflicts]
        if row_errors or schema_errors or resolved is None:
            errors += _unique(row_errors)
            continue
        in_file[key] = row.number
        seq = None
        if resolved.parts is None:
            seq = next_sequence_for(session, resolved.category, cache)
        assert cache.codes is not None
        parts = resolved.parts or parts_of(resolved.category, seq or 0)
        cache.codes[build_code(parts, settings)] = -row.number
        accepted.append(Accepted(row, data, resolved, seq))
    return accepted, errors


def _schema(payload: dict[str, Any]) -> tuple[ResourceCreate | None, list[FieldError]]:
    """The filed resource, or its field errors; when only data items are wrong, the resource
    without them (so that its other cells are still checked against the catalog)."""
    try:
        return ResourceCreate.model_validate(payload), []
    except ValidationError as exc:
        errors = field_errors(exc.errors())
    if all(e.field.startswith("data_items") for e in errors):
        try:
            return ResourceCreate.model_validate({**payload, "data_items": []}), errors
        except ValidationError:
            pass
    return None, errors


def next_sequence_for(session: Session, category: Category, cache: Lookups) -> int:
    from govshare.catalog.service.common import next_sequence

    return next_sequence(session, category, cache)


def _unique(errors: list[CellError]) -> list[CellError]:
    seen, out = set(), []
    for e in errors:
        key = (e.sheet, e.row, e.column, e.message)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def import_resources(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    content: bytes,
    department_id: int,
    mode: Literal["all_or_nothing", "valid_rows"] = "all_or_nothing",
    dry_run: bool = False,
) -> ImportReport:
    """Import a department's catalog from the template (.xlsx) or a .csv (UTF-8/GBK/GB18030).

    Every row and cell is checked against the guide's rules and the catalog; the report names
    each wrong cell in Chinese. By default nothing is saved when any row fails (Invalid, with
    the report); ``valid_rows`` saves the rows without errors; ``dry_run`` only checks. Imported
    resources are drafts of the department, ready to submit.
    """
    require(
        permissions.can_import_resources(actor, department_id),
        "catalog.import_resources",
        ("department", str(department_id), ""),
        _("只能导入本部门的目录。"),
    )
    with _no_cyclic_gc():
        return _import(session, actor, filename, content, department_id, mode, dry_run)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while an import runs.

    An import keeps hundreds of thousands of small containers alive until it ends (the sheet's
    cells, the parsed rows, the filings), and each full collection walks all of them: about an
    eighth of a 5,000-row import's processor time. Reference counting still frees everything;
    collection resumes when the import ends, however it ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    session: Session,
    actor: Actor,
    filename: str,
    content: bytes,
    department_id: int,
    mode: Literal["all_or_nothing", "valid_rows"],
    dry_run: bool,
) -> ImportReport:
    sheets, encoding, csv_file = _read(filename, content)
    ctx = _context(session, actor, department_id)
    parsed = parse(sheets, ctx, csv_file=csv_file)
    cache = _lookups(session, department_id)
    accepted, errors = _validate_rows(session, actor, parsed, cache, csv_file)
    report = ImportReport(
        filename=filename,
        rows=len(parsed.resources),
        valid_rows=len(accepted),
        errors=errors,
        imported=0,
        mode=mode,
        encoding=encoding,
    )
    if dry_run:
        return report
    if errors and mode == "all_or_nothing":
        raise Invalid(
            _("文件中有 {n} 处错误（涉及 {rows} 行），未导入任何资源。").format(
                n=len(errors), rows=len({(e.sheet, e.row) for e in errors})
            ),
            errors=[FieldError(f"{e.sheet}!{e.column}{e.row}", e.message) for e in errors],
            action="catalog.import_resources",
            target=("department", str(ctx.department_id), ctx.department_name),
            extra={"report": report.model_dump(mode="json")},
        )
    ids = insert_many(session, actor, [(a.data, a.resolved, a.seq) for a in accepted])
    report.imported, report.imported_ids = len(ids), ids
    audit.record(
        session,
        actor,
        "catalog.import_resources",
        ("department", str(ctx.department_id), ctx.department_name),
        after={"filename": filename, "imported": len(ids), "skipped_rows": report.rows - len(ids)},
        details={"resource_ids": ids[:1000], "mode": mode, "encoding": encoding},
    )
    return report


# --- exporting ---------------------------------------------------------------------------------


def export_resources(
    session: Session, actor: Actor, filters: ResourceFilter | None = None
) -> bytes:
    """The visible resources of a filtered view as .xlsx, in the template's columns (so an
    export can be edited and imported again)."""
    require(permissions.can_export_resources(actor), "catalog.export_resources")
    from govshare.catalog import search

    f = filters or ResourceFilter()
    stmt: Any = filtered(actor, f)
    tokens = search.query_tokens(f.q) if f.q.strip() else []
    if tokens:
        stmt, _rank = search.matching(session, stmt, tokens)
    ids = list(
        session.scalars(stmt.with_only_columns(Resource.id).order_by(Resource.id).limit(EXPORT_MAX))
    )
    units, _c = accounts.list_departments(session, actor, limit=10_000)
    unit_names = {u.id: u.name for u in units}
    res_rows: list[list[Any]] = []
    item_rows: list[list[Any]] = []
    for start in range(0, len(ids), 500):
        chunk = session.scalars(
            select(Resource).where(Resource.id.in_(ids[start : start + 500])).order_by(Resource.id)
        )
        for r in public_many(session, actor, list(chunk)):
            n = len(res_rows) + 1
            res_rows.append(
                [
                    n,
                    r.name,
                    f"{r.category_code} {r.category_name}",
                    r.code,
                    r.provider_name,
                    r.abstract,
                    _(FORMAT_CLASS_LABELS[r.format_class]),
                    r.format_type,
                    _(SHARE_TYPE_LABELS[r.share_type]),
                    r.share_conditions,
                    _(SHARE_METHOD_LABELS[r.share_method]),
                    r.share_method_note,
                    _(OPEN_TYPE_LABELS[r.open_type]),
                    r.open_conditions,
                    r.update_cycle,
                    r.grading_level,
                    r.grading_override_reason,
                    r.secret,
                    r.legal_basis,
                    r.publish_date,
                    r.related_codes,
                    r.keywords,
                    r.record_count,
                ]
            )
            for i in r.data_items:
                item_rows.append(
                    [
                        n,
                        i.name,
                        f"{i.type_code} {_(TYPE_CODE_LABELS[i.type_code])}",
                        i.length,
                        i.description,
                        i.is_key,
                        i.required,
                        i.personal,
                        i.sensitivity_level,
                        unit_names.get(i.authoritative_provider_id or 0, ""),
                    ]
                )
    content = excel.write_rows(
        {RESOURCE_SHEET: (RESOURCE_COLUMNS, res_rows), ITEM_SHEET: (ITEM_COLUMNS, item_rows)}
    )
    audit.record(
        session,
        actor,
        "catalog.export_resources",
        ("catalog", "", _("信息资源目录导出")),
        details={"filters": f.model_dump(mode="json", exclude_defaults=True), "count": len(ids)},
    )
    return content
