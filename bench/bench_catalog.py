"""Catalog: search and facets on 100,000 resources × 20 data items, and a 5,000-row Excel import.

Data: resources generated from the demo's vocabulary (department × topic × kind of record) with 20
data items each, drawn from ~300 item names with a Zipf-like skew (the most common, such as
统一社会信用代码 or 姓名, sit in a few percent to ~15 % of resources, as in real catalogs); 90 %
published. Rows go in with bulk inserts (the service path would take an hour); the search
documents carry the same jieba tokens the service writes.

Figures, each beside a same-run baseline:
1. search p95 (service ``search_resources`` without facets, as a consumer) over a mix of
   realistic Chinese queries: the first search after a write (per-generation caches cleared
   before each call) and a repeat, against a ``LIKE '%…%'`` scan of names and abstracts;
2. facet counts p95 (the eight facets over the whole result set) for the same mix plus the
   unfiltered browse and two filtered browses, against one plain ``GROUP BY`` over the table:
   the first view after a write (caches cleared) and a repeat view;
3. import of a 5,000-row template (.xlsx, 5 items each) with full validation, against reading the
   same file with python-calamine alone.
Both backends for 1 and 2 (PostgreSQL when a server answers on 127.0.0.1:5432).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.common import Result, scratch_env

N_RESOURCES = int(os.environ.get("BENCH_CATALOG_N", "100000"))
N_ITEMS = 20
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Its own database name per engineer, so that two runs on one server do not drop each other's.
PG_DB = os.environ.get("BENCH_CATALOG_PG_DB", "govshare_bench_catalog")

SUBJECTS = (
    "人口",
    "户籍",
    "流动人口",
    "法人",
    "企业",
    "个体工商户",
    "社会组织",
    "不动产",
    "土地",
    "国土空间规划",
    "社会信用",
    "行政处罚",
    "行政许可",
    "电子证照",
    "营业执照",
    "婚姻登记",
    "最低生活保障",
    "养老保险",
    "医疗保险",
    "失业保险",
    "就业",
    "学籍",
    "医疗机构",
    "药品经营",
    "食品经营",
    "安全生产",
    "危险化学品",
    "价格",
    "能源消费",
    "建筑工程",
    "住房公积金",
    "道路运输",
    "车辆",
    "环境监测",
    "排污许可",
    "气象",
    "水文",
    "农业补贴",
    "退役军人",
    "残疾人",
    "殡葬",
    "税务登记",
    "纳税信用",
    "专利",
    "科技项目",
    "旅游景区",
    "文物",
    "公交线路",
    "城市部件",
    "网格事件",
    "人民调解",
    "律师事务所",
    "12345 热线",
    "政务服务事项",
    "政府采购",
    "财政预算",
    "统计调查",
    "规模以上工业企业",
    "高新技术企业",
    "外贸企业",
)
KINDS = (
    "基础信息",
    "登记信息",
    "备案信息",
    "许可信息",
    "处罚信息",
    "统计数据",
    "监测数据",
    "台账",
    "名录",
    "档案",
    "变更记录",
    "核验信息",
    "汇总表",
    "明细",
    "年报信息",
    "评价结果",
    "缴费记录",
    "申报信息",
    "审批结果",
    "发放信息",
)
ITEM_WORDS = (
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "民族",
    "住址",
    "联系电话",
    "统一社会信用代码",
    "单位名称",
    "法定代表人",
    "注册资本",
    "成立日期",
    "经营范围",
    "登记机关",
    "发证日期",
    "有效期至",
    "证照编号",
    "处罚决定书文号",
    "处罚事由",
    "处罚结果",
    "许可证编号",
    "许可内容",
    "坐标",
    "面积",
    "地址",
    "金额",
    "年度",
    "状态",
    "备注",
    "所属区县",
    "行业类别",
    "监测时间",
    "监测值",
    "指标名称",
    "数据来源",
)
QUALIFIERS = (
    "",
    "申请人",
    "经办人",
    "企业",
    "单位",
    "项目",
    "车辆",
    "房屋",
    "土地",
    "机构",
    "设备",
    "证书",
)
QUERIES = (
    "人口基础信息",
    "营业执照",
    "行政处罚",
    "公民身份号码",
    "统一社会信用代码",
    "不动产登记",
    "养老保险缴费",
    "危险化学品",
    "学籍",
    "排污许可",
    "最低生活保障",
    "住房公积金",
    "道路运输",
    "食品经营许可",
    "社会信用评价结果",
    "婚姻登记",
    "规模以上工业企业名录",
    "税务登记",
    "医疗机构",
    "环境监测数据",
    "旅游景区",
    "12345 热线",
    "政府采购",
    "法定代表人",
    "出生日期",
    "残疾人",
    "公交线路",
    "殡葬",
    "专利",
    "网格事件",
    "德城区",
    "市公安局",
    "车辆登记信息",
    "纳税信用",
    "危险化学品 许可",
    "房屋 地址",
    "证照编号",
    "能源消费统计",
    "人民调解",
    "退役军人",
)


def _item_vocabulary() -> list[str]:
    words = [f"{q}{w}" for w in ITEM_WORDS for q in QUALIFIERS]
    random.Random(7).shuffle(words)
    return words[:300]


def _generate(
    session: Any, n: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of catalog_resource, catalog_data_item and catalog_search (tokens as the service
    writes them; segmentation cached per phrase, since a document's tokens are its phrases')."""
    from sqlalchemy import select

    from govshare.accounts import service as accounts
    from govshare.catalog import search
    from govshare.catalog.models import Category
    from govshare.catalog.rules import normalize_name
    from govshare.core.security import SYSTEM

    rng = random.Random(20261126)
    units, _c = accounts.list_departments(session, SYSTEM, limit=10_000)
    cats = list(session.scalars(select(Category).where(Category.level >= 3)))
    by_dept = {c.department_id: c for c in cats if c.department_id}
    providers = [u for u in units if u.id in by_dept]
    shared = [c for c in cats if not c.department_id]
    vocab = _item_vocabulary()
    weights = [1 / (i + 1) ** 0.6 for i in range(len(vocab))]
    seg: dict[str, list[str]] = {}

    def toks(text: str) -> list[str]:
        if text not in seg:
            seg[text] = search.segment(text)
        return seg[text]

    cycles = ("实时", "每日", "每周", "每月", "每季度", "每年")
    resources, items, docs = [], [], []
    seqs: dict[int, int] = {}
    item_id = 0
    for rid in range(1, n + 1):
        unit = rng.choice(providers)
        cat = by_dept[unit.id] if rng.random() < 0.6 else rng.choice(shared)
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        name = f"{unit.short_name}{subject}{kind}{rid}"
        abstract = f"记录{subject}相关的{kind}，用于政务服务、监管执法和统计分析。"
        seqs[cat.id] = seqs.get(cat.id, 0) + 1
        grading = rng.choice((1, 1, 1, 2, 2, 3))
        share, opening = {
            1: ("unconditional", "open"),
            2: ("unconditional", "conditional"),
            3: ("conditional", "closed"),
        }[grading]
        resources.append(
            {
                "id": rid,
                "code": f"{cat.full_code}/{seqs[cat.id]:06d}",
                "lei": cat.full_code[0],
                "xiang": cat.full_code[1:3],
                "mu": cat.full_code[3:6],
                "ximu": cat.full_code[6:],
                "seq": seqs[cat.id],
                "category_id": cat.id,
                "category_class": cat.category_class,
                "name": name,
                "name_key": normalize_name(name),
                "status": "published" if rng.random() < 0.9 else "draft",
                "provider_department_id": unit.id,
                "provider_name": unit.name,
                "provider_code": unit.code,
                "provider_area_code": unit.area_code or "",
                "abstract": abstract,
                "format_class": "database",
                "format_type": "达梦",
                "share_type": share,
                "share_conditions": "",
                "share_method": "interface",
                "share_method_note": "",
                "open_type": opening,
                "open_conditions": "",
                "update_cycle": rng.choice(cycles),
                "grading_level": grading,
                "grading_override_reason": "",
                "secret": False,
                "legal_basis": "",
                "related_codes": [],
                "keywords": [],
                "service_url": "",
                "version": 1,
            }
        )
        chosen = list(dict.fromkeys(rng.choices(vocab, weights, k=N_ITEMS + 10)))[:N_ITEMS]
        for pos, item in enumerate(chosen, 1):
            item_id += 1
            items.append(
                {
                    "id": item_id,
                    "resource_id": rid,
                    "position": pos,
                    "name": item,
                    "type_code": "C",
                    "description": "",
                    "is_key": pos == 1,
                    "required": False,
                    "personal": False,
                    "sensitivity_level": 1,
                }
            )
        name_toks = search.unique(
            [*toks(f"{unit.short_name}{subject}{kind}"), str(rid), *search._CJK.findall(name)]
        )
        docs.append(
            {
                "resource_id": rid,
                "name_tokens": " ".join(name_toks),
                "extra_tokens": " ".join(search.unique([*toks(unit.name), *toks(cat.name)])),
                "abstract_tokens": " ".join(search.unique(toks(abstract))),
                "item_tokens": " ".join(search.unique(t for i in chosen for t in toks(i))),
                "scope_tokens": search.scope_tokens(resources[-1]["status"], unit.id),
            }
        )
    return resources, items, docs


