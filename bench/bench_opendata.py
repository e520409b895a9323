"""Open data: the portal's home and search pages, CKAN ``package_search`` and ``datastore_search``
with 10,000 open resources and a 1,000,000-row dataset.

Data: 10,000 published, released open resources generated from the catalog benchmark's vocabulary
(bulk inserts, same jieba tokens as the service writes); one open dataset of 1,000,000 rows
(air-quality readings: station, date, AQI, pollutant, level) loaded through the real load job.

Figures (server time through the ASGI app in process, p95), each beside a same-run baseline:
1. home page, portal cache cleared before every request (a new app process: the home page's
   counts are kept per portal version in the database), and with the kept counts deleted too
   (the first view after a portal version change, which counts them);
2. search page for a mix of Chinese phrases, every cached answer dropped before each request
   (the portal version kept, as between changes in a running server), and alternating with
   that, the whole cache cleared (the first search after a portal change: version recounted);
3. ``package_search`` (q, rows=20, facet.field organization/groups), measured the same two ways;
4. ``datastore_search`` of 100 rows with ``total`` on the 1M-row dataset, offsets in the first
   10,000 rows, and with a filter;
baselines: a ``LIKE '%…%'`` scan of names and abstracts (1–3, what a portal without a full-text
index does) and the same 100 rows read straight from the row store without a count (4).
"""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Result, scratch_env

