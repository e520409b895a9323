"""Supervision use cases, split by sub-entity: plans (import, outline, export), tasks and
milestones, reports and extensions, escalation (reminders), evaluation and dashboards.

Every function takes the session and the acting ``Actor``, checks its named permission
(``permissions.can_<function>``), works in the caller's transaction and records the audit entry.
"""

from govshare.supervision.service.escalation import list_notice_candidates, run_reminders
from govshare.supervision.service.evaluation import (
    evaluate_units,
    export_evaluation,
    get_dashboard,
    get_unit_page,
    home_progress,
)
from govshare.supervision.service.plans import (
    create_shifted_copy,
    export_plan,
    get_plan_outline,
    import_plan,
    list_plans,
    preview_import,
)
from govshare.supervision.service.reports import (
    decide_extension,
    get_attachment,
    list_extensions,
    request_extension,
    review_report,
    submit_report,
)
from govshare.supervision.service.tasks import (
    add_milestone,
    get_task,
    list_tasks,
    set_group_units,
    set_milestone_done,
    update_milestone,
)

__all__ = [
    "add_milestone",
    "create_shifted_copy",
    "decide_extension",
    "evaluate_units",
    "export_evaluation",
    "export_plan",
    "get_attachment",
    "get_dashboard",
    "get_plan_outline",
    "get_task",
    "get_unit_page",
    "home_progress",
    "import_plan",
    "list_extensions",
    "list_notice_candidates",
    "list_plans",
    "list_tasks",
    "preview_import",
    "request_extension",
    "review_report",
    "run_reminders",
    "set_group_units",
    "set_milestone_done",
    "submit_report",
    "update_milestone",
]
