"""Who may read and change the calendar and the ladders.

Deadlines are computed for everyone (a deadline must never fail a page), the calendar and the
ladders are readable by anyone logged in, and only platform admins (市电政办) change them: they
enter each year's holiday notice of the State Council.
"""

from __future__ import annotations

from govshare.core.security import Actor


def can_get_calendar(actor: Actor) -> bool:
    """Every computation needs the calendar: anyone, the system included."""
    return True


def can_add_working_days(actor: Actor) -> bool:
    """Deadline arithmetic is open to every caller."""
    return True


def can_working_days_between(actor: Actor) -> bool:
    """Deadline arithmetic is open to every caller."""
    return True


def can_evaluate_clock(actor: Actor) -> bool:
    """Any module evaluates the clocks of its own cases (it checks its own visibility first)."""
    return True


def can_claim_stage(actor: Actor) -> bool:
    """Schedulers and services of other modules mark a stage as acted on."""
    return True


def can_get_ladder(actor: Actor) -> bool:
    """Ladders are computed for every caller."""
    return True


def can_list_case_kinds(actor: Actor) -> bool:
    """Anyone logged in may read the ladders."""
    return actor.is_authenticated


def can_update_ladder(actor: Actor) -> bool:
    """Platform admins set the ladders (conventions, not law)."""
    return actor.is_platform_admin


def can_list_calendar_years(actor: Actor) -> bool:
    """Anyone logged in may read the calendar."""
    return actor.is_authenticated


def can_get_calendar_year(actor: Actor) -> bool:
    """Anyone logged in may read the calendar."""
    return actor.is_authenticated


def can_add_calendar_day(actor: Actor) -> bool:
    """Platform admins enter holidays and make-up working days."""
    return actor.is_platform_admin


def can_remove_calendar_day(actor: Actor) -> bool:
    """Platform admins correct the calendar."""
    return actor.is_platform_admin


def can_set_year_known(actor: Actor) -> bool:
    """Platform admins declare a year's notice complete (or withdraw that)."""
    return actor.is_platform_admin


def can_import_calendar_year(actor: Actor) -> bool:
    """Platform admins import a year from the chinese-calendar package."""
    return actor.is_platform_admin
