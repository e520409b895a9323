"""Datasets: create (from a catalog resource or an explicit column list), read, configure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourcePublic
from govshare.core.config import get_settings
from govshare.core.errors import Conflict, FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.datastore import permissions
from govshare.datastore.models import Dataset
from govshare.datastore.schemas import UPDATE_CYCLES, ColumnSpec, DatasetCreate, DatasetUpdate
from govshare.datastore.service._common import dataset_for_resource, dataset_of, target
from govshare.datastore.service.schedule import next_run


def _snapshot(ds: Dataset) -> dict[str, Any]:
    return {
        "reject_threshold": ds.reject_threshold,
        "retention_versions": ds.retention_versions,
        "mapping": ds.mapping,
        "index_columns": ds.index_columns,
        "update_cycle": ds.update_cycle,
        "schedule_cron": ds.schedule_cron,
        "pull_kind": ds.pull_kind,
        "pull_mode": ds.pull_mode,
    }


def create_dataset(session: Session, actor: Actor, data: DatasetCreate) -> Dataset:
    """Create a dataset with its own column specification (one per catalog resource)."""
    require(permissions.can_create_dataset(actor, data.department_id), "datastore.create_dataset")
    if session.query(Dataset.id).filter(Dataset.resource_id == data.resource_id).first():
        raise Conflict(_("该资源已有数据集。"))
    if session.query(Dataset.id).filter(Dataset.code == data.code).first():
        raise Conflict(_("数据集代码已存在。"))
    s = get_settings()
    ds = Dataset(
        resource_id=data.resource_id,
        code=data.code,
        name=data.name,
        department_id=data.department_id,
        provider_name=data.provider_name,
        columns=[c.model_dump() for c in data.columns],
        update_cycle=data.update_cycle,
        reject_threshold=(
            s.datastore_reject_threshold if data.reject_threshold is None else data.reject_threshold
        ),
        retention_versions=data.retention_versions or s.datastore_retention_versions,
        created_by_id=actor.user_id,
    )
    session.add(ds)
    session.flush()
    audit.record(session, actor, "datastore.create_dataset", ds, after={"code": ds.code})
    return ds


def _type_code(code: str | None) -> str:
    first = (code or "C").strip().upper()[:1]
    return first if first and first in "CNYDTLMGBIF" else "C"


def columns_from_resource(resource: ResourcePublic) -> list[ColumnSpec]:
    """The dataset columns of a catalog resource's data items, in their order."""
    items = sorted(resource.data_items, key=lambda i: i.position)
    return [
        ColumnSpec(
            name=i.name,
            type_code=_type_code(i.type_code),
            length=str(i.length) if i.length is not None else None,
            is_key=bool(i.is_key),
            required=bool(i.required or i.is_key),
        )
        for i in items
    ]


def create_dataset_for_resource(session: Session, actor: Actor, resource_id: int) -> Dataset:
    """Create the dataset of a published catalog resource, its columns from the data items."""
    resource = catalog.get_resource(session, actor, resource_id)
    require(
        permissions.can_create_dataset_for_resource(actor, resource.provider_department_id),
        "datastore.create_dataset_for_resource",
    )
    if resource.status != "published":
        raise Conflict(_("只有已发布的资源才能挂接数据集。"))
    columns = columns_from_resource(resource)
    if not columns:
        raise Invalid(_("该资源没有信息项，无法建立数据集。"))
    ds = create_dataset(
        session,
        actor,
        DatasetCreate(
            resource_id=resource.id,
            code=resource.code,
            name=resource.name,
            department_id=resource.provider_department_id,
            provider_name=resource.provider_name,
            columns=columns,
            update_cycle=resource.update_cycle or "",
        ),
    )
    audit.record(
        session,
        actor,
        "datastore.create_dataset_for_resource",
        ds,
        details={"resource_id": resource.id, "columns": len(columns)},
    )
    return ds


def sync_dataset_columns(session: Session, actor: Actor, dataset_id: int) -> Dataset:
    """Take the catalog resource's current data items as the columns of the next load."""
    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_sync_dataset_columns(actor, ds),
        "datastore.sync_dataset_columns",
        target(ds),
    )
    resource = catalog.get_resource(session, actor, ds.resource_id)
    before = {"columns": ds.columns}
    ds.columns = [c.model_dump() for c in columns_from_resource(resource)]
    session.flush()
    audit.record(
        session,
        actor,
        "datastore.sync_dataset_columns",
        ds,
        before=before,
        after={"columns": ds.columns},
    )
    return ds


