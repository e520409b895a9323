"""Every write service function leaves an audit entry named ``<module>.<function>``.

A new write function (by its verb) without a scenario here fails
``test_every_write_has_a_scenario``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from govshare.accounts import service as accounts
from govshare.accounts.models import User
from govshare.accounts.schemas import (
    DepartmentCreate,
    DepartmentKind,
    DepartmentUpdate,
    PasswordChange,
    TokenCreate,
    UnitGroupCreate,
    UserCreate,
    UserUpdate,
)
from govshare.audit import service as audit
from govshare.audit.models import AuditEntry
from govshare.core.security import ANONYMOUS
from tests.meta.modules import module_names, service_functions
from tests.personas import PASSWORD, department_id

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
}


def _uid(session: Any, username: str) -> int:
    return session.scalar(select(User.id).where(User.username == username))


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "accounts.create_department": lambda s, a: accounts.create_department(
        s,
        a("platform_admin"),
        DepartmentCreate(code="AUD-1", name="审计测试局", kind=DepartmentKind.municipal),
    ),
    "accounts.update_department": lambda s, a: accounts.update_department(
        s, a("platform_admin"), department_id(s, "市统计局"), DepartmentUpdate(sort_order=9)
    ),
    "accounts.create_unit_group": lambda s, a: accounts.create_unit_group(
        s, a("platform_admin"), UnitGroupCreate(name="审计测试组")
    ),
    "accounts.update_unit_group": lambda s, a: accounts.update_unit_group(
        s,
        a("platform_admin"),
        accounts.list_unit_groups(s, a("platform_admin"))[0].id,
        UnitGroupCreate(name="改名组"),
    ),
    "accounts.create_user": lambda s, a: accounts.create_user(
        s,
        a("platform_admin"),
        UserCreate(
            username="aud.user",
            real_name="审计",
            department_id=department_id(s, "市统计局"),
            password="Abcdef123456",
        ),
    ),
    "accounts.update_user": lambda s, a: accounts.update_user(
        s, a("dept_admin"), _uid(s, "p.tongji.steward"), UserUpdate(posts=["科长"])
    ),
    "accounts.set_user_roles": lambda s, a: accounts.set_user_roles(
        s, a("dept_admin"), _uid(s, "p.tongji.steward"), ["steward", "reviewer"]
    ),
    "accounts.reset_password": lambda s, a: accounts.reset_password(
        s, a("dept_admin"), _uid(s, "p.tongji.steward"), "Changed-2027x"
    ),
    "accounts.unlock_user": lambda s, a: accounts.unlock_user(
        s, a("dept_admin"), _uid(s, "p.tongji.steward")
    ),
    "accounts.change_own_password": lambda s, a: accounts.change_own_password(
        s, a("steward"), PasswordChange(current_password=PASSWORD, new_password="Mine-2027xyz")
    ),
    "accounts.log_in": lambda s, a: accounts.log_in(
        s, ANONYMOUS, username="p.admin", password=PASSWORD
    ),
    "accounts.log_out": lambda s, a: accounts.log_out(
        s,
        a("steward"),
        session_token=accounts.log_in(
            s, ANONYMOUS, username="p.tongji.steward", password=PASSWORD
        ).session_token,
    ),
    "accounts.create_token": lambda s, a: accounts.create_token(
        s, a("consumer"), TokenCreate(name="x")
    ),
    "accounts.revoke_token": lambda s, a: accounts.revoke_token(
        s, a("consumer"), accounts.create_token(s, a("consumer"), TokenCreate(name="y")).id
    ),
    "audit.verify_audit_chain": lambda s, a: audit.verify_audit_chain(s, a("auditor")),
    "audit.export_audit_entries": lambda s, a: list(audit.export_audit_entries(s, a("auditor"))),
}


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
