"""CKAN's shapes: package, resource, organization, group and tag dicts with CKAN's field names,
identifiers (stable UUIDs derived from our ids, as CKAN's are UUIDs), and the parsing of
``fq``, ``sort`` and ``facet.field`` (the Solr syntax CKAN clients send), limited to what the
portal can answer; anything else is refused with CKAN's ``Search Query Error``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from govshare.catalog.schemas import ResourcePublic, ResourceSummary

NAMESPACE = uuid.UUID("5b0f7c1e-2f1d-4d8a-9a57-4e0d7f3c2a10")
LICENSE = {
    "license_id": "dezhou-open",
    "license_title": "德州市公共数据开放许可",
    "license_url": "",
}
FORMATS = (("csv", "CSV", "text/csv"), ("xlsx", "XLSX", None), ("json", "JSON", "application/json"))
SORT_FIELDS = {
    "score": "relevance",
    "metadata_modified": "modified",
    "name": "name",
    "title_string": "name",
    "metadata_created": "newest",
}
FQ_FIELDS = {
    "organization": "provider_department_id",
    "owner_org": "provider_department_id",
    "groups": "domain",
    "tags": "tags",
    "res_format": "res_format",
    "license_id": "license_id",
    "level": "open_type",
    "open_type": "open_type",
}
FACET_FIELDS = {"organization": "provider", "groups": "domain", "level": "open_type"}
_FQ = re.compile(r'\s*[+]?([a-z_]+):(?:"([^"]{1,200})"|([^\s"]{1,200}))\s*')


class QueryError(ValueError):
    """A query CKAN's search would refuse (Search Query Error)."""


def package_id(resource_id: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"package:{resource_id}"))


def package_name(resource_id: int) -> str:
    return f"dataset-{resource_id}"


def resource_uuid(resource_id: int, fmt: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"resource:{resource_id}:{fmt}"))


def org_id(department_id: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"organization:{department_id}"))


def org_name(department_id: int) -> str:
    return f"org-{department_id}"


def group_name(domain: str) -> str:
    return f"domain-{domain}"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return dt.datetime.combine(value, dt.time()).isoformat(timespec="microseconds")


def organization(department_id: int, name: str, count: int | None = None) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": org_id(department_id),
        "name": org_name(department_id),
        "title": name,
        "display_name": name,
        "type": "organization",
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if count is not None:
        org["package_count"] = count
    return org


def group(domain: str, title: str, count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"group:{domain}")),
        "name": group_name(domain),
        "title": title,
        "display_name": title,
        "description": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
    }
    if count is not None:
        out["package_count"] = count
    return out


def tag(name: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"tag:{name}")),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def resource(
    base: str,
    r: ResourceSummary | ResourcePublic,
    fmt: str,
    position: int,
    modified: dt.datetime | None,
) -> dict[str, Any]:
    label, mimetype = next((lab, m) for f, lab, m in FORMATS if f == fmt)
    rid = resource_uuid(r.id, fmt)
    url = (
        f"{base}/datastore/dump/{rid}"
        if fmt == "csv"
        else f"{base}/open/datasets/{r.id}/download.{fmt}"
    )
    return {
        "id": rid,
        "package_id": package_id(r.id),
        "name": f"{r.name}（{label}）",
        "description": "",
        "format": label,
        "mimetype": mimetype,
        "mimetype_inner": None,
        "url": url,
        "url_type": "datastore" if fmt == "csv" else None,
        "datastore_active": fmt == "csv",
        "position": position,
        "state": "active",
        "created": _iso(r.updated_at),
        "last_modified": _iso(modified),
        "metadata_modified": _iso(r.updated_at),
        "hash": "",
        "size": None,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
    }


@dataclass
class PackageExtras:
    """What the portal adds to a catalog resource for its package dict."""

    level: str
    has_data: bool
    modified: dt.datetime | None
    domain: str = ""
    domain_title: str = ""
    views: int = 0
    extras: dict[str, str] = field(default_factory=dict)


def package(base: str, r: ResourceSummary | ResourcePublic, x: PackageExtras) -> dict[str, Any]:
    """A CKAN package dict of a released resource."""
    keywords = list(getattr(r, "keywords", []) or [])
    resources = (
        [resource(base, r, f, i, x.modified) for i, (f, _l, _m) in enumerate(FORMATS)]
        if x.has_data and x.level == "open"
        else []
    )
    extras = {
        "开放属性": "无条件开放" if x.level == "open" else "有条件开放",
        "信息资源代码": r.code,
        "更新周期": r.update_cycle,
        **x.extras,
    }
    return {
        "id": package_id(r.id),
        "name": package_name(r.id),
        "title": r.name,
        "notes": r.abstract,
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": x.level == "open",
        **LICENSE,
        "author": r.provider_name,
        "author_email": None,
        "maintainer": r.provider_name,
        "maintainer_email": None,
        "version": str(r.version),
        "url": f"{base}/open/datasets/{r.id}",
        "metadata_created": _iso(getattr(r, "published_at", None) or r.updated_at),
        "metadata_modified": _iso(r.updated_at),
        "creator_user_id": None,
        "owner_org": org_id(r.provider_department_id),
        "organization": organization(r.provider_department_id, r.provider_name),
        "groups": [group(x.domain, x.domain_title)] if x.domain else [],
        "tags": [tag(k) for k in keywords],
        "num_tags": len(keywords),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def parse_fq(fq: str) -> dict[str, list[str]]:
    """``field:value field:"quoted value"`` → {our filter: [values]} (AND of terms)."""
    out: dict[str, list[str]] = {}
    text = fq.strip()
    pos = 0
    while pos < len(text):
        m = _FQ.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"无法解析 fq：{text[pos : pos + 40]}")
        name, value = m.group(1), m.group(2) or m.group(3) or ""
        if name not in FQ_FIELDS:
            raise QueryError(f"不支持按 {name} 筛选")
        out.setdefault(FQ_FIELDS[name], []).append(value)
        pos = m.end()
    return out


def parse_sort(sort: str | None) -> str:
    """CKAN's ``sort`` (first key wins) → one of the catalog's portal sorts."""
    if not sort or not sort.strip():
        return "relevance"
    first = sort.split(",")[0].split()
    name, direction = first[0], (first[1].lower() if len(first) > 1 else "asc")
    if name not in SORT_FIELDS or direction not in ("asc", "desc"):
        raise QueryError(f"无法按 {sort[:60]} 排序")
    kind = SORT_FIELDS[name]
    if kind == "modified":
        return "modified_desc" if direction == "desc" else "modified_asc"
    if kind == "name":
        return "name_desc" if direction == "desc" else "name_asc"
    return kind


def parse_facet_fields(value: Any) -> list[str]:
    """``facet.field`` as a JSON list (or a list) of CKAN field names."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise QueryError("facet.field 应为 JSON 列表") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QueryError("facet.field 应为 JSON 列表")
    return list(value)[:10]


def clean_q(q: str) -> str:
    """Solr's match-all and field prefixes are not text to search for."""
    q = q.strip()
    if q in ("*:*", "*"):
        return ""
    return re.sub(r"\b(?:text|title|name|notes):", " ", q).strip()
