"""Reading and writing .xlsx with openpyxl: the four-column plan layout, and the evaluation.

The plan sheet is written in the same layout the import reads (title row, header row, part rows,
section rows, task rows), so an exported plan imports again unchanged; a second sheet lists the
milestones with their status for the leadership meeting.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from govshare.core.i18n import _

HEADER = ("目标任务", "时间节点", "责任单位", "具体任务内容")


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The first sheet's rows as lists of cell values (dates stay dates)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def _fit(ws: Any, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def plan_workbook(
    title: str,
    rows: list[tuple[str, str, str, str]],
    milestones: list[tuple[Any, ...]],
) -> bytes:
    """The plan in the four columns, and its milestones with status, as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("任务分解表")
    ws.append([f"《{title}》任务分解表"])
    ws.append(list(HEADER))
    for row in rows:
        ws.append(list(row))
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for cell in ws[2]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    _fit(ws, (28, 16, 30, 80))
    ms = wb.create_sheet(_("里程碑"))
    ms.append([_("任务"), _("任务名称"), _("截止日期"), _("依据"), _("状态"), _("进度（%）")])
    for m in milestones:
        ms.append(list(m))
    for cell in ms[1]:
        cell.font = Font(bold=True)
    for row in ms.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    _fit(ms, (8, 30, 14, 60, 12, 10))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_workbook(sheet: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A one-sheet table (the evaluation) as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    _fit(ws, [10 if i else 8 for i in range(len(header))])
    ws.column_dimensions["B"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
