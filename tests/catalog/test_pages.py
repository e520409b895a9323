"""Catalog pages: browse with facets, detail with versions and diff, the filing form with live
validation, review, import report and statistics (Chinese, labelled, HTMX fragments)."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.builders import department_category, make_resource, resource_data


def soup(r):
    return BeautifulSoup(r.text, "html.parser")


def form_of(session, **over):
    data = resource_data(session, **over)
    form = {k: v for k, v in data.model_dump(mode="json").items() if k != "data_items"}
    form["keywords"] = "；".join(data.keywords)
    form["related_codes"] = ""
    form["secret"] = "on" if data.secret else ""
    form = {k: ("" if v is None else v) for k, v in form.items() if k != "secret" or v}
    for n, item in enumerate(data.data_items):
        form[f"items-{n}-name"] = item.name
        form[f"items-{n}-type_code"] = item.type_code
        form[f"items-{n}-length"] = item.length or ""
        if item.is_key:
            form[f"items-{n}-is_key"] = "on"
    return form


class TestBrowse:
    def test_browse_searches_and_shows_facets(self, login_as, session):
        make_resource(session, name="规模以上工业企业名录", publish=True)
        make_resource(session, name="人口抽样调查", abstract="人口抽样调查数据。", publish=True)
        client = login_as("consumer")
        r = client.get("/catalog", params={"q": "工业企业"})
        page = soup(r)
        assert r.status_code == 200 and page.html["lang"] == "zh-CN"
        assert page.find("a", string="规模以上工业企业名录")
        assert not page.find("a", string="人口抽样调查")
        assert "共 1 条" in page.find(id="h-results").text
        facet = page.find("h2", string="共享类型").find_next("a")
        assert "无条件共享" in facet.text and "share_type=unconditional" in facet["href"]

    def test_more_results_load_as_a_fragment(self, login_as, session):
        for i in range(22):
            make_resource(session, name=f"名录{i:02d}", publish=True)
        client = login_as("consumer")
        page = soup(client.get("/catalog"))
        more = page.find("button", string="加载更多")
        fragment = client.get(more["hx-get"], headers={"HX-Request": "true"})
        assert "<html" not in fragment.text and fragment.text.count("<tr>") == 2

    def test_export_of_the_view(self, login_as, session):
        make_resource(session, publish=True)
        r = login_as("consumer").get("/catalog/export.xlsx?q=工业")
        assert r.status_code == 200 and r.content[:2] == b"PK"


class TestFiling:
    def test_new_form_is_labelled_and_defaults_to_own_department(self, login_as, session):
        page = soup(login_as("steward").get("/catalog/resources/new"))
        assert "信息资源名称" in page.find("label", attrs={"for": "f-name"}).text
        selected = page.find("select", id="f-category_code").find("option", selected=True)
        assert selected["value"] == department_category(session, "市统计局")

    def test_live_validation_names_the_problems(self, login_as, session):
        client = login_as("steward")
        form = form_of(session, share_type="none", open_type="closed")
        r = client.post("/catalog/resources/check", data=form, headers={"HX-Request": "true"})
        assert "<html" not in r.text
        assert "须注明法律" in r.text and "须说明理由" in r.text
        ok = client.post("/catalog/resources/check", data=form_of(session))
        assert "检查通过" in ok.text

    def test_create_with_errors_rerenders_with_field_errors(self, login_as, session):
        r = login_as("steward").post("/catalog/resources", data=form_of(session, secret=True))
        assert r.status_code == 422
        assert "涉密信息资源不能在共享平台编目" in r.text

    def test_create_submit_return_publish_through_pages(self, login_as, session, client):
        steward = login_as("steward")
        r = steward.post("/catalog/resources", data=form_of(session), follow_redirects=False)
        assert r.status_code == 303
        url = r.headers["location"]
        steward.post(url + "/submit")
        detail = soup(steward.get(url))
        assert "待审核" in detail.text
        client.cookies.clear()
        admin = login_as("platform_admin")
        page = soup(admin.get(url))
        assert page.find("button", string="发布") and page.find("button", string="退回")
        admin.post(url + "/return", data={"comment": "请补充统计口径"})
        queue = soup(admin.get("/catalog-review"))
        assert "没有待审核的目录" in queue.text
        client.cookies.clear()
        steward = login_as("steward")
        assert "请补充统计口径" in steward.get(url).text

    def test_review_queue_and_diff(self, login_as, session, actor):
        from govshare.catalog import service

        r = make_resource(session, publish=True)
        service.update_resource(
            session, actor("steward"), r.id, resource_data(session, abstract="修订后的摘要")
        )
        service.submit_resource(session, actor("steward"), r.id)
        admin = login_as("platform_admin")
        queue = soup(admin.get("/catalog-review"))
        assert queue.find("td", string="修订第 2 版")
        admin.post(f"/catalog/resources/{r.id}/publish", data={"comment": ""})
        diff = admin.get(f"/catalog/resources/{r.id}/diff?a=1&b=2", headers={"HX-Request": "true"})
        assert "信息资源摘要" in diff.text and "修订后的摘要" in diff.text

    def test_consumer_cannot_see_other_departments_draft(self, login_as, session):
        r = make_resource(session)
        assert login_as("consumer").get(f"/catalog/resources/{r.id}").status_code == 404


class TestImportAndStatistics:
    def test_import_page_reports_cells(self, login_as, session, actor):
        from tests.catalog.test_transfer import item, row, workbook

        content = workbook(
            session, actor, [row(session, 1, "涉密", **{"是否涉密": "是"})], [item(1, "编号")]
        )
        client = login_as("steward")
        r = client.post("/catalog-import", files={"file": ("目录.xlsx", content)})
        assert r.status_code == 422
        page = soup(r)
        cell = page.find("td", string="R2")
        assert cell and "涉密" in cell.find_next("td").find_next("td").find_next("td").text

    def test_statistics_page_has_charts_and_departments(self, login_as, session):
        make_resource(session, publish=True)
        page = soup(login_as("supervisor").get("/catalog-statistics"))
        assert page.find("h1", string="目录编报统计")
        assert page.select(".gs-chart[data-chart]")
        assert page.find("a", string="德州市统计局")


def test_browser_upload_carries_its_csrf_token_in_the_form(client, session, actor):
    """A browser posts the file as multipart with the token as a form field (no header)."""
    from tests.catalog.test_transfer import item, row, workbook
    from tests.conftest import csrf_of
    from tests.personas import PASSWORD

    token = csrf_of(client)
    client.post(
        "/login", data={"csrftoken": token, "username": "p.tongji.steward", "password": PASSWORD}
    )
    content = workbook(session, actor, [row(session, 1, "上传资源")], [item(1, "编号")])
    token = csrf_of(client, "/catalog-import")
    r = client.post(
        "/catalog-import",
        data={"csrftoken": token, "mode": "all_or_nothing"},
        files={"file": ("目录.xlsx", content)},
    )
    assert r.status_code == 200 and "已导入 1 条" in r.text
