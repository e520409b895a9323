"""Resources: filing (create, update, submit, delete) and reading (get, by code, list)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import permissions, search
from govshare.catalog.models import DataItem, Resource, ResourceVersion
from govshare.catalog.rules import build_code
from govshare.catalog.schemas import ResourceCreate, ResourceFilter, ResourcePublic
from govshare.catalog.service.common import (
    Lookups,
    Resolved,
    apply,
    check,
    document_for,
    fields_of,
    fill,
    load,
    next_sequence,
    parts_of,
    payload_of,
    pending_version,
    public,
    public_many,
    remember,
    resolve,
    snapshot,
    target,
)
from govshare.core.config import get_settings
from govshare.core.db import Base, utcnow
from govshare.core.errors import Conflict, FieldError, NotFound
from govshare.core.i18n import _
from govshare.core.pagination import keyset_page
from govshare.core.security import Actor, require
from govshare.core.validation import field_errors


def get_resource(session: Session, actor: Actor, resource_id: int) -> ResourcePublic:
    """One resource with its data items; NotFound when missing or not visible to the actor."""
    require(permissions.can_get_resource(actor), "catalog.get_resource")
    return public(session, actor, load(session, actor, resource_id))


def get_resource_by_code(session: Session, actor: Actor, code: str) -> ResourcePublic:
    """One resource by its code (前段码/后段码); NotFound when missing or not visible."""
    require(permissions.can_get_resource_by_code(actor), "catalog.get_resource_by_code")
    resource = session.scalars(
        permissions.visible_resources(actor).where(Resource.code == code.strip().upper())
    ).one_or_none()
    if resource is None:
        raise NotFound(_("信息资源不存在。"))
    return public(session, actor, resource)


def filtered(actor: Actor, filters: ResourceFilter | None) -> object:
    """The visible resources narrowed by the filters (not the full-text query)."""
    stmt = permissions.visible_resources(actor)
    f = filters or ResourceFilter()
    for column, value in (
        (Resource.status, f.status),
        (Resource.provider_department_id, f.provider_department_id),
        (Resource.category_class, f.category_class),
        (Resource.category_id, f.category_id),
        (Resource.share_type, f.share_type),
        (Resource.open_type, f.open_type),
        (Resource.format_class, f.format_class),
        (Resource.update_cycle, f.update_cycle),
        (Resource.grading_level, f.grading_level),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.area_code:
        stmt = stmt.where(Resource.provider_area_code.startswith(f.area_code[:6]))
    return stmt


def list_resources(
    session: Session,
    actor: Actor,
    *,
    filters: ResourceFilter | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ResourcePublic], str | None]:
    """A page of visible resources with their data items, newest first, filtered."""
    require(permissions.can_list_resources(actor), "catalog.list_resources")
    stmt = filtered(actor, filters)
    rows, nxt = keyset_page(session, stmt, Resource.id, cursor=cursor, limit=limit)  # type: ignore[arg-type]
    return public_many(session, actor, list(rows)), nxt


def _check_filer(actor: Actor, department_id: int, action: str) -> None:
    require(
        permissions.can_create_resource(actor, department_id),
        action,
        ("department", str(department_id), ""),
        _("只能为本部门编报信息资源。"),
    )


def _insert(
    session: Session,
    actor: Actor,
    data: ResourceCreate,
    resolved: Resolved,
    seq: int | None,
    *,
    savepoint: bool = True,
) -> Resource:
    """Create the resource row (draft, version 1) and its first version."""
    settings = get_settings()
    parts = resolved.parts or parts_of(
        resolved.category, seq or next_sequence(session, resolved.category)
    )
    resource = Resource(
        code=build_code(parts, settings),
        lei=parts.lei,
        xiang=parts.xiang,
        mu=parts.mu,
        ximu=parts.ximu,
        seq=parts.seq,
        status="draft",
        version=1,
        created_by_id=actor.user_id,
    )
    fill(resource, data, resolved)
    session.add(resource)
    if not savepoint:  # the caller has checked the code against every code in the catalog
        session.flush()
    else:
        _flush_new(session, resource)
    apply(session, resource, data, resolved)
    session.add(
        ResourceVersion(
            resource_id=resource.id,
            version=1,
            status="draft",
            payload=payload_of(data, resource.code),
            created_by_id=actor.user_id,
        )
    )
    session.flush()
    return resource


def insert_many(
    session: Session, actor: Actor, filings: list[tuple[ResourceCreate, Resolved, int | None]]
) -> list[int]:
    """Create many checked drafts at once (an import) and answer their ids, in order.

    The resources, their data items, first versions and search documents are built as plain
    rows and written with one batched Core insert per table (``INSERT … RETURNING`` for the
    resources): no ORM objects, whose per-object bookkeeping was most of a 5,000-row import.
    Codes were checked against the catalog by the caller.
    """
    settings = get_settings()
    now = utcnow()
    rows: list[dict[str, object]] = []
    for data, resolved, seq in filings:
        parts = resolved.parts or parts_of(resolved.category, seq or 1)
        rows.append(
            {
                **fields_of(data, resolved),
                "code": build_code(parts, settings),
                "lei": parts.lei,
                "xiang": parts.xiang,
                "mu": parts.mu,
                "ximu": parts.ximu,
                "seq": parts.seq,
                "status": "draft",
                "version": 1,
                "created_by_id": actor.user_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not rows:
        return []
    table = _table(Resource)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = list(session.scalars(stmt, rows))
    items: list[dict[str, object]] = []
    versions: list[dict[str, object]] = []
    documents = []
    for rid, row, (data, resolved, _seq) in zip(ids, rows, filings, strict=True):
        code = str(row["code"])
        for pos, item in enumerate(data.data_items, 1):
            items.append({"resource_id": rid, "position": pos, **item.model_dump()})
        versions.append(
            {
                "resource_id": rid,
                "version": 1,
                "status": "draft",
                "payload": payload_of(data, code),
                "change_note": "",
                "review_comment": "",
                "created_by_id": actor.user_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        document = document_for(
            data,
            code=code,
            provider_name=resolved.provider_name,
            category_name=resolved.category.name,
            status="draft",
            department_id=data.provider_department_id,
        )
        documents.append((rid, document))
    if items:
        session.execute(insert(_table(DataItem)), items)
    session.execute(insert(_table(ResourceVersion)), versions)
    search.store_new(session, documents)
    return ids


def _table(model: type[Base]) -> Table:
    """A model's table, for Core statements (plain rows, no ORM bookkeeping)."""
    return model.__table__  # type: ignore[return-value]


