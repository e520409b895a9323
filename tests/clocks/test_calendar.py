"""The pure working-day arithmetic and the ladder (no database): holidays, 调休, provisional
years, pause/resume, extensions, and the 提醒 → 催办 → 督办 → 通报 stages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govshare.clocks.calendar import WorkCalendar, evaluate
from govshare.clocks.schemas import ClockEvent, Ladder
from govshare.clocks.service import package_calendar

D = dt.date
HOLIDAYS, WORKDAYS = package_calendar()
CAL = WorkCalendar(
    holidays=frozenset(HOLIDAYS),
    workdays=frozenset(WORKDAYS),
    known_years=frozenset(range(2004, 2027)),
)
LADDER = Ladder(
    limit_days=10,
    remind_before_days=3,
    urge_after_days=0,
    supervise_after_days=5,
    notify_after_days=10,
)


class TestWorkingDays:
    def test_national_day_week_is_skipped_and_make_up_saturday_counts(self):
        # 2018: 1–7 October off, Saturday 29 September and Sunday 30 September worked.
        assert CAL.is_working_day(D(2018, 9, 29)) and not CAL.is_working_day(D(2018, 10, 3))
        assert CAL.add_working_days(D(2018, 9, 28), 1) == D(2018, 9, 29)
        assert CAL.add_working_days(D(2018, 9, 30), 1) == D(2018, 10, 8)

    def test_ten_working_days_across_spring_festival_2026(self):
        # Filed Friday 13 February 2026; the holiday runs 15–23 February, 14 and 28 Feb worked.
        due = CAL.add_working_days(D(2026, 2, 13), 10)
        assert due == D(2026, 3, 5)
        assert CAL.working_days_between(D(2026, 2, 13), due) == 10

    def test_between_is_negative_backwards_and_zero_on_the_same_day(self):
        assert CAL.working_days_between(D(2018, 6, 30), D(2018, 6, 30)) == 0
        assert CAL.working_days_between(D(2018, 7, 6), D(2018, 7, 2)) == -4

    def test_unknown_year_counts_weekends_only_and_is_provisional(self):
        assert CAL.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)  # New Year not known
        assert CAL.provisional_between(D(2026, 12, 20), D(2027, 1, 5))
        assert not CAL.provisional_between(D(2026, 1, 1), D(2026, 12, 31))

    @given(st.dates(D(2015, 1, 1), D(2028, 12, 31)), st.integers(0, 60))
    def test_add_and_between_agree(self, start, n):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n

    @given(st.dates(D(2016, 1, 1), D(2027, 12, 31)), st.dates(D(2016, 1, 1), D(2027, 12, 31)))
    def test_between_matches_counting_day_by_day(self, a, b):
        lo, hi = sorted((a, b))
        slow = sum(
            CAL.is_working_day(lo + dt.timedelta(days=i)) for i in range(1, (hi - lo).days + 1)
        )
        assert CAL.working_days_between(lo, hi) == slow


class TestEvaluate:
    def run(self, today: dt.date, events=(), due=None):
        return evaluate(
            CAL,
            LADDER,
            kind="sharing.request",
            started_on=D(2026, 2, 13),
            today=today,
            events=events,
            due=due,
        )

    @pytest.mark.parametrize(
        "today,stage",
        [
            (D(2026, 2, 28), "pending"),  # a make-up Saturday: 4 working days left
            (D(2026, 3, 2), "remind"),  # 3 working days before 5 March
            (D(2026, 3, 5), "remind"),  # the due day itself
            (D(2026, 3, 6), "urge"),  # one day overdue
            (D(2026, 3, 11), "urge"),
            (D(2026, 3, 12), "supervise"),  # five working days overdue
            (D(2026, 3, 19), "notify"),  # ten working days overdue
        ],
    )
    def test_ladder_stages(self, today, stage):
        state = self.run(today)
        assert state.due == D(2026, 3, 5) and state.stage == stage

    def test_next_stage_is_named_with_its_day(self):
        state = self.run(D(2026, 2, 24))
        assert state.next_stage == "remind" and state.next_stage_on == D(2026, 3, 2)

    def test_pause_and_resume_add_the_paused_working_days(self):
        events = [
            ClockEvent(type="pause", on=D(2026, 2, 25)),
            ClockEvent(type="resume", on=D(2026, 3, 2)),
        ]
        # Paused Wednesday 25 Feb to Monday 2 March: 4 working days (the 28th is a make-up day).
        assert self.run(D(2026, 3, 2), events).due == D(2026, 3, 11)

    def test_extension_moves_the_due_date_and_resets_the_stage(self):
        events = [ClockEvent(type="extend", on=D(2026, 3, 5), until=D(2026, 3, 31))]
        state = self.run(D(2026, 3, 11), events)
        assert state.due == D(2026, 3, 31) and state.stage == "pending" and not state.overdue

    def test_done_case_is_done_and_says_whether_late(self):
        state = self.run(D(2026, 3, 20), [ClockEvent(type="done", on=D(2026, 3, 6))])
        assert state.stage == "done" and state.overdue

    def test_rule_change_recomputes(self):
        strict = LADDER.model_copy(update={"supervise_after_days": 2})
        state = evaluate(CAL, strict, kind="x", started_on=D(2026, 2, 13), today=D(2026, 3, 9))
        assert state.stage == "supervise"

    def test_deadline_in_an_unknown_year_never_raises(self):
        state = evaluate(CAL, LADDER, kind="x", started_on=D(2027, 9, 20), today=D(2027, 9, 21))
        assert state.provisional and state.due == D(2027, 10, 4)
