"""Supervision API: plans, tasks, reports (multipart), review, extensions, import, evaluation;
problem+json errors in Chinese."""

from __future__ import annotations

import time_machine

from govshare.supervision.demo import SEED
from tests.supervision.conftest import task_id
from tests.supervision.test_service import BAD_PLAN, at


def test_plans_and_tasks(client, bearer, plan_id):
    h = bearer("consumer", ("read",))
    plans = client.get("/api/v1/supervision/plans", headers=h).json()
    assert plans[0]["tasks"] == 38
    with time_machine.travel(at(2018, 7, 2), tick=False):
        overdue = client.get(
            f"/api/v1/supervision/plans/{plan_id}/tasks", params={"status": "overdue"}, headers=h
        ).json()
    assert {t["number"] for t in overdue} >= {15, 16, 10}


def test_report_review_flow(client, bearer, session, plan_id):
    t15 = task_id(session, plan_id, 15)
    r = client.post(
        f"/api/v1/supervision/tasks/{t15}/reports",
        data={"percent": "70", "narrative": "办法已审议通过。"},
        files={"files": ("纪要.pdf", b"%PDF-1.4 minutes", "application/pdf")},
        headers=bearer("steward"),
    )
    assert r.status_code == 201, r.text
    report = r.json()
    r = client.post(
        f"/api/v1/supervision/reports/{report['id']}/review",
        json={"decision": "accept", "rating": 4},
        headers=bearer("supervisor"),
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    task = client.get(
        f"/api/v1/supervision/tasks/{t15}", headers=bearer("consumer", ("read",))
    ).json()
    assert task["percent"] == 70 and task["events"][-1]["kind"] == "accept"


def test_percent_over_100_is_problem_json(client, bearer, session, plan_id):
    r = client.post(
        f"/api/v1/supervision/tasks/{task_id(session, plan_id, 15)}/reports",
        data={"percent": "101", "narrative": "超额"},
        headers=bearer("steward"),
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert "0 到 100" in r.text


def test_read_token_cannot_report(client, bearer, session, plan_id):
    r = client.post(
        f"/api/v1/supervision/tasks/{task_id(session, plan_id, 15)}/reports",
        data={"percent": "10", "narrative": "只读令牌"},
        headers=bearer("steward", ("read",)),
    )
    assert r.status_code == 403


def test_import_preview_and_refusal(client, bearer):
    h = bearer("supervisor")
    r = client.post(
        "/api/v1/supervision/imports/preview",
        files={"file": ("p.txt", SEED.read_bytes())},
        headers=h,
    )
    assert r.status_code == 200 and len(r.json()["tasks"]) == 38 and r.json()["problems"] == []
    bad = client.post(
        "/api/v1/supervision/imports", files={"file": ("bad.txt", BAD_PLAN.encode())}, headers=h
    )
    assert bad.status_code == 422
    assert any("火星局" in e["message"] for e in bad.json()["errors"])


def test_evaluation_and_extension(client, bearer, session, plan_id):
    ev = client.get(
        f"/api/v1/supervision/plans/{plan_id}/evaluation", headers=bearer("consumer", ("read",))
    ).json()
    assert ev["units"] and ev["units"][0]["rank"] == 1
    t15 = client.get(
        f"/api/v1/supervision/tasks/{task_id(session, plan_id, 15)}", headers=bearer("steward")
    ).json()
    r = client.post(
        f"/api/v1/supervision/milestones/{t15['milestones'][0]['id']}/extensions",
        json={"requested_due": "2018-08-31", "reason": "等待省级文件"},
        headers=bearer("steward"),
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/supervision/extensions/{r.json()['id']}/decision",
        json={"approve": False, "note": "期限不能再延"},
        headers=bearer("supervisor"),
    )
    assert r.json()["status"] == "refused"
