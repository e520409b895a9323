"""A platform admin logs in, finds a county, opens a user, issues a token, checks the audit chain;
a department admin is kept to their own department; the page works on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_admin_journey(page_as, live_server):
    page = page_as("admin")
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    expect(page.locator(".gs-chart svg").first).to_be_visible()  # ECharts rendered

    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="单位", exact=True
    ).click()
    page.get_by_label("搜索单位").fill("陵城")
    expect(page.get_by_role("link", name="陵城区人民政府")).to_be_visible()
    page.get_by_role("link", name="陵城区人民政府").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("陵城区人民政府")
    expect(page.get_by_text("371403", exact=True)).to_be_visible()

    page.goto("/accounts/tokens")
    page.get_by_label("用途").fill("浏览器测试")
    page.get_by_role("button", name="创建令牌").click()
    token = page.locator("#new-token").inner_text().strip()
    assert re.match(r"^gs_[A-Za-z0-9_-]{40,}$", token)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审计日志").click()
    expect(page.get_by_text("accounts.create_token").first).to_be_visible()
    page.get_by_role("button", name="校验链式摘要").click()
    expect(page.get_by_role("status")).to_contain_text("校验通过")


def test_dept_admin_sees_only_own_department(page_as):
    page = page_as("tongji.admin")
    page.goto("/accounts/users")
    expect(page.get_by_role("cell", name="tongji.steward")).to_be_visible()
    expect(page.get_by_role("cell", name="gongan.steward")).to_have_count(0)


def test_english_and_phone(browser, live_server):
    ctx = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("button", name="简体中文").click()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Username").fill("shenji.auditor")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password.")
    ctx.close()
