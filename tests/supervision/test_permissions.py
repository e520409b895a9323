"""Who may do what with the work plan: every persona × every rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from govshare.supervision import permissions as p
from tests.personas import ROLE_PERSONAS, department_id

EVERYONE = set(ROLE_PERSONAS) - {"public"}
SUPERVISORS = {"supervisor"}
IMPORTERS = {"supervisor", "platform_admin"}


def _tongji(s: Any) -> set[int]:
    return {department_id(s, "市统计局")}


MATRIX: dict[str, tuple[Callable[[Any, Any], bool], set[str]]] = {
    "list_plans": (lambda a, s: p.can_list_plans(a), EVERYONE),
    "get_plan_outline": (lambda a, s: p.can_get_plan_outline(a), EVERYONE),
    "list_tasks": (lambda a, s: p.can_list_tasks(a), EVERYONE),
    "get_task": (lambda a, s: p.can_get_task(a), EVERYONE),
    "get_dashboard": (lambda a, s: p.can_get_dashboard(a), EVERYONE),
    "home_progress": (lambda a, s: p.can_home_progress(a), EVERYONE),
    "evaluate_units": (lambda a, s: p.can_evaluate_units(a), EVERYONE),
    "export_plan": (lambda a, s: p.can_export_plan(a), EVERYONE),
    "export_evaluation": (
        lambda a, s: p.can_export_evaluation(a),
        {"supervisor", "platform_admin", "auditor"},
    ),
    "preview_import": (lambda a, s: p.can_preview_import(a), IMPORTERS),
    "import_plan": (lambda a, s: p.can_import_plan(a), IMPORTERS),
    "create_shifted_copy": (lambda a, s: p.can_create_shifted_copy(a), IMPORTERS),
    "update_milestone": (lambda a, s: p.can_update_milestone(a), SUPERVISORS),
    "add_milestone": (lambda a, s: p.can_add_milestone(a), SUPERVISORS),
    "set_milestone_done": (lambda a, s: p.can_set_milestone_done(a), SUPERVISORS),
    "set_group_units": (lambda a, s: p.can_set_group_units(a), SUPERVISORS),
    "review_report": (lambda a, s: p.can_review_report(a), SUPERVISORS),
    "decide_extension": (lambda a, s: p.can_decide_extension(a), SUPERVISORS),
    "submit_report(统计局 task)": (
        lambda a, s: p.can_submit_report(a, _tongji(s)),
        {"dept_admin", "steward"},
    ),
    "request_extension(统计局 task)": (
        lambda a, s: p.can_request_extension(a, _tongji(s)),
        {"dept_admin", "steward"},
    ),
    "get_attachment(统计局 task)": (
        lambda a, s: p.can_get_attachment(a, _tongji(s)),
        {"supervisor", "platform_admin", "auditor", "dept_admin", "steward", "reviewer"},
    ),
    "list_extensions": (lambda a, s: p.can_list_extensions(a), IMPORTERS),
    "list_notice_candidates": (
        lambda a, s: p.can_list_notice_candidates(a),
        {"supervisor", "platform_admin", "auditor"},
    ),
    "get_unit_page(统计局)": (
        lambda a, s: p.can_get_unit_page(a, department_id(s, "市统计局")),
        {"supervisor", "platform_admin", "auditor", "dept_admin", "steward", "reviewer"},
    ),
    "run_reminders": (lambda a, s: p.can_run_reminders(a), IMPORTERS),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, session, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), session) is (persona in allowed)


def test_system_runs_reminders(session):
    from govshare.core.security import SYSTEM

    assert p.can_run_reminders(SYSTEM)
