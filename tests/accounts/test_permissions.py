"""Who may do what in accounts: every persona × every rule, as a matrix."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from govshare.accounts import permissions as p
from govshare.accounts.models import ApiToken, User
from tests.personas import ROLE_PERSONAS, department_id

ADMINS = {"platform_admin"}
EVERYONE = set(ROLE_PERSONAS) - {"public"}


def _steward(session: Any) -> Any:
    return session.scalars(select(User).where(User.username == "p.tongji.steward")).one()


# rule name → (check(actor, session), personas allowed)
MATRIX: dict[str, tuple[Callable[[Any, Any], bool], set[str]]] = {
    "list_departments": (lambda a, s: p.can_list_departments(a), EVERYONE),
    "get_department_tree": (lambda a, s: p.can_get_department_tree(a), EVERYONE),
    "create_department": (lambda a, s: p.can_create_department(a), ADMINS),
    "update_department": (lambda a, s: p.can_update_department(a), ADMINS),
    "create_unit_group": (lambda a, s: p.can_create_unit_group(a), ADMINS),
    "update_unit_group": (lambda a, s: p.can_update_unit_group(a), ADMINS),
    "list_unit_groups": (lambda a, s: p.can_list_unit_groups(a), EVERYONE),
    "home_summary": (lambda a, s: p.can_home_summary(a), EVERYONE),
    "list_users": (lambda a, s: p.can_list_users(a), {"platform_admin", "dept_admin", "auditor"}),
    "get_user(steward)": (
        lambda a, s: p.can_get_user(a, _steward(s)),
        {"platform_admin", "dept_admin", "auditor", "steward"},
    ),
    "create_user(统计局)": (
        lambda a, s: p.can_create_user(a, department_id(s, "市统计局")),
        {"platform_admin", "dept_admin"},
    ),
    "create_user(公安局)": (
        lambda a, s: p.can_create_user(a, department_id(s, "市公安局")),
        {"platform_admin"},
    ),
    "update_user(steward)": (
        lambda a, s: p.can_update_user(a, _steward(s)),
        {"platform_admin", "dept_admin"},
    ),
    "move_user(steward→公安局)": (
        lambda a, s: p.can_update_user(a, _steward(s), department_id(s, "市公安局")),
        {"platform_admin"},
    ),
    "set_user_roles(reviewer)": (
        lambda a, s: p.can_set_user_roles(a, _steward(s), ["reviewer"]),
        {"platform_admin", "dept_admin"},
    ),
    "set_user_roles(auditor)": (
        lambda a, s: p.can_set_user_roles(a, _steward(s), ["auditor"]),
        {"platform_admin"},
    ),
    "reset_password(steward)": (
        lambda a, s: p.can_reset_password(a, _steward(s)),
        {"platform_admin", "dept_admin"},
    ),
    "unlock_user(steward)": (
        lambda a, s: p.can_unlock_user(a, _steward(s)),
        {"platform_admin", "dept_admin"},
    ),
    "change_own_password": (lambda a, s: p.can_change_own_password(a), EVERYONE),
    "list_my_tokens": (lambda a, s: p.can_list_my_tokens(a), EVERYONE),
    "create_token(self)": (lambda a, s: p.can_create_token(a), EVERYONE),
    "create_token(steward)": (
        lambda a, s: p.can_create_token(a, _steward(s)),
        {"platform_admin", "steward"},
    ),
    "revoke_token(steward's)": (
        lambda a, s: p.can_revoke_token(a, ApiToken(user_id=_steward(s).id)),
        {"platform_admin", "steward"},
    ),
    "see_mobile(steward)": (
        lambda a, s: p.can_see_mobile(a, _steward(s)),
        {"platform_admin", "dept_admin", "steward"},
    ),
    "find_units": (lambda a, s: p.can_find_units(a), EVERYONE),
    "log_in": (lambda a, s: p.can_log_in(a), set(ROLE_PERSONAS)),
    "log_out": (lambda a, s: p.can_log_out(a), set(ROLE_PERSONAS)),
    "get_me": (lambda a, s: p.can_get_me(a), set(ROLE_PERSONAS)),
    "resolve_actor": (lambda a, s: p.can_resolve_actor(a), set(ROLE_PERSONAS)),
    "get_department": (lambda a, s: p.can_get_department(a), EVERYONE),
    "get_unit_group": (lambda a, s: p.can_get_unit_group(a), EVERYONE),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, session, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), session) is (persona in allowed)


def test_token_actor_cannot_change_password_or_list_tokens(session, actor):
    token_actor = SimpleNamespace(kind="token", is_authenticated=True)
    assert p.can_change_own_password(token_actor) is False  # type: ignore[arg-type]
    assert p.can_list_my_tokens(token_actor) is False  # type: ignore[arg-type]


def test_visible_users_narrows_by_role(session, actor):
    def names(persona: str) -> set[str]:
        return set(
            session.scalars(p.visible_users(actor(persona)).with_only_columns(User.username))
        )

    assert "p.gongan.admin" in names("auditor")
    assert names("dept_admin") >= {"p.tongji.steward", "p.tongji.admin"}
    assert "p.gongan.admin" not in names("dept_admin")
    assert names("consumer") == {"p.lingcheng.consumer"}


def test_visible_departments_hides_everything_from_the_public(session, actor):
    assert session.scalars(p.visible_departments(actor("public"))).first() is None
    assert session.scalars(p.visible_departments(actor("consumer"))).first() is not None
