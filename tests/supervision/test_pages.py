"""Supervision pages: dashboard, task list, task page with the rule, report with evidence,
review, import preview with marked problems, Excel export, evaluation, a unit's page, home card."""

from __future__ import annotations

import io
import re

import time_machine
from bs4 import BeautifulSoup

from govshare.supervision.demo import SEED
from tests.conftest import csrf_of
from tests.supervision.conftest import task_id
from tests.supervision.test_service import BAD_PLAN, at


def soup(r):
    return BeautifulSoup(r.text, "html.parser")


def test_home_shows_the_plan_card(login_as, plan_id):
    r = login_as("consumer").get("/")
    assert r.status_code == 200 and "德州市政务信息系统整合共享工作推进方案" in r.text
    assert f"/supervision/plans/{plan_id}" in r.text


def test_dashboard_has_charts_and_the_rule(login_as, plan_id):
    with time_machine.travel(at(2018, 7, 2), tick=False):
        r = login_as("consumer").get(f"/supervision/plans/{plan_id}")
    page = soup(r)
    assert r.status_code == 200 and len(page.select(".gs-chart[data-chart]")) >= 5
    assert "状态如何计算" in r.text and "已逾期：过了截止日期" in r.text
    assert page.find("h2", string="逾期任务")


def test_task_list_filters_by_status_in_place(login_as, plan_id):
    c = login_as("consumer")
    with time_machine.travel(at(2018, 7, 2), tick=False):
        full = c.get(f"/supervision/plans/{plan_id}/tasks")
        part = c.get(
            f"/supervision/plans/{plan_id}/tasks?status=not_started", headers={"HX-Request": "true"}
        )
    assert full.text.count("/supervision/tasks/") == 38
    assert "<html" not in part.text and "38." in part.text and "15." not in part.text


def test_task_page_shows_sentences_units_and_the_report_form_to_its_unit(
    login_as, plan_id, session
):
    t15 = task_id(session, plan_id, 15)
    page = login_as("steward").get(f"/supervision/tasks/{t15}")
    assert "<mark>2018年6月底前，出台有关检查和管理办法</mark>" in page.text
    assert "牵头" in page.text and "陵城区" in page.text
    assert "报送本单位进度" in page.text


def test_report_with_evidence_then_supervisor_accepts(login_as, plan_id, session, client):
    t15 = task_id(session, plan_id, 15)
    c = login_as("steward")
    token = csrf_of(c, f"/supervision/tasks/{t15}")
    r = c.post(
        f"/supervision/tasks/{t15}/reports",
        data={"csrftoken": token, "percent": "60", "narrative": "检查办法已送审。"},
        files={"files": ("送审稿.pdf", io.BytesIO(b"%PDF-1.4 draft"), "application/pdf")},
    )
    assert r.status_code == 200 and "已报送进度" in r.text and "送审稿.pdf" in r.text
    attachment = re.search(r"/supervision/attachments/(\d+)", r.text).group(0)
    assert c.get(attachment).content == b"%PDF-1.4 draft"
    report_id = re.search(
        r"/supervision/reports/(\d+)/review",
        login_as("supervisor").get(f"/supervision/tasks/{t15}").text,
    ).group(1)
    token = csrf_of(client, f"/supervision/tasks/{t15}")
    r = client.post(
        f"/supervision/reports/{report_id}/review",
        data={"csrftoken": token, "task_id": str(t15), "decision": "accept", "rating": "5"},
    )
    assert "已采纳" in r.text and 'aria-valuenow="60"' in r.text


def test_bad_report_is_a_chinese_error_on_the_form(login_as, plan_id, session):
    t15 = task_id(session, plan_id, 15)
    c = login_as("steward")
    token = csrf_of(c, f"/supervision/tasks/{t15}")
    r = c.post(
        f"/supervision/tasks/{t15}/reports",
        data={"csrftoken": token, "percent": "120", "narrative": "超过一百"},
    )
    assert r.status_code == 422 and "进度应在 0 到 100 之间。" in r.text
    r = c.post(
        f"/supervision/tasks/{t15}/reports",
        data={"csrftoken": token, "percent": "20", "narrative": "带可执行文件"},
        files={"files": ("run.exe", io.BytesIO(b"MZ"), "application/octet-stream")},
    )
    assert r.status_code == 422 and "不允许的文件类型" in r.text


