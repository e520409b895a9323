"""The catalog's files: the filing template (openpyxl, with drop-downs and an instructions
sheet), reading .xlsx (python-calamine) and .csv (UTF-8, GBK, GB18030 via charset-normalizer),
and writing exports (openpyxl write-only).

Readers report what Excel hides: merged cells, formulas (read from the sheet XML: calamine sees
only their cached values) and oversized archives (a zip bomb is refused before it is unpacked).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from govshare.core.i18n import N_

RESOURCE_SHEET = "信息资源"
ITEM_SHEET = "信息项"
HELP_SHEET = "填报说明"
LISTS_SHEET = "代码表"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    """A template column: the field it fills, its header, whether it is required, its help."""

    key: str
    header: str
    required: bool = False
    help: str = ""
    width: int = 16


RESOURCE_COLUMNS: tuple[Column, ...] = (
    Column("row_no", "序号", True, "本表内的行号，信息项表用它关联资源", 8),
    Column("name", "信息资源名称", True, "不得为空；同一部门内名称（忽略空格和标点）不得重复", 28),
    Column("category_code", "信息资源分类", True, "从下拉列表选择目或细目（前段码 名称）", 30),
    Column("code", "信息资源代码", False, "已有代码时填写，格式 前段码/顺序码；空则自动编码", 20),
    Column("provider", "信息资源提供方", True, "本部门全称或简称", 22),
    Column("abstract", "信息资源摘要", True, "不得为空：内容、范围、用途", 40),
    Column("format_class", "格式分类", True, "下拉选择", 12),
    Column("format_type", "格式类型", True, "如 xlsx、达梦、pdf、json", 12),
    Column("share_type", "共享类型", True, "无条件共享 / 有条件共享 / 不予共享", 14),
    Column("share_conditions", "共享条件", False, "有条件共享必填", 24),
    Column("share_method", "共享方式", True, "须与格式一致：文件类只能以文件方式共享", 20),
    Column("share_method_note", "其他共享方式说明", False, "选择其他方式时必填", 16),
    Column("open_type", "开放属性", True, "无条件开放 / 有条件开放 / 不予开放", 14),
    Column("open_conditions", "开放条件", False, "有条件开放必填", 20),
    Column("update_cycle", "更新周期", True, "下拉选择", 10),
    Column("grading_level", "数据分级", True, "1–4 级，决定默认的共享与开放类型", 10),
    Column(
        "grading_override_reason", "分级调整理由", False, "共享/开放类型不同于分级默认值时必填", 20
    ),
    Column("secret", "是否涉密", False, "涉密资源不得在本平台编目", 10),
    Column("legal_basis", "法律法规依据", False, "有条件共享、不予共享时必填", 24),
    Column("publish_date", "发布日期", False, "日期格式，或文本 YYYY-MM-DD", 12),
    Column("related_codes", "关联资源代码", False, "多个用分号分隔", 20),
    Column("keywords", "关键字", False, "多个用分号分隔", 16),
    Column("record_count", "数据量（条）", False, "纯数字，未知填 0", 12),
)
ITEM_COLUMNS: tuple[Column, ...] = (
    Column("row_no", "资源序号", True, "对应信息资源表的序号", 10),
    Column("name", "信息项名称", True, "", 20),
    Column("type_code", "数据类型", True, "C 字符型 N 数值型 Y 货币型 D 日期型 T 日期时间型 …", 14),
    Column("length", "数据长度", False, "整数", 10),
    Column("description", "描述", False, "", 24),
    Column("is_key", "是否主键", False, "是 / 否", 10),
    Column("required", "是否必填", False, "是 / 否", 10),
    Column("personal", "是否个人信息", False, "是 / 否", 12),
    Column("sensitivity_level", "敏感级别", False, "1–4，默认 1", 10),
    Column("authoritative_provider", "权威来源部门", False, "一数一源：该信息项的权威采集部门", 20),
)
CSV_ITEMS_HEADER = "信息项"  # optional CSV column: 名称:类型:长度；名称:类型…


def letter(index: int) -> str:
    """The Excel column letter of a 1-based column index."""
    return str(get_column_letter(index))


def header_of(col: Column) -> str:
    return f"{col.header}*" if col.required else col.header


def clean_header(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", str(value or ""))


# --- reading -----------------------------------------------------------------------------------


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a workbook, too large unpacked, no such sheet)."""