N_RESOURCES = int(os.environ.get("BENCH_OPENDATA_N", "10000"))
N_ROWS = int(os.environ.get("BENCH_OPENDATA_ROWS", "1000000"))
QUERIES = ("空气质量", "企业", "人口", "不动产登记", "行政许可", "公交", "安全生产", "医疗机构")


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _ms(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _air_csv(rows: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"govshare-bench-air-{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(2026)
    stations = [f"站点{i:03d}" for i in range(200)]
    pollutants = ("PM2.5", "PM10", "O3", "NO2", "")
    levels = ("优", "良", "轻度污染", "中度污染")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["记录编号", "监测站点", "监测日期", "AQI", "首要污染物", "空气质量等级"])
        for i in range(rows):
            w.writerow(
                [
                    f"R{i:08d}",
                    stations[i % 200],
                    f"20{10 + (i // 200) % 16:02d}-{1 + (i // 3000) % 12:02d}-{1 + i % 28:02d}",
                    rng.randint(20, 300),
                    rng.choice(pollutants),
                    rng.choice(levels),
                ]
            )
    tmp.replace(path)
    return path


def _populate(db: Any) -> int:
    """10,000 open published resources with releases, and the 1M-row dataset; its resource id."""
    from sqlalchemy import insert, select, text

    from bench.bench_catalog import _generate
    from govshare.accounts.demo import seed_departments
    from govshare.catalog import search
    from govshare.catalog import service as catalog
    from govshare.catalog.demo import seed_categories
    from govshare.catalog.models import DataItem, Resource, SearchDocument
    from govshare.catalog.schemas import DataItemIn, ResourceCreate, ReviewDecision
    from govshare.core.db import utcnow
    from govshare.core.security import SYSTEM
    from govshare.datastore import service as datastore
    from govshare.jobs.worker import Worker
    from govshare.main import JOB_KINDS
    from govshare.opendata.models import Release
    from govshare.opendata.schemas import ReleaseCreate
    from govshare.opendata.service import release_resource

    with db.session() as s, s.begin():
        units = seed_departments(s)
        categories = seed_categories(s)
        resources, items, docs = _generate(s, N_RESOURCES)
        now = utcnow()
        for r in resources:
            r.update(status="published", open_type="open", grading_level=1, created_at=now)
            r.update(updated_at=now, published_at=now)
        for d in docs:
            d["scope_tokens"] = search.scope_tokens("published", 0)
        s.execute(insert(Resource), resources)
        for start in range(0, len(items), 50_000):
            s.execute(insert(DataItem), items[start : start + 50_000])
        s.execute(insert(SearchDocument), docs)
        search.rebuild(s)
        s.execute(
            insert(Release),
            [
                {"resource_id": r["id"], "level": "open", "status": "released", "masks": {}}
                for r in resources
            ],
        )
        dept = units["市生态环境局"]
        created = catalog.create_resource(
            s,
            SYSTEM,
            ResourceCreate(
                name="德州市空气质量监测记录",
                category_code=categories[dept.id],
                provider_department_id=dept.id,
                abstract="全市监测站点的空气质量记录。",
                format_class="database",
                format_type="达梦",
                share_type="unconditional",
                share_method="interface",
                open_type="open",
                update_cycle="每日",
                grading_level=1,
                data_items=[
                    DataItemIn(name="记录编号", type_code="C", length=12, is_key=True),
                    DataItemIn(name="监测站点", type_code="C", length=20),
                    DataItemIn(name="监测日期", type_code="D"),
                    DataItemIn(name="AQI", type_code="I"),
                    DataItemIn(name="首要污染物", type_code="C", length=10),
                    DataItemIn(name="空气质量等级", type_code="C", length=10),
                ],
            ),
        )
        catalog.submit_resource(s, SYSTEM, created.id)
        catalog.publish_resource(s, SYSTEM, created.id, ReviewDecision())
        ds = datastore.create_dataset_for_resource(s, SYSTEM, created.id)
        datastore.load_file(s, SYSTEM, ds.id, _air_csv(N_ROWS))
        rid = created.id
    done = Worker(db, JOB_KINDS, lease_seconds=3600).run_pending()
    assert done and done[0][1] == "succeeded", done
    with db.session() as s, s.begin():
        release_resource(s, SYSTEM, ReleaseCreate(resource_id=rid))
        assert s.scalar(select(Release.id).where(Release.resource_id == rid))
        s.execute(text("ANALYZE"))
    return rid


def _like_scan(db: Any, q: str) -> None:
    from sqlalchemy import func, or_, select

    from govshare.catalog.models import Resource

    with db.session() as s:
        cond = or_(Resource.name.contains(q), Resource.abstract.contains(q))
        base = select(Resource.id).where(Resource.status == "published", cond)
        s.scalar(select(func.count()).select_from(base.subquery()))
        list(s.scalars(base.order_by(Resource.updated_at.desc()).limit(20)))


def run() -> list[Result]:
    from fastapi.testclient import TestClient

    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.main import configure, create_app
    from govshare.opendata import ckan
    from govshare.opendata.service._common import clear_cache

    scratch_env()
    os.environ["GOVSHARE_OPENDATA_RATE_LIMIT"] = "1000000/minute"
    os.environ["GOVSHARE_JOBS_WORKER"] = "false"
    get_settings.cache_clear()
    settings = get_settings()
    configure(settings)
    from alembic import command

    from govshare.cli import alembic_config

    command.upgrade(alembic_config(), "head")  # type: ignore[arg-type]
    db = Database(make_engine(settings.resolved_database_url))
    rid = _populate(db)
    app = create_app(settings, db=db)
    rng = random.Random(5)
    results: list[Result] = []
    with TestClient(app) as client:

        def get(url: str, **params: Any) -> None:
            r = client.get(url, params=params)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])

        def cold(url: str, **params: Any) -> Callable[[], None]:
            def go() -> None:
                clear_cache()
                get(url, **params)

            return go

        def new_query(url: str, **params: Any) -> Callable[[], None]:
            """A phrase nobody asked since the answers were cached: every cached answer is
            dropped, but the portal version (recounted only when the catalog or a release
            changes) is kept, as in a running server between changes."""

            def go() -> None:
                from govshare.opendata.service import _common

                with _common._cache_lock:
                    for key in [k for k in _common._cache if k[0] != "stamp"]:
                        del _common._cache[key]
                get(url, **params)

            return go

        get("/open")  # warm jieba and the templates
        home = _ms(cold("/open"), 30)

        def recount() -> None:
            from sqlalchemy import delete

            from govshare.opendata.models import PortalSummary

            with db.session() as s, s.begin():
                s.execute(delete(PortalSummary))
            clear_cache()
            get("/open")

        home_new = _ms(recount, 30)
        home_cached = _ms(lambda: get("/open"), 30)
        base_like = []
        for q in QUERIES * 3:
            base_like += _ms(lambda q=q: _like_scan(db, q), 1)
        facets = {"facet.field": '["organization","groups"]'}
        search, search_new, package, package_new = [], [], [], []
        for q in QUERIES * 4:  # the two measures alternate, so load falls on both alike
            search += _ms(new_query("/open/search", q=q), 1)
            search_new += _ms(cold("/open/search", q=q), 1)
            package += _ms(new_query("/api/3/action/package_search", q=q, rows=20, **facets), 1)
            package_new += _ms(cold("/api/3/action/package_search", q=q, rows=20, **facets), 1)
        results += [
            Result(
                f"portal home page p95 ({N_RESOURCES:,} open resources, cache cleared)",
                _p95(home),
                _p95(base_like),
                "ms",
                "≤ 100 ms",
                higher_is_better=False,
            ),
            Result(
                "  home page p95, first view of a new portal version (counts recounted)",
                _p95(home_new),
                _p95(base_like),
                "ms",
                "(context)",
                higher_is_better=False,
            ),
            Result(
                "  home page p95, repeat hits (cached per portal version)",
                _p95(home_cached),
                _p95(base_like),
                "ms",
                "(context)",
                higher_is_better=False,
            ),
            Result(
                "portal search page p95 (Chinese phrases, facets, answers not cached)",
                _p95(search),
                _p95(base_like),
                "ms",
                "≤ 100 ms",
                higher_is_better=False,
            ),
            Result(
                "  search page p95, first after a portal change (version recounted too)",
                _p95(search_new),
                _p95(base_like),
                "ms",
                "(context)",
                higher_is_better=False,
            ),
            Result(
                "CKAN package_search p95 (rows=20, 2 facets, answers not cached)",
                _p95(package),
                _p95(base_like),
                "ms",
                "≤ 50 ms",
                higher_is_better=False,
            ),
            Result(
                "  package_search p95, first after a portal change (version recounted too)",
                _p95(package_new),
                _p95(base_like),
                "ms",
                "(context)",
                higher_is_better=False,
            ),
        ]
        res = ckan.resource_uuid(rid, "csv")
        get("/api/3/action/datastore_search", resource_id=res, limit=1)  # first total: counted
        pages = _ms(
            lambda: get(
                "/api/3/action/datastore_search",
                resource_id=res,
                limit=100,
                offset=rng.randrange(0, 10_000, 100),
            ),
            60,
        )
        filtered = _ms(
            lambda: get(
                "/api/3/action/datastore_search",
                resource_id=res,
                limit=100,
                filters='{"监测站点": "站点007"}',
                offset=rng.randrange(0, 2_000, 100),
            ),
            60,
        )
        deep = _ms(
            lambda: get(
                "/api/3/action/datastore_search",
                resource_id=res,
                limit=100,
                offset=rng.randrange(900_000, 990_000, 100),
            ),
            10,
        )
    serving = Path(settings.data_dir) / "datastore" / "serving"
    files = sorted(serving.rglob("*.sqlite*"), key=lambda p: p.stat().st_size)
    raw = []
    if files:
        con = sqlite3.connect(files[-1])
        table = con.execute("SELECT name FROM sqlite_master WHERE type='table' LIMIT 1").fetchone()[
            0
        ]
        for _ in range(60):
            off = rng.randrange(0, 10_000, 100)
            started = time.perf_counter()
            con.execute(f'SELECT * FROM "{table}" ORDER BY _row LIMIT 100 OFFSET {off}').fetchall()
            raw.append((time.perf_counter() - started) * 1000)
        con.close()
    results += [
        Result(
            f"datastore_search p95, 100 rows + total ({N_ROWS:,}-row dataset)",
            _p95(pages),
            _p95(raw) if raw else 0.0,
            "ms",
            "≤ 30 ms",
            higher_is_better=False,
        ),
        Result(
            "  datastore_search p95 with a filter (1 of 200 stations) + total",
            _p95(filtered),
            _p95(raw) if raw else 0.0,
            "ms",
            "(context)",
            higher_is_better=False,
        ),
        Result(
            "  datastore_search p95 at offsets 900,000+ (seek on the row number)",
            _p95(deep),
            _p95(raw) if raw else 0.0,
            "ms",
            "(context)",
            higher_is_better=False,
        ),
    ]
    return results
