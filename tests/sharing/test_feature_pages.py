"""The pages of objections and arbitration, renewals and the usage dashboard."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup

from govshare.sharing import service
from govshare.sharing.models import Grant
from govshare.sharing.schemas import Objection, Reason
from tests.personas import actor_of
from tests.sharing.helpers import COUNTY, approve_county, ask


def _refused(session, world) -> int:  # type: ignore[no-untyped-def]
    req = ask(session, world)
    service.refuse_request(
        session, actor_of(session, "other_admin"), req.id, Reason(reason="用途与依据不符")
    )
    session.commit()
    return int(req.id)


def test_consumer_objects_and_the_office_orders_a_grant(login_as, session, world):
    rid = _refused(session, world)
    c = login_as("consumer")
    page = c.get(f"/sharing/requests/{rid}")
    assert "提出异议" in page.text
    r = c.post(
        f"/sharing/requests/{rid}/object",
        data={"csrftoken": c.headers["x-csrftoken"], "reason": ""},
    )
    assert r.status_code == 422 and "请修改以下问题" in r.text
    r = c.post(
        f"/sharing/requests/{rid}/object",
        data={"csrftoken": c.headers["x-csrftoken"], "reason": "属于法定职责所需"},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "异议待仲裁" in r.text and "仲裁期限" in r.text
    assert "提出异议</button>" not in r.text  # once only
    admin = login_as("platform_admin")
    queue = admin.get("/sharing/arbitration")
    assert queue.status_code == 200 and f"/sharing/requests/{rid}" in queue.text
    r = admin.post(
        f"/sharing/requests/{rid}/arbitrate",
        data={
            "csrftoken": admin.headers["x-csrftoken"],
            "outcome": "grant",
            "note": "属于履职所需",
            "items[]": ["姓名", "公民身份号码"],
            "mask_公民身份号码": "keep_ends",
            "mask_姓名": "name",
            "mask_户籍地址": "address",  # its select is still sent when the item is unticked
            "filter_item": "户籍地区划",
            "filter_values": COUNTY,
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "责令共享" in r.text and "授权" in r.text
    assert "没有待仲裁的异议" in admin.get("/sharing/arbitration").text


def test_arbitration_form_shows_errors_and_saves_nothing(login_as, session, world):
    rid = _refused(session, world)
    service.object_to_refusal(
        session, actor_of(session, "consumer"), rid, Objection(reason="应予共享")
    )
    session.commit()
    admin = login_as("platform_admin")
    r = admin.post(
        f"/sharing/requests/{rid}/arbitrate",
        data={"csrftoken": admin.headers["x-csrftoken"], "outcome": "uphold", "note": ""},
    )
    assert r.status_code == 422 and "请修改以下问题" in r.text
    assert f"/sharing/requests/{rid}" in admin.get("/sharing/arbitration").text


def test_arbitration_queue_is_for_the_office(login_as, session, world):
    c = login_as("other_admin")
    assert c.get("/sharing/arbitration").status_code == 403


def test_renewal_through_the_pages(login_as, session, world):
    done = approve_county(session, ask(session, world).id)
    grant = session.get(Grant, done.grant_id)
    grant.valid_until = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    session.commit()
    c = login_as("consumer")
    page = c.get("/sharing/grants")
    assert "即将到期" in page.text and "申请续期" in page.text
    r = c.post(
        f"/sharing/grants/{grant.id}/renewals",
        data={"csrftoken": c.headers["x-csrftoken"], "purpose": "继续核验", "days": "90"},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "续期申请已提交" in r.text
    provider = login_as("other_admin")
    page = provider.get("/sharing/renewals")
    assert "继续核验" in page.text and "批准续期" in page.text
    renewal_id = service.list_renewals(session, actor_of(session, "other_admin"))[0].id
    r = provider.post(
        f"/sharing/renewals/{renewal_id}/approve",
        data={"csrftoken": provider.headers["x-csrftoken"], "days": "90"},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "已续期" in r.text


def test_usage_page_draws_charts_and_checks_dates(login_as, client, session, world):
    approve_county(session, ask(session, world).id)
    session.commit()
    key = world.in_county()[0][2]
    client.get(f"/api/v1/data/{world.code}/records/{key}", headers=world.headers)
    c = login_as("other_admin")
    page = c.get("/sharing/usage?side=provider")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert len(soup.select(".gs-chart[data-chart]")) == 2
    assert "陵城区一网通办" in page.text and "今日剩余配额" in page.text
    bad = c.get("/sharing/usage?side=provider&since=2026-02-01&until=2026-01-01")
    assert bad.status_code == 422 and "开始日期不能晚于结束日期" in bad.text
    bad = c.get("/sharing/usage?since=not-a-date")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
