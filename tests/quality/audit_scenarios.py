"""Audit scenarios of quality's writes."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govshare.core.db import Database
from govshare.datastore import service as datastore
from govshare.quality import service
from govshare.quality.schemas import IssueFix, ObjectionAnswer, ObjectionCreate, RuleCreate
from tests.datastore.helpers import people_csv, run_jobs
from tests.quality.helpers import person_dataset

A = Callable[[str], Any]


def _published(s: Any, a: A) -> Any:
    ds = person_dataset(s, a("steward"))
    path = people_csv(Path(tempfile.mkdtemp(prefix="gs-q-")) / "p.csv", 20)
    datastore.load_file(s, a("steward"), ds.id, path)
    s.flush()
    run_jobs(Database(s.connection(), savepoints=True))
    s.expire_all()
    return ds


def _issue(s: Any, a: A) -> Any:
    ds = _published(s, a)
    service.create_rule(
        s, a("steward"), ds.id, RuleCreate(kind="length", items=["姓名"], params={"max": 1})
    )
    service.run_inspection(s, a("steward"), ds.id)
    return service.list_issues(s, a("steward"))[0]


def _objection(s: Any, a: A) -> Any:
    ds = _published(s, a)
    return service.file_objection(
        s, a("consumer"), ds.id, ObjectionCreate(item="姓名", description="有误")
    )


def _today() -> dt.date:
    return dt.date.today()


SCENARIOS: dict[str, Callable[[Any, A], None]] = {
    "quality.upload_code_table": lambda s, a: (
        service.upload_code_table(
            s, a("steward"), name="类别", filename="t.csv", content="代码,名称\nA,甲\n".encode()
        )
        and None
    ),
    "quality.create_rule": lambda s, a: person_dataset(s, a("steward")) and None,
    "quality.update_rule": lambda s, a: (
        service.update_rule(
            s,
            a("steward"),
            service.list_rules(s, a("steward"), person_dataset(s, a("steward")).id)[0].id,
            __import__("govshare.quality.schemas", fromlist=["RuleUpdate"]).RuleUpdate(
                severity="warning"
            ),
        )
        and None
    ),
    "quality.delete_rule": lambda s, a: service.delete_rule(
        s,
        a("steward"),
        service.list_rules(s, a("steward"), person_dataset(s, a("steward")).id)[0].id,
    ),
    "quality.run_inspection": lambda s, a: (
        service.run_inspection(s, a("steward"), _published(s, a).id) and None
    ),
    "quality.run_due_inspections": lambda s, a: (
        _published(s, a) and service.run_due_inspections(s, a("platform_admin")) and None
    ),
    "quality.mark_issue_fixed": lambda s, a: (
        service.mark_issue_fixed(s, a("steward"), _issue(s, a).id, IssueFix(note="已改")) and None
    ),
    "quality.file_objection": lambda s, a: _objection(s, a) and None,
    "quality.answer_objection": lambda s, a: (
        service.answer_objection(
            s, a("steward"), _objection(s, a).id, ObjectionAnswer(accept=False, answer="无误")
        )
        and None
    ),
    "quality.export_report": lambda s, a: (
        service.export_report(
            s, a("steward"), _published(s, a).department_id, _today(), _today(), "xlsx"
        )
        and None
    ),
}
