"""Clocks services on the database: the seeded calendar, admin edits, ladders, claim_stage."""

from __future__ import annotations

import datetime as dt

import pytest

from govshare.clocks import service
from govshare.clocks.schemas import CalendarDayCreate, ClockEvent, LadderUpdate
from govshare.core.errors import Conflict, Invalid, NotAuthorized
from govshare.core.security import SYSTEM

D = dt.date


class TestSeededCalendar:
    def test_years_of_chinese_calendar_are_known_and_2027_is_not(self, session, actor):
        years = {y.year: y.known for y in service.list_calendar_years(session, actor("consumer"))}
        assert years[2018] and years[2026] and not years.get(2027, False)

    def test_ten_working_days_across_national_day_2025(self, session):
        # Filed Friday 26 September 2025; 1–8 October off, 28 Sept and 11 Oct worked.
        answer = service.add_working_days(session, SYSTEM, D(2025, 9, 26), 10)
        assert answer.result == D(2025, 10, 16) and not answer.provisional

    def test_2027_is_provisional_until_an_admin_enters_it(self, session, actor):
        admin = actor("platform_admin")
        start = D(2027, 9, 28)
        assert service.add_working_days(session, SYSTEM, start, 5).provisional
        for day in range(1, 8):
            service.add_calendar_day(
                session,
                admin,
                CalendarDayCreate(day=D(2027, 10, day), kind="holiday", name="国庆节"),
            )
        service.set_year_known(session, admin, 2027, known=True, note="国办发明电〔2026〕")
        answer = service.add_working_days(session, SYSTEM, start, 5)
        assert not answer.provisional and answer.result == D(2027, 10, 12)


class TestAddCalendarDay:
    def test_by_a_steward_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.add_calendar_day(
                session, actor("steward"), CalendarDayCreate(day=D(2027, 1, 1), kind="holiday")
            )

    def test_twice_is_a_conflict(self, session, actor):
        with pytest.raises(Conflict, match="已在日历中"):
            service.add_calendar_day(
                session,
                actor("platform_admin"),
                CalendarDayCreate(day=D(2018, 10, 1), kind="holiday"),
            )

    def test_make_up_day_on_a_weekday_is_invalid(self, session, actor):
        with pytest.raises(Invalid, match="周六或周日"):
            service.add_calendar_day(
                session,
                actor("platform_admin"),
                CalendarDayCreate(day=D(2027, 2, 3), kind="workday"),
            )


class TestImportCalendarYear:
    def test_year_the_package_does_not_know_asks_for_manual_entry(self, session, actor):
        with pytest.raises(Invalid, match="手工录入"):
            service.import_calendar_year(session, actor("platform_admin"), 2027)


class TestLadders:
    def test_defaults_come_from_settings_and_sharing_has_ten_days(self, session, actor):
        kinds = {k.code: k for k in service.list_case_kinds(session, actor("consumer"))}
        assert kinds["sharing.request"].ladder.limit_days == 10
        assert kinds["supervision.milestone"].ladder.remind_before_days == 3

    def test_update_recomputes_open_clocks(self, session, actor):
        start = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
        now = dt.datetime(2026, 3, 24, 2, tzinfo=dt.UTC)
        before = service.evaluate_clock(
            session, SYSTEM, "sharing.request", started_at=start, now=now
        )
        service.update_ladder(
            session,
            actor("platform_admin"),
            "sharing.request",
            LadderUpdate(
                limit_days=15,
                remind_before_days=3,
                urge_after_days=0,
                supervise_after_days=5,
                notify_after_days=10,
            ),
        )
        after = service.evaluate_clock(
            session, SYSTEM, "sharing.request", started_at=start, now=now
        )
        assert before.due == D(2026, 3, 16) and before.stage == "supervise"
        assert after.due == D(2026, 3, 23) and after.stage == "urge"

    def test_periods_must_rise(self):
        with pytest.raises(ValueError, match="依次递增"):
            LadderUpdate(urge_after_days=6, supervise_after_days=5, notify_after_days=10)

    def test_unknown_kind_is_not_found(self, session, actor):
        from govshare.core.errors import NotFound

        with pytest.raises(NotFound):
            service.update_ladder(session, actor("platform_admin"), "nope", LadderUpdate())


class TestClaimStage:
    def test_a_stage_is_claimed_once_per_due_date(self, session):
        args = ("supervision.milestone", "42", "remind")
        assert service.claim_stage(session, SYSTEM, *args, D(2026, 12, 1))
        assert not service.claim_stage(session, SYSTEM, *args, D(2026, 12, 1))
        assert service.claim_stage(session, SYSTEM, *args, D(2026, 12, 15))  # extended


def test_evaluate_clock_with_history_events(session):
    state = service.evaluate_clock(
        session,
        SYSTEM,
        "sharing.request",
        started_at=D(2026, 3, 2),
        events=[ClockEvent(type="done", on=D(2026, 3, 10))],
        now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    assert state.stage == "done" and not state.overdue
