"""Clocks API: working-day arithmetic, the calendar, ladders; problem+json errors."""

from __future__ import annotations


def test_add_working_days(client, bearer):
    r = client.get(
        "/api/v1/clocks/working-days/add",
        params={"start": "2025-09-26", "days": 10},
        headers=bearer("consumer", ("read",)),
    )
    assert r.status_code == 200 and r.json() == {
        "start": "2025-09-26",
        "days": 10,
        "result": "2025-10-16",
        "provisional": False,
    }


def test_between_and_calendar_year(client, bearer):
    h = bearer("consumer", ("read",))
    r = client.get(
        "/api/v1/clocks/working-days/between",
        params={"start": "2025-09-30", "end": "2025-10-09"},
        headers=h,
    )
    assert r.json() == 1  # only 9 October
    year = client.get("/api/v1/clocks/calendar/2027", headers=h).json()
    assert year["known"] is False


def test_admin_sets_a_ladder_and_a_steward_may_not(client, bearer):
    body = {
        "limit_days": 10,
        "remind_before_days": 2,
        "urge_after_days": 0,
        "supervise_after_days": 3,
        "notify_after_days": 8,
    }
    r = client.put("/api/v1/clocks/ladders/sharing.request", json=body, headers=bearer("steward"))
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    r = client.put(
        "/api/v1/clocks/ladders/sharing.request", json=body, headers=bearer("platform_admin")
    )
    assert r.status_code == 200 and r.json()["ladder"]["supervise_after_days"] == 3


def test_ladder_that_falls_is_422_in_chinese(client, bearer):
    body = {"urge_after_days": 9, "supervise_after_days": 3, "notify_after_days": 8}
    r = client.put(
        "/api/v1/clocks/ladders/sharing.request", json=body, headers=bearer("platform_admin")
    )
    assert r.status_code == 422 and "依次递增" in r.text
