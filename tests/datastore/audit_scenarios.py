"""Audit scenarios of the datastore's writes and data reads."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govshare.core.db import Database
from govshare.datastore import service
from govshare.datastore.schemas import DatasetUpdate, UploadCreate
from tests.datastore.helpers import make_dataset, people_csv, run_jobs


def _tmp() -> Path:
    return Path(tempfile.mkdtemp(prefix="gs-audit-"))


def _loaded(s: Any, a: Callable[[str], Any], bad: bool = False) -> Any:
    ds = make_dataset(s, a("steward"))

    def spoil(rows: list[list[str]]) -> list[list[str]]:
        rows[0][3] = "不是日期"
        return rows

    path = people_csv(_tmp() / "p.csv", 20, edit=spoil if bad else None)
    rec = service.load_file(s, a("steward"), ds.id, path)
    s.flush()
    run_jobs(Database(s.connection(), savepoints=True))
    s.expire_all()
    return ds, rec


def _upload(s: Any, a: Callable[[str], Any]) -> Any:
    ds = make_dataset(s, a("steward"))
    return ds, service.create_upload(s, a("steward"), ds.id, UploadCreate(filename="p.csv", size=3))


def _load_dataset(s: Any, a: Callable[[str], Any]) -> None:
    ds, up = _upload(s, a)
    service.upload_chunk(s, a("steward"), up.id, 0, b"abc")
    service.load_dataset(s, a("steward"), ds.id, up.id)


def _for_resource(s: Any, a: Callable[[str], Any]) -> None:
    from tests.datastore.helpers import make_resource_for

    resource = make_resource_for(s, [{"name": "编号", "is_key": True, "required": True}], "测试")
    service.create_dataset_for_resource(s, a("steward"), resource.id)


def _pull(s: Any, a: Callable[[str], Any]) -> None:
    ds = make_dataset(s, a("steward"))
    service.update_dataset(
        s, a("steward"), ds.id, DatasetUpdate(pull_kind="http", pull_config={"url": "http://x"})
    )
    service.pull_dataset(s, a("steward"), ds.id)


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "datastore.create_dataset": lambda s, a: make_dataset(s, a("steward")) and None,
    "datastore.create_dataset_for_resource": _for_resource,
    "datastore.update_dataset": lambda s, a: (
        service.update_dataset(
            s, a("steward"), make_dataset(s, a("steward")).id, DatasetUpdate(retention_versions=3)
        )
        and None
    ),
    "datastore.create_upload": lambda s, a: _upload(s, a) and None,
    "datastore.upload_chunk": lambda s, a: (
        service.upload_chunk(s, a("steward"), _upload(s, a)[1].id, 0, b"abc") and None
    ),
    "datastore.load_dataset": _load_dataset,
    "datastore.load_file": lambda s, a: _loaded(s, a) and None,
    "datastore.load_uploaded_file": lambda s, a: (
        service.load_uploaded_file(
            s, a("steward"), make_dataset(s, a("steward")).id, "p.csv", 3, iter([b"abc"])
        )
        and None
    ),
    "datastore.pull_dataset": _pull,
    "datastore.publish_version": lambda s, a: _loaded(s, a) and None,
    "datastore.apply_retention": lambda s, a: (
        service.apply_retention(s, a("steward"), make_dataset(s, a("steward")).id) and None
    ),
    "datastore.export_rejects": lambda s, a: (
        list(service.export_rejects(s, a("steward"), _loaded(s, a, bad=True)[1].id)) and None
    ),
    "datastore.run_scan": lambda s, a: (
        service.run_scan(
            s, a("steward"), _loaded(s, a)[0].resource_id, None, "SELECT count(*) FROM data"
        )
        and None
    ),
    "datastore.run_reference_scan": lambda s, a: _reference_scan(s, a),
}


def _reference_scan(s: Any, a: Any) -> None:
    ds = _loaded(s, a)[0]
    service.run_reference_scan(
        s, a("steward"), ds.resource_id, None, ds.resource_id, "SELECT count(*) FROM data, ref"
    )