@dataclass
class Sheet:
    """The cells of one sheet (0-based rows and columns, header row included)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the archive."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    }
    rel_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    book = ElementTree.fromstring(_safe_xml(archive.read("xl/workbook.xml")))
    rels = ElementTree.fromstring(_safe_xml(archive.read("xl/_rels/workbook.xml.rels")))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{rel_ns}Relationship")}
    out = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        rid = sheet.get(f"{{{ns['r']}}}id")
        target = targets.get(rid, "").lstrip("/")
        out[sheet.get("name", "")] = target if target.startswith("xl/") else f"xl/{target}"
    return out


def _safe_xml(data: bytes) -> bytes:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:4096]:
        raise FileProblem(N_("文件包含不允许的 XML 声明。"))
    return data


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _formulas(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """Cells holding formulas in a sheet part: (row, col) 0-based → the formula text."""
    data = archive.read(part)
    if b"<f>" not in data and b"<f " not in data:
        return {}
    from openpyxl.utils import column_index_from_string

    out: dict[tuple[int, int], str] = {}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    for cell in ElementTree.fromstring(_safe_xml(data)).iter(f"{main}c"):
        f = cell.find(f"{main}f")
        if f is None:
            continue
        m = _CELL_REF.fullmatch(cell.get("r", ""))
        if m:
            out[(int(m[2]) - 1, column_index_from_string(m[1]) - 1)] = f"={f.text or ''}"
    return out


def read_xlsx(content: bytes, *, max_unpacked: int) -> dict[str, Sheet]:
    """Every sheet of an .xlsx file with its merged ranges and formula cells."""
    from python_calamine import CalamineWorkbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise FileProblem(N_("文件不是有效的 .xlsx 工作簿（Excel 2007 及以后的格式）。")) from exc
    with archive:
        if sum(i.file_size for i in archive.infolist()) > max_unpacked:
            raise FileProblem(N_("工作簿解压后过大，请拆分后分批导入。"))
        try:
            paths = _sheet_paths(archive)
        except KeyError as exc:
            raise FileProblem(
                N_("文件不是有效的 .xlsx 工作簿（Excel 2007 及以后的格式）。")
            ) from exc
        except ElementTree.ParseError as exc:
            raise FileProblem(N_("工作簿结构损坏，无法读取。")) from exc
        formulas = {
            name: _formulas(archive, part)
            for name, part in paths.items()
            if part in archive.namelist()
        }
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileProblem(N_("工作簿无法读取，文件可能已损坏。")) from exc
    out: dict[str, Sheet] = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        out[name] = Sheet(name, [list(r) for r in rows], merged, formulas.get(name, {}))
    return out


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in (UTF-8 with or without BOM, GBK,
    GB18030; anything else as charset-normalizer best guesses)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("gb18030",):
        try:
            text = content.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, "gbk" if _is_gbk(content) else enc
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    if best is None:
        raise FileProblem(N_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK。"))
    return str(best), best.encoding


def _is_gbk(content: bytes) -> bool:
    try:
        content.decode("gbk")
    except UnicodeDecodeError:
        return False
    return True


def read_csv(content: bytes) -> tuple[Sheet, str]:
    """A CSV file as the resource sheet, and its encoding."""
    text, encoding = decode_csv(content)
    rows = [list(r) for r in csv.reader(io.StringIO(text))]
    return Sheet(RESOURCE_SHEET, rows), encoding


# --- writing ------------------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="0B4F8A")
_HEAD_FONT = Font(bold=True, color="FFFFFF")


def _header(ws: Any, columns: Sequence[Column]) -> None:
    ws.append([header_of(c) for c in columns])
    for i, col in enumerate(columns, 1):
        cell = ws.cell(row=1, column=i)
        cell.fill, cell.font = _HEAD_FILL, _HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "B2"


def _list_validation(ws: Any, lists: Any, values: Sequence[str], col: int, list_col: int) -> None:
    letter = get_column_letter(list_col)
    for r, v in enumerate(values, 1):
        lists.cell(row=r, column=list_col, value=v)
    ref = f"'{LISTS_SHEET}'!${letter}$1:${letter}${max(len(values), 1)}"
    dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=True)
    dv.error, dv.errorTitle = "请从下拉列表中选择", "取值无效"
    target = get_column_letter(col)
    dv.add(f"{target}2:{target}5000")
    ws.add_data_validation(dv)


def write_template(
    lists: dict[str, Sequence[str]], instructions: Iterable[Sequence[str]], example: Sequence[Any]
) -> bytes:
    """The filing template: instructions, the two data sheets with drop-downs, the value lists."""
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["B"].width = 90
    for row in instructions:
        help_ws.append(list(row))
    help_ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    res = wb.create_sheet(RESOURCE_SHEET)
    _header(res, RESOURCE_COLUMNS)
    if example:
        res.append(list(example))
    items = wb.create_sheet(ITEM_SHEET)
    _header(items, ITEM_COLUMNS)
    lists_ws = wb.create_sheet(LISTS_SHEET)
    index = {c.key: i for i, c in enumerate(RESOURCE_COLUMNS, 1)}
    item_index = {c.key: i for i, c in enumerate(ITEM_COLUMNS, 1)}
    for n, (key, values) in enumerate(lists.items(), 1):
        if key.startswith("item."):
            _list_validation(items, lists_ws, values, item_index[key[5:]], n)
        else:
            _list_validation(res, lists_ws, values, index[key], n)
    lists_ws.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_rows(sheets: dict[str, tuple[Sequence[Column], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx with the given sheets (write-only: streams large exports)."""
    wb = Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        ws = wb.create_sheet(name)
        for i, col in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = "B2"
        ws.append([header_of(c) for c in columns])
        for row in rows:
            ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value
