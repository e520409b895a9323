"""The accounts JSON API: shapes, cursors, problem+json errors in Chinese, tokens."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select

from govshare.accounts.models import ApiToken, Department, User
from govshare.audit.models import AuditEntry
from tests.personas import department_id

PROBLEM = "application/problem+json"


def refusals(session, action: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == action, AuditEntry.outcome != "success")
    )


class TestMe:
    def test_me_with_token_names_user_and_scopes(self, client, bearer):
        r = client.get("/api/v1/me", headers=bearer("consumer", ("read",)))
        assert r.status_code == 200
        body = r.json()
        assert body["username"] == "p.lingcheng.consumer" and body["scopes"] == ["read"]
        assert body["department_name"] == "陵城区人民政府"

    def test_me_anonymous_is_anonymous(self, client):
        assert client.get("/api/v1/me").json()["kind"] == "anonymous"

    def test_request_id_is_echoed(self, client):
        r = client.get("/api/v1/me", headers={"X-Request-ID": "req-12345678"})
        assert r.headers["x-request-id"] == "req-12345678"


class TestTokenErrors:
    def test_unknown_token_is_401_problem_in_chinese_and_recorded(self, client, session):
        r = client.get("/api/v1/accounts/departments", headers={"Authorization": "Bearer gs_nope"})
        assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["title"] == "需要登录" and r.json()["detail"] == "接口令牌无效。"
        assert refusals(session, "accounts.authenticate_token") == 1

    def test_english_when_asked(self, client):
        r = client.get(
            "/api/v1/accounts/departments",
            headers={"Authorization": "Bearer gs_nope", "Accept-Language": "en"},
        )
        assert r.json()["detail"] == "Invalid API token."

    def test_revoked_token_is_refused_on_the_next_call(self, client, bearer, session):
        headers = bearer("consumer")
        assert client.get("/api/v1/accounts/tokens", headers=headers).status_code == 403
        token_id = session.scalar(select(func.max(ApiToken.id)))
        r = client.delete(f"/api/v1/accounts/tokens/{token_id}", headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "revoked"
        again = client.get("/api/v1/me", headers=headers)
        assert again.status_code == 401 and "吊销" in again.json()["detail"]

    def test_expired_token_is_refused(self, client, bearer):
        headers = bearer("consumer")
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=400), tick=False):
            r = client.get("/api/v1/me", headers=headers)
        assert r.status_code == 401 and "过期" in r.json()["detail"]

    def test_basic_auth_is_not_supported(self, client):
        r = client.get("/api/v1/me", headers={"Authorization": "Basic YTpi"})
        assert r.status_code == 401 and "Bearer" in r.json()["detail"]

    def test_read_token_cannot_post(self, client, bearer, session):
        r = client.post(
            "/api/v1/accounts/tokens", json={"name": "x"}, headers=bearer("consumer", ("read",))
        )
        assert r.status_code == 403 and "只有读取" in r.json()["detail"]


class TestDepartmentsApi:
    def test_list_departments_pages_with_cursor(self, client, bearer):
        headers = bearer("consumer")
        first = client.get("/api/v1/accounts/departments?limit=10", headers=headers).json()
        assert len(first["items"]) == 10 and first["next_cursor"]
        second = client.get(
            f"/api/v1/accounts/departments?limit=10&cursor={first['next_cursor']}", headers=headers
        ).json()
        assert first["items"][-1]["id"] < second["items"][0]["id"]

    def test_malformed_cursor_is_422_with_field(self, client, bearer):
        r = client.get("/api/v1/accounts/departments?cursor=%%%garbage", headers=bearer("consumer"))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"

    def test_oversized_limit_is_422(self, client, bearer):
        r = client.get("/api/v1/accounts/departments?limit=100000", headers=bearer("consumer"))
        assert r.status_code == 422 and "500" in r.json()["detail"]

    def test_filter_by_kind_returns_the_eleven_counties(self, client, bearer):
        r = client.get(
            "/api/v1/accounts/departments?kind=county&limit=50", headers=bearer("consumer")
        )
        assert len(r.json()["items"]) == 11

    def test_unknown_department_is_404_problem(self, client, bearer):
        r = client.get("/api/v1/accounts/departments/999999", headers=bearer("consumer"))
        assert r.status_code == 404 and r.json()["detail"] == "单位不存在。"

    def test_malformed_json_is_422_in_chinese_and_writes_nothing(self, client, bearer, session):
        before = session.scalar(select(func.count()).select_from(Department))
        r = client.post(
            "/api/v1/accounts/departments",
            content=b'{"name": ',
            headers={**bearer("platform_admin"), "Content-Type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["detail"] == "请求体不是有效的 JSON。"
        assert session.scalar(select(func.count()).select_from(Department)) == before

    def test_missing_fields_are_named_in_chinese(self, client, bearer):
        r = client.post(
            "/api/v1/accounts/departments", json={"name": "x"}, headers=bearer("platform_admin")
        )
        fields = {e["field"]: e["message"] for e in r.json()["errors"]}
        assert (
            r.status_code == 422 and fields["code"] == "必填项。" and fields["kind"] == "必填项。"
        )

    def test_create_department_by_dept_admin_is_403_and_only_the_refusal_is_written(
        self, client, bearer, session
    ):
        before = session.scalar(select(func.count()).select_from(Department))
        r = client.post(
            "/api/v1/accounts/departments",
            headers=bearer("dept_admin"),
            json={"code": "DZ-X-1", "name": "越权局", "kind": "municipal"},
        )
        assert r.status_code == 403 and r.json()["title"] == "无权操作"
        assert session.scalar(select(func.count()).select_from(Department)) == before
        assert refusals(session, "accounts.create_department") == 1

    def test_unknown_route_is_404_problem(self, client):
        r = client.get("/api/v1/nothing-here")
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)


class TestUsersApi:
    def test_dept_admin_touching_another_department_user_is_404(self, client, bearer, session):
        other = session.scalar(select(User.id).where(User.username == "p.gongan.admin"))
        r = client.patch(
            f"/api/v1/accounts/users/{other}",
            json={"real_name": "改名"},
            headers=bearer("dept_admin"),
        )
        assert r.status_code == 404
        name = session.scalar(select(User.real_name).where(User.id == other))
        assert name != "改名"

    def test_dept_admin_creating_user_elsewhere_is_403(self, client, bearer, session):
        r = client.post(
            "/api/v1/accounts/users",
            headers=bearer("dept_admin"),
            json={
                "username": "intruder",
                "real_name": "某某",
                "department_id": department_id(session, "市公安局"),
                "password": "Abcdef123456",
            },
        )
        assert r.status_code == 403 and r.json()["detail"] == "只能为本部门创建用户。"
        assert session.scalar(select(User.id).where(User.username == "intruder")) is None

    def test_unknown_department_for_user_is_422(self, client, bearer):
        r = client.post(
            "/api/v1/accounts/users",
            headers=bearer("platform_admin"),
            json={
                "username": "nobody2",
                "real_name": "某某",
                "department_id": 999999,
                "password": "Abcdef123456",
            },
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "department_id"

    def test_create_user_and_read_it_back(self, client, bearer, session):
        headers = bearer("dept_admin")
        r = client.post(
            "/api/v1/accounts/users",
            headers=headers,
            json={
                "username": "tongji.new",
                "real_name": "赵新",
                "password": "Abcdef123456",
                "department_id": department_id(session, "市统计局"),
                "roles": ["steward"],
                "mobile": "13712345678",
            },
        )
        assert r.status_code == 201
        got = client.get(f"/api/v1/accounts/users/{r.json()['id']}", headers=headers).json()
        assert got["roles"] == ["steward"] and got["mobile"] == "13712345678"

    def test_openapi_lists_the_endpoints(self, client):
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        assert "/api/v1/accounts/users" in paths and "/api/v1/audit/verify" in paths
