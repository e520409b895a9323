"""Who may write rules, run checks, see samples, fix issues and object: persona × rule."""

from __future__ import annotations

import pytest

from govshare.quality import permissions as p
from tests.personas import ROLE_PERSONAS, department_id

LOGGED_IN = set(ROLE_PERSONAS) - {"public"}
MANAGERS = {"steward", "dept_admin", "platform_admin"}
STAFF = {"steward", "dept_admin", "reviewer", "platform_admin"}
FOLLOWERS = STAFF | {"supervisor"}

# The dataset belongs to 市统计局, the department of steward, dept_admin and reviewer.
MATRIX = {
    "list_rules": (p.can_list_rules, LOGGED_IN),
    "suggest_rules": (p.can_suggest_rules, MANAGERS),
    "create_rule": (p.can_create_rule, MANAGERS),
    "list_reference_targets": (p.can_list_reference_targets, MANAGERS),
    "update_rule": (p.can_update_rule, MANAGERS),
    "delete_rule": (p.can_delete_rule, MANAGERS),
    "run_inspection": (p.can_run_inspection, MANAGERS | {"supervisor"}),
    "gate_version": (lambda a, d: p.can_gate_version(a), LOGGED_IN),
    "run_due_inspections": (lambda a, d: p.can_run_due_inspections(a), {"platform_admin"}),
    "escalate_overdue_issues": (
        lambda a, d: p.can_escalate_overdue_issues(a),
        {"platform_admin"},
    ),
    "list_runs": (p.can_list_runs, FOLLOWERS),
    "get_run": (p.can_get_run, FOLLOWERS),
    "see_samples": (p.can_see_samples, STAFF),
    "list_issues": (p.can_list_issues, FOLLOWERS),
    "mark_issue_fixed": (p.can_mark_issue_fixed, MANAGERS),
    "get_scoreboard": (lambda a, d: p.can_get_scoreboard(a), LOGGED_IN),
    "get_report": (p.can_get_report, FOLLOWERS),
    "export_report": (p.can_export_report, FOLLOWERS),
    "file_objection": (p.can_file_objection, LOGGED_IN),
    "answer_objection": (p.can_answer_objection, MANAGERS),
    "list_objections": (lambda a, d: p.can_list_objections(a), LOGGED_IN),
    "get_objection": (lambda a, d: p.can_get_objection(a), LOGGED_IN),
    "see_objection": (lambda a, d: p.can_see_objection(a, d, None), FOLLOWERS),
    "list_code_tables": (lambda a, d: p.can_list_code_tables(a), LOGGED_IN),
    "get_code_table": (lambda a, d: p.can_get_code_table(a), LOGGED_IN),
    "upload_code_table": (lambda a, d: p.can_upload_code_table(a), MANAGERS),
}


@pytest.fixture
def dept(session):
    return department_id(session, "市统计局")


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, actor, dept):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), dept) is (persona in allowed)


def test_the_filer_sees_their_objection(actor, dept):
    consumer = actor("consumer")
    assert p.can_see_objection(consumer, dept, consumer.user_id)
    assert not p.can_see_objection(actor("other_admin"), dept, consumer.user_id)


def test_listing_every_department_needs_a_login(actor):
    assert p.can_list_issues(actor("consumer"), None)
    assert not p.can_list_issues(actor("public"), None)
