"""The quality pages: a dataset's rules and suggestions, runs with samples, issues, the
scoreboard, reports with downloads, objections."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from govshare.quality import service
from govshare.quality.schemas import RuleCreate
from govshare.quality.service._common import local_today
from tests.quality.helpers import load_people, person_dataset


@pytest.fixture
def ds(db, session, actor, tmp_path):
    ds = person_dataset(session, actor("steward"), suite=False)
    rec = load_people(db, session, actor("steward"), ds, tmp_path / "p.csv", n=40)
    assert rec.status == "succeeded"
    session.refresh(ds)
    return ds


def test_steward_accepts_suggestions_and_runs(login_as, session, ds):
    client = login_as("steward")
    page = BeautifulSoup(client.get(f"/quality/datasets/{ds.id}").text, "html.parser")
    assert page.find(id="accept-all") is not None
    assert "公民身份号码（GB 11643）" in page.text
    r = client.post(f"/quality/datasets/{ds.id}/suggestions", follow_redirects=False)
    assert r.status_code == 303
    rules = BeautifulSoup(client.get(f"/quality/datasets/{ds.id}").text, "html.parser")
    assert "公民身份号码：公民身份号码（GB 11643）" in rules.find(id="rules").text
    r = client.post(f"/quality/datasets/{ds.id}/run", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/quality/runs/")
    run = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
    assert run.find(id="findings") is not None
    assert run.find(id="run-status").text.strip() in ("通过", "有警告")


def test_bad_rule_form_shows_the_chinese_message_and_stores_nothing(login_as, session, ds):
    client = login_as("steward")
    r = client.post(
        f"/quality/datasets/{ds.id}/rules",
        data={"kind": "custom", "items": "姓名", "sql": "1 IN (SELECT 1 FROM other)"},
    )
    assert r.status_code == 422
    page = BeautifulSoup(r.text, "html.parser")
    assert "不能查询其他表" in page.find(id="sql-error").text
    assert not service.list_rules(session, service_actor(session), ds.id)


def service_actor(session):
    from tests.personas import actor_of

    return actor_of(session, "platform_admin")


def test_failing_run_shows_samples_to_staff_not_to_supervisors(login_as, session, actor, ds):
    service.create_rule(
        session,
        actor("steward"),
        ds.id,
        RuleCreate(kind="length", items=["姓名"], params={"max": 1}),
    )
    run = service.run_inspection(session, actor("steward"), ds.id)
    session.commit()
    staff = BeautifulSoup(login_as("steward").get(f"/quality/runs/{run.id}").text, "html.parser")
    assert staff.find(id="findings").find("code") is not None
    client = login_as("supervisor")
    sup = BeautifulSoup(client.get(f"/quality/runs/{run.id}").text, "html.parser")
    assert sup.find(id="findings").find("code") is None
    assert "仅提供部门人员和平台管理员可见" in sup.text


def test_issue_marked_fixed_from_the_list(login_as, session, actor, ds):
    service.create_rule(
        session,
        actor("steward"),
        ds.id,
        RuleCreate(kind="length", items=["姓名"], params={"max": 1}),
    )
    service.run_inspection(session, actor("steward"), ds.id)
    issue = service.list_issues(session, actor("steward"))[0]
    session.commit()
    client = login_as("steward")
    assert "标记已整改" in client.get("/quality/issues").text
    r = client.post(
        f"/quality/issues/{issue.id}/fixed", data={"note": "已修改姓名"}, follow_redirects=False
    )
    assert r.status_code == 303
    session.refresh(issue)
    assert issue.status == "fixed"


def test_scoreboard_report_and_downloads(login_as, session, actor, ds):
    service.create_rule(
        session, actor("steward"), ds.id, RuleCreate(kind="not_null", items=["姓名"])
    )
    service.run_inspection(session, actor("steward"), ds.id)
    session.commit()
    client = login_as("supervisor")
    board = BeautifulSoup(client.get("/quality").text, "html.parser")
    assert ds.provider_name in board.find(id="scoreboard").text
    today = local_today().isoformat()
    qs = f"department_id={ds.department_id}&start={today}&end={today}"
    page = BeautifulSoup(client.get(f"/quality/reports?{qs}").text, "html.parser")
    assert ds.name in page.find(id="report-runs").text
    xlsx = client.get(f"/quality/reports.xlsx?{qs}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(f"/quality/reports.pdf?{qs}")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    assert login_as("consumer").get(f"/quality/reports.xlsx?{qs}").status_code == 403


def test_objection_filed_and_answered(login_as, session, ds):
    consumer = login_as("consumer")
    r = consumer.post(
        f"/quality/datasets/{ds.id}/objections",
        data={"item": "姓名", "row_key": "x", "value": "y", "description": "姓名写错了"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    url = r.headers["location"]
    assert "待答复" in consumer.get(url).text
    empty = consumer.post(
        f"/quality/datasets/{ds.id}/objections", data={"item": "姓名", "description": "  "}
    )
    assert empty.status_code == 422
    steward = login_as("steward")
    r = steward.post(
        f"{url}/answer", data={"accept": "0", "answer": "经核对无误"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = BeautifulSoup(steward.get(url).text, "html.parser")
    assert page.find(id="objection-status").text.strip() == "已答复（数据无误）"
