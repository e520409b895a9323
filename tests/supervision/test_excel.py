"""The Excel export opens with the same content: read back with openpyxl always, and converted by
LibreOffice (headless, to CSV) where it is installed (Debian's libreoffice-calc-nogui)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from govshare.supervision import service
from govshare.supervision.demo import SEED
from govshare.supervision.parsing import read_text

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def expected_rows() -> list[list[str]]:
    table = read_text(SEED.read_text())
    rows = [
        [f"《{table.title}》任务分解表", "", "", ""],
        ["目标任务", "时间节点", "责任单位", "具体任务内容"],
    ]
    last_part = last_section = -1
    for t in table.tasks:
        if t.part != last_part:
            number, title = table.parts[t.part]
            rows.append([f"{number}、{title}", "", "", ""])
            last_part = t.part
        if t.section != last_section:
            _p, number, title = table.sections[t.section]
            rows.append([f"{number}{title}", "", "", ""])
            last_section = t.section
        rows.append([f"{t.number}.{t.title}", str(t.time_node), t.units, t.content])
    return rows


@pytest.fixture
def exported(session, actor, plan_id) -> bytes:
    return service.export_plan(session, actor("consumer"), plan_id)


def test_openpyxl_reads_back_the_same_table(exported):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(exported), read_only=True)
    rows = [[str(c or "") for c in r[:4]] for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert rows == expected_rows()
    milestones = list(wb.worksheets[1].iter_rows(values_only=True))
    assert milestones[0][:3] == ("任务", "任务名称", "截止日期") and len(milestones) == 1 + 35


def test_libreoffice_opens_it_with_the_same_content(exported, tmp_path: Path):
    assert SOFFICE, (
        "LibreOffice missing: scripts/ensure-packages.sh installs libreoffice-calc-nogui"
    )
    src = tmp_path / "plan.xlsx"
    src.write_bytes(exported)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "plan.csv").open(encoding="utf-8") as fh:
        rows = [row[:4] + [""] * (4 - len(row)) for row in csv.reader(fh)]
    assert rows == expected_rows()
