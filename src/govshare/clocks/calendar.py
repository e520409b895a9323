"""Pure working-day arithmetic and the escalation ladder, computed from a case's history.

Nothing here reads the database or the clock: ``WorkCalendar`` is built from the calendar table
(or by a test), and ``evaluate`` takes ``today`` as an argument. So a rule change or a late
holiday notice simply recomputes every state, and a deadline never crashes a page: past the known
years only weekends count and the answer says it is provisional.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from govshare.clocks.schemas import ClockEvent, ClockState, Ladder, Stage

STAGES: tuple[Stage, ...] = ("pending", "remind", "urge", "supervise", "notify")


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and make-up working days of the known years; weekends elsewhere."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    known_years: frozenset[int] = frozenset()
    names: Mapping[dt.date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Sorted exceptions to the weekday rule, for counting by bisection.
        off = sorted(d for d in self.holidays if d.weekday() < 5 and d not in self.workdays)
        on = sorted(d for d in self.workdays if d.weekday() >= 5)
        object.__setattr__(self, "_off", off)
        object.__setattr__(self, "_on", on)

    def is_known(self, day: dt.date) -> bool:
        """Whether the holiday notice of the day's year has been entered."""
        return day.year in self.known_years

    def is_working_day(self, day: dt.date) -> bool:
        """A make-up day works, a holiday rests, otherwise Monday to Friday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def provisional_between(self, a: dt.date, b: dt.date) -> bool:
        """Whether any year from a to b (either order) is not known."""
        lo, hi = sorted((a.year, b.year))
        return any(y not in self.known_years for y in range(lo, hi + 1))

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The day ``n`` working days after ``start`` (before it when negative).

        ``start`` itself is not counted: a request filed on a Friday with a 1-day limit is due on
        the next working day. ``n == 0`` gives ``start``.
        """
        day, step, left = start, (1 if n >= 0 else -1), abs(n)
        while left:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b`` (negative when ``b`` is earlier)."""
        if b < a:
            return -self.working_days_between(b, a)
        total = (b - a).days
        weeks, rest = divmod(total, 7)
        count = weeks * 5
        for i in range(1, rest + 1):
            if (a + dt.timedelta(days=i)).weekday() < 5:
                count += 1
        off: list[dt.date] = self._off  # type: ignore[attr-defined]
        on: list[dt.date] = self._on  # type: ignore[attr-defined]
        count -= bisect.bisect_right(off, b) - bisect.bisect_right(off, a)
        count += bisect.bisect_right(on, b) - bisect.bisect_right(on, a)
        return count


def _next_stage(
    cal: WorkCalendar, ladder: Ladder, stage: Stage, due: dt.date
) -> tuple[Stage | None, dt.date | None]:
    """The stage after ``stage`` and the first day it applies."""
    if stage == "pending":
        return "remind", cal.add_working_days(due, -ladder.remind_before_days)
    if stage == "remind":
        if ladder.urge_after_days == 0:
            return "urge", due + dt.timedelta(days=1)
        return "urge", cal.add_working_days(due, ladder.urge_after_days)
    if stage == "urge":
        return "supervise", cal.add_working_days(due, ladder.supervise_after_days)
    if stage == "supervise":
        return "notify", cal.add_working_days(due, ladder.notify_after_days)
    return None, None


def _stage(cal: WorkCalendar, ladder: Ladder, due: dt.date, today: dt.date) -> Stage:
    if today <= due:
        left = cal.working_days_between(today, due)
        return "remind" if left <= ladder.remind_before_days else "pending"
    overdue = cal.working_days_between(due, today)
    if overdue >= ladder.notify_after_days:
        return "notify"
    if overdue >= ladder.supervise_after_days:
        return "supervise"
    if overdue >= ladder.urge_after_days:
        return "urge"
    return "remind"


def evaluate(
    cal: WorkCalendar,
    ladder: Ladder,
    *,
    kind: str,
    started_on: dt.date,
    today: dt.date,
    events: Iterable[ClockEvent] = (),
    due: dt.date | None = None,
) -> ClockState:
    """The deadline and escalation stage of one case, recomputed from its whole history.

    The due date is ``due`` when the case has a fixed one (a plan milestone), otherwise
    ``ladder.limit_days`` working days after ``started_on``. Events in order: ``pause`` and
    ``resume`` stop the clock (the paused working days are added), ``extend`` moves the due date
    to ``until`` (an approved extension), ``restart`` starts the limit again from its day,
    ``done`` closes the case and ``reopen`` opens it again.
    """
    if due is None:
        due = cal.add_working_days(started_on, ladder.limit_days or 0)
    paused_since: dt.date | None = None
    done_on: dt.date | None = None
    for ev in sorted(events, key=lambda e: e.on):
        if ev.type == "pause" and paused_since is None:
            paused_since = ev.on
        elif ev.type == "resume" and paused_since is not None:
            due = cal.add_working_days(due, max(cal.working_days_between(paused_since, ev.on), 0))
            paused_since = None
        elif ev.type == "extend" and ev.until is not None:
            due = ev.until
        elif ev.type == "restart":
            due = cal.add_working_days(ev.on, ladder.limit_days or 0)
        elif ev.type == "done":
            done_on = ev.on
        elif ev.type == "reopen":
            done_on = None
    provisional = cal.provisional_between(started_on, due) or cal.provisional_between(today, due)
    left = cal.working_days_between(today, due)
    base = {
        "kind": kind,
        "started_on": started_on,
        "due": due,
        "provisional": provisional,
        "working_days_left": left,
        "overdue_working_days": max(-left, 0),
        "overdue": today > due,
    }
    if done_on is not None:
        return ClockState(**(base | {"overdue": done_on > due}), stage="done", done_on=done_on)
    if paused_since is not None:
        return ClockState(**(base | {"overdue": False}), stage="paused", paused_since=paused_since)
    stage = _stage(cal, ladder, due, today)
    nxt, nxt_on = _next_stage(cal, ladder, stage, due)
    reached = list(STAGES[1 : STAGES.index(stage) + 1])
    return ClockState(**base, stage=stage, next_stage=nxt, next_stage_on=nxt_on, reached=reached)
