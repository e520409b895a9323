"""Objection and arbitration, end to end in the browser.

陵城区's consumer asks for 市公安局's 户籍登记信息; 市公安局's reviewer refuses; the
consumer objects (an empty reason is refused first); 市电政办 finds it in its arbitration
queue and orders a grant, narrowed to two items; the consumer sees the ruling and the grant.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_refusal_objection_and_ordered_grant(page_as):  # type: ignore[no-untyped-def]
    page = page_as("lingcheng.consumer")
    page.goto("/sharing/requests/new")
    option = page.locator("#f-pick option", has_text="户籍登记信息").first
    page.get_by_label("信息资源").select_option(option.get_attribute("value"))
    page.get_by_role("button", name="选择").click()
    boxes = page.locator("input[name='items[]']")
    boxes.nth(0).check()
    boxes.nth(1).check()
    boxes.nth(2).check()
    page.get_by_label("用途").fill("核验户籍")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("申请已提交").wait_for()
    path = "/sharing/" + page.url.split("/sharing/", 1)[1]

    reviewer = page_as("gongan.reviewer")
    reviewer.goto(path)
    reviewer.get_by_label("不予共享或退回的理由").fill("用途与依据不符")
    reviewer.get_by_role("button", name="不予共享").click()
    reviewer.get_by_text("已不予共享").wait_for()

    page.goto(path)
    page.get_by_role("button", name="提出异议").click()  # empty: the browser keeps it
    page.get_by_label("异议理由").fill("办理户籍业务属于法定职责，依法应予共享")
    page.get_by_role("button", name="提出异议").click()
    page.get_by_text("异议已提交").wait_for()
    assert "异议待仲裁" in page.content() and "仲裁期限" in page.content()
    assert page.get_by_role("button", name="提出异议").count() == 0

    office = page_as("admin")
    office.goto("/sharing/arbitration")
    office.locator(f"a[href='{path}']").click()
    office.get_by_label("责令共享（按下列范围授权）").check()
    items = office.locator("input[name='items[]']")
    for i in range(2, items.count()):
        items.nth(i).uncheck()
    office.get_by_label("仲裁意见").fill("属于履职所需，责令在两项内共享")
    office.get_by_role("button", name="作出仲裁").click()
    office.get_by_text("仲裁结果已送达双方").wait_for()

    page.goto(path)
    assert "责令共享" in page.content() and "已批准" in page.content()
    page.goto("/sharing/grants")
    assert "户籍登记信息" in page.content()
