"""Working-day deadlines and ladders: the calendar as data, arithmetic, and clock states.

Other modules call ``add_working_days``, ``working_days_between`` and ``evaluate_clock`` (with a
calendar from ``get_calendar`` when they evaluate many cases), and ``claim_stage`` so that a
scheduler acts on each stage of a case once. Platform admins keep the calendar: each year's
holidays and make-up working days from the State Council's notice, seeded from
``chinese-calendar`` for the years it knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.clocks import permissions
from govshare.clocks.calendar import WorkCalendar, evaluate
from govshare.clocks.models import CalendarDay, CalendarYear, ClockNotice, ClockRule
from govshare.clocks.schemas import (
    CASE_KINDS,
    HOLIDAY_NAMES,
    LIMIT_SETTINGS,
    CalendarDayCreate,
    CalendarDayPublic,
    CalendarYearPublic,
    CaseKind,
    ClockEvent,
    ClockState,
    Ladder,
    LadderUpdate,
    WorkingDaysAnswer,
)
from govshare.core.config import get_settings
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require

# The use cases (``today`` and ``package_calendar`` are helpers, not permission-checked calls).
__all__ = [
    "add_calendar_day",
    "add_working_days",
    "claim_stage",
    "evaluate_clock",
    "get_calendar",
    "get_calendar_year",
    "get_ladder",
    "import_calendar_year",
    "list_calendar_years",
    "list_case_kinds",
    "remove_calendar_day",
    "set_year_known",
    "update_ladder",
    "working_days_between",
]


def today(now: dt.datetime | None = None) -> dt.date:
    """The calendar day of ``now`` (default: the current time) in the configured time zone."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(ZoneInfo(get_settings().timezone)).date()


# --- the calendar ------------------------------------------------------------------------------


def get_calendar(session: Session, actor: Actor) -> WorkCalendar:
    """The working-day calendar as entered: holidays, make-up days and the known years."""
    require(permissions.can_get_calendar(actor), "clocks.get_calendar")
    days = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)).all()
    years = session.scalars(select(CalendarYear.year)).all()
    return WorkCalendar(
        holidays=frozenset(d for d, k, _n in days if k == "holiday"),
        workdays=frozenset(d for d, k, _n in days if k == "workday"),
        known_years=frozenset(years),
        names={d: n for d, _k, n in days},
    )


def add_working_days(
    session: Session, actor: Actor, start: dt.date, days: int
) -> WorkingDaysAnswer:
    """The date ``days`` working days after ``start`` (the start day not counted)."""
    require(permissions.can_add_working_days(actor), "clocks.add_working_days")
    cal = get_calendar(session, actor)
    result = cal.add_working_days(start, days)
    return WorkingDaysAnswer(
        start=start, days=days, result=result, provisional=cal.provisional_between(start, result)
    )


