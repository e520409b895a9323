"""The public pages' reads: home, search, dataset page (with the masked preview), downloads,
Frictionless descriptors, department pages, rankings and the visitor rate limit."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.catalog.schemas import FacetValue, ResourcePublic
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid, NotAuthorized, NotFound, RateLimited
from govshare.core.i18n import _
from govshare.core.ratelimit import get_rate_limiter
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.opendata import permissions
from govshare.opendata.models import Application, DataRequest, PortalSummary, Release
from govshare.opendata.schemas import (
    ApplicationPublic,
    PortalDataset,
    PortalHome,
    PortalItem,
    PortalSearch,
    Rankings,
    ReleasePublic,
    VersionEntry,
)
from govshare.opendata.service._common import (
    PORTAL,
    cached,
    dataset_of,
    datasets_by_resource,
    granted,
    mask_functions,
    mask_rows,
    open_resource,
    release_of,
    released,
    stamp,
    stamp_info,
)

PAGE_SIZE = 20
MAX_PAGE = 250
FILTERS = (
    "provider_department_id",
    "domain",
    "county",
    "open_type",
    "format_class",
    "update_cycle",
)
DOWNLOAD_FORMATS = ("csv", "xlsx", "json")
SORTS = ("relevance", "modified_desc", "modified_asc", "name_asc", "name_desc", "newest")


def get_portal_stamp(session: Session, actor: Actor) -> tuple[str, dt.datetime | None]:
    """The portal's current version and when it changed (ETag and Last-Modified of public
    answers that depend only on it)."""
    require(permissions.can_get_portal_stamp(actor), "opendata.get_portal_stamp")
    return stamp_info(session, actor)


def check_visitor_rate(actor: Actor, client: str, *, keyed: bool = False) -> None:
    """Count one request of ``client`` (an address, or a public API key) against the portal's
    rate limit; RateLimited (429 with Retry-After) when over it."""
    require(permissions.can_check_visitor_rate(actor), "opendata.check_visitor_rate")
    s = get_settings()
    limit = s.opendata_key_rate_limit if keyed else s.opendata_rate_limit
    decision = get_rate_limiter().hit(f"opendata:{client}", limit)
    if not decision.allowed:
        raise RateLimited(
            _("请求过于频繁，请 {n} 秒后再试。").format(n=decision.retry_after),
            headers={"Retry-After": str(decision.retry_after)},
        )


def _items(session: Session, summaries: list[Any]) -> list[PortalItem]:
    ids = [s.id for s in summaries]
    rels = {
        r.resource_id: r
        for r in session.scalars(select(Release).where(Release.resource_id.in_(ids)))
    }
    data = datasets_by_resource(session) if ids else {}
    return [
        PortalItem(
            resource=s,
            level=rels[s.id].level if s.id in rels else s.open_type,
            views=rels[s.id].views if s.id in rels else 0,
            downloads=rels[s.id].downloads if s.id in rels else 0,
            has_data=s.id in data,
        )
        for s in summaries
    ]


def get_portal_home(session: Session, actor: Actor) -> PortalHome:
    """Counts by level, domain, department and county; the latest updates. Computed once per
    portal version and kept (``PortalSummary``), so a new app process reads them instead of
    counting every released resource again; cached in memory per version too."""
    require(permissions.can_get_portal_home(actor), "opendata.get_portal_home")
    key = stamp(session, actor)
    home = cached(("home", key), lambda: _summary(session, actor, key))
    answered = session.scalar(
        select(func.count()).select_from(DataRequest).where(DataRequest.status == "answered")
    )
    return home.model_copy(update={"requests_answered": int(answered or 0)})


def _summary(session: Session, actor: Actor, key: str) -> PortalHome:
    body = session.scalar(select(PortalSummary.body).where(PortalSummary.stamp == key))
    if body is not None:
        return PortalHome.model_validate_json(body)
    home = _count_home(session, actor, key)
    try:
        with session.begin_nested():
            session.execute(delete(PortalSummary).where(PortalSummary.stamp != key))
            session.add(PortalSummary(stamp=key, body=home.model_dump_json()))
    except IntegrityError:
        pass  # another app server kept this version's summary first: the same counts
    return home


def _count_home(session: Session, actor: Actor, key: str) -> PortalHome:
    latest, total, facets, _t = catalog.search_open_resources(
        session,
        actor,
        released(),
        sort="modified_desc",
        limit=8,
        facets=("domain", "provider", "county", "open_type"),
        facet_limit=1000,
    )
    levels = {f.value: f.count for f in facets.get("open_type", [])}
    with_data = len(set(datasets_by_resource(session)) & set(session.scalars(released()).all()))
    return PortalHome(
        total=total,
        open_count=levels.get("open", 0),
        conditional_count=levels.get("conditional", 0),
        with_data=with_data,
        domains=facets.get("domain", []),
        providers=facets.get("provider", [])[:20],
        counties=facets.get("county", []),
        latest=_items(session, latest),
        requests_answered=0,
        stamp=key,
    )


def _clean_filters(filters: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in FILTERS or value in (None, ""):
            continue
        if name == "provider_department_id":
            text = str(value).strip()
            if not text.isdigit():
                raise Invalid(_("单位编号应为整数。"), errors=[FieldError(name, _("应为整数。"))])
            value = int(text)
        out[name] = value
    return out


def search_portal(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    filters: dict[str, Any] | None = None,
    sort: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> PortalSearch:
    """Released datasets matching a Chinese phrase and filters, with facets (cached per stamp)."""
    require(permissions.can_search_portal(actor), "opendata.search_portal")
    if len(q) > 200:
        raise Invalid(_("搜索词不能超过 200 个字。"), errors=[FieldError("q", _("太长了。"))])
    if page < 1 or page > MAX_PAGE:
        raise Invalid(
            _("页码应在 1 到 {n} 之间。").format(n=MAX_PAGE),
            errors=[FieldError("page", _("页码无效。"))],
        )
    f = _clean_filters(filters or {})
    sort = sort if sort in SORTS else ("relevance" if q.strip() else "modified_desc")
    key = stamp(session, actor)

    def build() -> PortalSearch:
        rows, total, facets, tokens = catalog.search_open_resources(
            session,
            actor,
            released(),
            q=q,
            filters=f,
            sort=sort,
            offset=(page - 1) * size,
            limit=size,
            facets=("domain", "provider", "county", "open_type", "format_class"),
            cache_key=key,
        )
        return PortalSearch(
            items=_items(session, rows),
            total=total,
            page=page,
            pages=max(1, math.ceil(total / size)),
            facets=facets,
            tokens=tokens,
            stamp=key,
        )

    return cached(("search", key, q, tuple(sorted(f.items())), sort, page, size), build)


def _chart(profile: list[dict[str, Any]], masked: set[str]) -> dict[str, Any] | None:
    """A bar chart of the most frequent values of the first column with a few categories."""
    for col in profile:
        if col["name"] in masked or col.get("type_code") not in ("C", None):
            continue
        top = col.get("top") or []
        if 2 <= int(col.get("distinct") or 0) <= 12 and len(top) >= 2:
            return {
                "title": {"text": _("{name}分布（前 5 项）").format(name=col["name"]), "left": 0},
                "tooltip": {},
                "grid": {"left": 48, "right": 16, "bottom": 32, "top": 40},
                "xAxis": {"type": "category", "data": [str(v) for v, _n in top]},
                "yAxis": {"type": "value"},
                "series": [{"type": "bar", "data": [n for _v, n in top]}],
            }
    return None


def _application(session: Session, visitor_id: int | None, resource_id: int) -> Any:
    if visitor_id is None:
        return None
    app = session.scalars(
        select(Application)
        .where(Application.public_user_id == visitor_id, Application.resource_id == resource_id)
        .order_by(Application.id.desc())
        .limit(1)
    ).first()
    return ApplicationPublic.model_validate(app) if app else None


def get_portal_dataset(
    session: Session, actor: Actor, resource_id: int, *, visitor_id: int | None = None
) -> PortalDataset:
    """A released dataset's page: metadata, data items, the masked preview and a chart (when
    the visitor may read the rows), the update history; counts the view."""
    require(permissions.can_get_portal_dataset(actor), "opendata.get_portal_dataset")
    resource = open_resource(session, actor, resource_id)
    rel = release_of(session, resource_id)
    session.execute(update(Release).where(Release.id == rel.id).values(views=Release.views + 1))
    may_read = permissions.can_read_data(rel.level, granted(session, visitor_id, resource_id))
    page = PortalDataset(
        resource=resource,
        release=ReleasePublic.model_validate(rel),
        masks=dict(rel.masks),
        has_data=False,
        may_read=may_read,
        application=_application(session, visitor_id, resource_id),
        stamp=stamp(session, actor),
    )
    ds = dataset_of(session, resource_id)
    if ds is None:
        return page
    page.has_data = True
    page.history = [
        VersionEntry(number=v.number, rows=v.rows, published_at=v.published_at, status=v.status)
        for v in datastore.list_versions(session, PORTAL, ds.id)
        if v.status in ("published", "superseded")
    ]
    if not may_read:
        return page
    by = f"opendata:resource:{resource_id}"
    columns, rows, version = datastore.preview_version(session, PORTAL, ds.id, authorized_by=by)
    fns = mask_functions(resource, rel.masks)
    page.columns, page.rows = columns, mask_rows(rows[:10], fns)
    page.version, page.total_rows = version.number, version.rows
    page.chart = _chart(datastore.get_profile(session, PORTAL, ds.id, authorized_by=by), set(fns))
    audit.record(
        session,
        actor,
        "opendata.get_portal_dataset",
        ("resource", str(resource_id), resource.name),
        details={"version": version.number, "rows": len(page.rows)},
    )
    return page


def download_dataset(
    session: Session,
    actor: Actor,
    resource_id: int,
    fmt: str,
    *,
    visitor_id: int | None = None,
) -> tuple[str, str, Iterator[bytes]]:
    """Stream a released dataset's current version as CSV, XLSX or JSON, masked; counts it."""
    require(permissions.can_download_dataset(actor), "opendata.download_dataset")
    if fmt not in DOWNLOAD_FORMATS:
        raise Invalid(
            _("不支持的下载格式。"), errors=[FieldError("format", _("不支持的下载格式。"))]
        )
    resource = open_resource(session, actor, resource_id)
    rel = release_of(session, resource_id)
    if not permissions.can_read_data(rel.level, granted(session, visitor_id, resource_id)):
        raise NotAuthorized(
            _("该数据集为有条件开放，申请获批后才能下载。"),
            action="opendata.download_dataset",
            target=("resource", str(resource_id), resource.name),
        )
    ds = dataset_of(session, resource_id)
    if ds is None:
        raise NotFound(_("该数据集还没有可下载的数据。"))
    session.execute(
        update(Release).where(Release.id == rel.id).values(downloads=Release.downloads + 1)
    )
    audit.record(
        session,
        actor,
        "opendata.download_dataset",
        ("resource", str(resource_id), resource.name),
        details={"format": fmt},
    )
    return datastore.download_version(
        session,
        PORTAL,
        ds.id,
        fmt=fmt,
        authorized_by=f"opendata:resource:{resource_id}",
        value_masks=mask_functions(resource, rel.masks),
    )


