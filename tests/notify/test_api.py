"""Notify API: one's notifications, unread count, mark read; webhooks; the outbox."""

from __future__ import annotations

from govshare.notify import service
from govshare.notify.schemas import Recipients


def test_notifications_and_read(client, bearer, session, actor):
    service.send(
        session,
        actor("supervisor"),
        recipients=Recipients(user_ids=[actor("steward").user_id]),
        subject="【提醒】测试",
    )
    session.flush()
    h = bearer("steward")
    assert client.get("/api/v1/notify/notifications/unread-count", headers=h).json() == 1
    page = client.get("/api/v1/notify/notifications", headers=h).json()
    note = page["items"][0]
    assert note["subject"] == "【提醒】测试" and note["read_at"] is None
    r = client.post(f"/api/v1/notify/notifications/{note['id']}/read", headers=h)
    assert r.status_code == 200 and r.json()["read_at"]


def test_create_webhook_returns_the_secret_once(client, bearer):
    r = client.post(
        "/api/v1/notify/webhooks",
        json={"name": "督查", "url": "https://duban.example.gov.cn/hook"},
        headers=bearer("platform_admin"),
    )
    assert r.status_code == 201 and r.json()["secret"].startswith("whsec_")
    assert r.headers["cache-control"] == "no-store"
    listed = client.get("/api/v1/notify/webhooks", headers=bearer("platform_admin")).json()
    assert "secret" not in listed[0]


def test_outbox_refused_to_a_steward_as_problem_json(client, bearer):
    r = client.get("/api/v1/notify/outbox", headers=bearer("steward"))
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