def working_days_between(session: Session, actor: Actor, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    require(permissions.can_working_days_between(actor), "clocks.working_days_between")
    return get_calendar(session, actor).working_days_between(start, end)


def list_calendar_years(session: Session, actor: Actor) -> list[CalendarYearPublic]:
    """Every year with entries or marked known, newest first, plus next year if missing."""
    require(permissions.can_list_calendar_years(actor), "clocks.list_calendar_years")
    known = {y.year: y for y in session.scalars(select(CalendarYear))}
    with_days = {
        int(y)
        for y in session.scalars(select(func.distinct(func.extract("year", CalendarDay.day))))
    }
    this_year = today().year
    years = sorted(set(known) | with_days | {this_year, this_year + 1}, reverse=True)
    return [
        CalendarYearPublic(
            year=y,
            known=y in known,
            source=known[y].source if y in known else "",
            note=known[y].note if y in known else "",
        )
        for y in years
    ]


def get_calendar_year(session: Session, actor: Actor, year: int) -> CalendarYearPublic:
    """One year: whether it is known and its holidays and make-up working days."""
    require(permissions.can_get_calendar_year(actor), "clocks.get_calendar_year")
    if not 1949 < year < 2200:
        raise NotFound(_("年份不存在。"))
    row = session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    days = session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    return CalendarYearPublic(
        year=year,
        known=row is not None,
        source=row.source if row else "",
        note=row.note if row else "",
        days=[CalendarDayPublic.model_validate(d) for d in days],
    )


def add_calendar_day(session: Session, actor: Actor, data: CalendarDayCreate) -> CalendarDay:
    """Enter a holiday or a make-up working day (platform admins)."""
    require(permissions.can_add_calendar_day(actor), "clocks.add_calendar_day")
    if session.scalar(select(CalendarDay.id).where(CalendarDay.day == data.day)) is not None:
        msg = _("{day} 已在日历中。").format(day=data.day.isoformat())
        raise Conflict(msg, errors=[FieldError("day", msg)])
    if data.kind == "workday" and data.day.weekday() < 5:
        msg = _("调休上班日应是周六或周日。")
        raise Invalid(msg, errors=[FieldError("day", msg)])
    day = CalendarDay(day=data.day, kind=data.kind, name=data.name.strip(), source="admin")
    session.add(day)
    session.flush()
    audit.record(
        session,
        actor,
        "clocks.add_calendar_day",
        day,
        after={"day": data.day, "kind": data.kind, "name": day.name},
    )
    return day


def remove_calendar_day(session: Session, actor: Actor, day_id: int) -> CalendarDay:
    """Take a wrongly entered day out of the calendar (platform admins)."""
    require(permissions.can_remove_calendar_day(actor), "clocks.remove_calendar_day")
    day = session.get(CalendarDay, day_id)
    if day is None:
        raise NotFound(_("日历中没有这一天。"))
    before = {"day": day.day, "kind": day.kind, "name": day.name}
    session.delete(day)
    session.flush()
    audit.record(session, actor, "clocks.remove_calendar_day", day, before=before)
    return day


def set_year_known(
    session: Session, actor: Actor, year: int, *, known: bool, note: str = ""
) -> CalendarYearPublic:
    """Declare a year's holiday notice fully entered (deadlines in it stop being provisional),
    or withdraw that declaration (platform admins)."""
    require(permissions.can_set_year_known(actor), "clocks.set_year_known")
    row = session.scalar(select(CalendarYear).where(CalendarYear.year == year))
    before = {"known": row is not None}
    if known and row is None:
        session.add(CalendarYear(year=year, source="admin", note=note[:300]))
    elif known and row is not None:
        row.note = note[:300] or row.note
    elif not known and row is not None:
        session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "clocks.set_year_known",
        ("calendar_year", str(year), str(year)),
        before=before,
        after={"known": known, "note": note},
    )
    return get_calendar_year(session, actor, year)


def import_calendar_year(session: Session, actor: Actor, year: int) -> CalendarYearPublic:
    """Fill a year from the ``chinese-calendar`` package and mark it known (platform admins).

    Days already entered are kept; a year the package does not know is refused with a message
    that asks for manual entry from the State Council's notice.
    """
    require(permissions.can_import_calendar_year(actor), "clocks.import_calendar_year")
    holidays, workdays = package_calendar()
    days = {d: ("holiday", n) for d, n in holidays.items() if d.year == year}
    days |= {d: ("workday", n) for d, n in workdays.items() if d.year == year}
    if not days:
        msg = _("chinese-calendar 尚未收录 {year} 年，请按国务院办公厅通知手工录入。").format(
            year=year
        )
        raise Invalid(msg, errors=[FieldError("year", msg)])
    have = set(
        session.scalars(
            select(CalendarDay.day).where(
                CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)
            )
        )
    )
    added = 0
    for day, (kind, name) in sorted(days.items()):
        if day not in have:
            session.add(CalendarDay(day=day, kind=kind, name=name, source="chinese-calendar"))
            added += 1
    if session.scalar(select(CalendarYear.id).where(CalendarYear.year == year)) is None:
        session.add(CalendarYear(year=year, source="chinese-calendar"))
    session.flush()
    audit.record(
        session,
        actor,
        "clocks.import_calendar_year",
        ("calendar_year", str(year), str(year)),
        after={"added": added},
    )
    return get_calendar_year(session, actor, year)


def package_calendar() -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """Holidays and make-up working days the ``chinese-calendar`` package knows, Chinese names."""
    from chinese_calendar import constants

    def zh(name: str) -> str:
        return HOLIDAY_NAMES.get(name, name)

    return (
        {d: zh(n) for d, n in constants.holidays.items()},
        {d: zh(n) for d, n in constants.workdays.items()},
    )


