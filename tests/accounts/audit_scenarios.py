"""Audit scenarios of accounts and audit: each write, run once, must leave its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

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
from govshare.core.security import ANONYMOUS
from tests.personas import PASSWORD, department_id


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
}
