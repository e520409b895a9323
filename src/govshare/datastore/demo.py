"""Demo datasets: Dezhou's population (市公安局) and market entities (市市场监管局), loaded into the
catalog's published base resources of those names (the catalog demo files them with the tables'
columns as data items; without the catalog demo they are filed here); small enough that the
first start stays quick (``govshare data people`` writes bigger tables on request)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.schemas import DataItemIn, ResourceCreate, ResourceFilter, ReviewDecision
from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.datastore import service, synthetic
from govshare.datastore.schemas import DatasetUpdate

DEMO = (
    ("人口基础信息", "市公安局", synthetic.PERSON_COLUMNS, 2000, "全市户籍人口的基础身份信息。"),
    (
        "市场主体登记信息",
        "市市场监管局",
        synthetic.ENTITY_COLUMNS,
        500,
        "全市企业、个体工商户和农民专业合作社的登记信息。",
    ),
)


def _items(columns: list[dict[str, Any]]) -> list[DataItemIn]:
    return [
        DataItemIn(
            name=c["name"],
            type_code=c.get("type_code", "C"),
            length=int(c["length"]) if str(c.get("length") or "").isdigit() else None,
            is_key=bool(c.get("is_key")),
            required=bool(c.get("required")),
            personal=c["name"] in ("姓名", "公民身份号码", "户籍地址", "联系电话"),
        )
        for c in columns
    ]


def publish_resource(
    session: Session,
    name: str,
    department_id: int,
    category_code: str,
    columns: list[dict[str, Any]],
    abstract: str,
) -> Any:
    """File and publish a catalog resource whose data items are ``columns`` (as the system)."""
    created = catalog.create_resource(
        session,
        SYSTEM,
        ResourceCreate(
            name=name,
            category_code=category_code,
            provider_department_id=department_id,
            abstract=abstract,
            format_class="database",
            format_type="达梦",
            share_type="conditional",
            legal_basis="《政务数据共享条例》（国务院令第809号）",
            grading_override_reason="含个人信息或商业信息：有条件共享、不予开放。",
            share_conditions="用于政务服务和监管，按需申请。",
            share_method="interface",
            open_type="closed",
            update_cycle="每日",
            grading_level=2,
            data_items=_items(columns),
        ),
    )
    catalog.submit_resource(session, SYSTEM, created.id)
    return catalog.publish_resource(session, SYSTEM, created.id, ReviewDecision())


def seed_datasets(
    session: Session, units: dict[str, Any], categories: dict[int, str], kinds: dict[str, Any]
) -> None:
    """Publish the demo resources, create their datasets and load a first version of each."""
    from govshare.jobs.worker import Worker

    tmp = Path(tempfile.mkdtemp(prefix="govshare-demo-"))
    for name, unit, columns, rows, abstract in DEMO:
        dept = units[unit]
        published, _more = catalog.list_resources(
            session,
            SYSTEM,
            filters=ResourceFilter(provider_department_id=dept.id, status="published"),
            limit=500,
        )
        resource_id = next((r.id for r in published if r.name == name), None)
        if resource_id is None:
            created = publish_resource(
                session, name, dept.id, categories[dept.id], columns, abstract
            )
            resource_id = created.id
        ds = service.create_dataset_for_resource(session, SYSTEM, resource_id)
        service.update_dataset(session, SYSTEM, ds.id, DatasetUpdate(reject_threshold=0.05))
        path = tmp / f"{ds.id}.csv"
        if columns is synthetic.PERSON_COLUMNS:
            synthetic.write_csv(path, synthetic.person_header(), synthetic.person_rows(rows))
        else:
            synthetic.write_csv(path, synthetic.entity_header(), synthetic.entity_rows(rows))
        service.load_file(session, SYSTEM, ds.id, path)
    session.flush()
    Worker(Database(session.connection()), kinds, lease_seconds=3600).run_pending()
