"""The job pages: list, detail, the live progress fragment, cancel."""

from __future__ import annotations

from bs4 import BeautifulSoup

from govshare.jobs import service as jobs


def test_detail_page_shows_the_progress_line_that_polls(login_as, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {}, title="加载人口数据")
    session.flush()
    client = login_as("steward")
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    line = BeautifulSoup(page.text, "html.parser").select_one(f"#job-{job.id}")
    assert line is not None and line["hx-get"] == f"/jobs/{job.id}"
    assert "排队中" in line.text


def test_htmx_gets_only_the_fragment(login_as, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {})
    session.flush()
    client = login_as("steward")
    frag = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"})
    assert frag.text.lstrip().startswith("<div") and "<html" not in frag.text


def test_finished_job_stops_polling(login_as, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {})
    job.status = "succeeded"
    session.flush()
    client = login_as("steward")
    frag = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"})
    assert "hx-get" not in frag.text


def test_list_and_cancel(login_as, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {}, title="加载")
    session.flush()
    client = login_as("steward")
    assert f"/jobs/{job.id}" in client.get("/jobs").text
    r = client.post(f"/jobs/{job.id}/cancel", follow_redirects=False)
    assert r.status_code == 303
    session.refresh(job)
    assert job.status == "cancelled"


def test_other_users_job_is_404(login_as, session, actor):
    job = jobs.enqueue(session, actor("steward"), "test.steps", {})
    session.flush()
    assert login_as("consumer").get(f"/jobs/{job.id}").status_code == 404
