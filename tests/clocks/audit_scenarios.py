"""Audit scenarios of clocks: each write, run once, must leave its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from govshare.clocks import service as clocks
from govshare.clocks.schemas import CalendarDayCreate, LadderUpdate


def _remove(s: Any, a: Callable[[str], Any]) -> None:
    day = clocks.add_calendar_day(
        s, a("platform_admin"), CalendarDayCreate(day=dt.date(2027, 10, 1), kind="holiday")
    )
    clocks.remove_calendar_day(s, a("platform_admin"), day.id)


def _import(s: Any, a: Callable[[str], Any]) -> None:
    clocks.set_year_known(s, a("platform_admin"), 2026, known=False)
    clocks.import_calendar_year(s, a("platform_admin"), 2026)


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "clocks.add_calendar_day": lambda s, a: clocks.add_calendar_day(
        s, a("platform_admin"), CalendarDayCreate(day=dt.date(2027, 1, 1), kind="holiday")
    ),
    "clocks.remove_calendar_day": _remove,
    "clocks.set_year_known": lambda s, a: clocks.set_year_known(
        s, a("platform_admin"), 2027, known=True
    ),
    "clocks.import_calendar_year": _import,
    "clocks.update_ladder": lambda s, a: clocks.update_ladder(
        s, a("platform_admin"), "sharing.request", LadderUpdate(limit_days=10)
    ),
}
