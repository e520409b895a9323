"""Shared helpers of the catalog services: loading, validation against the database, applying a
filed payload to a resource, the public forms and the search document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from govshare.accounts import service as accounts
from govshare.catalog import permissions, search
from govshare.catalog.models import Category, DataItem, Resource, ResourceVersion
from govshare.catalog.rules import CodeParts, build_code, normalize_name, parse_code, rule_errors
from govshare.catalog.schemas import (
    CLASS_OF_LEI,
    DataItemPublic,
    ResourceCreate,
    ResourcePublic,
    ResourceSummary,
)
from govshare.core.config import Settings, get_settings
from govshare.core.errors import Conflict, DomainError, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor

SNAPSHOT_FIELDS = (
    "code",
    "name",
    "status",
    "version",
    "provider_name",
    "share_type",
    "open_type",
    "grading_level",
)
PENDING = ("draft", "submitted", "returned")


def snapshot(resource: Resource) -> dict[str, object]:
    """What the audit trail keeps of a resource before and after a change."""
    return {f: getattr(resource, f) for f in SNAPSHOT_FIELDS}


def target(resource: Resource) -> tuple[str, str, str]:
    return ("catalog_resource", str(resource.id), f"{resource.code} {resource.name}")


def load(session: Session, actor: Actor, resource_id: int) -> Resource:
    """A resource the actor may see, or NotFound (a hidden one looks missing)."""
    resource = session.scalars(
        permissions.visible_resources(actor).where(Resource.id == resource_id)
    ).one_or_none()
    if resource is None:
        raise NotFound(_("信息资源不存在。"))
    return resource


def pending_version(session: Session, resource_id: int) -> ResourceVersion | None:
    """The version waiting for work or review (draft, submitted or returned), if any."""
    return session.scalars(
        select(ResourceVersion)
        .where(ResourceVersion.resource_id == resource_id, ResourceVersion.status.in_(PENDING))
        .order_by(ResourceVersion.version.desc())
        .limit(1)
    ).one_or_none()


# --- validation against the database ------------------------------------------------------------


@dataclass
class Resolved:
    """A filed resource checked against the database: its category, code parts and provider."""

    category: Category
    parts: CodeParts | None
    provider_name: str
    provider_code: str
    provider_area_code: str


@dataclass
class Lookups:
    """Caches for batches (an import or the demo checks many filings against the same few
    departments and categories). ``names`` and ``codes``, when given, hold every resource of the
    catalog and replace the per-filing duplicate queries; callers add what they insert."""

    departments: dict[int, Any] = field(default_factory=dict)
    categories: dict[str, Category | None] = field(default_factory=dict)
    names: dict[tuple[int, str], int] | None = None
    codes: dict[str, int] | None = None
    next_seq: dict[int, int] = field(default_factory=dict)


def remember(cache: Lookups | None, resource: Resource) -> None:
    """Add a new resource to a batch's name and code caches."""
    if cache is not None and cache.names is not None and cache.codes is not None:
        cache.names[(resource.provider_department_id, resource.name_key)] = resource.id
        cache.codes[resource.code] = resource.id


def department(session: Session, actor: Actor, department_id: int, cache: Lookups) -> Any:
    if department_id not in cache.departments:
        try:
            cache.departments[department_id] = accounts.get_department(
                session, actor, department_id
            )
        except NotFound:
            cache.departments[department_id] = None
    return cache.departments[department_id]


def category_by_code(session: Session, code: str, cache: Lookups) -> Category | None:
    if code not in cache.categories:
        cache.categories[code] = session.scalars(
            select(Category).where(Category.full_code == code)
        ).one_or_none()
    return cache.categories[code]


def _name_clash(
    session: Session, data: ResourceCreate, own_id: int | None, cache: Lookups
) -> int | None:
    key = (data.provider_department_id, normalize_name(data.name))
    if cache.names is not None:
        found = cache.names.get(key)
        return found if found != own_id else None
    return session.scalar(
        select(Resource.id).where(
            Resource.provider_department_id == key[0],
            Resource.name_key == key[1],
            Resource.status != "retired",
            Resource.id != (own_id or -1),
        )
    )


def _code_clash(session: Session, code: str, own_id: int | None, cache: Lookups) -> int | None:
    if cache.codes is not None:
        found = cache.codes.get(code)
        return found if found != own_id else None
    return session.scalar(
        select(Resource.id).where(Resource.code == code, Resource.id != (own_id or -1))
    )