# --- ladders and clocks ------------------------------------------------------------------------


def _default_ladder(kind: str) -> Ladder:
    s = get_settings()
    setting = LIMIT_SETTINGS.get(kind)
    return Ladder(
        limit_days=getattr(s, setting) if setting else CASE_KINDS.get(kind, ("", None))[1],
        remind_before_days=s.clocks_remind_before_days,
        urge_after_days=s.clocks_urge_after_days,
        supervise_after_days=s.clocks_supervise_after_days,
        notify_after_days=s.clocks_notify_after_days,
    )


def _ladder_of(rule: ClockRule) -> Ladder:
    return Ladder(
        limit_days=rule.limit_days,
        remind_before_days=rule.remind_before_days,
        urge_after_days=rule.urge_after_days,
        supervise_after_days=rule.supervise_after_days,
        notify_after_days=rule.notify_after_days,
    )


def get_ladder(session: Session, actor: Actor, kind: str) -> Ladder:
    """The ladder of a case kind: the admin's rule, else the configured defaults."""
    require(permissions.can_get_ladder(actor), "clocks.get_ladder")
    rule = session.scalar(select(ClockRule).where(ClockRule.kind == kind))
    return _ladder_of(rule) if rule else _default_ladder(kind)


def list_case_kinds(session: Session, actor: Actor) -> list[CaseKind]:
    """Every case kind with its ladder in force."""
    require(permissions.can_list_case_kinds(actor), "clocks.list_case_kinds")
    rules = {r.kind: r for r in session.scalars(select(ClockRule))}
    return [
        CaseKind(
            code=code,
            name=_(name),
            ladder=_ladder_of(rules[code]) if code in rules else _default_ladder(code),
            customised=code in rules,
        )
        for code, (name, _limit) in CASE_KINDS.items()
    ]


def update_ladder(session: Session, actor: Actor, kind: str, data: LadderUpdate) -> CaseKind:
    """Set the ladder of a case kind; every open case recomputes with it (platform admins)."""
    require(permissions.can_update_ladder(actor), "clocks.update_ladder")
    if kind not in CASE_KINDS:
        raise NotFound(_("没有这种期限类型。"))
    rule = session.scalar(select(ClockRule).where(ClockRule.kind == kind))
    before = _ladder_of(rule).model_dump() if rule else None
    if rule is None:
        rule = ClockRule(kind=kind)
        session.add(rule)
    for key, value in data.model_dump().items():
        setattr(rule, key, value)
    session.flush()
    audit.record(
        session, actor, "clocks.update_ladder", rule, before=before, after=data.model_dump()
    )
    return next(k for k in list_case_kinds(session, actor) if k.code == kind)


def evaluate_clock(
    session: Session,
    actor: Actor,
    kind: str,
    *,
    started_at: dt.datetime | dt.date,
    events: Iterable[ClockEvent] = (),
    now: dt.datetime | None = None,
    due: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    ladder: Ladder | None = None,
) -> ClockState:
    """The state of one case's clock, recomputed from its start and its history.

    Pass ``calendar`` and ``ladder`` when evaluating many cases of one kind at once.
    """
    require(permissions.can_evaluate_clock(actor), "clocks.evaluate_clock")
    cal = calendar or get_calendar(session, actor)
    lad = ladder or get_ladder(session, actor, kind)
    start = started_at if not isinstance(started_at, dt.datetime) else today(started_at)
    return evaluate(cal, lad, kind=kind, started_on=start, today=today(now), events=events, due=due)


def claim_stage(
    session: Session, actor: Actor, kind: str, case_id: str, stage: str, due: dt.date
) -> bool:
    """Mark a stage of a case (for one due date) as acted on; False when it already was.

    The scheduler sends a reminder only when this returns True, so each stage is sent once even
    with several app servers ticking (a unique constraint decides the race).
    """
    require(permissions.can_claim_stage(actor), "clocks.claim_stage")
    exists = session.scalar(
        select(ClockNotice.id).where(
            ClockNotice.kind == kind,
            ClockNotice.case_id == case_id,
            ClockNotice.stage == stage,
            ClockNotice.due == due,
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(ClockNotice(kind=kind, case_id=case_id, stage=stage, due=due))
            session.flush()
    except IntegrityError:
        return False
    return True
