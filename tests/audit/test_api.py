"""The audit JSON API."""

from __future__ import annotations


class TestAuditApi:
    def test_auditor_lists_and_filters(self, client, bearer):
        headers = bearer("auditor")
        client.get("/api/v1/me", headers={"Authorization": "Bearer gs_bad"})
        r = client.get("/api/v1/audit/entries?outcome=denied&action=accounts.", headers=headers)
        assert r.status_code == 200
        items = r.json()["items"]
        assert items and all(i["outcome"] == "denied" for i in items)
        assert items[0]["action"] == "accounts.authenticate_token"

    def test_consumer_is_403(self, client, bearer):
        assert client.get("/api/v1/audit/entries", headers=bearer("consumer")).status_code == 403

    def test_verify_reports_ok(self, client, bearer):
        r = client.post("/api/v1/audit/verify", headers=bearer("auditor"))
        assert r.status_code == 200 and r.json()["ok"] is True

    def test_bad_date_filter_is_422(self, client, bearer):
        r = client.get("/api/v1/audit/entries?since=yesterday", headers=bearer("auditor"))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "since"