def _load(db: Any, n: int) -> None:
    from sqlalchemy import insert, text

    from govshare.accounts.demo import seed_departments
    from govshare.catalog import search
    from govshare.catalog.demo import seed_categories
    from govshare.catalog.models import DataItem, Resource, SearchDocument
    from govshare.core.db import utcnow

    with db.session() as s, s.begin():
        seed_departments(s)
        seed_categories(s)
        resources, items, docs = _generate(s, n)
        now = utcnow()
        for r in resources:
            r["created_at"] = r["updated_at"] = now
        s.execute(insert(Resource), resources)
        for start in range(0, len(items), 50_000):
            s.execute(insert(DataItem), items[start : start + 50_000])
        if db.dialect == "postgresql":
            for d in docs:
                d["tsv"] = search._tsvector_literal(d)
                d["tsv_primary"] = search._primary_literal(d)
            s.execute(
                text(
                    "INSERT INTO catalog_search (resource_id, name_tokens, extra_tokens, "
                    "abstract_tokens, item_tokens, scope_tokens, tsv, tsv_primary) VALUES "
                    "(:resource_id, :name_tokens, :extra_tokens, :abstract_tokens, :item_tokens, "
                    ":scope_tokens, CAST(:tsv AS tsvector), CAST(:tsv_primary AS tsvector))"
                ),
                docs,
            )
        else:
            s.execute(insert(SearchDocument), docs)
            search.rebuild(s)
    with db.session() as s, s.begin():
        s.execute(text("ANALYZE"))


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _timed(fn: Callable[[], Any], repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _search(db: Any, label: str) -> list[Result]:
    from sqlalchemy import func, or_, select, text

    from govshare.catalog import search
    from govshare.catalog.models import Resource
    from govshare.catalog.schemas import ResourceFilter
    from govshare.catalog.service import search_resources
    from govshare.catalog.service.resources import filtered
    from govshare.catalog.service.searching import facet_cache, facet_counts, total_cache
    from govshare.core.security import Actor

    def fresh() -> None:  # what a new catalog generation (any write) leaves: nothing cached
        facet_cache.clear()
        total_cache.clear()

    with db.session() as s:
        dept = s.scalar(select(Resource.provider_department_id).limit(1))
        actor = Actor(kind="user", user_id=999, department_id=dept, roles=frozenset({"consumer"}))
        for q in QUERIES[:5]:  # warm jieba and the database's pages
            search_resources(s, actor, ResourceFilter(q=q), with_facets=False)
        views = [ResourceFilter(q=q) for q in QUERIES] + [
            ResourceFilter(),
            ResourceFilter(share_type="conditional"),
            ResourceFilter(provider_department_id=dept),
        ]
        first, again, first_facets, cached, like_times = [], [], [], [], []
        first_browse: list[float] = []
        for q in QUERIES:
            f = ResourceFilter(q=q)
            for _ in range(3):
                fresh()
                first += _timed(partial(search_resources, s, actor, f, with_facets=False), 1)
            again += _timed(partial(search_resources, s, actor, f, with_facets=False))
            like = (
                select(Resource.id)
                .where(or_(Resource.name.contains(q), Resource.abstract.contains(q)))
                .limit(20)
            )
            like_times += _timed(lambda like=like: s.execute(like).all())
        for f in views:  # the eight facets of the whole result set, as the page asks for them
            tokens = search.query_tokens(f.q) if f.q else []
            base: Any = filtered(actor, f)
            if tokens:
                base, _rank = search.matching(s, base, tokens)  # type: ignore[arg-type]
            target = first_facets if tokens else first_browse
            facet_counts(s, actor, f, tokens, base)  # a server has compiled its statements
            for _ in range(2):
                fresh()
                target += _timed(partial(facet_counts, s, actor, f, tokens, base), 1)
            cached += _timed(partial(facet_counts, s, actor, f, tokens, base), 2)
        plain = _timed(
            lambda: s.execute(select(Resource.status, func.count()).group_by(Resource.status)).all()
        )
        total = s.scalar(select(func.count()).select_from(Resource))
        items = s.scalar(text("SELECT count(*) FROM catalog_data_item"))
    size = f"{total:,} resources, {items:,} items"
    return [
        Result(
            f"catalog search p95, first search after a write, {label} ({size})",
            _p95(first),
            _p95(like_times),
            "ms",
            "≤ 30 ms; baseline: LIKE scan of names/abstracts",
            higher_is_better=False,
        ),
        Result(
            f"catalog search p95, repeat (total cached per generation), {label}",
            _p95(again),
            _p95(like_times),
            "ms",
            "≤ 30 ms; baseline: LIKE scan of names/abstracts",
            higher_is_better=False,
        ),
        Result(
            f"catalog facets p95 (8 facets), a phrase, first view after a write, {label}",
            _p95(first_facets),
            statistics.median(plain),
            "ms",
            "≤ 50 ms; baseline: one GROUP BY status",
            higher_is_better=False,
        ),
        Result(
            f"catalog facets p95 (8 facets), browse without a phrase, first view after a write "
            f"(kept counts), {label}",
            _p95(first_browse),
            statistics.median(plain),
            "ms",
            "≤ 50 ms; baseline: one GROUP BY status",
            higher_is_better=False,
        ),
        Result(
            f"catalog facets p95 (8 facets), repeat view (cached per generation), {label}",
            _p95(cached),
            statistics.median(plain),
            "ms",
            "≤ 50 ms; baseline: one GROUP BY status",
            higher_is_better=False,
        ),
    ]


def _import(db: Any) -> Result:
    import openpyxl
    from python_calamine import CalamineWorkbook
    from sqlalchemy import select

    from govshare.catalog.excel import ITEM_SHEET, RESOURCE_SHEET
    from govshare.catalog.models import Category
    from govshare.catalog.service import get_template, import_resources
    from govshare.core.security import SYSTEM

    with db.session() as s:
        dept_id, cat = s.execute(
            select(Category.department_id, Category.full_code)
            .where(Category.department_id.isnot(None))
            .limit(1)
        ).one()
        template = get_template(s, SYSTEM)
    wb = openpyxl.load_workbook(io.BytesIO(template))
    res, items = wb[RESOURCE_SHEET], wb[ITEM_SHEET]
    rng = random.Random(5)
    for n in range(1, 5001):
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        res.append(
            [
                n,
                f"导入{subject}{kind}{n}",
                cat,
                None,
                None,
                f"记录{subject}的{kind}。",
                "数据库",
                "达梦",
                "无条件共享",
                None,
                "共享平台-接口",
                None,
                "无条件开放",
                None,
                "每月",
                1,
                None,
                "否",
                None,
                None,
                None,
                "导入；基准",
                100,
            ]
        )
        for i, word in enumerate(rng.sample(ITEM_WORDS, 5)):
            items.append(
                [n, word, "C 字符型", 50, None, "是" if i == 0 else "否", "否", "否", 1, None]
            )
    buf = io.BytesIO()
    wb.save(buf)
    content = buf.getvalue()
    started = time.perf_counter()
    with db.session() as s, s.begin():
        report = import_resources(
            s, SYSTEM, filename="bench.xlsx", content=content, department_id=dept_id
        )
    figure = time.perf_counter() - started
    assert report.imported == 5000, report.errors[:3]
    started = time.perf_counter()
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    baseline = time.perf_counter() - started
    return Result(
        "catalog import 5,000 rows × 5 items (.xlsx, full validation), SQLite",
        figure,
        baseline,
        "s",
        "≤ 10 s; baseline: reading the file with calamine only",
        higher_is_better=False,
    )


def _pg_url() -> str | None:
    try:
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB}"))
            conn.execute(text(f"CREATE DATABASE {PG_DB}"))
        admin.dispose()
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL figures are skipped
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"


def _database(url: str | None) -> Any:
    from alembic import command

    from govshare.cli import alembic_config
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.main import configure

    settings = get_settings()
    configure(settings)
    target = url or settings.resolved_database_url
    command.upgrade(alembic_config(target), "head")  # type: ignore[arg-type]
    return Database(make_engine(target))


def run() -> list[Result]:
    scratch_env()
    results: list[Result] = []
    if os.environ.get("BENCH_CATALOG_BACKENDS", "sqlite,postgresql") == "postgresql":
        return _postgres()
    sqlite = _database(None)
    started = time.perf_counter()
    _load(sqlite, N_RESOURCES)
    print(f"  SQLite: {N_RESOURCES:,} resources loaded in {time.perf_counter() - started:.0f} s")
    results += _search(sqlite, "SQLite FTS5")
    results.append(_import(sqlite))
    return results + _postgres()


def _postgres() -> list[Result]:
    url = _pg_url()
    if not url:
        return []
    pg = _database(url)
    started = time.perf_counter()
    _load(pg, N_RESOURCES)
    print(f"  PostgreSQL: loaded in {time.perf_counter() - started:.0f} s")
    results = _search(pg, "PostgreSQL full text")
    pg.bind.dispose()
    return results
