"""JSON contract of /api/v1/data: resumable uploads, loads, versions, rows, scans, errors."""

from __future__ import annotations

import pytest

from govshare.datastore.synthetic import person_rows
from tests.datastore.helpers import load, make_dataset, people_csv, run_jobs


@pytest.fixture
def ds(session, actor):
    return make_dataset(session, actor("steward"))


def test_resumable_upload_and_load(client, bearer, db, session, ds, tmp_path):
    h = bearer("steward")
    data = people_csv(tmp_path / "p.csv", 50).read_bytes()
    r = client.post(
        f"/api/v1/data/datasets/{ds.id}/uploads",
        headers=h,
        json={"filename": "p.csv", "size": len(data)},
    )
    assert r.status_code == 201
    up = r.json()
    r = client.put(f"/api/v1/data/uploads/{up['id']}?offset=0", headers=h, content=data[:500])
    assert r.json()["received"] == 500
    r = client.put(f"/api/v1/data/uploads/{up['id']}?offset=0", headers=h, content=data[:500])
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem")
    assert client.get(f"/api/v1/data/uploads/{up['id']}", headers=h).json()["received"] == 500
    r = client.put(f"/api/v1/data/uploads/{up['id']}?offset=500", headers=h, content=data[500:])
    assert r.json()["status"] == "complete"
    r = client.post(
        f"/api/v1/data/datasets/{ds.id}/loads",
        headers=h,
        json={"upload_id": up["id"], "mode": "replace"},
    )
    assert r.status_code == 202
    load_id, job_id = r.json()["id"], r.json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=h).json()["status"] == "queued"
    session.commit()
    run_jobs(db)
    assert client.get(f"/api/v1/data/loads/{load_id}", headers=h).json()["status"] == "succeeded"
    versions = client.get(f"/api/v1/data/datasets/{ds.id}/versions", headers=h).json()
    assert versions[0]["number"] == 1 and len(versions[0]["sm3"]) == 64


def test_rows_lookup_search_scan(client, bearer, db, session, actor, ds, tmp_path):
    load(db, session, actor("steward"), ds, people_csv(tmp_path / "p.csv", 40))
    h = bearer("steward")
    first = next(person_rows(1))
    r = client.post(
        f"/api/v1/data/resources/{ds.resource_id}/lookup",
        headers=h,
        json={"keys": [first[2]], "fields": ["姓名"]},
    )
    assert r.json() == [{"姓名": first[0]}]
    r = client.get(
        f"/api/v1/data/resources/{ds.resource_id}/rows",
        params={"filter": "性别=男", "limit": 5},
        headers=h,
    )
    assert len(r.json()["rows"]) == 5 and r.json()["next_cursor"]
    r = client.get(
        f"/api/v1/data/resources/{ds.resource_id}/search",
        params={"q": "德州", "limit": 2},
        headers=h,
    )
    assert r.json()["total"] == 40
    r = client.post(
        f"/api/v1/data/resources/{ds.resource_id}/scan",
        headers=h,
        json={"sql": "SELECT count(DISTINCT 户籍地区划) FROM data"},
    )
    assert r.json()["rows"][0][0] == 11
    r = client.post(
        f"/api/v1/data/resources/{ds.resource_id}/scan",
        headers=h,
        json={"sql": "SELECT * FROM read_text('/etc/passwd')"},
    )
    assert r.status_code == 422
    r = client.get(
        f"/api/v1/data/datasets/{ds.id}/versions/1/download",
        params={"format": "json", "filter": "户籍地区划=371402"},
        headers=h,
    )
    assert all(x["户籍地区划"] == "371402" for x in r.json())


def test_consumer_cannot_read_rows(client, bearer, db, session, actor, ds, tmp_path):
    load(db, session, actor("steward"), ds, people_csv(tmp_path / "p.csv", 5))
    r = client.post(
        f"/api/v1/data/resources/{ds.resource_id}/lookup",
        headers=bearer("consumer"),
        json={"keys": ["1"]},
    )
    assert r.status_code == 403


def test_unknown_resource_is_404(client, bearer):
    r = client.get("/api/v1/data/resources/424242/rows", headers=bearer("steward"))
    assert r.status_code == 404