def _category_errors(
    session: Session,
    data: ResourceCreate,
    resource: Resource | None,
    cache: Lookups,
    settings: Settings,
) -> tuple[Category | None, CodeParts | None, list[FieldError]]:
    errors: list[FieldError] = []
    parts: CodeParts | None = None
    category_code = data.category_code
    if data.code:
        parts = parse_code(data.code, settings)[0]
        if parts is not None:
            category_code = category_code or parts.prefix
    category = category_by_code(session, category_code, cache) if category_code else None
    if category_code and (category is None or not category.active or category.level < 3):
        errors.append(
            FieldError(
                "category_code",
                _("分类 {code} 不存在或不是目、细目。").format(code=category_code),
            )
        )
    if resource is not None and resource.published_at is not None:
        if category is not None and category.id != resource.category_id:
            errors.append(
                FieldError("category_code", _("已发布资源的分类不能修改；请停用后重新编目。"))
            )
        if data.code and data.code != resource.code:
            errors.append(FieldError("code", _("已发布资源的代码不能修改。")))
    return category, parts, errors


def _reference_errors(
    session: Session, actor: Actor, data: ResourceCreate, cache: Lookups, settings: Settings
) -> tuple[Any, list[FieldError]]:
    errors: list[FieldError] = []
    dept = department(session, actor, data.provider_department_id, cache)
    if dept is None:
        errors.append(FieldError("provider_department_id", _("信息资源提供方不存在。")))
    for i, item in enumerate(data.data_items):
        pid = item.authoritative_provider_id
        if pid is not None and department(session, actor, pid, cache) is None:
            errors.append(
                FieldError(
                    f"data_items.{i}.authoritative_provider_id",
                    _("信息项“{name}”的权威来源部门不存在。").format(name=item.name),
                )
            )
    for code in data.related_codes:
        if parse_code(code, settings)[1]:
            errors.append(
                FieldError("related_codes", _("关联资源代码“{code}”格式不正确。").format(code=code))
            )
    return dept, errors


def _clashes(
    session: Session,
    data: ResourceCreate,
    parts: CodeParts | None,
    own: int | None,
    cache: Lookups,
    settings: Settings,
) -> list[FieldError]:
    conflicts: list[FieldError] = []
    if _name_clash(session, data, own, cache) is not None:
        conflicts.append(
            FieldError(
                "name",
                _("本部门已有同名信息资源“{name}”（名称忽略空格和标点后相同）。").format(
                    name=data.name
                ),
            )
        )
    if parts is not None:
        code = build_code(parts, settings)
        if _code_clash(session, code, own, cache) is not None:
            conflicts.append(
                FieldError("code", _("信息资源代码 {code} 已被使用。").format(code=code))
            )
    return conflicts


def check(
    session: Session,
    actor: Actor,
    data: ResourceCreate,
    *,
    resource: Resource | None = None,
    cache: Lookups | None = None,
    settings: Settings | None = None,
) -> tuple[Resolved | None, list[FieldError], list[FieldError]]:
    """Every rule and database check of a filed resource: (resolved, errors, conflicts)."""
    settings = settings or get_settings()
    cache = cache or Lookups()
    errors = rule_errors(data, settings)
    category, parts, more = _category_errors(session, data, resource, cache, settings)
    dept, refs = _reference_errors(session, actor, data, cache, settings)
    errors += more + refs
    own = resource.id if resource is not None else None
    conflicts = _clashes(session, data, parts, own, cache, settings) if dept is not None else []
    if errors or conflicts or category is None or dept is None:
        return None, errors, conflicts
    return (
        Resolved(category, parts, dept.name, dept.code, dept.area_code or ""),
        errors,
        conflicts,
    )


def raise_for(errors: list[FieldError], conflicts: list[FieldError], action: str) -> None:
    """Invalid (422) when any input is wrong; Conflict (409) when it only clashes."""
    if errors:
        raise Invalid(
            _("提交的内容有 {n} 处错误。").format(n=len(errors) + len(conflicts)),
            errors=errors + conflicts,
            action=action,
        )
    if conflicts:
        raise Conflict(conflicts[0].message, errors=conflicts, action=action)


def resolve(
    session: Session,
    actor: Actor,
    data: ResourceCreate,
    action: str,
    resource: Resource | None = None,
    cache: Lookups | None = None,
) -> Resolved:
    resolved, errors, conflicts = check(session, actor, data, resource=resource, cache=cache)
    raise_for(errors, conflicts, action)
    assert resolved is not None
    return resolved