def test_report_on_someone_elses_task_is_403(login_as, plan_id, session):
    t1 = task_id(session, plan_id, 1)
    c = login_as("steward")
    token = csrf_of(c, f"/supervision/tasks/{t1}")
    r = c.post(
        f"/supervision/tasks/{t1}/reports",
        data={"csrftoken": token, "percent": "5", "narrative": "越权"},
    )
    assert r.status_code == 403 and "不是该任务的责任单位" in r.text


def test_import_preview_marks_problems_then_import_works(login_as):
    c = login_as("supervisor")
    token = csrf_of(c, "/supervision/import")
    bad = c.post(
        "/supervision/import/preview",
        data={"csrftoken": token},
        files={"file": ("bad.txt", io.BytesIO(BAD_PLAN.encode()), "text/plain")},
    )
    assert bad.status_code == 422 and "单位“火星局”不在单位树中。" in bad.text
    assert "确认导入" not in bad.text
    good = c.post(
        "/supervision/import/preview",
        data={"csrftoken": token},
        files={"file": ("plan.txt", io.BytesIO(SEED.read_bytes()), "text/plain")},
    )
    assert good.status_code == 200 and "38 项任务" in good.text and "确认导入" in good.text
    payload = soup(good).find("input", {"name": "payload"})["value"]
    done = c.post(
        "/supervision/import",
        data={
            "csrftoken": token,
            "filename": "plan.txt",
            "payload": payload,
            "title": "导入测试方案",
        },
    )
    assert done.status_code == 200 and "已导入工作方案：导入测试方案" in done.text


def test_excel_export_downloads(login_as, plan_id):
    r = login_as("consumer").get(f"/supervision/plans/{plan_id}/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "spreadsheetml" in r.headers["content-type"]


def test_evaluation_page_ranks_and_exports_for_supervisors(login_as, plan_id):
    c = login_as("supervisor")
    r = c.get(f"/supervision/plans/{plan_id}/evaluation?on_time=0.6&timeliness=0.2&rating=0.2")
    assert r.status_code == 200 and "名次" in r.text and 'value="0.6"' in r.text
    x = c.get(f"/supervision/plans/{plan_id}/evaluation.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_my_unit_page(login_as, plan_id):
    c = login_as("steward")
    r = c.get("/supervision/mine")
    assert r.status_code == 200 and "市统计局的任务" in r.text and "加强数据真实性" in r.text
    assert login_as("consumer").get(r.url.path).status_code == 403


def test_upload_form_with_the_token_in_the_body_passes_csrf(login_as, plan_id, session):
    """Browsers send the token as a multipart field (no header): it must work, and a wrong one
    must still be refused."""
    t15 = task_id(session, plan_id, 15)
    c = login_as("steward")
    token = csrf_of(c, f"/supervision/tasks/{t15}")
    del c.headers["x-csrftoken"]
    files = {"files": ("证明.pdf", io.BytesIO(b"%PDF-1.4 ok"), "application/pdf")}
    ok = c.post(
        f"/supervision/tasks/{t15}/reports",
        data={"csrftoken": token, "percent": "10", "narrative": "表单令牌"},
        files=files,
    )
    assert ok.status_code == 200 and "已报送进度" in ok.text
    bad = c.post(
        f"/supervision/tasks/{t15}/reports",
        data={"csrftoken": "forged", "percent": "10", "narrative": "伪造令牌"},
        files={"files": ("证明.pdf", io.BytesIO(b"%PDF-1.4 ok"), "application/pdf")},
    )
    assert bad.status_code == 403 and "CSRF" in bad.text
