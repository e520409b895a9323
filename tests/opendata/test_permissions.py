"""Who may do what on the portal: every persona × every rule."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from govshare.opendata import permissions as p
from tests.personas import ROLE_PERSONAS, department_id

EVERYONE = set(ROLE_PERSONAS)
STAFF = EVERYONE - {"public"}
ADMINS = {"platform_admin"}
FILERS = {"platform_admin", "dept_admin", "steward"}


def _tongji(s: Any) -> Any:
    return SimpleNamespace(provider_department_id=department_id(s, "市统计局"))


def _unassigned(s: Any) -> Any:
    return SimpleNamespace(provider_department_id=None)


MATRIX: dict[str, tuple[Callable[[Any, Any], bool], set[str]]] = {
    "get_portal_home": (lambda a, s: p.can_get_portal_home(a), EVERYONE),
    "search_portal": (lambda a, s: p.can_search_portal(a), EVERYONE),
    "get_portal_dataset": (lambda a, s: p.can_get_portal_dataset(a), EVERYONE),
    "download_dataset": (lambda a, s: p.can_download_dataset(a), EVERYONE),
    "ckan_action": (lambda a, s: p.can_ckan_action(a), EVERYONE),
    "get_portal_dcat": (lambda a, s: p.can_get_portal_dcat(a), EVERYONE),
    "check_portal_dcat": (lambda a, s: p.can_check_portal_dcat(a), FILERS),
    "submit_data_request": (lambda a, s: p.can_submit_data_request(a), EVERYONE),
    "register_public_user": (lambda a, s: p.can_register_public_user(a), {"public"}),
    "list_releases": (lambda a, s: p.can_list_releases(a), FILERS),
    "get_portal_usage": (lambda a, s: p.can_get_portal_usage(a), ADMINS),
    "flush_portal_usage": (lambda a, s: p.can_flush_portal_usage(a), ADMINS),
    "release_resource(统计局)": (lambda a, s: p.can_release_resource(a, _tongji(s)), FILERS),
    "update_release_masks(统计局)": (
        lambda a, s: p.can_update_release_masks(a, _tongji(s)),
        FILERS,
    ),
    "request_level_change(统计局)": (
        lambda a, s: p.can_request_level_change(a, _tongji(s)),
        FILERS,
    ),
    "approve_level_change": (lambda a, s: p.can_approve_level_change(a), ADMINS),
    "refuse_level_change": (lambda a, s: p.can_refuse_level_change(a), ADMINS),
    "withdraw_release": (lambda a, s: p.can_withdraw_release(a), ADMINS),
    "list_level_changes": (lambda a, s: p.can_list_level_changes(a), FILERS | {"auditor"}),
    "list_applications": (
        lambda a, s: p.can_list_applications(a),
        {"platform_admin", "dept_admin", "reviewer", "auditor"},
    ),
    "decide_application(统计局)": (
        lambda a, s: p.can_decide_application(a, _tongji(s)),
        {"platform_admin", "dept_admin", "reviewer"},
    ),
    "assign_data_request": (lambda a, s: p.can_assign_data_request(a), ADMINS),
    "list_request_providers": (lambda a, s: p.can_list_request_providers(a), ADMINS),
    "answer_data_request(统计局)": (
        lambda a, s: p.can_answer_data_request(a, _tongji(s)),
        {"platform_admin", "dept_admin", "steward", "reviewer"},
    ),
    "answer_data_request(unassigned)": (
        lambda a, s: p.can_answer_data_request(a, _unassigned(s)),
        ADMINS,
    ),
}


@pytest.mark.parametrize("rule", sorted(MATRIX))
@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_permission_matrix(rule, persona, session, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), session) is (persona in allowed), f"{persona} × {rule}"


def test_public_user_rules_need_a_verified_visitor():
    from govshare.core.security import ANONYMOUS

    verified = SimpleNamespace(verified_at="2026-12-01")
    unverified = SimpleNamespace(verified_at=None)
    assert p.can_apply_for_resource(ANONYMOUS, verified)
    assert not p.can_apply_for_resource(ANONYMOUS, unverified)
    assert not p.can_apply_for_resource(ANONYMOUS, None)
    assert p.can_create_public_api_key(ANONYMOUS, verified)
    assert not p.can_create_public_api_key(ANONYMOUS, None)
    assert p.can_list_my_applications(ANONYMOUS, unverified)
    assert p.can_read_data("open", False) and not p.can_read_data("conditional", False)
    assert p.can_read_data("conditional", True)
