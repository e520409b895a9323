"""The quality API: rules, runs with findings, problem+json for bad rules, objections."""

from __future__ import annotations

import pytest

from tests.quality.helpers import load_people, person_dataset


@pytest.fixture
def ds(db, session, actor, tmp_path):
    ds = person_dataset(session, actor("steward"), suite=False)
    assert load_people(db, session, actor("steward"), ds, tmp_path / "p.csv", n=30).status == (
        "succeeded"
    )
    session.refresh(ds)
    session.commit()
    return ds


def test_rule_run_and_findings(client, bearer, ds):
    h = bearer("steward")
    r = client.post(
        f"/api/v1/quality/datasets/{ds.id}/rules",
        headers=h,
        json={"kind": "citizen_id", "items": ["公民身份号码"]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["dimension"] == "validity"
    suggestions = client.get(f"/api/v1/quality/datasets/{ds.id}/suggestions", headers=h).json()
    assert all(s["kind"] != "citizen_id" or s["items"] != ["公民身份号码"] for s in suggestions)
    run = client.post(f"/api/v1/quality/datasets/{ds.id}/runs", headers=h)
    assert run.status_code == 201 and run.json()["status"] == "passed"
    detail = client.get(f"/api/v1/quality/runs/{run.json()['id']}", headers=h).json()
    assert detail["findings"][0]["failing"] == 0 and detail["rows"] == 30
    assert client.get("/api/v1/quality/scoreboard", headers=h).json()["departments"]


def test_bad_rule_is_problem_json_in_chinese(client, bearer, ds):
    r = client.post(
        f"/api/v1/quality/datasets/{ds.id}/rules",
        headers=bearer("steward"),
        json={"kind": "pattern", "items": ["姓名"], "params": {"regex": "(("}},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "正则表达式有误" in r.text


def test_rules_on_another_departments_dataset_are_refused(client, bearer, ds):
    r = client.post(
        f"/api/v1/quality/datasets/{ds.id}/rules",
        headers=bearer("other_admin"),
        json={"kind": "not_null", "items": ["姓名"]},
    )
    assert r.status_code == 403


def test_read_token_cannot_object(client, bearer, ds):
    r = client.post(
        f"/api/v1/quality/datasets/{ds.id}/objections",
        headers=bearer("consumer", ("read",)),
        json={"item": "姓名", "description": "错"},
    )
    assert r.status_code == 403
    ok = client.post(
        f"/api/v1/quality/datasets/{ds.id}/objections",
        headers=bearer("consumer"),
        json={"item": "姓名", "description": "错"},
    )
    assert ok.status_code == 201 and ok.json()["status"] == "open"
