"""The inspection report as an .xlsx workbook (openpyxl) and as PDF (WeasyPrint, from the
printable HTML page the pages module renders)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from govshare.core.i18n import _
from govshare.quality.compiler import DIMENSIONS
from govshare.quality.schemas import (
    ISSUE_STATUS_LABELS,
    RUN_STATUS_LABELS,
    SEVERITY_LABELS,
    InspectionReport,
)


def xlsx(report: InspectionReport) -> bytes:
    """Three sheets: 概况 (one row per dataset), 检查结果 (failing rules with samples),
    整改事项 (issues with deadlines)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("概况")
    ws.append(
        [
            _("数据质量检查报告"),
            report.department_name,
            f"{report.start.isoformat()} — {report.end.isoformat()}",
        ]
    )
    ws.append([_("综合得分"), report.score if report.score is not None else "—"])
    ws.append([])
    dims = list(DIMENSIONS)
    ws.append(
        [
            _("数据集"),
            _("版本"),
            _("检查时间"),
            _("行数"),
            _("结果"),
            _("综合得分"),
            *[_(DIMENSIONS[d]) for d in dims],
        ]
    )
    for r in report.runs:
        ws.append(
            [
                r.dataset_name,
                r.version_number,
                r.started_at.strftime("%Y-%m-%d %H:%M"),
                r.rows,
                _(RUN_STATUS_LABELS[r.status]),
                r.score,
                *[r.scores.get(d, "") for d in dims],
            ]
        )
    for row in (ws[1], ws[4]):
        for cell in row:
            cell.font = Font(bold=True)
    fs = wb.create_sheet(_("检查结果"))
    fs.append(
        [
            _("数据集"),
            _("规则"),
            _("数据项"),
            _("严重程度"),
            _("不符合行数"),
            _("检查行数"),
            _("不符合比例"),
            _("说明"),
            _("样例（主键）"),
            _("样例（值）"),
        ]
    )
    for r in report.runs:
        for f in r.findings:
            if f.passed:
                continue
            samples = f.samples or [{"key": "", "value": ""}]
            for n, s in enumerate(samples):
                head = (
                    [
                        r.dataset_name,
                        f.rule_name,
                        "、".join(f.items),
                        _(SEVERITY_LABELS[f.severity]),
                        f.failing,
                        f.checked,
                        round(f.share, 6),
                        f.detail,
                    ]
                    if n == 0
                    else [""] * 8
                )
                fs.append([*head, s.get("key", ""), s.get("value", "")])
    iss = wb.create_sheet(_("整改事项"))
    iss.append([_("数据集"), _("规则"), _("不符合行数"), _("状态"), _("整改期限"), _("整改说明")])
    for i in report.issues:
        iss.append(
            [
                i.dataset_name,
                i.rule_name,
                i.failing,
                _(ISSUE_STATUS_LABELS[i.status]),
                i.deadline.isoformat(),
                i.note,
            ]
        )
    for sheet in (fs, iss):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(html: str) -> bytes:
    """The printable report page as PDF (CJK text in Noto Sans CJK, installed with the system)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