FRICTIONLESS_TYPES = {
    "C": "string",
    "M": "string",
    "G": "string",
    "N": "number",
    "Y": "number",
    "B": "number",
    "F": "number",
    "I": "integer",
    "D": "date",
    "T": "datetime",
    "L": "boolean",
}


def get_datapackage(session: Session, actor: Actor, resource_id: int) -> dict[str, Any]:
    """A Frictionless Data Package descriptor of a released dataset (its CSV download and the
    Table Schema of its columns; masked columns are strings)."""
    require(permissions.can_get_datapackage(actor), "opendata.get_datapackage")
    resource = open_resource(session, actor, resource_id)
    rel = release_of(session, resource_id)
    base = get_settings().base_url.rstrip("/")
    masked = set(mask_functions(resource, rel.masks))
    fields = []
    for item in resource.data_items:
        ftype = (
            "string" if item.name in masked else FRICTIONLESS_TYPES.get(item.type_code, "string")
        )
        fields.append({"name": item.name, "type": ftype, "description": item.description})
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": f"resource-{resource.id}",
        "id": resource.code,
        "title": resource.name,
        "description": resource.abstract,
        "keywords": list(resource.keywords),
        "version": str(resource.version),
        "homepage": f"{base}/open/datasets/{resource.id}",
        "licenses": [{"name": "open-data", "title": _("德州市公共数据开放许可")}],
        "sources": [{"title": resource.provider_name}],
        "resources": [],
    }
    if rel.level == "open" and dataset_of(session, resource_id) is not None:
        package["resources"].append(
            {
                "name": f"resource-{resource.id}-csv",
                "path": f"{base}/open/datasets/{resource.id}/download.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "schema": {"fields": fields},
            }
        )
    return package


