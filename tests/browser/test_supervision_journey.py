"""The work plan end to end on the demo: the supervisor sees the city's 38 tasks on the home page
and dashboard; 市统计局 files a report with evidence; the supervisor accepts it; an overdue
milestone shows 提醒 then 催办 in its record; the evaluation ranks units; the Excel export
downloads."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

LIVE = "德州市政务信息系统整合共享工作推进方案（演示：日期平移至今）"


def _live_plan(page) -> str:
    page.goto("/")
    link = page.get_by_role("link", name=LIVE)
    expect(link).to_be_visible()
    return str(link.get_attribute("href"))


def test_supervisor_sees_the_plan_and_escalation(page_as):
    page = page_as("duban.supervisor")
    plan = _live_plan(page)
    page.get_by_role("link", name=LIVE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LIVE)
    expect(page.locator(".gs-chart svg").first).to_be_visible()
    page.get_by_role("navigation", name="方案页面").get_by_role("link", name="任务").click()
    expect(page.locator("a[href^='/supervision/tasks/']")).to_have_count(38)
    expect(page.get_by_role("cell", name="15. 加强数据真实性、规范性、准确性管理")).to_be_visible()

    page.goto(plan)
    overdue = page.get_by_role("region", name="逾期任务")
    urged = overdue.get_by_role("row").filter(has_text="催办").first
    urged.get_by_role("link").click()
    record = page.get_by_role("region", name="督办记录")
    expect(record.get_by_text("提醒", exact=True).first).to_be_visible()
    expect(record.get_by_text("催办", exact=True).first).to_be_visible()
    expect(page.get_by_text("状态如何计算")).to_be_visible()


def test_unit_reports_with_evidence_and_supervisor_accepts(page_as, tmp_path):
    steward = page_as("tongji.steward")
    plan = _live_plan(steward)
    steward.goto(plan + "/tasks")
    steward.get_by_role("link", name="15. 加强数据真实性、规范性、准确性管理").click()
    task_url = steward.url
    evidence = tmp_path / "检查办法送审稿.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% synthetic evidence\n%%EOF\n")
    form = steward.get_by_role("region", name="报送本单位进度")
    form.get_by_label("完成进度").fill("85")
    form.get_by_label("进展情况").fill("检查办法已报市政府常务会议审议。")
    form.get_by_label("佐证材料").set_input_files(str(evidence))
    form.get_by_role("button", name="报送").click()
    expect(steward.get_by_role("alert").filter(has_text="已报送进度")).to_be_visible()
    expect(steward.get_by_role("link", name="检查办法送审稿.pdf")).to_be_visible()

    supervisor = page_as("duban.supervisor")
    supervisor.goto(task_url)
    item = supervisor.get_by_role("listitem").filter(has_text="检查办法已报市政府常务会议审议。")
    item.get_by_label("评价（1–5）").select_option("5")
    item.get_by_role("button", name="采纳").click()
    expect(supervisor.get_by_role("alert").filter(has_text="已采纳")).to_be_visible()
    expect(supervisor.get_by_role("progressbar").first).to_have_attribute("aria-valuenow", "85")


def test_evaluation_ranks_units_and_excel_exports(page_as):
    page = page_as("duban.supervisor")
    plan = _live_plan(page)
    page.goto(plan + "/evaluation")
    table = page.get_by_role("table", name="单位排名")
    expect(table.get_by_role("row").nth(1).get_by_role("cell").first).to_have_text("1")
    assert table.get_by_role("row").count() > 10
    with page.expect_download() as info:
        page.get_by_role("navigation", name="方案页面").get_by_role(
            "link", name="导出 Excel"
        ).click()
    path = info.value.path()
    assert path is not None and Path(path).read_bytes()[:2] == b"PK"
    assert re.search(r"\.xlsx$", info.value.suggested_filename)
