"""Who may write rules, run checks, see findings and samples, fix issues and raise objections.

"Managers" are the stewards and department admins of the dataset's provider department;
"provider staff" adds its reviewers. Platform admins and the system may do everything.
Supervisors (督查员) follow every department's quality: runs, issues, reports and scores, without
the failing samples (they hold personal values; only provider staff and platform admins see them).
"""

from __future__ import annotations

from govshare.core.security import Actor

MANAGERS = ("steward", "dept_admin")
STAFF = ("steward", "dept_admin", "reviewer")


def _platform(actor: Actor) -> bool:
    return actor.kind == "system" or actor.is_platform_admin


def _manages(actor: Actor, department_id: int | None) -> bool:
    return _platform(actor) or (actor.has_role(*MANAGERS) and actor.in_department(department_id))


def _staff(actor: Actor, department_id: int | None) -> bool:
    return _platform(actor) or (actor.has_role(*STAFF) and actor.in_department(department_id))


def _follows(actor: Actor, department_id: int | None) -> bool:
    return _staff(actor, department_id) or actor.has_role("supervisor")


def can_see_samples(actor: Actor, department_id: int | None) -> bool:
    """Failing samples (key items and values): provider staff and platform admins."""
    return _staff(actor, department_id)


def can_list_rules(actor: Actor, department_id: int | None) -> bool:
    """Everyone logged in (rules are part of the data's description, like the catalog)."""
    return actor.is_authenticated


def can_suggest_rules(actor: Actor, department_id: int | None) -> bool:
    """Managers."""
    return _manages(actor, department_id)


def can_list_reference_targets(actor: Actor, department_id: int | None) -> bool:
    """Managers (the resources they may reference: those the catalog shows them)."""
    return _manages(actor, department_id)


def can_create_rule(actor: Actor, department_id: int | None) -> bool:
    """Managers."""
    return _manages(actor, department_id)


def can_update_rule(actor: Actor, department_id: int | None) -> bool:
    """Managers."""
    return _manages(actor, department_id)


def can_delete_rule(actor: Actor, department_id: int | None) -> bool:
    """Managers."""
    return _manages(actor, department_id)


def can_run_inspection(actor: Actor, department_id: int | None) -> bool:
    """Managers and supervisors."""
    return _manages(actor, department_id) or actor.has_role("supervisor")


def can_gate_version(actor: Actor) -> bool:
    """Whoever publishes a version: the datastore calls the gate for its loads."""
    return actor.is_authenticated


def can_run_due_inspections(actor: Actor) -> bool:
    """The system (the scheduler) and platform admins."""
    return _platform(actor)


def can_escalate_overdue_issues(actor: Actor) -> bool:
    """The system (the scheduler) and platform admins."""
    return _platform(actor)


def can_list_runs(actor: Actor, department_id: int | None) -> bool:
    """Provider staff, supervisors, platform admins."""
    return _follows(actor, department_id)


def can_get_run(actor: Actor, department_id: int | None) -> bool:
    """Provider staff, supervisors, platform admins (samples only for provider staff)."""
    return _follows(actor, department_id)


def can_list_issues(actor: Actor, department_id: int | None) -> bool:
    """Provider staff, supervisors, platform admins (None: all departments they may follow)."""
    return actor.is_authenticated and (department_id is None or _follows(actor, department_id))


def can_mark_issue_fixed(actor: Actor, department_id: int | None) -> bool:
    """Managers."""
    return _manages(actor, department_id)


def can_get_scoreboard(actor: Actor) -> bool:
    """Everyone logged in: scores are published to all departments."""
    return actor.is_authenticated


def can_get_report(actor: Actor, department_id: int | None) -> bool:
    """The department's staff, supervisors, platform admins."""
    return _follows(actor, department_id)


def can_export_report(actor: Actor, department_id: int | None) -> bool:
    """As get_report."""
    return _follows(actor, department_id)


def can_file_objection(actor: Actor, department_id: int | None) -> bool:
    """Every logged-in user (a consumer of shared data, typically) — not a read-only token."""
    return actor.is_authenticated and actor.has_scope("write")


def can_answer_objection(actor: Actor, department_id: int | None) -> bool:
    """Managers of the provider department."""
    return _manages(actor, department_id)


def can_list_objections(actor: Actor) -> bool:
    """Everyone logged in: the filer sees their own, provider staff their department's,
    supervisors and platform admins all."""
    return actor.is_authenticated


def can_see_objection(actor: Actor, department_id: int, filed_by_id: int | None) -> bool:
    """The filer, the provider's staff, supervisors and platform admins."""
    return _follows(actor, department_id) or (
        filed_by_id is not None and actor.user_id == filed_by_id
    )


def can_get_objection(actor: Actor) -> bool:
    """Everyone logged in; an objection they may not see answers 404 (``can_see_objection``)."""
    return actor.is_authenticated


def can_list_code_tables(actor: Actor) -> bool:
    """Everyone logged in (code tables describe values, like the catalog)."""
    return actor.is_authenticated


def can_get_code_table(actor: Actor) -> bool:
    """Everyone logged in."""
    return actor.is_authenticated


def can_upload_code_table(actor: Actor) -> bool:
    """Stewards and department admins (of any department) and platform admins; not a read-only
    token."""
    return (_platform(actor) or actor.has_role(*MANAGERS)) and actor.has_scope("write")
