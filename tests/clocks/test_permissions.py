"""Who may do what with the calendar and ladders: every persona × every rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from govshare.clocks import permissions as p
from tests.personas import ROLE_PERSONAS

EVERYONE = set(ROLE_PERSONAS) - {"public"}
ALL = set(ROLE_PERSONAS)
ADMINS = {"platform_admin"}

MATRIX: dict[str, tuple[Callable[[Any], bool], set[str]]] = {
    "get_calendar": (p.can_get_calendar, ALL),
    "add_working_days": (p.can_add_working_days, ALL),
    "working_days_between": (p.can_working_days_between, ALL),
    "evaluate_clock": (p.can_evaluate_clock, ALL),
    "claim_stage": (p.can_claim_stage, ALL),
    "get_ladder": (p.can_get_ladder, ALL),
    "list_case_kinds": (p.can_list_case_kinds, EVERYONE),
    "list_calendar_years": (p.can_list_calendar_years, EVERYONE),
    "get_calendar_year": (p.can_get_calendar_year, EVERYONE),
    "update_ladder": (p.can_update_ladder, ADMINS),
    "add_calendar_day": (p.can_add_calendar_day, ADMINS),
    "remove_calendar_day": (p.can_remove_calendar_day, ADMINS),
    "set_year_known": (p.can_set_year_known, ADMINS),
    "import_calendar_year": (p.can_import_calendar_year, ADMINS),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona)) is (persona in allowed)
