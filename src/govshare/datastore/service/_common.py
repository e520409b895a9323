"""Shared helpers of the datastore services: paths, columns, the row store, loading rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.core.config import Settings, get_settings
from govshare.core.errors import NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor
from govshare.datastore import permissions
from govshare.datastore.engines.columns import Column
from govshare.datastore.engines.serving import ServingStore, store_for
from govshare.datastore.models import Dataset, DatasetVersion


def root(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).data_dir.resolve() / "datastore"


def version_dir(dataset_id: int, token: str) -> Path:
    return root() / "datasets" / str(dataset_id) / token


def version_file(version: DatasetVersion) -> Path:
    return version_dir(version.dataset_id, version.token) / "data.parquet"


def load_dir(token: str) -> Path:
    return root() / "loads" / token


def upload_path(token: str) -> Path:
    return root() / "uploads" / f"{token}.part"


def serving_url(settings: Settings | None = None) -> str | None:
    s = settings or get_settings()
    if s.datastore_serving_url:
        return s.datastore_serving_url
    return None if s.is_sqlite else s.resolved_database_url


def serving() -> ServingStore:
    return store_for(serving_url(), root() / "serving")


def columns_of(spec: list[dict[str, Any]]) -> list[Column]:
    return [
        Column(
            c["name"],
            c.get("type_code", "C"),
            c.get("length"),
            bool(c.get("is_key")),
            bool(c.get("required")),
        )
        for c in spec
    ]


def dataset_of(session: Session, actor: Actor, dataset_id: int) -> Dataset:
    ds = session.scalars(
        permissions.visible_datasets(actor).where(Dataset.id == dataset_id)
    ).one_or_none()
    if ds is None:
        raise NotFound(_("数据集不存在。"))
    return ds


def dataset_for_resource(session: Session, actor: Actor, resource_id: int) -> Dataset:
    ds = session.scalars(
        permissions.visible_datasets(actor).where(Dataset.resource_id == resource_id)
    ).one_or_none()
    if ds is None:
        raise NotFound(_("该资源还没有数据集。"))
    return ds


def version_of(session: Session, dataset: Dataset, number: int | None) -> DatasetVersion:
    """A version by number, or the current one (None); NotFound when missing or removed."""
    if number is None:
        if dataset.current_version_id is None:
            raise NotFound(_("数据集还没有已发布的版本。"))
        v = session.get(DatasetVersion, dataset.current_version_id)
    else:
        v = session.scalars(
            select(DatasetVersion).where(
                DatasetVersion.dataset_id == dataset.id, DatasetVersion.number == number
            )
        ).one_or_none()
    if v is None or v.status in ("refused",):
        raise NotFound(_("版本不存在。"))
    if v.status == "removed":
        raise NotFound(_("版本 {n} 的数据已按保留策略删除。").format(n=v.number))
    return v


def target(dataset: Dataset) -> tuple[str, str, str]:
    return ("dataset", str(dataset.id), dataset.name)
