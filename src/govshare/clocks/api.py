"""JSON API of the working-day calendar and the ladders (/api/v1/clocks)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from govshare.clocks import service
from govshare.clocks.schemas import (
    CalendarDayCreate,
    CalendarDayPublic,
    CalendarYearPublic,
    CaseKind,
    ClockEvent,
    ClockState,
    LadderUpdate,
    WorkingDaysAnswer,
)
from govshare.core.web import SessionDep, UserDep

router = APIRouter(prefix="/clocks", tags=["clocks"])


@router.get("/working-days/add", response_model=WorkingDaysAnswer)
def add_working_days(
    session: SessionDep, actor: UserDep, start: dt.date, days: int
) -> WorkingDaysAnswer:
    """The date `days` working days after `start` (the start day not counted); `provisional`
    when a year on the way has no holiday notice entered yet."""
    return service.add_working_days(session, actor, start, days)


@router.get("/working-days/between", response_model=int)
def working_days_between(session: SessionDep, actor: UserDep, start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    return service.working_days_between(session, actor, start, end)


@router.post("/evaluate", response_model=ClockState)
def evaluate_clock(
    session: SessionDep,
    actor: UserDep,
    kind: str,
    started_on: dt.date,
    events: list[ClockEvent],
    due: dt.date | None = None,
) -> ClockState:
    """The state of a clock from its start and history (what-if for a case kind's ladder)."""
    return service.evaluate_clock(
        session, actor, kind, started_at=started_on, events=events, due=due
    )


@router.get("/calendar", response_model=list[CalendarYearPublic])
def list_calendar_years(session: SessionDep, actor: UserDep) -> list[CalendarYearPublic]:
    """The years of the calendar and whether each is known."""
    return service.list_calendar_years(session, actor)


@router.get("/calendar/{year}", response_model=CalendarYearPublic)
def get_calendar_year(session: SessionDep, actor: UserDep, year: int) -> CalendarYearPublic:
    """One year with its holidays and make-up working days."""
    return service.get_calendar_year(session, actor, year)


@router.post("/calendar/days", response_model=CalendarDayPublic, status_code=201)
def add_calendar_day(
    session: SessionDep, actor: UserDep, data: CalendarDayCreate
) -> CalendarDayPublic:
    """Enter a holiday or make-up working day (platform admins)."""
    return CalendarDayPublic.model_validate(service.add_calendar_day(session, actor, data))


@router.delete("/calendar/days/{day_id}", response_model=CalendarDayPublic)
def remove_calendar_day(session: SessionDep, actor: UserDep, day_id: int) -> CalendarDayPublic:
    """Take a day out of the calendar (platform admins)."""
    return CalendarDayPublic.model_validate(service.remove_calendar_day(session, actor, day_id))


@router.put("/calendar/{year}/known", response_model=CalendarYearPublic)
def set_year_known(
    session: SessionDep, actor: UserDep, year: int, known: bool = True, note: str = ""
) -> CalendarYearPublic:
    """Declare a year's holiday notice entered (or not) (platform admins)."""
    return service.set_year_known(session, actor, year, known=known, note=note)


@router.get("/ladders", response_model=list[CaseKind])
def list_case_kinds(session: SessionDep, actor: UserDep) -> list[CaseKind]:
    """Case kinds with the ladder in force."""
    return service.list_case_kinds(session, actor)


@router.put("/ladders/{kind}", response_model=CaseKind)
def update_ladder(session: SessionDep, actor: UserDep, kind: str, data: LadderUpdate) -> CaseKind:
    """Set a case kind's ladder (platform admins)."""
    return service.update_ladder(session, actor, kind, data)