def get_dataset(session: Session, actor: Actor, dataset_id: int) -> Dataset:
    """One dataset's metadata (columns, settings, current version)."""
    require(permissions.can_get_dataset(actor), "datastore.get_dataset")
    return dataset_of(session, actor, dataset_id)


def get_dataset_by_resource(session: Session, actor: Actor, resource_id: int) -> Dataset:
    """The dataset of a catalog resource, or NotFound."""
    require(permissions.can_get_dataset_by_resource(actor), "datastore.get_dataset_by_resource")
    return dataset_for_resource(session, actor, resource_id)


def list_datasets(
    session: Session, actor: Actor, *, department_id: int | None = None, q: str | None = None
) -> Sequence[Dataset]:
    """Datasets the actor may see, by name."""
    require(permissions.can_list_datasets(actor), "datastore.list_datasets")
    stmt = permissions.visible_datasets(actor)
    if department_id is not None:
        stmt = stmt.where(Dataset.department_id == department_id)
    if q:
        stmt = stmt.where(Dataset.name.contains(q, autoescape=True))
    return session.scalars(stmt.order_by(Dataset.name)).all()


def _validate_update(ds: Dataset, data: DatasetUpdate) -> None:
    names = {c["name"] for c in ds.columns}
    errors: list[FieldError] = []
    if data.mapping is not None:
        bad = [v for v in data.mapping.values() if v and v not in names]
        if bad:
            errors.append(
                FieldError(
                    "mapping", _("映射到不存在的信息项：{names}").format(names="、".join(bad))
                )
            )
    if data.index_columns is not None and set(data.index_columns) - names:
        errors.append(FieldError("index_columns", _("索引列必须是本数据集的信息项。")))
    if data.update_cycle is not None and data.update_cycle not in UPDATE_CYCLES:
        errors.append(FieldError("update_cycle", _("更新周期无效。")))
    if data.schedule_cron:
        try:
            next_run(data.schedule_cron, "", None)
        except ValueError as exc:
            errors.append(FieldError("schedule_cron", str(exc)))
    if data.pull_mode in ("upsert", "delete") and not any(c.get("is_key") for c in ds.columns):
        errors.append(FieldError("pull_mode", _("没有主键信息项的数据集只能全量替换或追加。")))
    if errors:
        raise Invalid(_("数据集设置有误。"), errors=errors)


def update_dataset(session: Session, actor: Actor, dataset_id: int, data: DatasetUpdate) -> Dataset:
    """Change a dataset's reject threshold, retention, column mapping, indexes or pull schedule."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_update_dataset(actor, ds), "datastore.update_dataset", target(ds))
    _validate_update(ds, data)
    before = _snapshot(ds)
    for name, value in data.model_dump(exclude_unset=True).items():
        if name == "pull_secret":
            if value:
                ds.pull_secret = value
            continue
        if value is not None:
            setattr(ds, name, value)
    from govshare.core.db import utcnow

    ds.next_pull_at = (
        next_run(ds.schedule_cron, ds.update_cycle, utcnow()) if ds.pull_kind else None
    )
    session.flush()
    audit.record(session, actor, "datastore.update_dataset", ds, before=before, after=_snapshot(ds))
    return ds


@dataclass
class DatasetPage:
    """Everything the dataset page shows."""

    dataset: Dataset
    current: Any
    versions: Sequence[Any]
    loads: Sequence[Any]
    columns: list[str]
    preview: list[dict[str, Any]]
    can_load: bool
    can_read: bool
    can_update: bool


def get_dataset_page(session: Session, actor: Actor, dataset_id: int) -> DatasetPage:
    """A dataset with its current version's preview, versions and recent loads."""
    from govshare.datastore.models import DatasetVersion
    from govshare.datastore.service.loads import list_loads
    from govshare.datastore.service.versions import list_versions, preview_version

    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_get_dataset_page(actor, ds), "datastore.get_dataset_page")
    can_read = permissions.can_preview_version(actor, ds)
    versions = list_versions(session, actor, ds.id)
    current = session.get(DatasetVersion, ds.current_version_id) if ds.current_version_id else None
    columns = [c["name"] for c in ds.columns]
    rows: list[dict[str, Any]] = []
    if current is not None and can_read:
        columns, rows, _v = preview_version(session, actor, ds.id, None)
    loads = list_loads(session, actor, ds.id, limit=10) if can_read else []
    return DatasetPage(
        ds,
        current,
        versions,
        loads,
        columns,
        rows,
        permissions.can_load_dataset(actor, ds),
        can_read,
        permissions.can_update_dataset(actor, ds),
    )
