"""Who may do what with the work plan.

Everyone logged in reads the plan, its tasks, dashboards and the evaluation (the plan is the city
government's own document). Supervisors (督查员, 市政府办公室) and platform admins import plans;
supervisors correct milestones, resolve named groups, accept or return reports, decide
extensions. A unit reports, and asks for extensions, through its department admins and data
stewards, and only on tasks it is responsible for (lead, co-unit, or member of a named group not
yet resolved). Evidence is seen by the responsible units, supervisors, platform admins and
auditors.
"""

from __future__ import annotations

from collections.abc import Collection

from govshare.core.security import Actor

REPORTER_ROLES = ("dept_admin", "steward")


def _supervisor(actor: Actor) -> bool:
    return actor.has_role("supervisor")


def can_list_plans(actor: Actor) -> bool:
    """Anyone logged in reads the plans."""
    return actor.is_authenticated


def can_get_plan_outline(actor: Actor) -> bool:
    """Anyone logged in reads a plan."""
    return actor.is_authenticated


def can_list_tasks(actor: Actor) -> bool:
    """Anyone logged in reads the tasks."""
    return actor.is_authenticated


def can_get_task(actor: Actor) -> bool:
    """Anyone logged in reads a task and its record."""
    return actor.is_authenticated


def can_get_dashboard(actor: Actor) -> bool:
    """Anyone logged in sees the dashboards."""
    return actor.is_authenticated


def can_home_progress(actor: Actor) -> bool:
    """The plan card of the home page is for anyone logged in."""
    return actor.is_authenticated


def can_evaluate_units(actor: Actor) -> bool:
    """The evaluation is open to anyone logged in (it is announced)."""
    return actor.is_authenticated


def can_export_evaluation(actor: Actor) -> bool:
    """Supervisors, platform admins and auditors export the evaluation."""
    return actor.has_role("supervisor", "platform_admin", "auditor")


def can_export_plan(actor: Actor) -> bool:
    """Anyone logged in exports the plan for a meeting."""
    return actor.is_authenticated


def can_preview_import(actor: Actor) -> bool:
    """Supervisors and platform admins import plans."""
    return actor.has_role("supervisor", "platform_admin")


def can_import_plan(actor: Actor) -> bool:
    """Supervisors and platform admins import plans."""
    return actor.has_role("supervisor", "platform_admin")


def can_create_shifted_copy(actor: Actor) -> bool:
    """Supervisors and platform admins copy a plan with shifted dates (drills, demos)."""
    return actor.has_role("supervisor", "platform_admin")


def can_update_milestone(actor: Actor) -> bool:
    """Supervisors correct what was extracted."""
    return _supervisor(actor)


def can_add_milestone(actor: Actor) -> bool:
    """Supervisors add milestones."""
    return _supervisor(actor)


def can_set_milestone_done(actor: Actor) -> bool:
    """Supervisors confirm (or reopen) a milestone."""
    return _supervisor(actor)


def can_set_group_units(actor: Actor) -> bool:
    """Supervisors resolve a named group into units."""
    return _supervisor(actor)


def can_submit_report(actor: Actor, responsible: Collection[int]) -> bool:
    """Department admins and stewards of a responsible unit."""
    return actor.has_role(*REPORTER_ROLES) and actor.department_id in responsible


def can_review_report(actor: Actor) -> bool:
    """Supervisors accept or return reports."""
    return _supervisor(actor)


def can_get_attachment(actor: Actor, responsible: Collection[int]) -> bool:
    """Responsible units, supervisors, platform admins and auditors read the evidence."""
    if actor.has_role("supervisor", "platform_admin", "auditor"):
        return True
    return actor.is_authenticated and actor.department_id in responsible


def can_request_extension(actor: Actor, responsible: Collection[int]) -> bool:
    """Department admins and stewards of a responsible unit."""
    return can_submit_report(actor, responsible)


def can_decide_extension(actor: Actor) -> bool:
    """Supervisors approve or refuse extensions."""
    return _supervisor(actor)


def can_list_extensions(actor: Actor) -> bool:
    """Supervisors and platform admins see the queue of extension requests."""
    return actor.has_role("supervisor", "platform_admin")


def can_list_notice_candidates(actor: Actor) -> bool:
    """Supervisors, platform admins and auditors see the 通报 candidates."""
    return actor.has_role("supervisor", "platform_admin", "auditor")


def can_get_unit_page(actor: Actor, department_id: int) -> bool:
    """A unit's own page: its people, supervisors, platform admins and auditors."""
    if actor.has_role("supervisor", "platform_admin", "auditor"):
        return True
    return actor.is_authenticated and actor.department_id == department_id


def can_run_reminders(actor: Actor) -> bool:
    """The scheduler (system), platform admins and supervisors run a reminder pass."""
    return actor.has_role("platform_admin", "supervisor")
