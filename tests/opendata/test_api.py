"""The CKAN Action API through CKAN's own client (ckanapi), the datastore dump, the DCAT feeds
(parsed by rdflib), Frictionless descriptors and the platform's /api/v1/opendata."""

from __future__ import annotations

import warnings

import ckanapi
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from govshare.core.security import ANONYMOUS
from govshare.opendata import ckan as shapes
from govshare.opendata import service
from govshare.opendata.schemas import Decision
from tests.opendata.audit_scenarios import APPLY
from tests.opendata.helpers import ckan_client, open_resource, people_resource, public_user


@pytest.fixture
def portal(session, client):
    air = open_resource(session)
    people = people_resource(session)
    session.flush()
    return {"air": air, "people": people, "ckan": ckan_client(client)}


def test_package_list_and_show(portal):
    ck = portal["ckan"]
    names = ck.action.package_list()
    assert f"dataset-{portal['air'].id}" in names and f"dataset-{portal['people'].id}" in names
    pkg = ck.action.package_show(id=f"dataset-{portal['air'].id}")
    assert pkg["title"] == portal["air"].name and pkg["isopen"] is True
    assert pkg["organization"]["title"] == "德州市统计局"
    assert [r["format"] for r in pkg["resources"]] == ["CSV", "XLSX", "JSON"]
    assert pkg["resources"][0]["datastore_active"] is True
    same = ck.action.package_show(id=pkg["id"])
    assert same["name"] == pkg["name"]


def test_package_search_chinese_phrase_fq_facets_and_rows_clamp(portal):
    ck = portal["ckan"]
    found = ck.action.package_search(
        q="空气质量", rows=5, **{"facet.field": '["organization","groups"]'}
    )
    assert found["count"] == 1 and found["results"][0]["name"] == f"dataset-{portal['air'].id}"
    org = found["results"][0]["organization"]["name"]
    assert found["facets"]["organization"] == {org: 1}
    assert found["search_facets"]["organization"]["items"][0]["display_name"] == "德州市统计局"
    by_org = ck.action.package_search(fq=f"organization:{org}", rows=100000)
    assert by_org["count"] == 2 and len(by_org["results"]) == 2
    assert ck.action.package_search(q="没有这样的数据xyz")["count"] == 0


def test_package_search_bad_queries_are_ckan_errors(portal):
    ck = portal["ckan"]
    with pytest.raises(ckanapi.SearchQueryError):
        ck.action.package_search(fq="name:x' OR 1=1 --")
    with pytest.raises(ckanapi.SearchQueryError):
        ck.action.package_search(sort="secret desc")
    with pytest.raises(ckanapi.ValidationError):
        ck.action.package_search(rows="很多")


def test_organization_group_tag_and_resource(portal):
    ck = portal["ckan"]
    orgs = ck.action.organization_list(all_fields=True)
    assert orgs[0]["title"] == "德州市统计局" and orgs[0]["package_count"] == 2
    org = ck.action.organization_show(id=orgs[0]["name"], include_datasets=True)
    assert len(org["packages"]) == 2
    assert ck.action.group_list()
    assert "空气质量" in ck.action.tag_list()
    pkg = ck.action.package_show(id=f"dataset-{portal['air'].id}")
    res = ck.action.resource_show(id=pkg["resources"][0]["id"])
    assert res["package_id"] == pkg["id"] and res["url"].endswith(f"/datastore/dump/{res['id']}")
    with pytest.raises(ckanapi.NotFound):
        ck.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        ck.action.resource_show(id="00000000-0000-0000-0000-000000000000")


def test_datastore_search_reads_rows_with_total(portal):
    ck = portal["ckan"]
    rid = shapes.resource_uuid(portal["air"].id, "csv")
    page = ck.action.datastore_search(resource_id=rid, limit=5)
    assert page["total"] == 30 and len(page["records"]) == 5
    assert [f["id"] for f in page["fields"]] == [
        "_id",
        "监测站点",
        "监测日期",
        "AQI",
        "空气质量等级",
    ]
    hit = ck.action.datastore_search(
        resource_id=rid,
        filters={"监测站点": "儿童乐园"},
        sort="AQI desc",
        fields=["监测站点", "AQI"],
    )
    assert hit["total"] == 10 and hit["records"][0]["AQI"] >= hit["records"][-1]["AQI"]
    lists = ck.action.datastore_search(resource_id=rid, limit=2, records_format="lists")
    assert isinstance(lists["records"][0], list)
    huge = ck.action.datastore_search(resource_id=rid, limit=10**9)
    assert huge["limit"] == 1000


