"""Audit scenarios of the catalog: each write, run once, must leave its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govshare.catalog import service as catalog
from govshare.catalog.schemas import (
    CategoryCreate,
    RetireRequest,
    ReturnDecision,
    ReviewDecision,
)
from tests.builders import make_resource, resource_data


def _submitted(s: Any, a: Callable[[str], Any]) -> int:
    r = make_resource(s)
    catalog.submit_resource(s, a("steward"), r.id)
    return r.id


def _category(s: Any, a: Callable[[str], Any]) -> None:
    parent = next(c for c in catalog.list_categories(s, a("consumer")) if c.full_code == "105")
    catalog.create_category(
        s, a("platform_admin"), CategoryCreate(parent_id=parent.id, code="099", name="审计测试")
    )


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], Any]] = {
    "catalog.create_resource": lambda s, a: make_resource(s),
    "catalog.update_resource": lambda s, a: catalog.update_resource(
        s, a("steward"), make_resource(s).id, resource_data(s, abstract="改过的摘要")
    ),
    "catalog.submit_resource": _submitted,
    "catalog.delete_resource": lambda s, a: catalog.delete_resource(
        s, a("steward"), make_resource(s).id
    ),
    "catalog.return_resource": lambda s, a: catalog.return_resource(
        s, a("platform_admin"), _submitted(s, a), ReturnDecision(comment="请补充")
    ),
    "catalog.publish_resource": lambda s, a: catalog.publish_resource(
        s, a("platform_admin"), _submitted(s, a), ReviewDecision()
    ),
    "catalog.retire_resource": lambda s, a: catalog.retire_resource(
        s, a("platform_admin"), make_resource(s, publish=True).id, RetireRequest(reason="整合")
    ),
    "catalog.create_category": _category,
}
