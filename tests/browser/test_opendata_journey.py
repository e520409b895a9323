"""The open-data portal end to end (issue #5's "Done when"): an anonymous visitor finds an open
dataset by a Chinese phrase, previews and downloads it; ckanapi lists, searches and reads rows
through datastore_search; the DCAT feed parses in rdflib; a public user registers (e-mail
verification through a local SMTP server), applies for a conditional resource and the provider
grants it; a public data request is answered. Every public page passes axe-core with no serious
or critical violations."""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _axe(page: Any) -> list[str]:
    """Serious or critical axe-core violations of the page (rule id: first target)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {n['target']} {n.get('failureSummary', '')[:160]}"
        for v in result["violations"]
        for n in v["nodes"][:3]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def visitor(browser, live_server):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    page = ctx.new_page()
    yield page
    ctx.close()


def _wait_for_mail(mailbox: Any, to: str) -> Any:
    for _ in range(100):
        for msg in mailbox.messages:
            if msg["To"] == to:
                return msg
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to}")


def test_visitor_finds_previews_and_downloads(visitor, live_server, tmp_path):  # type: ignore[no-untyped-def]
    page = visitor
    page.goto("/open")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_label("搜索数据").fill("空气质量")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="德州市环境空气质量日报").click()
    page.get_by_role("heading", name="德州市环境空气质量日报").wait_for()
    assert page.get_by_role("heading", name="数据预览").is_visible()
    assert page.locator("table tbody tr").count() >= 10
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    path = tmp_path / "air.csv"
    info.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "监测站点,监测日期,AQI,首要污染物,空气质量等级" and len(lines) == 361


def test_ckanapi_lists_searches_and_reads_rows(live_server):  # type: ignore[no-untyped-def]
    from ckanapi import RemoteCKAN

    portal = RemoteCKAN(live_server)
    names = portal.action.package_list()
    assert len(names) > 100
    found = portal.action.package_search(q="空气质量", rows=5)
    pkg = next(p for p in found["results"] if p["title"] == "德州市环境空气质量日报")
    rid = pkg["resources"][0]["id"]
    rows = portal.action.datastore_search(
        resource_id=rid, limit=100, filters={"监测站点": "儿童乐园"}
    )
    assert rows["total"] == 60 and len(rows["records"]) == 60


def test_dcat_feed_parses_in_rdflib(live_server):  # type: ignore[no-untyped-def]
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    r = httpx.get(f"{live_server}/catalog.ttl", timeout=60)
    assert r.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=r.text, format="turtle")
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) > 100


def test_conditional_resource_is_applied_for_and_granted(  # type: ignore[no-untyped-def]
    visitor, page_as, mailbox, live_server
):
    page = visitor
    email = "li.ming@example.com"
    page.goto("/open/register")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("姓名或单位联系人").fill("李明")
    page.get_by_label("单位（可选）").fill("德州学院")
    page.get_by_label("密码（至少 10 位）").fill("Open-Data-2026")
    page.get_by_role("button", name="注册").click()
    page.get_by_role("heading", name="请查收验证邮件").wait_for()
    mail = _wait_for_mail(mailbox, email)
    token = re.search(r"token=([\w-]+)", mail.get_content()).group(1)
    page.goto(f"/open/verify?token={token}")
    page.get_by_role("heading", name="邮箱已验证").wait_for()
    page.goto("/open/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill("Open-Data-2026")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="李明").wait_for()

    page.goto("/open/search?q=市场主体登记")
    page.get_by_role("link", name="德州市市场主体登记信息（开放版）").click()
    page.get_by_role("link", name="申请使用").click()
    page.get_by_label("用途（申请表）").fill("研究全市市场主体的行业和区县分布。")
    page.get_by_label("安全承诺").fill("仅用于研究，不对外提供，不试图识别个人，用后删除。")
    page.get_by_label("我承诺按申请的用途使用数据").check()
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("待答复").first.wait_for()
    dataset_url = page.url

    staff = page_as("admin")
    staff.goto("/open-admin/applications")
    staff.get_by_role("button", name="同意").first.click()
    staff.get_by_text("已答复申请人。").wait_for()

    page.goto(dataset_url)
    page.get_by_role("heading", name="数据预览").wait_for()
    cells = page.locator("table tbody tr td").all_inner_texts()
    assert any(re.fullmatch(r".\*+", c) for c in cells), "法定代表人 should be masked"
    _wait_for_mail(mailbox, email)


def test_public_data_request_is_answered(visitor, page_as):  # type: ignore[no-untyped-def]
    page = visitor
    page.goto("/open/requests/new")
    page.get_by_label("需要什么数据").fill("公共充电桩位置")
    page.get_by_label("用途和具体要求").fill("希望开放全市公共充电桩的位置和数量，方便出行。")
    page.get_by_label("称呼（公开时脱敏）").fill("王小明")
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="公共充电桩位置").wait_for()
    request_url = page.url

    staff = page_as("admin")
    staff.goto("/open-admin/requests")
    block = staff.locator("section", has_text="公共充电桩位置")
    block.get_by_label("承办部门").select_option(label="德州市交通运输局")
    block.get_by_role("button", name="分派").click()
    staff.get_by_text("已分派给提供部门。").wait_for()
    block = staff.locator("section", has_text="公共充电桩位置")
    block.get_by_label("答复").fill("已列入下季度开放计划，届时在本平台发布。")
    block.get_by_role("button", name="公开答复").click()
    staff.get_by_text("答复已公开。").wait_for()

    page.goto(request_url)
    assert page.get_by_text("已列入下季度开放计划").is_visible()
    assert page.get_by_text("王**").first.is_visible()


def test_every_public_page_passes_axe(browser, live_server):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(  # axe is injected as a script: let it past the page's CSP
        base_url=live_server,
        locale="zh-CN",
        bypass_csp=True,
        viewport={"width": 390, "height": 844},
    )
    page = ctx.new_page()
    page.goto("/open/search?q=空气质量")
    dataset = page.get_by_role("link", name="德州市环境空气质量日报").get_attribute("href")
    page.goto(dataset)
    dept = page.get_by_role("link", name="德州市生态环境局").get_attribute("href")
    paths = [
        "/open",
        "/open/search?q=空气质量",
        dataset,
        f"{dataset}/api",
        "/open/departments",
        dept,
        "/open/rankings",
        "/open/apis",
        "/open/requests",
        "/open/requests/new",
        "/open/register",
        "/open/login",
    ]
    problems = {}
    for path in paths:
        page.goto(path)
        found = _axe(page)
        if found:
            problems[path] = found
    ctx.close()
    assert not problems, "\n".join(f"{p}: {f}" for p, fs in problems.items() for f in fs)
