"""Who may read, export and verify the audit trail: every persona × every rule."""

from __future__ import annotations

import pytest

from govshare.audit import permissions as p
from govshare.audit.models import AuditEntry
from govshare.audit.service import record
from tests.personas import ROLE_PERSONAS

MATRIX = {
    "list_audit_entries": (p.can_list_audit_entries, {"platform_admin", "dept_admin", "auditor"}),
    "get_audit_entry": (p.can_get_audit_entry, {"platform_admin", "dept_admin", "auditor"}),
    "summarize_audit": (p.can_summarize_audit, {"platform_admin", "dept_admin", "auditor"}),
    "export_audit_entries": (p.can_export_audit_entries, {"platform_admin", "auditor"}),
    "verify_audit_chain": (p.can_verify_audit_chain, {"platform_admin", "auditor"}),
    "home_activity": (p.can_home_activity, set(ROLE_PERSONAS) - {"public"}),
    "record": (p.can_record, set(ROLE_PERSONAS)),
    "record_refusal": (p.can_record_refusal, set(ROLE_PERSONAS)),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona)) is (persona in allowed)


@pytest.mark.parametrize(
    "persona,sees_other",
    [("auditor", True), ("platform_admin", True), ("dept_admin", False), ("consumer", False)],
)
def test_visible_audit_entries(persona, sees_other, session, actor):
    other = record(session, actor("other_admin"), "test.other")
    visible = session.scalars(
        p.visible_audit_entries(actor(persona)).where(AuditEntry.id == other.id)
    ).first()
    assert (visible is not None) is sees_other