def next_sequence(session: Session, category: Category, cache: Lookups | None = None) -> int:
    """The next free 顺序码 under a category's 前段码 (skipping codes an import has reserved)."""
    settings = get_settings()
    seq = cache.next_seq.get(category.id) if cache is not None else None
    if seq is None:
        top = session.scalar(
            select(func.max(Resource.seq)).where(Resource.category_id == category.id)
        )
        seq = (top or 0) + 1
    if cache is not None and cache.codes is not None:
        while build_code(parts_of(category, seq), settings) in cache.codes:
            seq += 1
    if cache is not None:
        cache.next_seq[category.id] = seq + 1
    return seq


def parts_of(category: Category, seq: int) -> CodeParts:
    """The code parts of a category's 前段码 and a 顺序码."""
    full = category.full_code
    return CodeParts(full[0], full[1:3], full[3:6], full[6:], seq)


# --- applying a payload -------------------------------------------------------------------------

_DIRECT = (
    "name",
    "abstract",
    "format_class",
    "format_type",
    "share_type",
    "share_conditions",
    "share_method",
    "share_method_note",
    "open_type",
    "open_conditions",
    "update_cycle",
    "grading_level",
    "grading_override_reason",
    "secret",
    "legal_basis",
    "publish_date",
    "related_codes",
    "keywords",
    "record_count",
    "service_url",
    "provider_department_id",
)
_ITEM_FIELDS = (
    "name",
    "type_code",
    "length",
    "description",
    "is_key",
    "required",
    "personal",
    "sensitivity_level",
    "authoritative_provider_id",
)


def fields_of(data: ResourceCreate, resolved: Resolved) -> dict[str, Any]:
    """The resource row's own fields from a filed payload (not the code, status or items)."""
    out = {f: getattr(data, f) for f in _DIRECT}
    out["name_key"] = normalize_name(data.name)
    out["provider_name"] = resolved.provider_name
    out["provider_code"] = resolved.provider_code
    out["provider_area_code"] = resolved.provider_area_code
    out["category_id"] = resolved.category.id
    out["category_class"] = resolved.category.category_class
    return out


def fill(resource: Resource, data: ResourceCreate, resolved: Resolved) -> None:
    """The row's own fields from a filed payload (not the data items)."""
    for key, value in fields_of(data, resolved).items():
        setattr(resource, key, value)


def apply(session: Session, resource: Resource, data: ResourceCreate, resolved: Resolved) -> None:
    """Write a filed payload onto the resource row and its data items, and reindex it.

    Data items keep their ids when their (normalised) name stays, so that other modules' links
    to an item survive a revision.
    """
    fill(resource, data, resolved)
    session.flush()
    existing = {
        normalize_name(i.name): i
        for i in session.scalars(select(DataItem).where(DataItem.resource_id == resource.id))
    }
    for item in existing.values():
        item.position = -item.id  # free the positions for the new order
    session.flush()
    keep: set[int] = set()
    for pos, given in enumerate(data.data_items, 1):
        row = existing.get(normalize_name(given.name))
        if row is None:
            row = DataItem(resource_id=resource.id)
            session.add(row)
        for f in _ITEM_FIELDS:
            setattr(row, f, getattr(given, f))
        row.position = pos
        if row.id is not None:
            keep.add(row.id)
    for item in existing.values():
        if item.id not in keep:
            session.delete(item)
    session.flush()
    index(session, resource, data)


def index(session: Session, resource: Resource, data: ResourceCreate) -> None:
    """Rewrite the resource's search document (same transaction)."""
    search.store(session, resource.id, document_of(session, resource, data))


def document_of(session: Session, resource: Resource, data: ResourceCreate) -> dict[str, str]:
    """The search document's token fields of a resource."""
    category = session.get(Category, resource.category_id)
    return document_for(
        data,
        code=resource.code,
        provider_name=resource.provider_name,
        category_name=category.name if category is not None else None,
        status=resource.status,
        department_id=resource.provider_department_id,
    )


def document_for(
    data: ResourceCreate,
    *,
    code: str,
    provider_name: str,
    category_name: str | None,
    status: str,
    department_id: int,
) -> dict[str, str]:
    """The search document's token fields of a filed payload (no database access: batches)."""
    extra = [provider_name, code, *data.keywords]
    if category_name is not None:
        extra.append(category_name)
    items = [f"{i.name} {i.description}".strip() for i in data.data_items]
    scope = search.scope_tokens(status, department_id)
    return search.document_tokens(data.name, extra, data.abstract, items, scope)


def payload_of(data: ResourceCreate, code: str) -> dict[str, Any]:
    """The stored form of a filed version."""
    out = data.model_dump(mode="json")
    out["code"] = code
    return out


def data_of(payload: dict[str, Any]) -> ResourceCreate:
    return ResourceCreate.model_validate(payload)


# --- public forms ---------------------------------------------------------------------------------


