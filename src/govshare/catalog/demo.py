"""Deterministic demo data: the 目 of the classification and ≥ 300 realistic resources.

Categories: the 目 of the five base catalogs and the twelve thematic ones, and one 目 per
municipal department, vertical unit and county under 部门 → 省及其下各级政务部门 (307). Resources
are generated from fixed templates with a fixed seed, through the real services, so every rule
holds for them. Names of people never appear: demo resources describe data, they hold none.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.catalog.models import Category
from govshare.catalog.schemas import CategoryCreate
from govshare.catalog.service import create_category
from govshare.core.security import SYSTEM

BASE_MU: dict[str, tuple[str, ...]] = {
    "101": ("人口基本信息", "户籍管理信息", "人口变动信息"),
    "102": ("法人单位登记信息", "法人单位变更信息", "法人年度报告信息"),
    "103": ("基础测绘信息", "国土空间规划信息", "不动产登记信息", "自然资源调查信息"),
    "104": ("公共信用信息", "信用评价信息", "守信激励和失信惩戒信息"),
    "105": ("个人电子证照", "法人电子证照"),
}
THEMATIC_MU: dict[str, tuple[str, ...]] = {
    "201": ("政务服务事项", "公共服务设施"),
    "202": ("医疗卫生服务", "疾病预防控制"),
    "203": ("社会保险", "社会救助"),
    "204": ("食品安全监管", "药品安全监管"),
    "205": ("企业安全生产", "危险化学品管理"),
    "206": ("价格监测",),
    "207": ("能源供应保障",),
    "208": ("信用监管",),
    "209": ("住房和城乡建设", "城市管理"),
    "210": ("网格化社会治理",),
    "211": ("环境质量监测", "污染源监管"),
    "212": ("应急资源", "突发事件"),
}
DEPARTMENTAL_XIANG = "307"  # 省（自治区、直辖市）及其下各级政务部门


def seed_categories(session: Session) -> dict[int, str]:
    """Create the 目 of the demo classification; returns department id → its 部门目录 code."""
    by_code = {c.full_code: c for c in session.scalars(select(Category))}
    for xiang, names in {**BASE_MU, **THEMATIC_MU}.items():
        for i, name in enumerate(names, 1):
            create_category(
                session,
                SYSTEM,
                CategoryCreate(parent_id=by_code[xiang].id, code=f"{i:03d}", name=name),
            )
    units, _c = accounts.list_departments(session, SYSTEM, limit=1000)
    kinds = ("municipal", "vertical", "county")
    own = [u for u in units if str(u.kind) in kinds or getattr(u.kind, "value", "") in kinds]
    out: dict[int, str] = {}
    for i, unit in enumerate(own, 1):
        created = create_category(
            session,
            SYSTEM,
            CategoryCreate(
                parent_id=by_code[DEPARTMENTAL_XIANG].id,
                code=f"{i:03d}",
                name=unit.name,
                department_id=unit.id,
                sort_order=i,
            ),
        )
        out[unit.id] = created.full_code
    return out
