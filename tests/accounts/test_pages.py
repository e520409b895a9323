"""Accounts pages: login, logout, CSRF, the tree, forms with Chinese field errors, tokens."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from govshare.accounts.models import Department, User, WebSession
from govshare.audit.models import AuditEntry
from tests.conftest import csrf_of
from tests.personas import PASSWORD, department_id


def soup(r):
    return BeautifulSoup(r.text, "html.parser")


class TestLogin:
    def test_login_page_is_chinese_with_labelled_fields(self, client):
        r = client.get("/login")
        page = soup(r)
        assert page.html["lang"] == "zh-CN"
        assert page.find("label", string="用户名") and page.find("label", string="密码")

    def test_login_then_home_shows_the_user(self, client):
        token = csrf_of(client)
        r = client.post(
            "/login",
            data={"csrftoken": token, "username": "p.admin", "password": PASSWORD, "next": "/"},
        )
        assert r.status_code == 200 and "测试platform_admin" in r.text
        assert "govshare_session" in client.cookies

    def test_wrong_password_is_401_with_message_and_no_session(self, client, session):
        token = csrf_of(client)
        r = client.post(
            "/login", data={"csrftoken": token, "username": "p.admin", "password": "wrong"}
        )
        assert r.status_code == 401 and "用户名或密码错误。" in r.text
        assert "govshare_session" not in client.cookies

    def test_locked_account_message(self, client):
        token = csrf_of(client)
        for _ in range(5):
            client.post(
                "/login", data={"csrftoken": token, "username": "p.shenji", "password": "x"}
            )
        r = client.post(
            "/login", data={"csrftoken": token, "username": "p.shenji", "password": PASSWORD}
        )
        assert r.status_code == 401 and "账户已锁定" in r.text

    def test_post_without_csrf_is_403_in_chinese_and_recorded(self, client, session):
        csrf_of(client)  # the browser has the cookie, the form lacks the field
        r = client.post("/login", data={"username": "p.admin", "password": PASSWORD})
        assert r.status_code == 403 and "CSRF" in r.text and 'lang="zh-CN"' in r.text
        count = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "core.csrf_check")
        )
        assert count == 1
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0

    def test_csrf_failure_in_english_when_chosen(self, client):
        client.cookies.set("govshare_lang", "en")
        csrf_of(client)
        r = client.post("/login", data={"username": "p.admin", "password": PASSWORD})
        assert r.status_code == 403 and "security check" in r.text and 'lang="en"' in r.text

    def test_next_is_local_only(self, client):
        token = csrf_of(client)
        r = client.post(
            "/login",
            data={
                "csrftoken": token,
                "username": "p.admin",
                "password": PASSWORD,
                "next": "https://evil.example/",
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"

    def test_logout_ends_the_session(self, login_as, session):
        client = login_as("steward")
        r = client.post("/logout", follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/accounts/me", follow_redirects=False).status_code == 303

    def test_pages_redirect_anonymous_to_login(self, client):
        r = client.get("/accounts/users", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


class TestDepartmentPages:
    def test_tree_lists_counties(self, login_as):
        r = login_as("consumer").get("/accounts/departments")
        assert "禹城市人民政府" in r.text and "陵城区人民政府" in r.text

    def test_search_fragment_for_htmx(self, login_as):
        r = login_as("consumer").get("/accounts/departments?q=统计", headers={"HX-Request": "true"})
        assert "<html" not in r.text and "德州市统计局" in r.text

    def test_create_form_shows_field_errors_in_chinese_and_saves_nothing(self, login_as, session):
        client = login_as("platform_admin")
        before = session.scalar(select(func.count()).select_from(Department))
        r = client.post(
            "/accounts/departments",
            data={
                "csrftoken": client.cookies.get("govshare_csrf"),
                "code": "bad code!",
                "name": "",
                "kind": "municipal",
            },
        )
        assert r.status_code == 422
        page = soup(r)
        assert page.find(id="e-code") and page.find(id="e-name").text == "不能为空。"
        assert session.scalar(select(func.count()).select_from(Department)) == before

    def test_create_department_then_detail(self, login_as):
        client = login_as("platform_admin")
        r = client.post(
            "/accounts/departments",
            data={
                "csrftoken": client.cookies.get("govshare_csrf"),
                "code": "DZ-NEW-9",
                "name": "德州市新设局",
                "kind": "municipal",
                "area_code": "371400",
            },
        )
        assert r.status_code == 200 and "已创建单位：德州市新设局" in r.text

    def test_dept_admin_gets_403_page_for_new_department(self, login_as):
        client = login_as("dept_admin")
        r = client.post(
            "/accounts/departments",
            data={
                "csrftoken": client.cookies.get("govshare_csrf"),
                "code": "DZ-NEW-8",
                "name": "越权",
                "kind": "municipal",
            },
        )
        assert r.status_code == 403 and "无权操作" in r.text


class TestUserPages:
    def test_dept_admin_sees_only_own_department_users(self, login_as):
        r = login_as("dept_admin").get("/accounts/users")
        assert "p.tongji.steward" in r.text and "p.gongan.admin" not in r.text

    def test_more_rows_load_as_a_fragment(self, login_as, session, actor):
        from govshare.accounts.schemas import UserCreate
        from govshare.accounts.service import create_user

        dept = department_id(session, "市民政局")
        for i in range(50):
            create_user(
                session,
                actor("platform_admin"),
                UserCreate(
                    username=f"bulk{i:02d}",
                    real_name=f"批量{i}",
                    department_id=dept,
                    password="Abcdef123456",
                ),
            )
        session.flush()
        client = login_as("platform_admin")
        first = client.get("/accounts/users")
        more = soup(first).select_one(".gs-more-row button")
        assert more is not None
        r = client.get(more["hx-get"], headers={"HX-Request": "true"})
        assert r.text.strip().startswith("<tr") and "<html" not in r.text
        assert "bulk49" in r.text or "bulk49" in first.text

    def test_create_user_in_other_department_by_dept_admin_is_403(self, login_as, session):
        client = login_as("dept_admin")
        r = client.post(
            "/accounts/users",
            data={
                "csrftoken": client.cookies.get("govshare_csrf"),
                "username": "sneaky",
                "real_name": "某人",
                "department_id": str(department_id(session, "市公安局")),
                "password": "Abcdef123456",
            },
        )
        assert r.status_code == 403
        assert session.scalar(select(User.id).where(User.username == "sneaky")) is None

    def test_create_user_form_error_keeps_values_but_not_password(self, login_as, session):
        client = login_as("dept_admin")
        r = client.post(
            "/accounts/users",
            data={
                "csrftoken": client.cookies.get("govshare_csrf"),
                "username": "ok.name",
                "real_name": "钱多多",
                "department_id": str(department_id(session, "市统计局")),
                "password": "short",
                "mobile": "12345",
            },
        )
        assert r.status_code == 422
        page = soup(r)
        assert page.find(id="f-real_name")["value"] == "钱多多"
        assert "手机号码应为 11 位" in page.find(id="e-mobile").text

    def test_unlock_by_dept_admin(self, login_as, session, client):
        token = csrf_of(client)
        for _ in range(5):
            client.post(
                "/login", data={"csrftoken": token, "username": "p.tongji.steward", "password": "x"}
            )
        uid = session.scalar(select(User.id).where(User.username == "p.tongji.steward"))
        admin = login_as("dept_admin")
        assert "已锁定" in admin.get(f"/accounts/users/{uid}").text
        r = admin.post(f"/accounts/users/{uid}/unlock")
        assert "已解除锁定" in r.text


class TestTokenPages:
    def test_create_token_shows_it_once(self, login_as):
        client = login_as("consumer")
        r = client.post(
            "/accounts/tokens", data={"name": "社保系统", "scopes": "read", "days": "30"}
        )
        token = soup(r).find(id="new-token").text.strip()
        assert re.match(r"^gs_[A-Za-z0-9_-]{40,}$", token)
        assert r.headers["cache-control"] == "no-store"
        again = client.get("/accounts/tokens")
        assert token not in again.text and "社保系统" in again.text

    def test_token_form_without_scope_is_an_error(self, login_as):
        r = login_as("consumer").post("/accounts/tokens", data={"name": "x"})
        assert r.status_code == 422 and "至少选择一个权限范围" in r.text


class TestShell:
    def test_home_has_charts(self, login_as):
        page = soup(login_as("platform_admin").get("/"))
        assert len(page.select(".gs-chart[data-chart]")) == 2

    def test_home_for_consumer_hides_audit(self, login_as):
        r = login_as("consumer").get("/")
        assert "近 14 天平台操作" not in r.text and "审计日志" not in r.text

    def test_english_switch(self, login_as):
        client = login_as("consumer")
        r = client.get("/-/lang?to=en&next=/accounts/departments")
        assert 'lang="en"' in r.text and "Units" in r.text

    def test_patterns_page(self, client):
        r = client.get("/-/patterns")
        assert r.status_code == 200 and "界面组件" in r.text

    def test_health_ready_metrics(self, client):
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["status"] == "ok"
        client.get("/login")
        metrics = client.get("/metrics").text
        assert 'govshare_http_requests_total{method="GET",route="/login",status="200"}' in metrics

    def test_security_headers(self, client):
        r = client.get("/login")
        assert r.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in r.headers["content-security-policy"]

    def test_unknown_page_is_chinese_404(self, client):
        r = client.get("/no/such/page")
        assert r.status_code == 404 and "您访问的页面或接口不存在。" in r.text

    def test_unknown_page_keeps_the_logged_in_header(self, login_as):
        page = soup(login_as("consumer").get("/no/such/page"))
        assert page.select_one('nav[aria-label="主导航"]') is not None
        assert not page.find("a", string="登录")

    def test_one_menu_entry_is_current(self, login_as):
        client = login_as("platform_admin")
        for path, label in (("/catalog-statistics", "目录统计"), ("/notify/outbox", "发件箱")):
            current = soup(client.get(path)).select('nav a[aria-current="page"]')
            assert [a.get_text(strip=True) for a in current] == [label]
