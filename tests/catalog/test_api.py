"""Catalog JSON API: the resource contract other modules build on, search, filing, problems."""

from __future__ import annotations

from tests.builders import make_resource, resource_data

RESOURCE_KEYS = {
    "id",
    "code",
    "name",
    "status",
    "provider_department_id",
    "provider_name",
    "provider_code",
    "abstract",
    "category_class",
    "format_class",
    "format_type",
    "share_type",
    "share_conditions",
    "share_method",
    "open_type",
    "open_conditions",
    "update_cycle",
    "grading_level",
    "secret",
    "legal_basis",
    "publish_date",
    "version",
    "related_codes",
    "data_items",
}
ITEM_KEYS = {
    "id",
    "position",
    "name",
    "type_code",
    "length",
    "description",
    "is_key",
    "required",
    "personal",
    "sensitivity_level",
    "authoritative_provider_id",
}


class TestReadApi:
    def test_get_resource_contract(self, client, session, bearer):
        r = make_resource(session, publish=True)
        body = client.get(f"/api/v1/catalog/resources/{r.id}", headers=bearer("consumer")).json()
        assert set(body) >= RESOURCE_KEYS and set(body["data_items"][0]) >= ITEM_KEYS
        item = body["data_items"][0]
        assert body["status"] == "published" and item["is_key"] is True

    def test_hidden_draft_is_404_problem(self, client, session, bearer):
        r = make_resource(session)
        resp = client.get(f"/api/v1/catalog/resources/{r.id}", headers=bearer("consumer"))
        assert resp.status_code == 404
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["detail"] == "信息资源不存在。"

    def test_by_code_and_list_with_cursor(self, client, session, bearer):
        a = make_resource(session, name="甲", publish=True)
        make_resource(session, name="乙", publish=True)
        h = bearer("consumer")
        assert (
            client.get(f"/api/v1/catalog/resources/by-code?code={a.code}", headers=h).json()["id"]
            == a.id
        )
        page = client.get("/api/v1/catalog/resources?limit=1&status=published", headers=h).json()
        assert len(page["items"]) == 1 and page["next_cursor"]
        more = client.get(
            f"/api/v1/catalog/resources?limit=1&status=published&cursor={page['next_cursor']}",
            headers=h,
        ).json()
        assert more["items"][0]["id"] != page["items"][0]["id"]

    def test_search_with_facets(self, client, session, bearer):
        make_resource(session, name="规模以上工业企业名录", publish=True)
        body = client.get(
            "/api/v1/catalog/resources/search?q=工业企业", headers=bearer("consumer")
        ).json()
        assert body["total"] == 1 and body["facets"]["share_type"][0]["label"] == "无条件共享"

    def test_anonymous_is_401(self, client):
        assert client.get("/api/v1/catalog/resources").status_code == 401


class TestWriteApi:
    def test_file_submit_publish_over_the_api(self, client, session, bearer):
        data = resource_data(session).model_dump(mode="json")
        steward, admin = bearer("steward"), bearer("platform_admin")
        created = client.post("/api/v1/catalog/resources", json=data, headers=steward)
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        assert (
            client.post(f"/api/v1/catalog/resources/{rid}/submit", headers=steward).json()["status"]
            == "submitted"
        )
        published = client.post(
            f"/api/v1/catalog/resources/{rid}/publish", json={"comment": ""}, headers=admin
        )
        assert published.json()["status"] == "published"

    def test_rule_errors_are_422_with_field_errors(self, client, session, bearer):
        data = resource_data(session).model_dump(mode="json")
        data.update(share_type="none", open_type="closed", secret=True)
        resp = client.post("/api/v1/catalog/resources", json=data, headers=bearer("steward"))
        assert resp.status_code == 422
        fields = {e["field"] for e in resp.json()["errors"]}
        assert {"secret", "legal_basis", "grading_override_reason"} <= fields

    def test_read_token_cannot_file(self, client, session, bearer):
        data = resource_data(session).model_dump(mode="json")
        resp = client.post(
            "/api/v1/catalog/resources", json=data, headers=bearer("steward", ("read",))
        )
        assert resp.status_code == 403

    def test_department_reviewer_cannot_publish(self, client, session, bearer):
        r = make_resource(session)
        client.post(f"/api/v1/catalog/resources/{r.id}/submit", headers=bearer("steward"))
        resp = client.post(
            f"/api/v1/catalog/resources/{r.id}/publish", json={}, headers=bearer("reviewer")
        )
        assert resp.status_code == 403


class TestFilesApi:
    def test_template_download_has_a_chinese_file_name(self, client, bearer):
        resp = client.get("/api/v1/catalog/template", headers=bearer("consumer"))
        assert resp.status_code == 200 and resp.content[:2] == b"PK"
        assert "filename*=UTF-8''" in resp.headers["content-disposition"]

    def test_import_with_errors_is_422_naming_cells(self, client, session, actor, bearer):
        from tests.catalog.test_transfer import item, row, workbook

        content = workbook(
            session, actor, [row(session, 1, "涉密", **{"是否涉密": "是"})], [item(1, "编号")]
        )
        resp = client.post(
            "/api/v1/catalog/imports",
            files={"file": ("目录.xlsx", content)},
            headers=bearer("steward"),
        )
        assert resp.status_code == 422
        assert resp.json()["errors"][0]["field"] == "信息资源!R2"

    def test_import_valid_file_is_201(self, client, session, actor, bearer):
        from tests.catalog.test_transfer import item, row, workbook

        content = workbook(session, actor, [row(session, 1, "好资源")], [item(1, "编号")])
        resp = client.post(
            "/api/v1/catalog/imports",
            files={"file": ("目录.xlsx", content)},
            headers=bearer("steward"),
        )
        assert resp.status_code == 201 and resp.json()["imported"] == 1

    def test_export_xlsx(self, client, session, bearer):
        make_resource(session, publish=True)
        resp = client.get("/api/v1/catalog/export.xlsx?q=工业", headers=bearer("consumer"))
        assert resp.status_code == 200 and resp.content[:2] == b"PK"
