"""The catalog's "done when": a steward imports the department's catalog from the template,
fixes the cells the report names and submits; a 市电政办 reviewer returns one resource and
publishes the rest; anyone finds them by a Chinese phrase; the statistics page shows progress."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

NAMES = ("能源消费结构统计", "服务业企业经营统计", "规上工业产值快报")


def _workbook(page, tmp: Path, *, broken: bool) -> Path:
    """The platform's template filled with three resources (one wrong twice when ``broken``)."""
    template = page.request.get("/catalog/template.xlsx").body()
    wb = openpyxl.load_workbook(io.BytesIO(template))
    lists = wb["代码表"]
    category = next(c.value for c in lists["A"] if c.value and "德州市统计局" in c.value)
    for n, name in enumerate(NAMES, 1):
        share = "有条件共享" if broken and n == 2 else "无条件共享"
        secret = "是" if broken and n == 3 else "否"
        wb["信息资源"].append(
            [
                n,
                name,
                category,
                None,
                "市统计局",
                f"{name}数据，按月汇总。",
                "电子表格",
                "xlsx",
                share,
                None,
                "共享平台-文件",
                None,
                "无条件开放",
                None,
                "每月",
                1,
                None,
                secret,
                None,
                None,
                None,
                "统计",
                0,
            ]
        )
        wb["信息项"].append([n, "统计期", "C 字符型", 6, None, "是", "是", "否", 1, None])
        wb["信息项"].append([n, "指标值", "N 数值型", 18, None, "否", "否", "否", 1, None])
    path = tmp / ("broken.xlsx" if broken else "fixed.xlsx")
    wb.save(path)
    return path


def test_import_review_search_statistics(page_as, tmp_path):
    steward = page_as("tongji.steward")
    steward.goto("/catalog-import")
    steward.get_by_label("目录文件").set_input_files(_workbook(steward, tmp_path, broken=True))
    steward.get_by_role("button", name="上传").click()
    expect(steward.get_by_role("alert")).to_contain_text("未导入任何资源")
    report = steward.get_by_role("table")
    expect(report.get_by_role("row", name=re.compile("J3.*共享条件"))).to_be_visible()
    expect(report.get_by_role("row", name=re.compile("R4.*涉密"))).to_be_visible()

    steward.get_by_label("目录文件").set_input_files(_workbook(steward, tmp_path, broken=False))
    steward.get_by_role("button", name="上传").click()
    expect(steward.get_by_role("status")).to_contain_text("已导入 3 条")

    for name in NAMES:
        steward.goto("/catalog?status=draft&q=" + name)
        steward.get_by_role("link", name=name, exact=True).click()
        steward.get_by_role("button", name="提交审核").click()
        expect(steward.get_by_role("alert")).to_contain_text("已提交审核")

    reviewer = page_as("dianzheng.reviewer")
    reviewer.get_by_role("navigation", name="主导航").get_by_role("link", name="目录审核").click()
    for name in NAMES:
        reviewer.get_by_role("link", name=name, exact=True).click()
        if name == NAMES[1]:
            reviewer.get_by_label("审核意见").fill("请补充指标口径说明。")
            reviewer.get_by_role("button", name="退回").click()
        else:
            reviewer.get_by_role("button", name="发布").click()
        expect(
            reviewer.get_by_role("alert").filter(has_text=re.compile("已发布|已退回"))
        ).to_be_visible()
        reviewer.goto("/catalog-review")
    expect(reviewer.get_by_role("link", name=NAMES[0], exact=True)).to_have_count(0)

    consumer = page_as("lingcheng.consumer")
    consumer.goto("/catalog")
    consumer.get_by_label("搜索资源").fill("能源消费结构")
    consumer.get_by_role("button", name="搜索").click()
    expect(consumer.get_by_role("link", name=NAMES[0], exact=True)).to_be_visible()
    consumer.get_by_label("搜索资源").fill("服务业企业经营")
    consumer.get_by_role("button", name="搜索").click()
    expect(consumer.get_by_role("link", name=NAMES[1], exact=True)).to_have_count(0)  # returned

    steward.goto(f"/catalog?q={NAMES[1]}")
    steward.get_by_role("link", name=NAMES[1], exact=True).click()
    expect(steward.get_by_role("alert")).to_contain_text("请补充指标口径说明")

    consumer.get_by_role("navigation", name="主导航").get_by_role("link", name="目录统计").click()
    row = consumer.get_by_role("row", name=re.compile("德州市统计局"))
    expect(row).to_be_visible()
    expect(consumer.locator(".gs-chart svg").first).to_be_visible()
