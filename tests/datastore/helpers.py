"""Builders for datastore tests: datasets through the real services, loads run by a worker."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govshare.core.db import Database
from govshare.datastore import service as ds_service
from govshare.datastore.models import Dataset, DatasetLoad
from govshare.datastore.synthetic import PERSON_COLUMNS, person_header, person_rows
from govshare.jobs.schemas import JobKind
from govshare.jobs.worker import Worker

_names = itertools.count(1)

KINDS = {
    "datastore.load": JobKind("加载数据", ds_service.handle_load_job, ds_service.cleanup_load_job)
}


def make_resource_for(
    session: Session, columns: list[dict[str, Any]], name: str, unit: str = "市统计局"
) -> Any:
    """A published catalog resource whose data items are ``columns``."""
    from govshare.catalog.schemas import DataItemIn
    from tests.builders import make_resource

    items = [
        DataItemIn(
            name=c["name"],
            type_code=c.get("type_code", "C"),
            length=int(c["length"]) if str(c.get("length") or "").isdigit() else None,
            is_key=bool(c.get("is_key")),
            required=bool(c.get("required")),
        )
        for c in columns
    ]
    return make_resource(
        session, unit, publish=True, name=f"{name}{next(_names)}", data_items=items
    )


def make_dataset(
    session: Session,
    actor: Any,
    *,
    columns: list[dict[str, Any]] | None = None,
    threshold: float = 0.2,
    name: str = "人口基本信息",
) -> Dataset:
    """A dataset bound to a fresh published resource (columns from its data items)."""
    from govshare.datastore.schemas import DatasetUpdate

    resource = make_resource_for(session, columns or PERSON_COLUMNS, name)
    ds = ds_service.create_dataset_for_resource(session, actor, resource.id)
    ds_service.update_dataset(session, actor, ds.id, DatasetUpdate(reject_threshold=threshold))
    session.flush()
    return ds


def people_csv(
    path: Path, n: int, *, encoding: str = "utf-8", start: int = 0, edit: Any = None
) -> Path:
    rows = list(person_rows(n, start=start))
    if edit:
        rows = edit(rows)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(person_header())
        w.writerows(rows)
    return path


def write_rows(
    path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def run_jobs(db: Database) -> list[tuple[int, str]]:
    return Worker(db, KINDS, lease_seconds=3600, progress_interval=0).run_pending()


def load(
    db: Database, session: Session, actor: Any, ds: Dataset, path: Path, mode: str = "replace"
) -> DatasetLoad:
    """Load a file through the real job and return the load record (refreshed)."""
    rec = ds_service.load_file(session, actor, ds.id, path, mode=mode)
    session.commit()
    run_jobs(db)
    session.expire_all()
    return session.get(DatasetLoad, rec.id)  # type: ignore[return-value]
