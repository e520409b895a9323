"""Who may read, export and verify the audit trail.

Auditors (市审计局, 市保密局) and platform admins read the whole trail; department admins read the
entries of their own department. Nobody may change or delete an entry: there is no such function.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from govshare.audit.models import AuditEntry
from govshare.core.security import Actor


def can_list_audit_entries(actor: Actor) -> bool:
    """Auditors, platform admins, and department admins (for their own department)."""
    return actor.kind != "anonymous" and actor.has_role("auditor", "platform_admin", "dept_admin")


def can_get_audit_entry(actor: Actor) -> bool:
    """As for the list; visible_audit_entries narrows what a department admin sees."""
    return can_list_audit_entries(actor)


def can_export_audit_entries(actor: Actor) -> bool:
    """Exports are for auditors and platform admins."""
    return actor.has_role("auditor", "platform_admin")


def can_verify_audit_chain(actor: Actor) -> bool:
    """Verifying the chain is for auditors and platform admins (and the CLI)."""
    return actor.has_role("auditor", "platform_admin")


def can_summarize_audit(actor: Actor) -> bool:
    """Activity charts follow the list rule."""
    return can_list_audit_entries(actor)


def can_home_activity(actor: Actor) -> bool:
    """Anyone logged in may ask; those who may not read the trail get nothing."""
    return actor.is_authenticated


def can_list_action_tallies(actor: Actor) -> bool:
    """Auditors and platform admins, and the system: modules that have checked their own rule
    (sharing's usage dashboards) read the tallies as the system."""
    return actor.kind == "system" or actor.has_role("auditor", "platform_admin")


def can_record(actor: Actor) -> bool:
    """Recording is done by services for every actor, anonymous ones included."""
    return True


def can_record_refusal(actor: Actor) -> bool:
    """Refusals are recorded for every actor."""
    return True


def visible_audit_entries(actor: Actor) -> Select[AuditEntry]:
    """Entries the actor may read."""
    stmt = select(AuditEntry)
    if actor.has_role("auditor", "platform_admin"):
        return stmt
    if actor.has_role("dept_admin") and actor.department_id is not None:
        return stmt.where(AuditEntry.department_id == actor.department_id)
    return stmt.where(AuditEntry.id == -1)
