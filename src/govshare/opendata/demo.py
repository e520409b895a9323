"""Open-data demo: three open resources with small deterministic datasets (air quality, bus
stops, market entities with a masked legal representative), and every published demo resource
whose 开放属性 is open or conditional released with its proposed masks, so that the portal is
not empty on first start."""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.schemas import DataItemIn, ResourceCreate, ResourceFilter, ReviewDecision
from govshare.core.areas import COUNTIES
from govshare.core.db import Database
from govshare.core.errors import DomainError
from govshare.core.security import SYSTEM
from govshare.datastore import service as datastore
from govshare.opendata import service
from govshare.opendata.schemas import ReleaseCreate
from govshare.opendata.service._common import proposed_masks

STATIONS = ("德州市监测站", "儿童乐园", "市环保局", "陵城区监测站", "禹城市监测站", "乐陵市监测站")
POLLUTANTS = ("PM2.5", "PM10", "O3", "NO2")
LEVELS = ((50, "优"), (100, "良"), (150, "轻度污染"), (200, "中度污染"), (300, "重度污染"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
TRADES = ("商贸", "食品", "机械", "农业", "科技")


def _air(rng: random.Random) -> tuple[list[DataItemIn], list[list[Any]]]:
    items = [
        DataItemIn(name="监测站点", type_code="C", length=50, required=True, is_key=True),
        DataItemIn(name="监测日期", type_code="D", required=True, is_key=True),
        DataItemIn(name="AQI", type_code="I", required=True),
        DataItemIn(name="首要污染物", type_code="C", length=20),
        DataItemIn(name="空气质量等级", type_code="C", length=10),
    ]
    rows = []
    start = dt.date(2026, 9, 1)
    for day in range(60):
        for station in STATIONS:
            aqi = rng.randint(25, 220)
            level = next(name for top, name in LEVELS if aqi <= top)
            pollutant = "" if aqi <= 50 else rng.choice(POLLUTANTS)
            rows.append(
                [station, (start + dt.timedelta(days=day)).isoformat(), aqi, pollutant, level]
            )
    return items, rows


def _stops(rng: random.Random) -> tuple[list[DataItemIn], list[list[Any]]]:
    items = [
        DataItemIn(name="站点编号", type_code="C", length=10, required=True, is_key=True),
        DataItemIn(name="站点名称", type_code="C", length=50, required=True),
        DataItemIn(name="所属区县", type_code="C", length=20),
        DataItemIn(name="经度", type_code="N", length=None),
        DataItemIn(name="纬度", type_code="N", length=None),
        DataItemIn(name="途经线路数", type_code="I"),
    ]
    roads = ("东风路", "天衢路", "湖滨大道", "新华路", "三八路", "解放路", "德兴大道", "长河大道")
    rows = []
    for i in range(1, 301):
        county = rng.choice(COUNTIES[:4])
        rows.append(
            [
                f"ZD{i:05d}",
                f"{rng.choice(roads)}{rng.choice(('东', '西', '南', '北', '中'))}站",
                county.name,
                round(116.2 + rng.random() * 0.8, 6),
                round(37.2 + rng.random() * 0.7, 6),
                rng.randint(1, 9),
            ]
        )
    return items, rows


def _entities(rng: random.Random) -> tuple[list[DataItemIn], list[list[Any]]]:
    items = [
        DataItemIn(name="登记编号", type_code="C", length=20, required=True, is_key=True),
        DataItemIn(name="市场主体名称", type_code="C", length=100, required=True),
        DataItemIn(name="主体类型", type_code="C", length=20),
        DataItemIn(name="法定代表人", type_code="C", length=50, personal=True, sensitivity_level=2),
        DataItemIn(name="所属区县", type_code="C", length=20),
        DataItemIn(name="成立日期", type_code="D"),
    ]
    kinds = ("有限责任公司", "个体工商户", "农民专业合作社", "股份有限公司")
    words = ("德润", "鲁北", "运河", "太阳城", "京津", "齐河", "金麦", "长河", "华信", "禹王")
    rows = []
    for i in range(1, 401):
        kind = rng.choice(kinds)
        rows.append(
            [
                f"DZ{i:08d}",
                f"德州{rng.choice(words)}{rng.choice(TRADES)}{kind}",
                kind,
                rng.choice(SURNAMES) + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"),
                rng.choice(COUNTIES).name,
                (dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 5800))).isoformat(),
            ]
        )
    return items, rows


DEMO: tuple[tuple[str, str, str, str, str, Any], ...] = (
    (
        "德州市环境空气质量日报",
        "市生态环境局",
        "open",
        "每日",
        "全市国控、省控空气质量监测站点每日的空气质量指数（AQI）、首要污染物和空气质量等级。",
        _air,
    ),
    (
        "德州市公交站点信息",
        "市交通运输局",
        "open",
        "每月",
        "中心城区及各区县公交站点的名称、位置和途经线路数。",
        _stops,
    ),
    (
        "德州市市场主体登记信息（开放版）",
        "市市场监管局",
        "conditional",
        "每日",
        "企业、个体工商户和农民专业合作社的登记信息；法定代表人姓名脱敏后有条件开放。",
        _entities,
    ),
)


def _write(path: Path, items: list[DataItemIn], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([i.name for i in items])
        w.writerows(rows)


def _publish(
    session: Session,
    name: str,
    department_id: int,
    category_code: str,
    level: str,
    cycle: str,
    abstract: str,
    items: list[DataItemIn],
) -> Any:
    created = catalog.create_resource(
        session,
        SYSTEM,
        ResourceCreate(
            name=name,
            category_code=category_code,
            provider_department_id=department_id,
            abstract=abstract,
            format_class="database",
            format_type="达梦",
            share_type="unconditional",
            share_method="interface",
            open_type=level,
            open_conditions="" if level == "open" else "申请人说明用途并签署安全承诺书。",
            update_cycle=cycle,
            grading_level=1 if level == "open" else 2,
            keywords=[name[3:7]],
            data_items=items,
        ),
    )
    catalog.submit_resource(session, SYSTEM, created.id)
    return catalog.publish_resource(session, SYSTEM, created.id, ReviewDecision())


def seed_open_data(
    session: Session, units: dict[str, Any], categories: dict[int, str], kinds: dict[str, Any]
) -> int:
    """Create the open demo datasets and release every openable published resource; returns how
    many resources the portal shows."""
    from govshare.jobs.worker import Worker

    rng = random.Random(16)
    tmp = Path(tempfile.mkdtemp(prefix="govshare-open-demo-"))
    for name, unit, level, cycle, abstract, make in DEMO:
        dept = units[unit]
        items, rows = make(rng)
        created = _publish(
            session, name, dept.id, categories[dept.id], level, cycle, abstract, items
        )
        ds = datastore.create_dataset_for_resource(session, SYSTEM, created.id)
        path = tmp / f"{ds.id}.csv"
        _write(path, items, rows)
        datastore.load_file(session, SYSTEM, ds.id, path)
    session.flush()
    Worker(Database(session.connection()), kinds, lease_seconds=3600).run_pending()
    released = 0
    cursor: str | None = None
    while True:
        page, cursor = catalog.list_resources(
            session, SYSTEM, filters=ResourceFilter(status="published"), cursor=cursor, limit=500
        )
        for r in page:
            if r.open_type == "closed":
                continue
            try:
                service.release_resource(
                    session, SYSTEM, ReleaseCreate(resource_id=r.id, masks=proposed_masks(r))
                )
                released += 1
            except DomainError:
                continue
        if cursor is None:
            break
    return released
