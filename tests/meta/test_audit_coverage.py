"""Every write service function leaves an audit entry named ``<module>.<function>``.

Each module lists its scenarios in ``tests/<module>/audit_scenarios.py`` (``SCENARIOS``: name →
callable(session, actor)). A write function (by its verb) without a scenario fails
``test_every_write_has_a_scenario``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from govshare.audit.models import AuditEntry
from tests.meta.modules import module_names, service_functions

WRITE_VERBS = (
    "create_",
    "update_",
    "delete_",
    "set_",
    "reset_",
    "revoke_",
    "unlock_",
    "change_",
    "log_",
    "submit_",
    "approve_",
    "refuse_",
    "return_",
    "publish_",
    "retire_",
    "import_",
    "load_",
    "grant_",
    "record",
    "verify_",
    "export_",
    "add_",
    "remove_",
    "assign_",
    "close_",
    "open_",
    "mark_",
    "run_",
    "send_",
    "accept_",
    "cancel_",
    "renew_",
    "arbitrate_",
    "object_",
    "extend_",
    "rate_",
    "file_",
    "dispatch_",
    "register_",
    "apply_",
    "answer_",
    "lower_",
    "upload_",
    "schedule_",
    "restore_",
)
# Functions that are writes but audited elsewhere by design.
NOT_AUDITED_HERE = {
    "audit.record": "is the audit trail itself",
    "audit.record_refusal": "records refusals of other functions",
    "clocks.add_working_days": "date arithmetic named for what it computes; writes nothing",
}


def _scenarios() -> dict[str, Callable[[Any, Callable[[str], Any]], None]]:
    out: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {}
    for path in sorted((Path(__file__).resolve().parents[1]).glob("*/audit_scenarios.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.audit_scenarios")
        out.update(module.SCENARIOS)
    return out


SCENARIOS = _scenarios()


def _writes() -> list[str]:
    return [
        f"{m}.{f}"
        for m in module_names()
        for f in service_functions(m)
        if f.startswith(WRITE_VERBS)
    ]


@pytest.mark.parametrize("name", _writes())
def test_every_write_has_a_scenario(name):
    assert name in SCENARIOS or name in NOT_AUDITED_HERE, f"add an audit scenario for {name}"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_write_leaves_an_audit_entry(name, session, actor):
    def count() -> int:
        return session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == name, AuditEntry.outcome == "success")
        )

    before = count()
    SCENARIOS[name](session, actor)
    session.flush()
    assert count() > before, f"{name} wrote no audit entry"
