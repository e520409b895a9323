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
from tests.personas import department_id


def _submitted(s: Any, a: Callable[[str], Any]) -> int:
    r = make_resource(s)
    catalog.submit_resource(s, a("steward"), r.id)
    return r.id


def _category(s: Any, a: Callable[[str], Any]) -> None:
    parent = next(c for c in catalog.list_categories(s, a("consumer")) if c.full_code == "105")
    catalog.create_category(
        s, a("platform_admin"), CategoryCreate(parent_id=parent.id, code="099", name="审计测试")
    )


def _import(s: Any, a: Callable[[str], Any]) -> None:
    from tests.catalog.test_transfer import item, row, workbook

    content = workbook(s, a, [row(s, 1, "审计导入")], [item(1, "编号")])
    catalog.import_resources(
        s,
        a("steward"),
        filename="a.xlsx",
        content=content,
        department_id=department_id(s, "市统计局"),
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
    "catalog.import_resources": _import,
    "catalog.export_resources": lambda s, a: catalog.export_resources(s, a("consumer")),
    "catalog.export_catalog_json": lambda s, a: catalog.export_catalog_json(s, a("consumer")),
    "catalog.export_dcat": lambda s, a: catalog.export_dcat(s, a("consumer")),
    "catalog.export_province": lambda s, a: catalog.export_province(s, a("platform_admin")),
}