def _flush_new(session: Session, resource: Resource) -> None:
    """Flush a new resource; a code taken meanwhile (a race) becomes a Conflict."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if "catalog_resource.code" not in str(exc) and "uq_catalog_resource_code" not in str(exc):
            raise
        msg = _("信息资源代码 {code} 已被使用。").format(code=resource.code)
        raise Conflict(msg, errors=[FieldError("code", msg)]) from exc


def create_resource(session: Session, actor: Actor, data: ResourceCreate) -> ResourcePublic:
    """File a new resource for the actor's department (a draft, version 1)."""
    return public(session, actor, create(session, actor, data))


def create(
    session: Session, actor: Actor, data: ResourceCreate, cache: Lookups | None = None
) -> Resource:
    """``create_resource`` answering the model; batch callers (the demo) pass a cache."""
    _check_filer(actor, data.provider_department_id, "catalog.create_resource")
    resolved = resolve(session, actor, data, "catalog.create_resource", cache=cache)
    seq = next_sequence(session, resolved.category, cache) if cache and not resolved.parts else None
    resource = _insert(session, actor, data, resolved, seq, savepoint=cache is None)
    remember(cache, resource)
    audit.record(
        session, actor, "catalog.create_resource", target(resource), after=snapshot(resource)
    )
    return resource