def items_of(session: Session, resource_ids: Sequence[int]) -> dict[int, list[DataItem]]:
    out: dict[int, list[DataItem]] = {i: [] for i in resource_ids}
    if not resource_ids:
        return out
    for item in session.scalars(
        select(DataItem)
        .where(DataItem.resource_id.in_(resource_ids))
        .order_by(DataItem.resource_id, DataItem.position)
    ):
        out[item.resource_id].append(item)
    return out


def categories_of(session: Session, ids: Sequence[int]) -> dict[int, Category]:
    """Categories by id (a small table: the session's identity map usually answers; the others
    are loaded with one query, not one each)."""
    wanted = set(ids)
    missing = [i for i in wanted if identity_key(Category, i) not in session.identity_map]
    # Hold what was loaded: the identity map keeps objects only while someone refers to them,
    # so session.get would otherwise query each one again.
    out: dict[int, Category] = {}
    if missing:
        out = {c.id: c for c in session.scalars(select(Category).where(Category.id.in_(missing)))}
    for i in wanted:
        category = out.get(i) or session.get(Category, i)
        if category is not None:
            out[i] = category
    return out


def pendings_of(session: Session, ids: Sequence[int]) -> dict[int, ResourceVersion]:
    out: dict[int, ResourceVersion] = {}
    if not ids:
        return out
    for v in session.scalars(
        select(ResourceVersion)
        .where(ResourceVersion.resource_id.in_(ids), ResourceVersion.status.in_(PENDING))
        .order_by(ResourceVersion.version)
    ):
        out[v.resource_id] = v
    return out


def public_many(
    session: Session, actor: Actor, resources: Sequence[Resource]
) -> list[ResourcePublic]:
    ids = [r.id for r in resources]
    items = items_of(session, ids)
    cats = categories_of(session, [r.category_id for r in resources])
    published = [r.id for r in resources if r.published_at is not None]
    pend = pendings_of(session, published)  # revisions wait only beside a published version
    out = []
    for r in resources:
        pv = pend.get(r.id) if permissions.can_see_unpublished(actor, r) else None
        cat = cats[r.category_id]
        out.append(
            ResourcePublic(
                **{f: getattr(r, f) for f in _PUBLIC_FIELDS},
                category_code=cat.full_code,
                category_name=cat.name,
                pending_version=pv.version if pv and r.published_at is not None else None,
                pending_status=pv.status if pv and r.published_at is not None else None,
                data_items=[DataItemPublic.model_validate(i) for i in items[r.id]],
            )
        )
    return out


def public(session: Session, actor: Actor, resource: Resource) -> ResourcePublic:
    return public_many(session, actor, [resource])[0]


_PUBLIC_FIELDS = (
    "id",
    "code",
    "name",
    "status",
    "category_id",
    "category_class",
    "lei",
    "xiang",
    "mu",
    "ximu",
    "seq",
    "provider_department_id",
    "provider_name",
    "provider_code",
    "abstract",
    "format_class",
    "format_type",
    "share_type",
    "share_conditions",
    "share_method",
    "share_method_note",
    "open_type",
    "open_conditions",
    "update_cycle",
    "grading_level",
    "grading_override_reason",
    "secret",
    "legal_basis",
    "publish_date",
    "related_codes",
    "keywords",
    "record_count",
    "service_url",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "published_at",
)


def summaries(session: Session, resources: Sequence[Resource]) -> list[ResourceSummary]:
    ids = [r.id for r in resources]
    counts: dict[int, int] = {}
    if ids:
        counts = dict(
            session.execute(
                select(DataItem.resource_id, func.count())
                .where(DataItem.resource_id.in_(ids))
                .group_by(DataItem.resource_id)
            ).all()
        )
    return [
        ResourceSummary(
            id=r.id,
            code=r.code,
            name=r.name,
            status=r.status,
            category_class=r.category_class,
            provider_department_id=r.provider_department_id,
            provider_name=r.provider_name,
            share_type=r.share_type,
            open_type=r.open_type,
            format_class=r.format_class,
            update_cycle=r.update_cycle,
            grading_level=r.grading_level,
            version=r.version,
            item_count=int(counts.get(r.id, 0)),
            abstract=r.abstract[:200],
            publish_date=r.publish_date,
            updated_at=r.updated_at,
        )
        for r in resources
    ]


def today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(get_settings().timezone)).date()


def domain_error_fields(exc: DomainError) -> list[FieldError]:
    return exc.errors or [FieldError("__all__", exc.detail)]


def class_of_lei(lei: str) -> str:
    return CLASS_OF_LEI[lei]
