"""Calendar and ladder pages: provisional years say so, admins edit, others only read."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.conftest import csrf_of


def soup(r):
    return BeautifulSoup(r.text, "html.parser")


def test_known_year_lists_national_day(login_as):
    c = login_as("consumer")
    r = c.get("/clocks/calendar?year=2018")
    assert r.status_code == 200 and "2018-10-01" in r.text and "国庆节" in r.text
    assert "录入一天" not in r.text  # not an admin


def test_2027_is_marked_provisional(login_as):
    r = login_as("consumer").get("/clocks/calendar?year=2027")
    assert "暂定" in r.text and "尚未录入" in r.text


def test_admin_adds_a_day_and_marks_the_year(login_as):
    c = login_as("platform_admin")
    token = csrf_of(c, "/clocks/calendar?year=2027")
    r = c.post(
        "/clocks/calendar/days",
        data={"csrftoken": token, "day": "2027-10-01", "kind": "holiday", "name": "国庆节"},
    )
    assert r.status_code == 200 and "已录入 2027-10-01" in r.text
    r = c.post("/clocks/calendar/2027/known", data={"csrftoken": token, "known": "1"})
    assert "2027 年的节假日安排已录入" in r.text


def test_make_up_weekday_error_shows_on_the_form(login_as):
    c = login_as("platform_admin")
    token = csrf_of(c, "/clocks/calendar")
    r = c.post(
        "/clocks/calendar/days", data={"csrftoken": token, "day": "2027-02-03", "kind": "workday"}
    )
    assert r.status_code == 422 and "调休上班日应是周六或周日" in r.text


def test_calculator_fragment_answers_in_place(login_as):
    c = login_as("steward")
    r = c.get("/clocks/calculator?start=2025-09-26&days=10", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "2025-10-16" in r.text and "<html" not in r.text


def test_ladders_page_and_refused_edit(login_as):
    c = login_as("steward")
    r = c.get("/clocks/ladders")
    assert r.status_code == 200 and "有条件共享申请答复" in r.text
    token = csrf_of(c, "/clocks/ladders")
    r = c.post("/clocks/ladders/sharing.request", data={"csrftoken": token, "limit_days": "1"})
    assert r.status_code == 403
