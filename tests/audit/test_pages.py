"""Audit pages: list with filters, detail, export, verification."""

from __future__ import annotations

from bs4 import BeautifulSoup


class TestAuditPages:
    def test_auditor_sees_login_entries(self, login_as):
        r = login_as("auditor").get("/audit?action=accounts.log_in")
        rows = BeautifulSoup(r.text, "html.parser").select("tbody tr")
        assert rows and "accounts.log_in" in rows[0].text

    def test_detail_shows_digests(self, login_as):
        client = login_as("auditor")
        page = BeautifulSoup(client.get("/audit").text, "html.parser")
        link = page.select_one("tbody tr a")["href"]
        detail = client.get(link)
        assert detail.status_code == 200 and "本条摘要" in detail.text

    def test_verify_button_reports_ok(self, login_as):
        r = login_as("auditor").post("/audit/verify")
        assert "校验通过" in r.text

    def test_export_csv_downloads(self, login_as):
        r = login_as("auditor").get("/audit/export.csv?action=accounts.")
        assert r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")

    def test_consumer_gets_403_page(self, login_as):
        r = login_as("consumer").get("/audit")
        assert r.status_code == 403 and "无权操作" in r.text

    def test_bad_filter_is_a_chinese_error_page(self, login_as):
        r = login_as("auditor").get("/audit?since=not-a-date")
        assert r.status_code == 422 and "日期格式应为 YYYY-MM-DD。" in r.text
