"""Audit scenarios of supervision: each write (and evidence read), run once, leaves its entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from govshare.core.security import SYSTEM
from govshare.supervision import service
from govshare.supervision.models import Attachment
from govshare.supervision.schemas import (
    ExtensionCreate,
    ExtensionDecision,
    GroupResolve,
    MilestoneCreate,
    MilestoneUpdate,
    ReportCreate,
    ReportReview,
    UploadedFile,
)
from tests.supervision.conftest import import_seed, task_id

A = Callable[[str], Any]


def _t15(s: Any, a: A) -> int:
    return task_id(s, import_seed(s, a), 15)


def _milestone(s: Any, a: A) -> int:
    return service.get_task(s, a("supervisor"), _t15(s, a)).milestones[0].id


def _report(s: Any, a: A, files: list[UploadedFile] | None = None) -> Any:
    return service.submit_report(
        s, a("steward"), _t15(s, a), ReportCreate(percent=50, narrative="过半"), files
    )


def _attachment(s: Any, a: A) -> None:
    r = _report(s, a, [UploadedFile(filename="a.pdf", data=b"%PDF-1.4")])
    service.get_attachment(
        s, a("supervisor"), s.scalar(select(Attachment.id).where(Attachment.report_id == r.id))
    )


def _extension(s: Any, a: A) -> Any:
    return service.request_extension(
        s,
        a("steward"),
        _milestone(s, a),
        ExtensionCreate(requested_due=dt.date(2018, 9, 30), reason="等待省级接口"),
    )


SCENARIOS: dict[str, Callable[[Any, A], None]] = {
    "supervision.import_plan": lambda s, a: import_seed(s, a),
    "supervision.create_shifted_copy": lambda s, a: service.create_shifted_copy(
        s, a("supervisor"), import_seed(s, a), days=30
    ),
    "supervision.export_plan": lambda s, a: service.export_plan(
        s, a("consumer"), import_seed(s, a)
    ),
    "supervision.export_evaluation": lambda s, a: service.export_evaluation(
        s, a("supervisor"), import_seed(s, a)
    ),
    "supervision.update_milestone": lambda s, a: service.update_milestone(
        s, a("supervisor"), _milestone(s, a), MilestoneUpdate(due=dt.date(2018, 7, 15))
    ),
    "supervision.add_milestone": lambda s, a: service.add_milestone(
        s, a("supervisor"), _t15(s, a), MilestoneCreate(due=dt.date(2018, 3, 31), sentence="起草")
    ),
    "supervision.set_milestone_done": lambda s, a: service.set_milestone_done(
        s, a("supervisor"), _milestone(s, a), done_on=dt.date(2018, 6, 29)
    ),
    "supervision.set_group_units": lambda s, a: service.set_group_units(
        s,
        a("supervisor"),
        task_id(s, import_seed(s, a), 2),
        GroupResolve(group_name="市直有关部门"),
    ),
    "supervision.submit_report": lambda s, a: _report(s, a),
    "supervision.review_report": lambda s, a: service.review_report(
        s, a("supervisor"), _report(s, a).id, ReportReview(decision="accept", rating=4)
    ),
    "supervision.get_attachment": _attachment,
    "supervision.request_extension": lambda s, a: _extension(s, a),
    "supervision.decide_extension": lambda s, a: service.decide_extension(
        s, a("supervisor"), _extension(s, a).id, ExtensionDecision(approve=True)
    ),
    "supervision.run_reminders": lambda s, a: (
        import_seed(s, a),
        service.run_reminders(s, SYSTEM, now=dt.datetime(2018, 6, 27, 2, tzinfo=dt.UTC)),
    ),
}