def update_resource(
    session: Session,
    actor: Actor,
    resource_id: int,
    data: ResourceCreate,
    *,
    change_note: str = "",
) -> ResourcePublic:
    """Change a filing. A draft or returned filing is edited in place; a published resource gets
    a revision (the next version) that waits for review while the published one stays."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_update_resource(actor, resource),
        "catalog.update_resource",
        target(resource),
    )
    if resource.status == "submitted":
        raise Conflict(
            _("已提交审核的资源不能修改；请等待审核结果。"), action="catalog.update_resource"
        )
    pv = pending_version(session, resource.id)
    if pv is not None and pv.status == "submitted":
        raise Conflict(
            _("修订已提交审核，不能修改；请等待审核结果。"), action="catalog.update_resource"
        )
    if data.provider_department_id != resource.provider_department_id:
        _check_filer(actor, data.provider_department_id, "catalog.update_resource")
    resolved = resolve(session, actor, data, "catalog.update_resource", resource)
    before = snapshot(resource)
    if resource.published_at is None:
        apply(session, resource, data, resolved)
        resource.status = "draft"
        version = pv or _new_version(session, actor, resource, resource.version)
    else:
        version = pv or _new_version(session, actor, resource, resource.version + 1)
        version.status = "draft"
    version.payload = payload_of(data, resource.code)
    version.change_note = change_note or version.change_note
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.update_resource",
        target(resource),
        before=before,
        after={**snapshot(resource), "working_version": version.version},
    )
    return public(session, actor, resource)


def _new_version(
    session: Session, actor: Actor, resource: Resource, number: int
) -> ResourceVersion:
    version = ResourceVersion(
        resource_id=resource.id,
        version=number,
        status="draft",
        payload={},
        created_by_id=actor.user_id,
    )
    session.add(version)
    return version


def submit_resource(session: Session, actor: Actor, resource_id: int) -> ResourcePublic:
    """Send a draft, a returned filing or a revision to the 市电政办 reviewers."""
    return public(session, actor, submit(session, actor, resource_id))


def submit(session: Session, actor: Actor, resource_id: int) -> Resource:
    """``submit_resource`` answering the model."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_submit_resource(actor, resource),
        "catalog.submit_resource",
        target(resource),
    )
    pv = pending_version(session, resource.id)
    if pv is None or pv.status == "submitted":
        raise Conflict(
            _("没有待提交的内容：资源已提交或已发布且无修订。"), action="catalog.submit_resource"
        )
    before = snapshot(resource)
    now = utcnow()
    pv.status, pv.submitted_at = "submitted", now
    if resource.published_at is None:
        resource.status, resource.submitted_at = "submitted", now
    session.flush()
    audit.record(
        session,
        actor,
        "catalog.submit_resource",
        target(resource),
        before=before,
        after={**snapshot(resource), "submitted_version": pv.version},
    )
    return resource


def delete_resource(session: Session, actor: Actor, resource_id: int) -> None:
    """Delete a filing that was never published (drafts and returned filings)."""
    resource = load(session, actor, resource_id)
    require(
        permissions.can_delete_resource(actor, resource) and resource.published_at is None,
        "catalog.delete_resource",
        target(resource),
    )
    before = snapshot(resource)
    label = target(resource)
    search.remove(session, resource.id)
    session.delete(resource)
    session.flush()
    audit.record(session, actor, "catalog.delete_resource", label, before=before)


def check_resource(
    session: Session, actor: Actor, payload: dict[str, object], resource_id: int | None = None
) -> list[FieldError]:
    """Every error a filing would meet, without saving anything (live form validation)."""
    require(permissions.can_check_resource(actor), "catalog.check_resource")
    try:
        data = ResourceCreate.model_validate(payload)
    except ValidationError as exc:
        return field_errors(exc.errors())
    resource = load(session, actor, resource_id) if resource_id else None
    _resolved, errors, conflicts = check(session, actor, data, resource=resource)
    return errors + conflicts
