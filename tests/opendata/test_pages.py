"""The portal's pages: anonymous, Chinese, cached by version; forms with clean errors; staff
pages for releases, applications and data requests."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.conftest import csrf_of
from tests.opendata.helpers import open_resource, people_resource


def soup(r):
    return BeautifulSoup(r.text, "html.parser")


def test_home_is_public_chinese_and_lists_latest(session, client):
    r0 = open_resource(session)
    r = client.get("/open")
    assert r.status_code == 200
    page = soup(r)
    assert page.html["lang"] == "zh-CN"
    assert r0.name in r.text and "德州市公共数据开放平台" in r.text
    assert r.headers["etag"] and r.headers["last-modified"]


def test_home_answers_304_for_the_same_version(session, client):
    open_resource(session, data=False)
    first = client.get("/open")
    again = client.get("/open", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_search_finds_by_chinese_phrase_with_facets(session, client):
    r0 = open_resource(session)
    r = client.get("/open/search", params={"q": "空气质量"})
    assert r.status_code == 200 and r0.name in r.text and "提供部门" in r.text
    frag = client.get("/open/search", params={"q": "空气质量"}, headers={"HX-Request": "true"})
    assert "<html" not in frag.text and r0.name in frag.text


@pytest.mark.parametrize(
    "params",
    [
        {"q": "' OR 1=1 --"},
        {"q": '" AND {scope_tokens} : zzvisd1'},
        {"q": "<script>alert(1)</script>"},
        {"q": "a" * 500},
        {"page": "-1"},
        {"page": "abc"},
        {"provider_department_id": "1 OR 1=1"},
        {"sort": "id; drop"},
    ],
)
def test_search_hostile_query_strings_answer_cleanly(session, client, params):
    open_resource(session, data=False)
    r = client.get("/open/search", params=params)
    assert r.status_code in (200, 422)
    assert "<script>alert(1)</script>" not in r.text


def test_dataset_page_shows_preview_downloads_and_history(session, client):
    r0 = open_resource(session)
    r = client.get(f"/open/datasets/{r0.id}")
    assert r.status_code == 200
    page = soup(r)
    assert page.find("h1").text.strip() == r0.name
    assert page.find("a", href=f"/open/datasets/{r0.id}/download.csv")
    assert len(page.select("#h-preview ~ div table tbody tr")) == 10
    assert "更新历史" in r.text
    csv = client.get(f"/open/datasets/{r0.id}/download.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]


def test_conditional_dataset_shows_apply_not_rows(session, client):
    r0 = people_resource(session)
    r = client.get(f"/open/datasets/{r0.id}")
    assert "申请使用" in r.text and "张小" not in r.text
    assert client.get(f"/open/datasets/{r0.id}/download.csv").status_code == 403


def test_unknown_or_closed_dataset_is_404(session, client):
    hidden = open_resource(session, release=False, data=False)
    assert client.get(f"/open/datasets/{hidden.id}").status_code == 404
    assert client.get("/open/datasets/99999999").status_code == 404


def test_data_request_with_html_is_escaped(session, client):
    token = csrf_of(client, "/open/requests/new")
    r = client.post(
        "/open/requests/new",
        data={
            "csrftoken": token,
            "title": "<b>公共充电桩</b>",
            "description": "<script>alert('x')</script>希望开放充电桩位置。",
            "requester_name": "王小明",
            "requester_kind": "citizen",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "&lt;script&gt;" in r.text and "<script>alert" not in r.text
    assert "王**" in r.text


def test_data_request_bad_input_rerenders_with_chinese_errors(client):
    token = csrf_of(client, "/open/requests/new")
    r = client.post(
        "/open/requests/new",
        data={"csrftoken": token, "title": "", "description": "短", "requester_name": ""},
    )
    assert r.status_code == 422 and "请修改以下问题" in r.text


def test_register_login_apply_through_pages(session, client, settings, monkeypatch):
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    r0 = people_resource(session)
    token = csrf_of(client, "/open/register")
    r = client.post(
        "/open/register",
        data={
            "csrftoken": token,
            "email": "li@example.com",
            "name": "李明",
            "password": "Open-Data-2026",
        },
    )
    assert r.status_code == 200 and "li@example.com" in r.text
    from sqlalchemy import select

    from govshare.opendata.models import PublicUser

    user = session.scalars(select(PublicUser).where(PublicUser.email == "li@example.com")).one()
    from govshare.core.db import utcnow

    user.verified_at = utcnow()
    session.flush()
    token = csrf_of(client, "/open/login")
    r = client.post(
        "/open/login",
        data={
            "csrftoken": token,
            "email": "li@example.com",
            "password": "Open-Data-2026",
            "next": "/open/me",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        f"/open/datasets/{r0.id}/apply",
        data={"csrftoken": token, "purpose": "短", "commitment": "短"},
    )
    assert r.status_code == 422
    r = client.post(
        f"/open/datasets/{r0.id}/apply",
        data={
            "csrftoken": token,
            "purpose": "研究各区县志愿服务的分布情况。",
            "commitment": "仅用于研究，不对外提供，不识别个人。",
            "agree": "on",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "待答复" in r.text


def test_wrong_password_rerenders_login(session, client):
    token = csrf_of(client, "/open/login")
    r = client.post(
        "/open/login", data={"csrftoken": token, "email": "x@example.com", "password": "x"}
    )
    assert r.status_code == 401 and "邮箱或密码不正确" in r.text


def test_flood_from_one_address_gets_429(session, client, settings, monkeypatch):
    monkeypatch.setattr(settings, "opendata_rate_limit", "2/minute")
    codes = [client.get("/open/requests").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = client.get("/open/requests")
    assert r.headers["retry-after"].isdigit() and "请求过于频繁" in r.text


def test_admin_release_page_refuses_unmasked_personal_items(session, login_as):
    r0 = people_resource(session, release=False, data=False)
    client = login_as("steward")
    page = client.get("/open-admin")
    assert page.status_code == 200 and r0.name in page.text
    r = client.post(
        "/open-admin/release",
        data={"resource_id": str(r0.id), "mask.姓名": "name", "mask.联系电话": "none"},
        follow_redirects=True,
    )
    assert "未脱敏" in r.text
    r = client.post(
        "/open-admin/release",
        data={"resource_id": str(r0.id), "mask.姓名": "name", "mask.联系电话": "phone"},
        follow_redirects=True,
    )
    assert "已开放到门户" in r.text


def test_review_queue_shows_the_providers_pending_public_applications(session, login_as):
    from govshare.core.security import ANONYMOUS
    from govshare.opendata import service
    from tests.opendata.audit_scenarios import APPLY
    from tests.opendata.helpers import public_user

    r0 = people_resource(session, data=False)
    service.apply_for_resource(session, ANONYMOUS, public_user(session), r0.id, APPLY)
    client = login_as("reviewer")
    queue = client.get("/sharing/review")
    hook = soup(queue).select_one('[hx-get="/open-admin/applications/pending"]')
    assert queue.status_code == 200 and hook is not None and hook.get("hx-trigger") == "load"
    panel = soup(client.get("/open-admin/applications/pending"))
    rows = panel.select("#pending-open-applications tbody tr")
    assert [tr.select("td")[0].get_text(strip=True) for tr in rows] == [r0.name]
    assert panel.select_one('a[href="/open-admin/applications"]') is not None


def test_pending_applications_panel_is_empty_for_those_who_cannot_decide(session, login_as):
    from govshare.core.security import ANONYMOUS
    from govshare.opendata import service
    from tests.opendata.audit_scenarios import APPLY
    from tests.opendata.helpers import public_user

    r0 = people_resource(session, data=False)
    service.apply_for_resource(session, ANONYMOUS, public_user(session), r0.id, APPLY)
    r = login_as("consumer").get("/open-admin/applications/pending")
    assert r.status_code == 200 and r.text == ""


def test_dcat_check_page_shows_conformance(session, login_as):
    open_resource(session)
    page = login_as("platform_admin").get("/open-admin/dcat")
    assert page.status_code == 200
    badge = soup(page).select_one(".badge")
    assert badge is not None and badge.get_text(strip=True) == "符合 DCAT-AP"
    assert "违规 0 处" in page.text
    assert login_as("consumer").get("/open-admin/dcat").status_code == 403


def test_usage_page_shows_the_office_each_datasets_use(session, client, login_as):
    r0 = open_resource(session)
    client.get(f"/open/datasets/{r0.id}")
    page = login_as("platform_admin").get("/open-admin/usage")
    assert page.status_code == 200 and "开放用量" in page.text
    assert r0.name in page.text and "data-chart" in page.text


def test_admin_pages_need_login(client):
    r = client.get("/open-admin", follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]


def test_every_public_page_answers(session, client):
    r0 = open_resource(session)
    for path in [
        "/open",
        "/open/search",
        "/open/departments",
        f"/open/departments/{r0.provider_department_id}",
        "/open/rankings",
        "/open/apis",
        f"/open/datasets/{r0.id}/api",
        "/open/requests",
        "/open/requests/new",
        "/open/register",
        "/open/login",
    ]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert re.search(r'<html lang="zh-CN">', r.text), path
