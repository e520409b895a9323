"""The pages: a consumer applies through the form, the provider decides, grants are listed."""

from __future__ import annotations

from tests.sharing.helpers import ASKED, COUNTY


def test_consumer_applies_through_the_form(login_as, session, world):
    c = login_as("consumer")
    r = c.get(f"/sharing/requests/new?resource_id={world.resource.id}")
    assert r.status_code == 200 and "公民身份号码" in r.text
    r = c.post(
        "/sharing/requests",
        data={
            "csrftoken": c.headers["x-csrftoken"],
            "system_id": str(world.system_id),
            "resource_id": str(world.resource.id),
            "items[]": ASKED,
            "purpose": "办理户籍业务时核验身份",
            "filter_item": "",
            "days": "365",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "待审核" in r.text and "剩余" in r.text
    assert "待审核" in c.get("/sharing/requests").text


def test_form_errors_are_shown_in_chinese_and_nothing_is_saved(login_as, session, world):
    c = login_as("consumer")
    r = c.post(
        "/sharing/requests",
        data={
            "csrftoken": c.headers["x-csrftoken"],
            "system_id": str(world.system_id),
            "resource_id": str(world.resource.id),
            "purpose": "",
            "days": "365",
        },
    )
    assert r.status_code == 422 and "请修改以下问题" in r.text
    assert "还没有共享申请" in c.get("/sharing/requests").text


def test_provider_narrows_masks_and_approves(login_as, session, world):
    from tests.sharing.helpers import ask

    req = ask(session, world)
    session.commit()
    c = login_as("other_admin")
    assert f"/sharing/requests/{req.id}" in c.get("/sharing/review").text
    page = c.get(f"/sharing/requests/{req.id}")
    assert page.status_code == 200 and "批准" in page.text
    r = c.post(
        f"/sharing/requests/{req.id}/approve",
        data={
            "csrftoken": c.headers["x-csrftoken"],
            "items[]": ASKED,
            "mask_公民身份号码": "keep_ends",
            "mask_姓名": "name",
            "mask_户籍地址": "address",
            "filter_item": "户籍地区划",
            "filter_values": COUNTY,
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "已批准" in r.text
    grants = c.get("/sharing/grants").text
    assert "保留首尾" in grants and "吊销" in grants and COUNTY in grants


def test_other_departments_cannot_open_a_request(login_as, session, world):
    from tests.sharing.helpers import ask

    req = ask(session, world)
    session.commit()
    c = login_as("reviewer")
    assert c.get(f"/sharing/requests/{req.id}").status_code == 404


def test_systems_page_registers_a_system(login_as, session):
    c = login_as("consumer")
    r = c.post(
        "/sharing/systems",
        data={"csrftoken": c.headers["x-csrftoken"], "name": "不动产登记", "purpose": "核验"},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "不动产登记" in r.text
