"""JSON contract of /api/v1/jobs."""

from __future__ import annotations

from govshare.jobs import service as jobs


def test_get_job(client, bearer, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {}, title="t")
    session.flush()
    r = client.get(f"/api/v1/jobs/{job.id}", headers=bearer("steward"))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "queued" and body["progress"] == 0.0


def test_list_and_cancel(client, bearer, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {})
    session.flush()
    h = bearer("steward")
    assert job.id in [j["id"] for j in client.get("/api/v1/jobs", headers=h).json()["items"]]
    r = client.post(f"/api/v1/jobs/{job.id}/cancel", headers=h)
    assert r.json()["status"] == "cancelled"
    r = client.post(f"/api/v1/jobs/{job.id}/cancel", headers=h)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")


def test_missing_job_is_problem_404(client, bearer):
    r = client.get("/api/v1/jobs/999999", headers=bearer("steward"))
    assert r.status_code == 404