def test_datastore_search_pages_by_offset_find_the_same_rows(portal, monkeypatch):
    from govshare.datastore.service import reads

    monkeypatch.setattr(reads, "SEEK_STRIDE", 4)  # seek from row 4, 8, … of 30
    ck = portal["ckan"]
    rid = shapes.resource_uuid(portal["air"].id, "csv")
    for filters in ({}, {"监测站点": "儿童乐园"}, {"空气质量等级": ["优", "良"]}):
        everything = ck.action.datastore_search(resource_id=rid, filters=filters, limit=1000)
        rows = everything["records"]
        for offset in (0, 3, 4, 5, 9, 13, 19, len(rows) - 1, len(rows), 40):
            page = ck.action.datastore_search(
                resource_id=rid, filters=filters, limit=3, offset=offset
            )
            assert page["records"] == rows[offset : offset + 3], (filters, offset)
            assert page["total"] == len(rows)


def test_datastore_search_is_audited_and_its_calls_counted_by_the_flush(portal, session):
    from sqlalchemy import func, select

    from govshare.audit.models import AuditEntry
    from govshare.core.security import SYSTEM
    from govshare.opendata.models import ApiUsage

    rid = shapes.resource_uuid(portal["air"].id, "csv")
    for _ in range(2):
        portal["ckan"].action.datastore_search(resource_id=rid, limit=1)
    entries = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "opendata.ckan_action")
    )
    assert entries == 2
    assert session.scalar(select(func.sum(ApiUsage.calls))) is None
    service.flush_portal_usage(session, SYSTEM)
    assert session.scalar(select(func.sum(ApiUsage.calls))) == 2


def test_stopping_the_app_adds_the_calls_it_tallied(portal, session, app):
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from govshare.opendata.models import ApiUsage

    portal["ckan"].action.package_list()
    assert session.scalar(select(func.sum(ApiUsage.calls))) is None
    with TestClient(app):
        pass  # start and stop
    assert session.scalar(select(func.sum(ApiUsage.calls))) == 1


def test_datastore_search_bad_input_is_ckan_errors(portal):
    ck = portal["ckan"]
    rid = shapes.resource_uuid(portal["air"].id, "csv")
    with pytest.raises(ckanapi.NotFound):
        ck.action.datastore_search(resource_id="nope")
    with pytest.raises(ckanapi.ValidationError):
        ck.action.datastore_search(resource_id=rid, filters='{"AQI": "1; DROP TABLE x"}')
    with pytest.raises(ckanapi.ValidationError):
        ck.action.datastore_search(resource_id=rid, sort="AQI; DROP TABLE x")
    with pytest.raises(ckanapi.ValidationError):
        ck.action.datastore_search(resource_id=rid, fields=["秘密"])


def test_datastore_search_conditional_needs_a_granted_key(portal, session, client):
    rid = shapes.resource_uuid(portal["people"].id, "csv")
    with pytest.raises(ckanapi.NotAuthorized):
        portal["ckan"].action.datastore_search(resource_id=rid)
    user = public_user(session)
    app = service.apply_for_resource(session, ANONYMOUS, user, portal["people"].id, APPLY)
    from tests.personas import actor_of

    service.decide_application(
        session, actor_of(session, "reviewer"), app.id, Decision(approve=True)
    )
    key = service.create_public_api_key(session, ANONYMOUS, user)
    rows = ckan_client(client, apikey=key).action.datastore_search(resource_id=rid)
    assert rows["records"][0]["联系电话"].startswith("138****")
    with pytest.raises(ckanapi.ValidationError):
        ckan_client(client, apikey=key).action.datastore_search(
            resource_id=rid, filters={"联系电话": "13800000001"}
        )
    with pytest.raises(ckanapi.NotAuthorized):
        ckan_client(client, apikey="od_wrong").action.package_list()


def test_error_envelope_and_rate_limit(portal, client, settings, monkeypatch):
    r = client.get("/api/3/action/package_show?id=nope")
    body = r.json()
    assert r.status_code == 404 and body["success"] is False
    assert body["error"]["__type"] == "Not Found Error" and "help" in body
    monkeypatch.setattr(settings, "opendata_rate_limit", "3/minute")
    codes = [client.get("/api/3/action/package_list").status_code for _ in range(4)]
    assert codes[-1] == 429
    last = client.get("/api/3/action/package_list")
    assert last.headers["Retry-After"].isdigit() and last.json()["success"] is False


