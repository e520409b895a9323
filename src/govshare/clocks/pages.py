"""Pages: the working-day calendar (a year at a time), the calculator, the ladders."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govshare.clocks import permissions, service
from govshare.clocks.schemas import (
    DAY_KIND_LABELS,
    STAGE_LABELS,
    CalendarDayCreate,
    LadderUpdate,
)
from govshare.core.errors import DomainError
from govshare.core.i18n import N_, _
from govshare.core.validation import parse
from govshare.core.web import NavEntry, SessionDep, UserDep, flash, form_data, recover, redirect
from govshare.core.web import render as render_page

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(
        N_("工作日历"),
        "/clocks/calendar",
        "calendar3",
        permissions.can_list_calendar_years,
        N_("平台管理"),
    ),
    NavEntry(
        N_("期限与督办阶梯"),
        "/clocks/ladders",
        "ladder",
        permissions.can_list_case_kinds,
        N_("平台管理"),
    ),
]


def _calendar_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    year: int,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    return render_page(
        request,
        "clocks/calendar.html",
        {
            "year": service.get_calendar_year(session, actor, year),
            "years": service.list_calendar_years(session, actor),
            "kinds": DAY_KIND_LABELS,
            "errors": errors or {},
            "values": values or {},
            "can_edit": permissions.can_add_calendar_day(actor),
            "today": service.today(),
        },
        status=status,
    )


@router.get("/clocks/calendar", response_class=HTMLResponse)
def calendar_year(
    request: Request, session: SessionDep, actor: UserDep, year: int | None = None
) -> Response:
    """A year of the calendar: known or provisional, its holidays and make-up days."""
    return _calendar_page(request, session, actor, year or service.today().year)


@router.post("/clocks/calendar/days", response_class=HTMLResponse)
async def calendar_day_add(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Enter a holiday or a make-up working day."""
    form = await form_data(request)
    try:
        day = service.add_calendar_day(session, actor, parse(CalendarDayCreate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        year = _year_of(form.get("day"))
        return _calendar_page(request, session, actor, year, errors, form, exc.status)
    flash(request, _("已录入 {day}。").format(day=day.day.isoformat()))
    return redirect(f"/clocks/calendar?year={day.day.year}", request)


def _year_of(value: object) -> int:
    try:
        return dt.date.fromisoformat(str(value)).year
    except ValueError:
        return service.today().year


@router.post("/clocks/calendar/days/{day_id}/remove", response_class=HTMLResponse)
def calendar_day_remove(
    request: Request, session: SessionDep, actor: UserDep, day_id: int
) -> Response:
    """Take a day out of the calendar."""
    day = service.remove_calendar_day(session, actor, day_id)
    flash(request, _("已删除 {day}。").format(day=day.day.isoformat()))
    return redirect(f"/clocks/calendar?year={day.day.year}", request)


@router.post("/clocks/calendar/{year}/known", response_class=HTMLResponse)
async def calendar_year_known(
    request: Request, session: SessionDep, actor: UserDep, year: int
) -> Response:
    """Declare a year's notice entered, or withdraw the declaration."""
    form = await form_data(request)
    known = form.get("known") == "1"
    service.set_year_known(session, actor, year, known=known, note=str(form.get("note", "")))
    flash(request, _("{year} 年已标记为已录入。").format(year=year) if known else _("已撤销。"))
    return redirect(f"/clocks/calendar?year={year}", request)


@router.post("/clocks/calendar/{year}/import", response_class=HTMLResponse)
def calendar_year_import(
    request: Request, session: SessionDep, actor: UserDep, year: int
) -> Response:
    """Fill a year from the chinese-calendar package."""
    try:
        service.import_calendar_year(session, actor, year)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        recover(request, session, exc)
        flash(request, exc.detail, "danger")
        return redirect(f"/clocks/calendar?year={year}", request)
    flash(request, _("已从 chinese-calendar 导入 {year} 年。").format(year=year))
    return redirect(f"/clocks/calendar?year={year}", request)


@router.get("/clocks/calculator", response_class=HTMLResponse)
def calculator(
    request: Request, session: SessionDep, actor: UserDep, start: str = "", days: str = "10"
) -> Response:
    """N working days after a date (HTMX answers in place)."""
    errors: dict[str, str] = {}
    answer = None
    try:
        begin = dt.date.fromisoformat(start) if start else service.today()
        answer = service.add_working_days(session, actor, begin, int(days))
    except ValueError:
        errors["start"] = _("请输入日期和整数天数。")
    return render_page(
        request,
        "clocks/calculator.html",
        {"answer": answer, "errors": errors, "start": start, "days": days},
        fragment="clocks/_answer.html",
    )


@router.get("/clocks/ladders", response_class=HTMLResponse)
def ladders(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Each case kind with its limit and escalation periods."""
    return render_page(
        request,
        "clocks/ladders.html",
        {
            "kinds": service.list_case_kinds(session, actor),
            "stages": STAGE_LABELS,
            "can_edit": permissions.can_update_ladder(actor),
            "errors": {},
        },
    )


@router.post("/clocks/ladders/{kind}", response_class=HTMLResponse)
async def ladder_update(
    request: Request, session: SessionDep, actor: UserDep, kind: str
) -> Response:
    """Save a case kind's ladder."""
    form = await form_data(request)
    form["limit_days"] = form.get("limit_days") or None
    try:
        service.update_ladder(session, actor, kind, parse(LadderUpdate, form))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return render_page(
            request,
            "clocks/ladders.html",
            {
                "kinds": service.list_case_kinds(session, actor),
                "stages": STAGE_LABELS,
                "can_edit": True,
                "errors": errors,
                "error_kind": kind,
            },
            status=exc.status,
        )
    flash(request, _("已保存期限规则。"))
    return redirect("/clocks/ladders", request)
