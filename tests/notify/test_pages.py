"""Notify pages: the bell's number, the list, mark read, webhooks with the secret shown once."""

from __future__ import annotations

import re

from govshare.notify import service
from govshare.notify.schemas import Recipients
from tests.conftest import csrf_of


def _notify(session, actor, n=1):
    for i in range(n):
        service.send(
            session,
            actor("supervisor"),
            recipients=Recipients(user_ids=[actor("steward").user_id]),
            subject=f"【催办】第 {i + 1} 条",
            link="/supervision/plans",
        )
    session.flush()


def test_bell_shows_the_unread_count(login_as, session, actor):
    _notify(session, actor, 2)
    c = login_as("steward")
    r = c.get("/notify/bell", headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="gs-bell-count">2<' in r.text
    assert 'hx-get="/notify/bell"' in c.get("/").text


def test_list_and_mark_read_follows_the_link(login_as, session, actor):
    _notify(session, actor)
    c = login_as("steward")
    page = c.get("/notify")
    assert "【催办】第 1 条" in page.text
    note_id = re.search(r"/notify/(\d+)/read", page.text).group(1)
    r = c.post(
        f"/notify/{note_id}/read", data={"csrftoken": csrf_of(c, "/notify")}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/supervision/plans"
    assert service.unread_count(session, actor("steward")) == 0


def test_webhook_secret_is_shown_once(login_as):
    c = login_as("platform_admin")
    token = csrf_of(c, "/notify/webhooks")
    r = c.post(
        "/notify/webhooks",
        data={
            "csrftoken": token,
            "name": "督查系统",
            "url": "https://duban.example.gov.cn/hook",
            "kinds": "supervision.*",
        },
    )
    assert r.status_code == 200 and re.search(r"whsec_[\w-]{20,}", r.text)
    again = c.get("/notify/webhooks")
    assert "督查系统" in again.text and not re.search(r"whsec_[\w-]{20,}", again.text)


def test_bad_webhook_url_is_a_chinese_field_error(login_as):
    c = login_as("platform_admin")
    token = csrf_of(c, "/notify/webhooks")
    r = c.post("/notify/webhooks", data={"csrftoken": token, "name": "x", "url": "ftp://host/x"})
    assert r.status_code == 422 and "http:// 或 https://" in r.text


def test_outbox_is_for_platform_admins(login_as):
    assert login_as("steward").get("/notify/outbox").status_code == 403
