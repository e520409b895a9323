"""Who may do what in the catalog: every persona × every rule, as a matrix."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from govshare.catalog import permissions as p
from govshare.catalog.models import Resource
from tests.personas import ROLE_PERSONAS, actor_of, department_id

EVERYONE = set(ROLE_PERSONAS) - {"public"}
REVIEWERS = {"platform_admin"}
STAT_FILERS = {"platform_admin", "dept_admin", "steward"}


def _res(s: Any, status: str, unit: str = "市统计局") -> Any:
    return SimpleNamespace(provider_department_id=department_id(s, unit), status=status)


MATRIX: dict[str, tuple[Callable[[Any, Any], bool], set[str]]] = {
    "get_resource": (lambda a, s: p.can_get_resource(a), EVERYONE),
    "get_resource_by_code": (lambda a, s: p.can_get_resource_by_code(a), EVERYONE),
    "list_resources": (lambda a, s: p.can_list_resources(a), EVERYONE),
    "search_resources": (lambda a, s: p.can_search_resources(a), EVERYONE),
    "create_resource(统计局)": (
        lambda a, s: p.can_create_resource(a, department_id(s, "市统计局")),
        STAT_FILERS,
    ),
    "create_resource(公安局)": (
        lambda a, s: p.can_create_resource(a, department_id(s, "市公安局")),
        REVIEWERS,
    ),
    "update_resource(draft)": (
        lambda a, s: p.can_update_resource(a, _res(s, "draft")),
        STAT_FILERS,
    ),
    "update_resource(retired)": (lambda a, s: p.can_update_resource(a, _res(s, "retired")), set()),
    "submit_resource(draft)": (
        lambda a, s: p.can_submit_resource(a, _res(s, "draft")),
        STAT_FILERS,
    ),
    "delete_resource(draft)": (
        lambda a, s: p.can_delete_resource(a, _res(s, "draft")),
        STAT_FILERS,
    ),
    "delete_resource(published)": (
        lambda a, s: p.can_delete_resource(a, _res(s, "published")),
        set(),
    ),
    "return_resource": (lambda a, s: p.can_return_resource(a, _res(s, "submitted")), REVIEWERS),
    "publish_resource": (lambda a, s: p.can_publish_resource(a, _res(s, "submitted")), REVIEWERS),
    "retire_resource(published)": (
        lambda a, s: p.can_retire_resource(a, _res(s, "published")),
        {"platform_admin", "dept_admin"},
    ),
    "retire_resource(draft)": (lambda a, s: p.can_retire_resource(a, _res(s, "draft")), set()),
    "check_resource": (lambda a, s: p.can_check_resource(a), EVERYONE),
    "list_versions": (lambda a, s: p.can_list_versions(a), EVERYONE),
    "diff_versions": (lambda a, s: p.can_diff_versions(a), EVERYONE),
    "list_reviews": (lambda a, s: p.can_list_reviews(a), EVERYONE),
    "see_unpublished(统计局)": (
        lambda a, s: p.can_see_unpublished(a, _res(s, "draft")),
        {"platform_admin", "dept_admin", "steward", "reviewer", "auditor"},
    ),
    "list_review_queue": (lambda a, s: p.can_list_review_queue(a), {"platform_admin", "auditor"}),
    "list_categories": (lambda a, s: p.can_list_categories(a), EVERYONE),
    "list_units": (lambda a, s: p.can_list_units(a), EVERYONE),
    "create_category": (lambda a, s: p.can_create_category(a), REVIEWERS),
    "get_template": (lambda a, s: p.can_get_template(a), EVERYONE),
    "import_resources(统计局)": (
        lambda a, s: p.can_import_resources(a, department_id(s, "市统计局")),
        STAT_FILERS,
    ),
    "export_resources": (lambda a, s: p.can_export_resources(a), EVERYONE),
    "export_catalog_json": (lambda a, s: p.can_export_catalog_json(a), EVERYONE),
    "export_dcat": (lambda a, s: p.can_export_dcat(a), EVERYONE),
    "export_province": (
        lambda a, s: p.can_export_province(a),
        {"platform_admin", "dept_admin", "steward", "auditor"},
    ),
    "get_statistics": (lambda a, s: p.can_get_statistics(a), EVERYONE),
    "reindex_resources": (lambda a, s: p.can_reindex_resources(a), REVIEWERS),
}


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, session):
    check, allowed = MATRIX[rule]
    assert check(actor_of(session, persona), session) is (persona in allowed), (rule, persona)


def test_catalog_reviewer_role_reviews_without_being_platform_admin():
    from govshare.core.security import Actor

    reviewer = Actor(kind="user", user_id=1, roles=frozenset({"catalog_reviewer"}))
    res = SimpleNamespace(provider_department_id=5, status="submitted")
    assert p.can_publish_resource(reviewer, res) and p.can_return_resource(reviewer, res)
    assert p.can_create_category(reviewer) and not p.can_create_resource(reviewer, 5)


def test_visible_resources_hides_drafts_of_other_departments(session):
    from tests.builders import make_resource

    draft = make_resource(session)
    published = make_resource(session, name="已发布的", publish=True)

    def seen(persona: str) -> set[int]:
        stmt = p.visible_resources(actor_of(session, persona)).with_only_columns(Resource.id)
        return set(session.scalars(stmt.where(Resource.id.in_([draft.id, published.id]))))

    assert seen("steward") == {draft.id, published.id}
    assert seen("consumer") == {published.id}
    assert seen("auditor") == {draft.id, published.id}
    assert seen("public") == set()
    assert session.scalar(select(Resource.status).where(Resource.id == draft.id)) == "draft"
