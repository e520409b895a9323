"""The CKAN Action API's use cases over the released resources: package_list, package_search,
package_show, organization_list/show, group_list, tag_list, resource_show, datastore_search and
the datastore dump. Results carry CKAN's field names (``opendata/ckan.py``); errors are the
usual domain errors, which the API turns into CKAN's error envelope. Calls are counted per day
and API key; ``datastore_search`` is recorded in the audit trail (a data read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourcePublic
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid, NotAuthorized, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.datastore import service as datastore
from govshare.opendata import ckan, permissions
from govshare.opendata.models import PublicUser, Release
from govshare.opendata.service._common import (
    PORTAL,
    cached,
    datasets_by_resource,
    granted,
    mask_functions,
    released,
    stamp,
)
from govshare.opendata.service.usage import tally_call

#: Records a read's audit entry once the read has committed: the group-commit recorder (the CKAN
#: route passes one that queues the entry), or None to write it in the caller's transaction.
Recorder = Callable[..., None] | None

ACTIONS = (
    "package_list",
    "package_search",
    "package_show",
    "organization_list",
    "organization_show",
    "group_list",
    "tag_list",
    "resource_show",
    "datastore_search",
    "status_show",
)


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def _domains(session: Session, actor: Actor) -> dict[str, str]:
    return catalog.get_domain_names(session, actor)


def _packages(
    session: Session, actor: Actor, resources: list[ResourcePublic]
) -> list[dict[str, Any]]:
    ids = [r.id for r in resources]
    rels = {
        r.resource_id: r
        for r in session.scalars(select(Release).where(Release.resource_id.in_(ids)))
    }
    data = datasets_by_resource(session) if ids else {}
    domains = _domains(session, actor) if ids else {}
    out = []
    for r in resources:
        rel = rels.get(r.id)
        ds = data.get(r.id)
        domain = f"{r.lei}{r.xiang}"
        out.append(
            ckan.package(
                _base(),
                r,
                ckan.PackageExtras(
                    level=rel.level if rel else r.open_type,
                    has_data=ds is not None,
                    modified=ds.updated_at if ds is not None else None,
                    domain=domain,
                    domain_title=domains.get(domain, domain),
                ),
            )
        )
    return out


def _resource_id_of(value: Any) -> int:
    """Our resource id from a package id, name or number (NotFound otherwise)."""
    text = str(value or "").strip()
    if text.startswith("dataset-") and text[8:].isdigit():
        return int(text[8:])
    if text.isdigit() and len(text) < 12:
        return int(text)
    raise NotFound(_("数据集不存在或未开放。"))


_uuid_index: dict[str, tuple[int, str]] = {}


def _index_ids(session: Session) -> None:
    """Map the UUIDs of every released package and its resources to (resource id, format)."""
    for rid in session.scalars(released()):
        _uuid_index[ckan.package_id(rid)] = (rid, "")
        for fmt, _l, _m in ckan.FORMATS:
            _uuid_index[ckan.resource_uuid(rid, fmt)] = (rid, fmt)


def _lookup_uuid(session: Session, value: str) -> tuple[int, str] | None:
    if value not in _uuid_index:
        _index_ids(session)
    return _uuid_index.get(value)


def _show(session: Session, actor: Actor, rid: int) -> ResourcePublic:
    found = catalog.get_open_resources(session, actor, released(), [rid])
    if not found:
        raise NotFound(_("数据集不存在或未开放。"))
    return found[0]


def ckan_action(
    session: Session,
    actor: Actor,
    action: str,
    params: dict[str, Any],
    *,
    caller: PublicUser | None = None,
    audit_with: Recorder = None,
) -> Any:
    """Run one CKAN action with its parameters; returns the ``result`` of CKAN's envelope.

    Only reads: the call is tallied in memory (``service/usage``) and a ``datastore_search``'s
    audit entry goes to ``audit_with`` when given (the group-commit recorder), so the route may
    run it in a read-only transaction."""
    require(permissions.can_ckan_action(actor), "opendata.ckan_action")
    if action not in ACTIONS:
        raise NotFound(_("没有这个接口：{action}").format(action=action[:60]))
    handler = _HANDLERS[action]
    if action == "datastore_search":
        handler = partial(_datastore_search, audit_with=audit_with)
    result, touched = handler(session, actor, params, caller)
    tally_call(caller, touched)
    return result


def _status_show(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    from govshare import __version__

    return {
        "site_title": _("德州市公共数据开放平台"),
        "site_url": _base(),
        "ckan_version": "2.10.0",
        "site_description": f"govshare {__version__}",
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }, []


def _int(p: dict[str, Any], name: str, default: int, lo: int = 0) -> int:
    value = p.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _bad(name, _("{name} 应为整数。").format(name=name)) from None
    if number < lo:
        raise _bad(name, _("{name} 不能小于 {lo}。").format(name=name, lo=lo))
    return number


def _package_list(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    limit = _int(p, "limit", 0)
    offset = _int(p, "offset", 0)
    key = stamp(session, actor)
    names = cached(
        ("package_list", key),
        lambda: [ckan.package_name(i) for i in sorted(session.scalars(released()).all())],
    )
    names = names[offset : offset + limit] if limit else names[offset:]
    return names, []


def _package_search(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    rows_max = get_settings().opendata_rows_max
    rows = min(_int(p, "rows", 10), rows_max)
    start = _int(p, "start", 0)
    if start > 100_000:
        raise _bad("start", _("start 过大。"))
    q = p.get("q") or ""
    if not isinstance(q, str) or len(q) > 200:
        raise _bad("q", _("q 应为不超过 200 字的文本。"))
    fq = p.get("fq") or ""
    if not isinstance(fq, str) or len(fq) > 1000:
        raise _bad("fq", _("fq 应为不超过 1000 字的文本。"))
    try:
        filters = ckan.parse_fq(fq) if fq.strip() else {}
        sort = ckan.parse_sort(p.get("sort"))
        facet_fields = ckan.parse_facet_fields(p.get("facet.field"))
    except ckan.QueryError as exc:
        raise SearchQueryError(str(exc)) from None
    ours = _our_filters(session, filters)
    text = ckan.clean_q(q)
    if sort == "relevance" and not text:
        sort = "modified_desc"
    facets = [ckan.FACET_FIELDS[f] for f in facet_fields if f in ckan.FACET_FIELDS]
    facet_limit = _int(p, "facet.limit", 50)
    key = stamp(session, actor)

    def build() -> Any:
        full, total, counts, _t = catalog.search_open_resources_public(
            session,
            actor,
            released(),
            q=text,
            filters=ours,
            sort=sort,
            offset=start,
            limit=rows,
            facets=facets,
            facet_limit=max(1, min(facet_limit, 1000)),
            cache_key=key,
        )
        result_facets: dict[str, dict[str, int]] = {}
        search_facets: dict[str, Any] = {}
        for name in facet_fields:
            ours_name = ckan.FACET_FIELDS.get(name)
            values = counts.get(ours_name, []) if ours_name else []
            items: list[dict[str, Any]] = [
                {
                    "name": _facet_value(name, v.value),
                    "display_name": v.label,
                    "count": v.count,
                }
                for v in values
            ]
            result_facets[name] = {str(i["name"]): int(i["count"]) for i in items}
            search_facets[name] = {"title": name, "items": items}
        return {
            "count": total,
            "results": _packages(session, actor, full),
            "facets": result_facets,
            "search_facets": search_facets,
            "sort": p.get("sort") or "score desc, metadata_modified desc",
        }

    cache_key = (
        "package_search",
        key,
        text,
        fq,
        sort,
        start,
        rows,
        tuple(facet_fields),
        facet_limit,
    )
    return cached(cache_key, build), []


def _our_filters(session: Session, filters: dict[str, list[str]]) -> dict[str, Any]:
    """CKAN's fq terms as the catalog's portal filters."""
    ours: dict[str, Any] = {}
    for name, values in filters.items():
        if name == "provider_department_id":
            ids = [v[4:] for v in values if v.startswith("org-") and v[4:].isdigit()]
            ours[name] = [int(i) for i in ids] or [-1]
        elif name == "domain":
            ours[name] = [v.removeprefix("domain-") for v in values]
        elif name in ("tags", "open_type"):
            ours[name] = values
        elif name == "res_format":
            known = all(v.upper() in ("CSV", "XLSX", "JSON") for v in values)
            ours["ids"] = (list(datasets_by_resource(session)) if known else []) or [-1]
    return ours


def _facet_value(field: str, value: str) -> str:
    if field == "organization":
        return ckan.org_name(int(value)) if value.isdigit() else value
    if field == "groups":
        return ckan.group_name(value)
    return value


def _package_show(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    value = str(p.get("id") or p.get("name_or_id") or "")
    rid = _resolve(session, value)
    return _packages(session, actor, [_show(session, actor, rid)])[0], [rid]


def _resolve(session: Session, value: str) -> int:
    text = value.strip()
    if len(text) == 36:
        hit = _lookup_uuid(session, text)
        if hit:
            return hit[0]
        raise NotFound(_("数据集不存在或未开放。"))
    return _resource_id_of(text)


def _organization_list(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    _r, _t, facets, _k = catalog.search_open_resources(
        session, actor, released(), limit=0, facets=("provider",), facet_limit=1000
    )
    orgs = sorted(facets.get("provider", []), key=lambda f: int(f.value))
    if str(p.get("all_fields", "")).lower() in ("true", "1"):
        return [ckan.organization(int(f.value), f.label, f.count) for f in orgs], []
    return [ckan.org_name(int(f.value)) for f in orgs], []


def _organization_show(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    value = str(p.get("id") or "").strip()
    dept = None
    if value.startswith("org-") and value[4:].isdigit():
        dept = int(value[4:])
    else:
        for f in _organization_list(session, actor, {"all_fields": "true"}, c)[0]:
            if f["id"] == value:
                dept = int(f["name"][4:])
    if dept is None:
        raise NotFound(_("组织不存在。"))
    found, total, _f, _k = catalog.search_open_resources(
        session,
        actor,
        released(),
        filters={"provider_department_id": dept},
        sort="modified_desc",
        limit=10 if str(p.get("include_datasets", "")).lower() in ("true", "1") else 0,
    )
    if total == 0:
        raise NotFound(_("组织不存在。"))
    full = catalog.get_open_resources(session, actor, released(), [s.id for s in found])
    org = ckan.organization(dept, found[0].provider_name if found else "", total)
    if not found:
        one, _t2, _f2, _k2 = catalog.search_open_resources(
            session, actor, released(), filters={"provider_department_id": dept}, limit=1
        )
        org = ckan.organization(dept, one[0].provider_name, total)
    org["packages"] = _packages(session, actor, full)
    return org, []


def _group_list(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    _r, _t, facets, _k = catalog.search_open_resources(
        session, actor, released(), limit=0, facets=("domain",), facet_limit=1000
    )
    groups = sorted(facets.get("domain", []), key=lambda f: f.value)
    if str(p.get("all_fields", "")).lower() in ("true", "1"):
        return [ckan.group(f.value, f.label, f.count) for f in groups], []
    return [ckan.group_name(f.value) for f in groups], []


def _tag_list(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    query = str(p.get("query") or "").strip()
    key = stamp(session, actor)

    def build() -> list[str]:
        ids = list(session.scalars(released()))
        tags: set[str] = set()
        for start in range(0, len(ids), 500):
            for r in catalog.get_open_resources(
                session, actor, released(), ids[start : start + 500]
            ):
                tags.update(r.keywords)
        return sorted(tags)

    tags = cached(("tags", key), build)
    return [t for t in tags if query in t] if query else tags, []


def _resource_show(session: Session, actor: Actor, p: dict[str, Any], c: Any) -> Any:
    value = str(p.get("id") or "").strip()
    hit = _lookup_uuid(session, value) if len(value) == 36 else None
    if not hit or not hit[1]:
        raise NotFound(_("资源不存在。"))
    rid, fmt = hit
    pkg = _packages(session, actor, [_show(session, actor, rid)])[0]
    for res in pkg["resources"]:
        if res["id"] == value:
            return res, [rid]
    raise NotFound(_("资源不存在。"))


def _datastore_target(
    session: Session, actor: Actor, value: Any, caller: PublicUser | None
) -> tuple[ResourcePublic, str, dict[str, str]]:
    """The released resource behind a CKAN resource id, its level and masks (cached per portal
    version); NotAuthorized for a conditional one the caller was not granted."""
    text = str(value or "").strip()
    hit = _lookup_uuid(session, text) if len(text) == 36 else None
    if hit is None or hit[1] != "csv":
        raise NotFound(_("资源不存在：{id}").format(id=text[:40]))
    rid = hit[0]

    def build() -> tuple[ResourcePublic, str, dict[str, str]]:
        resource = _show(session, actor, rid)
        rel = session.scalars(
            select(Release).where(Release.resource_id == rid, Release.status == "released")
        ).one()
        return resource, rel.level, dict(rel.masks)

    resource, level, masks = cached(("datastore_target", stamp(session, actor), rid), build)
    if not permissions.can_read_data(level, granted(session, caller.id if caller else None, rid)):
        raise NotAuthorized(
            _("该数据集为有条件开放，申请获批后凭 API 密钥访问。"),
            action="opendata.ckan_action",
            target=("resource", str(rid), resource.name),
        )
    return resource, level, masks


def _fields_param(value: Any) -> list[str] | None:
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise _bad("fields", _("fields 应为信息项名称的列表。"))


def _filters_param(value: Any) -> dict[str, Any]:
    import json

    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _bad("filters", _("filters 应为 JSON 对象。")) from None
    if not isinstance(value, dict):
        raise _bad("filters", _("filters 应为 JSON 对象。"))
    for k, v in value.items():
        if not isinstance(k, str) or not (
            isinstance(v, (str, int, float, bool))
            or (isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v))
        ):
            raise _bad("filters", _("filters 的值应为文本、数字或它们的列表。"))
    return value


def _bool(value: Any, default: bool) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes")


def _datastore_search(
    session: Session,
    actor: Actor,
    p: dict[str, Any],
    caller: PublicUser | None,
    audit_with: Recorder = None,
) -> Any:
    target = p.get("resource_id") or p.get("id")
    resource, _level, masks = _datastore_target(session, actor, target, caller)
    limit = min(_int(p, "limit", 100), get_settings().opendata_rows_max)
    offset = _int(p, "offset", 0)
    fields = _fields_param(p.get("fields"))
    filters = _filters_param(p.get("filters"))
    q = p.get("q")
    if q is not None and not isinstance(q, str):
        raise _bad("q", _("q 应为文本。"))
    sort = p.get("sort")
    if sort is not None and not isinstance(sort, str):
        raise _bad("sort", _('sort 应为文本，如 "信息项 desc"。'))
    fns = mask_functions(resource, masks)
    masked = [n for n in filters if n in fns] + [
        part.split()[0].strip('"')
        for part in (sort or "").split(",")
        if part.split() and part.split()[0].strip('"') in fns
    ]
    if masked:
        raise _bad(
            "filters",
            _("不能按脱敏的信息项筛选或排序：{names}").format(names="、".join(sorted(set(masked)))),
        )
    if q and fns:
        raise _bad(
            "q", _("该数据集含脱敏信息项，不支持 q 全文检索，请用 filters 按其他信息项筛选。")
        )
    records_format = str(p.get("records_format") or "objects")
    if records_format not in ("objects", "lists", "csv", "tsv"):
        raise _bad("records_format", _("records_format 应为 objects、lists、csv 或 tsv。"))
    include_total = _bool(p.get("include_total"), True)
    found = datastore.search_rows(
        session,
        PORTAL,
        resource.id,
        filters=filters,
        q=q or None,
        fields=fields,
        sort=sort,
        limit=limit,
        offset=offset,
        include_total=include_total,
        authorized_by=f"opendata:resource:{resource.id}",
        audited_by_caller=True,
    )
    records = _mask_records(found.records, fns)
    target = ("resource", str(resource.id), resource.name)
    details = {"action": "datastore_search", "version": found.version, "rows": len(records)}
    if audit_with is not None:
        audit_with(actor, "opendata.ckan_action", target, details=details)
    else:
        audit.record(session, actor, "opendata.ckan_action", target, details=details)
    rid = ckan.resource_uuid(resource.id, "csv")
    names = [f["id"] for f in found.fields]
    result: dict[str, Any] = {
        "resource_id": rid,
        "fields": found.fields,
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={rid}",
            "next": f"/api/3/action/datastore_search?resource_id={rid}&offset={offset + limit}",
        },
    }
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if sort:
        result["sort"] = sort
    if include_total:
        result["total"] = found.total
        result["total_was_estimated"] = False
    result["records"] = _format_records(records, names, records_format)
    return result, [resource.id]


_PLAIN = (str, int, float, bool, type(None))


def _mask_records(records: list[dict[str, Any]], fns: dict[str, Any]) -> list[dict[str, Any]]:
    if not fns:
        if all(isinstance(v, _PLAIN) for r in records for v in r.values()):
            return records  # what SQLite gives: JSON as it is
        return [_jsonable_row(r) for r in records]
    out = []
    for r in records:
        row = _jsonable_row(r)
        for name, fn in fns.items():
            if row.get(name) is not None:
                row[name] = fn(str(row[name]))
        out.append(row)
    return out


def _jsonable_row(r: dict[str, Any]) -> dict[str, Any]:
    import decimal

    out = {}
    for k, v in r.items():
        if isinstance(v, decimal.Decimal):
            v = float(v)
        elif isinstance(v, (dt.datetime, dt.date)):
            v = v.isoformat()
        out[k] = v
    return out


def _format_records(records: list[dict[str, Any]], names: list[str], fmt: str) -> Any:
    if fmt == "objects":
        return records
    lists = [[r.get(n) for n in names] for r in records]
    if fmt == "lists":
        return lists
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerows(lists)
    return buf.getvalue()


class SearchQueryError(Invalid):
    """A ``package_search`` query the portal cannot parse (CKAN: Search Query Error)."""

    type_slug = "search-query"


_HANDLERS: dict[str, Any] = {
    "package_list": _package_list,
    "package_search": _package_search,
    "package_show": _package_show,
    "organization_list": _organization_list,
    "organization_show": _organization_show,
    "group_list": _group_list,
    "tag_list": _tag_list,
    "resource_show": _resource_show,
    "datastore_search": _datastore_search,
    "status_show": _status_show,
}


def dump_datastore(
    session: Session,
    actor: Actor,
    resource_uuid: str,
    *,
    fmt: str = "csv",
    caller: PublicUser | None = None,
) -> tuple[str, str, Iterator[bytes]]:
    """CKAN's ``/datastore/dump/{id}``: the whole current version (masked), CSV by default."""
    require(permissions.can_dump_datastore(actor), "opendata.dump_datastore")
    from govshare.opendata.service.portal import download_dataset

    if fmt not in ("csv", "json", "xlsx"):
        raise _bad("format", _("不支持的下载格式。"))
    resource, _level, _masks = _datastore_target(session, actor, resource_uuid, caller)
    tally_call(caller, [resource.id])
    return download_dataset(
        session, actor, resource.id, fmt, visitor_id=caller.id if caller else None
    )