def test_metadata_answers_carry_etag_and_answer_304(portal, client):
    first = client.get("/api/3/action/package_list")
    assert first.headers["etag"] and first.headers["last-modified"]
    again = client.get(
        "/api/3/action/package_list", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_datastore_dump_is_csv(portal, client):
    rid = shapes.resource_uuid(portal["air"].id, "csv")
    r = client.get(f"/datastore/dump/{rid}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("监测站点")


@pytest.mark.parametrize(
    "path,fmt",
    [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld"), ("/catalog.rdf", "xml")],
)
def test_dcat_feed_parses_in_rdflib(portal, client, path, fmt):
    r = client.get(path)
    assert r.status_code == 200 and r.headers.get("etag")
    with warnings.catch_warnings():  # rdflib 7.6's JSON-LD parser uses ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(data=r.content, format=fmt)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    url = URIRef(
        f"{client.app.state.settings.base_url.rstrip('/')}/open/datasets/{portal['air'].id}"
    )
    assert url in datasets and len(datasets) == 2
    assert list(graph.objects(url, DCAT.distribution))
    assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_dcat_feed_conforms_to_dcat_ap_shapes(portal, session, actor):
    check = service.check_portal_dcat(session, actor("platform_admin"))
    assert check.conforms, [f.message for f in check.violations]
    assert check.violation_count == 0 and check.datasets == 2 and check.triples > 50


def test_dcat_check_names_each_violation(portal, session, actor, monkeypatch):
    """The shapes catch what DCAT-AP forbids: a catalog without description, a theme given as
    text, a format as a bare string (what the feed carried before it was fixed)."""
    bad = """
    @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
    @prefix foaf: <http://xmlns.com/foaf/0.1/> .
    <http://x/c> a dcat:Catalog ; dct:title "c"@zh ;
        dct:publisher [ a foaf:Agent ; foaf:name "p"@zh ] ; dcat:dataset <http://x/d> .
    <http://x/d> a dcat:Dataset ; dct:title "d"@zh ; dct:description "d"@zh ;
        dcat:theme "01 综合政务"@zh ; dcat:distribution <http://x/d/csv> .
    <http://x/d/csv> a dcat:Distribution ; dct:format "CSV" .
    """.encode()
    monkeypatch.setattr(
        "govshare.opendata.service.feeds.get_portal_dcat", lambda s, a, f: (bad, "text/turtle")
    )
    check = service.check_portal_dcat(session, actor("platform_admin"))
    assert not check.conforms and check.violation_count == 4
    found = {(f.path, f.message[:6]) for f in check.violations}
    assert found == {
        ("dct:description", "目录缺少说明"),
        ("dcat:theme", "数据集的主题"),
        ("dct:format", "分发的格式（"),
        ("dcat:accessURL", "分发缺少访问"),
    }
    assert {f.path for f in check.warnings} == {"dct:language", "dct:publisher"}


def test_dcat_check_api_is_for_staff(portal, client, bearer):
    r = client.get("/api/v1/opendata/dcat-check")
    assert r.status_code == 401
    r = client.get("/api/v1/opendata/dcat-check", headers=bearer("consumer"))
    assert r.status_code == 403 and "没有执行此操作的权限" in r.json()["detail"]
    r = client.get("/api/v1/opendata/dcat-check", headers=bearer("steward"))
    assert r.status_code == 200 and r.json()["conforms"] is True


def test_datapackage_validates_with_frictionless(portal, client, tmp_path):
    from frictionless import Package, Resource, Schema

    descriptor = client.get(f"/open/datasets/{portal['air'].id}/datapackage.json").json()
    package = Package.from_descriptor(descriptor)  # raises on an invalid descriptor
    fields = descriptor["resources"][0]["schema"]
    assert package.resources[0].schema.field_names == [
        "监测站点",
        "监测日期",
        "AQI",
        "空气质量等级",
    ]
    csv = tmp_path / "air.csv"
    csv.write_bytes(client.get(f"/open/datasets/{portal['air'].id}/download.csv").content)
    resource = Resource(
        path="air.csv",
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(fields),
        encoding="utf-8-sig",
    )
    report = resource.validate()
    assert report.valid, report.flatten(["type", "note"])


def test_v1_requests_list(portal, client):
    r = client.get("/api/v1/opendata/requests")
    assert r.status_code == 200 and r.json() == []
