"""The dataset pages: list, detail with the load form, loading, the reject report, versions,
downloads and the difference page."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from govshare.datastore.synthetic import person_header, person_rows
from tests.datastore.helpers import load, make_dataset, people_csv, run_jobs, write_rows


@pytest.fixture
def ds(session, actor):
    return make_dataset(session, actor("steward"))


def test_list_and_detail_with_load_form(login_as, ds):
    client = login_as("steward")
    assert f"/data/{ds.id}" in client.get("/data").text
    page = BeautifulSoup(client.get(f"/data/{ds.id}").text, "html.parser")
    assert page.find("input", {"type": "file", "name": "file"}) is not None
    assert "公民身份号码" in page.text


def test_catalog_resource_page_links_to_its_dataset(login_as, ds):
    """The catalog's resource page loads the link from here (HTMX); a resource without a
    dataset gets nothing."""
    client = login_as("consumer")
    detail = BeautifulSoup(client.get(f"/catalog/resources/{ds.resource_id}").text, "html.parser")
    assert detail.find(attrs={"hx-get": f"/data/for-resource/{ds.resource_id}"}) is not None
    link = BeautifulSoup(client.get(f"/data/for-resource/{ds.resource_id}").text, "html.parser")
    assert link.a["href"] == f"/data/{ds.id}" and ds.name in link.a.text
    assert client.get("/data/for-resource/999999").text == ""


def test_consumer_sees_metadata_but_no_load_form(login_as, ds):
    page = login_as("consumer").get(f"/data/{ds.id}")
    assert page.status_code == 200
    assert 'type="file"' not in page.text


def test_upload_form_loads_and_shows_the_reject_report(login_as, db, session, ds, tmp_path):
    rows = list(person_rows(30))
    rows[2][3] = "2020-13-45"
    path = write_rows(tmp_path / "p.csv", person_header(), rows, encoding="gbk")
    client = login_as("steward")
    r = client.post(
        f"/data/{ds.id}/loads",
        files={"file": ("人口.csv", path.read_bytes())},
        data={"mode": "replace"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    queued = client.get(url, headers={"HX-Request": "true"}).text
    assert "hx-trigger" in queued  # the live progress line polls while the job waits
    session.commit()
    run_jobs(db)
    page = client.get(url).text
    assert "拒绝清单" in page and "日期格式无法识别" in page and "第" not in page[:0]
    m = re.search(r'href="([^"]+rejects\.csv)"', page)
    assert m
    csv_body = client.get(m.group(1))
    assert csv_body.content.startswith(b"\xef\xbb\xbf") and "2020-13-45" in csv_body.text


def test_version_page_download_and_diff(login_as, db, session, actor, ds, tmp_path):
    steward = actor("steward")
    load(db, session, steward, ds, people_csv(tmp_path / "a.csv", 20))
    load(db, session, steward, ds, people_csv(tmp_path / "b.csv", 25))
    client = login_as("steward")
    page = client.get(f"/data/{ds.id}/versions/1").text
    assert "SM3" in page and "数据概况" in page
    dl = client.get(f"/data/{ds.id}/versions/2/download?format=csv&filter=性别%3D女")
    assert dl.status_code == 200 and dl.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in dl.headers["content-disposition"]
    diff = client.get(f"/data/{ds.id}/diff?from=1&to=2").text
    assert "新增 <strong>5</strong>" in diff


def _charts(html: str) -> dict[str, dict]:
    page = BeautifulSoup(html, "html.parser")
    return {c["aria-label"]: json.loads(c["data-chart"]) for c in page.select(".gs-chart")}


def test_versions_and_the_profile_are_charts(login_as, db, session, actor, ds, tmp_path):
    from govshare.datastore import service

    steward = actor("steward")
    rows = list(person_rows(20))
    for r in rows[:4]:
        r[7] = ""  # no phone number: 16 of 20 filled
    load(db, session, steward, ds, write_rows(tmp_path / "a.csv", person_header(), rows))
    load(db, session, steward, ds, people_csv(tmp_path / "b.csv", 25))
    client = login_as("consumer")
    history = _charts(client.get(f"/data/{ds.id}").text)["各版本行数与变更行数图"]
    assert history["xAxis"]["data"] == ["版本 1", "版本 2"]
    series = {s["name"]: s["data"] for s in history["series"]}
    v2 = service.get_version(session, steward, ds.id, 2)
    assert series["行数"] == [20, 25]
    assert series["新增"] == [20, v2.inserted] and series["修改"] == [0, v2.updated]
    version = login_as("steward").get(f"/data/{ds.id}/versions/1").text  # who may read the rows
    filled = _charts(version)["各信息项填充率条形图"]
    by_item = dict(zip(filled["yAxis"]["data"], filled["series"][0]["data"], strict=True))
    assert by_item["联系电话"] == 80.0 and by_item["公民身份号码"] == 100.0


def test_settings_form(login_as, session, ds):
    client = login_as("steward")
    r = client.post(
        f"/data/{ds.id}/settings",
        data={"reject_threshold": "5", "retention_versions": "4"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    session.refresh(ds)
    assert (ds.reject_threshold, ds.retention_versions) == (0.05, 4)