def list_portal_departments(session: Session, actor: Actor) -> list[FacetValue]:
    """Departments with released datasets and how many each (cached per stamp)."""
    require(permissions.can_list_portal_departments(actor), "opendata.list_portal_departments")
    key = stamp(session, actor)

    def build() -> list[FacetValue]:
        _r, _t, facets, _k = catalog.search_open_resources(
            session, actor, released(), limit=0, facets=("provider",), facet_limit=1000
        )
        return facets.get("provider", [])

    return cached(("departments", key), build)


def get_portal_department(
    session: Session, actor: Actor, department_id: int, *, page: int = 1
) -> tuple[Any, PortalSearch]:
    """A department (name, kind) and its released datasets."""
    require(permissions.can_get_portal_department(actor), "opendata.get_portal_department")
    dept = accounts.get_department(session, PORTAL, department_id)
    result = search_portal(
        session, actor, filters={"provider_department_id": department_id}, page=page
    )
    if result.total == 0:
        raise NotFound(_("该单位没有开放的数据集。"))
    return dept, result


def _top(session: Session, actor: Actor, column: Any, n: int) -> list[PortalItem]:
    ids = list(
        session.scalars(
            select(Release.resource_id)
            .where(Release.status == "released", column > 0)
            .order_by(column.desc(), Release.resource_id)
            .limit(n)
        )
    )
    resources: list[ResourcePublic] = catalog.get_open_resources(session, actor, released(), ids)
    rows, _t, _f, _k = catalog.search_open_resources(
        session, actor, released(), filters={"ids": [r.id for r in resources]}, limit=n
    )
    by_id = {s.id: s for s in rows}
    return _items(session, [by_id[r.id] for r in resources if r.id in by_id])


def get_rankings(session: Session, actor: Actor, *, n: int = 10) -> Rankings:
    """The most viewed, most downloaded and most called released datasets."""
    require(permissions.can_get_rankings(actor), "opendata.get_rankings")
    return Rankings(
        views=_top(session, actor, Release.views, n),
        downloads=_top(session, actor, Release.downloads, n),
        api_calls=_top(session, actor, Release.api_calls, n),
    )
