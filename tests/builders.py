"""Builders of test data through the real services (never raw INSERTs).

``resource_data`` gives a valid filing for a department; ``make_resource`` files it and, when
asked, takes it through review to ``published``. Other modules' tests use these too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.models import Category
from govshare.catalog.schemas import DataItemIn, ResourceCreate, ResourcePublic, ReviewDecision
from tests.personas import actor_of, department_id

DEFAULT_ITEMS = (
    DataItemIn(name="统一社会信用代码", type_code="C", length=18, is_key=True, required=True),
    DataItemIn(name="单位名称", type_code="C", length=200, required=True),
    DataItemIn(name="登记日期", type_code="D"),
)


def department_category(session: Session, short_name: str) -> str:
    """The 部门目录 目 of a department (307xxx)."""
    dept = department_id(session, short_name)
    return session.scalars(select(Category.full_code).where(Category.department_id == dept)).one()


def resource_data(session: Session, unit: str = "市统计局", **overrides: Any) -> ResourceCreate:
    """A valid filing (grading 1: unconditional sharing, open) for a department."""
    values: dict[str, Any] = {
        "name": "规模以上工业企业名录",
        "category_code": department_category(session, unit),
        "provider_department_id": department_id(session, unit),
        "abstract": "全市规模以上工业企业的名录信息，按月更新。",
        "format_class": "database",
        "format_type": "达梦",
        "share_type": "unconditional",
        "share_method": "interface",
        "open_type": "open",
        "update_cycle": "每月",
        "grading_level": 1,
        "data_items": list(DEFAULT_ITEMS),
    }
    values.update(overrides)
    values["data_items"] = [
        i.model_dump() if isinstance(i, DataItemIn) else i for i in values["data_items"]
    ]
    return ResourceCreate.model_validate(values)


def make_resource(
    session: Session,
    unit: str = "市统计局",
    *,
    persona: str = "steward",
    publish: bool = False,
    **overrides: Any,
) -> ResourcePublic:
    """File a resource as a persona of the department; ``publish`` takes it through review."""
    data = resource_data(session, unit, **overrides)
    created = catalog.create_resource(session, actor_of(session, persona), data)
    if publish:
        catalog.submit_resource(session, actor_of(session, persona), created.id)
        created = catalog.publish_resource(
            session, actor_of(session, "platform_admin"), created.id, ReviewDecision()
        )
    return created
