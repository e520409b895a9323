"""Statistics for supervision and the exports of the published catalog (JSON, DCAT-AP, the
province exchange form)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.catalog import exchange, permissions
from govshare.catalog.models import DataItem, Resource, ResourceVersion
from govshare.catalog.schemas import CatalogStats, ResourcePublic, UnitStats
from govshare.catalog.service.common import public_many, today
from govshare.catalog.service.reviews import due_date, local_date
from govshare.clocks import service as clocks
from govshare.core.areas import CITY, COUNTIES
from govshare.core.config import get_settings
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require

FILING_KINDS = ("municipal", "vertical", "county")
COUNTERS = (
    "filed",
    "published",
    "submitted",
    "returned",
    "draft",
    "unconditional",
    "conditional",
    "none",
    "open",
    "data_items",
    "overdue_reviews",
)


def _blank(key: str, name: str) -> dict[str, Any]:
    return {"key": key, "name": name, **dict.fromkeys(COUNTERS, 0)}


def _finish(row: dict[str, Any]) -> UnitStats:
    filed = row["filed"]
    return UnitStats(**row, open_ratio=round(row["open"] / filed, 4) if filed else 0.0)


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    for c in COUNTERS:
        total[c] += part[c]


def get_statistics(session: Session, actor: Actor) -> CatalogStats:
    """Filing progress per department and per county: resources filed (not retired),
    published, waiting, returned, drafts, the share-type mix, the open ratio (open or
    conditionally open among filed), data items and overdue reviews."""
    require(permissions.can_get_statistics(actor), "catalog.get_statistics")
    per: dict[int, dict[str, Any]] = {}
    units, _c = accounts.list_departments(session, actor, limit=10_000)
    area_of: dict[int, str] = {}
    for u in units:
        area_of[u.id] = u.area_code or ""
        kind = getattr(u.kind, "value", str(u.kind))
        if kind in FILING_KINDS:
            per[u.id] = _blank(str(u.id), u.name)
    rows = session.execute(
        select(
            Resource.provider_department_id,
            Resource.provider_name,
            Resource.status,
            Resource.share_type,
            Resource.open_type,
            func.count(),
        )
        .where(Resource.status != "retired")
        .group_by(
            Resource.provider_department_id,
            Resource.provider_name,
            Resource.status,
            Resource.share_type,
            Resource.open_type,
        )
    ).all()
    for dept, name, status, share, open_type, n in rows:
        row = per.setdefault(dept, _blank(str(dept), name))
        row["filed"] += n
        if status in ("published", "submitted", "returned", "draft"):
            row[status] += n
        row[share] += n
        row["open"] += n if open_type != "closed" else 0
    for dept, n in session.execute(
        select(Resource.provider_department_id, func.count(DataItem.id))
        .join(DataItem, DataItem.resource_id == Resource.id)
        .where(Resource.status != "retired")
        .group_by(Resource.provider_department_id)
    ):
        if dept in per:
            per[dept]["data_items"] += n
    days, now = get_settings().catalog_review_days, today()
    calendar = clocks.get_calendar(session, SYSTEM)
    for dept, submitted in session.execute(
        select(Resource.provider_department_id, ResourceVersion.submitted_at)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .where(ResourceVersion.status == "submitted")
    ):
        if submitted is None or dept not in per:
            continue
        if due_date(calendar, local_date(submitted), days) < now:
            per[dept]["overdue_reviews"] += 1
    totals = _blank("total", _("全市"))
    counties: dict[str, dict[str, Any]] = defaultdict(dict)
    names = {CITY.code: _("市本级"), **{a.code: a.name for a in COUNTIES}}
    for dept, row in per.items():
        _add(totals, row)
        area = area_of.get(dept, "")[:6]
        key = area if area in names else CITY.code
        bucket = counties[key] or _blank(key, names[key])
        counties[key] = bucket
        _add(bucket, row)
    departments = sorted(per.values(), key=lambda r: (-r["filed"], r["name"]))
    ordered = [counties[c] for c in names if c in counties]
    return CatalogStats(
        totals=_finish(totals),
        departments=[_finish(r) for r in departments],
        counties=[_finish(r) for r in ordered],
    )


def _published(session: Session, actor: Actor) -> list[ResourcePublic]:
    rows = session.scalars(
        permissions.visible_resources(actor)
        .where(Resource.status == "published")
        .order_by(Resource.code)
    ).all()
    out: list[ResourcePublic] = []
    for start in range(0, len(rows), 500):
        out += public_many(session, actor, rows[start : start + 500])
    return out


def export_catalog_json(session: Session, actor: Actor) -> list[ResourcePublic]:
    """Every published resource with its data items (the catalog as JSON)."""
    require(permissions.can_export_catalog_json(actor), "catalog.export_catalog_json")
    out = _published(session, actor)
    audit.record(
        session,
        actor,
        "catalog.export_catalog_json",
        ("catalog", "", "JSON"),
        details={"count": len(out)},
    )
    return out


def export_dcat(session: Session, actor: Actor) -> dict[str, Any]:
    """The published catalog as DCAT-AP JSON-LD."""
    require(permissions.can_export_dcat(actor), "catalog.export_dcat")
    resources = _published(session, actor)
    doc = exchange.dcat_catalog(
        resources,
        get_settings().base_url.rstrip("/"),
        _("德州市政务信息资源目录"),
        _("德州市电子政务办公室"),
    )
    audit.record(
        session,
        actor,
        "catalog.export_dcat",
        ("catalog", "", "DCAT-AP"),
        details={"count": len(resources)},
    )
    return doc


def export_province(
    session: Session,
    actor: Actor,
    *,
    fmt: Literal["xml", "json"] = "xml",
    department_id: int | None = None,
) -> bytes | list[dict[str, Any]]:
    """The published catalog (or one department's) in the province exchange form, with the
    GB/T 21063.3 / DB37/T 2885 element names, as XML or JSON."""
    require(permissions.can_export_province(actor), "catalog.export_province")
    resources = [
        r
        for r in _published(session, actor)
        if department_id is None or r.provider_department_id == department_id
    ]
    records = [exchange.province_record(r) for r in resources]
    audit.record(
        session,
        actor,
        "catalog.export_province",
        ("catalog", "", fmt),
        details={"count": len(records), "department_id": department_id},
    )
    if fmt == "json":
        return records
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return exchange.province_xml(records, CITY.code, stamp)
