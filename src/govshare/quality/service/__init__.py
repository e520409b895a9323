"""The quality module's use cases, split by sub-entity: rules, runs (and the gate), issues and
objections, scores and reports.

Other modules import this package: ``from govshare.quality import service as quality``.
"""

from __future__ import annotations

from govshare.quality.service.codetables import (
    get_code_table,
    list_code_tables,
    upload_code_table,
)
from govshare.quality.service.escalation import escalate_overdue_issues
from govshare.quality.service.issues import (
    answer_objection,
    file_objection,
    get_objection,
    list_issues,
    list_objections,
    mark_issue_fixed,
)
from govshare.quality.service.references import list_reference_targets
from govshare.quality.service.rules import (
    create_rule,
    delete_rule,
    list_rules,
    suggest_rules,
    update_rule,
)
from govshare.quality.service.runs import (
    gate_version,
    get_run,
    list_runs,
    run_due_inspections,
    run_inspection,
)
from govshare.quality.service.scores import export_report, get_report, get_scoreboard

__all__ = [
    "answer_objection",
    "create_rule",
    "delete_rule",
    "escalate_overdue_issues",
    "export_report",
    "file_objection",
    "gate_version",
    "get_code_table",
    "get_objection",
    "get_report",
    "get_run",
    "get_scoreboard",
    "list_code_tables",
    "list_issues",
    "list_objections",
    "list_reference_targets",
    "list_rules",
    "list_runs",
    "mark_issue_fixed",
    "run_due_inspections",
    "run_inspection",
    "suggest_rules",
    "update_rule",
    "upload_code_table",
]
