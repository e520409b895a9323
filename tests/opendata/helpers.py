"""Builders for open-data tests: released resources with loaded datasets, public users, and a
``requests`` adapter that lets ``ckanapi`` talk to the in-process app."""

from __future__ import annotations

import csv
import itertools
import tempfile
from pathlib import Path
from typing import Any

import requests
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from govshare.catalog.schemas import DataItemIn
from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.datastore import service as datastore
from govshare.opendata import service
from govshare.opendata.models import PublicUser
from govshare.opendata.schemas import PublicUserCreate, ReleaseCreate
from tests.builders import make_resource
from tests.datastore.helpers import run_jobs

_n = itertools.count(1)

AIR_ITEMS = [
    DataItemIn(name="监测站点", type_code="C", length=50, required=True, is_key=True),
    DataItemIn(name="监测日期", type_code="D", required=True, is_key=True),
    DataItemIn(name="AQI", type_code="I", required=True),
    DataItemIn(name="空气质量等级", type_code="C", length=10),
]
PEOPLE_ITEMS = [
    DataItemIn(name="编号", type_code="C", length=10, required=True, is_key=True),
    DataItemIn(name="姓名", type_code="C", length=20, personal=True, sensitivity_level=2),
    DataItemIn(name="联系电话", type_code="C", length=20, personal=True, sensitivity_level=2),
    DataItemIn(name="所属区县", type_code="C", length=20),
]


def air_rows(n: int = 30) -> list[list[Any]]:
    stations = ("德州市监测站", "儿童乐园", "陵城区监测站")
    levels = ("优", "良", "轻度污染")
    return [
        [stations[i % 3], f"2026-09-{1 + i // 3:02d}", 40 + i * 3, levels[i % 3]] for i in range(n)
    ]


def people_rows(n: int = 12) -> list[list[Any]]:
    return [[f"P{i:04d}", f"张小{i}", f"1380000{i:04d}", "德城区"] for i in range(n)]


def _csv(items: list[DataItemIn], rows: list[list[Any]]) -> Path:
    path = Path(tempfile.mkdtemp(prefix="gs-open-")) / "data.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([i.name for i in items])
        w.writerows(rows)
    return path


def open_resource(
    session: Session,
    *,
    name: str = "德州市环境空气质量日报",
    level: str = "open",
    items: list[DataItemIn] | None = None,
    rows: list[list[Any]] | None = None,
    masks: dict[str, str] | None = None,
    unit: str = "市统计局",
    release: bool = True,
    data: bool = True,
) -> Any:
    """A published resource (open or conditional) with a loaded dataset, released on the portal."""
    items = items or AIR_ITEMS
    grading = 1 if level == "open" else 2
    resource = make_resource(
        session,
        unit,
        publish=True,
        name=f"{name}{next(_n)}",
        open_type=level,
        grading_level=grading,
        keywords=["空气质量"] if items is AIR_ITEMS else [],
        open_conditions="" if level == "open" else "说明用途并签署安全承诺书。",
        data_items=items,
    )
    if data:
        ds = datastore.create_dataset_for_resource(session, SYSTEM, resource.id)
        datastore.load_file(
            session, SYSTEM, ds.id, _csv(items, rows if rows is not None else air_rows())
        )
        session.flush()
        run_jobs(Database(session.connection(), savepoints=True))
        session.expire_all()
    if release:
        service.release_resource(
            session, SYSTEM, ReleaseCreate(resource_id=resource.id, masks=masks or {})
        )
    service_cache_clear()
    return resource


def people_resource(session: Session, **kw: Any) -> Any:
    """A conditional resource with personal items, released with masks."""
    return open_resource(
        session,
        name="社区志愿者名录",
        level=kw.pop("level", "conditional"),
        items=PEOPLE_ITEMS,
        rows=people_rows(),
        masks=kw.pop("masks", {"姓名": "name", "联系电话": "phone"}),
        **kw,
    )


def service_cache_clear() -> None:
    from govshare.opendata.service._common import clear_cache

    clear_cache()


def public_user(
    session: Session, email: str = "citizen@example.com", verified: bool = True
) -> PublicUser:
    """A registered public user (verified unless asked), created through the service."""
    from govshare.core.config import get_settings
    from govshare.core.security import ANONYMOUS

    settings = get_settings()
    old = settings.smtp_host
    settings.smtp_host = "127.0.0.1"
    try:
        user = service.register_public_user(
            session,
            ANONYMOUS,
            PublicUserCreate(
                email=email, name="李明", organization="德州学院", password="Open-Data-2026"
            ),
        )
    finally:
        settings.smtp_host = old
    if verified:
        from govshare.core.db import utcnow

        user.verified_at = utcnow()
        session.flush()
    return user


class ClientAdapter(requests.adapters.BaseAdapter):
    """Sends ``requests`` calls (ckanapi's) to a Starlette TestClient: the in-process app."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        answer = self.client.request(
            request.method or "GET",
            str(request.url),
            content=request.body,
            headers={k: v for k, v in request.headers.items() if k.lower() != "cookie"},
        )
        out = requests.Response()
        out.status_code = answer.status_code
        out._content = answer.content
        out.headers.update(answer.headers)
        out.url = str(request.url)
        out.request = request
        out.encoding = "utf-8"
        return out

    def close(self) -> None:
        return None


def ckan_client(client: TestClient, apikey: str | None = None) -> Any:
    """A ``ckanapi.RemoteCKAN`` speaking to the in-process app."""
    from ckanapi import RemoteCKAN

    client.cookies.clear()
    session = requests.Session()
    session.mount("http://testserver", ClientAdapter(client))
    return RemoteCKAN("http://testserver", apikey=apikey, session=session)
