"""The department tree of Dezhou and the demo accounts, seeded deterministically.

Units named in the plan's task table (../shared/seed) come first, with the names the table uses as
short names; the 11 county-level divisions carry their GB/T 2260 codes (STANDARDS.md §3.4).
Township names are illustrative. Credit codes are synthetic but valid (GB 32100 check digits).
Every person is fictional (Faker zh_CN with a fixed seed).
"""

from __future__ import annotations

import random

from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.accounts.models import Department
from govshare.accounts.schemas import DepartmentCreate, DepartmentKind, UnitGroupCreate, UserCreate
from govshare.accounts.service import create_department, create_unit_group, create_user
from govshare.core.areas import CITY, COUNTIES
from govshare.core.identifiers import make_credit_code, make_mobile
from govshare.core.security import SYSTEM, one_hash_per_password

# (short name as the plan writes it, full name)
MUNICIPAL: tuple[tuple[str, str], ...] = (
    ("市政府办公室", "德州市人民政府办公室"),
    ("市电政办", "德州市电子政务办公室"),
    ("市发改委", "德州市发展和改革委员会"),
    ("市统计局", "德州市统计局"),
    ("市财政局", "德州市财政局"),
    ("市审计局", "德州市审计局"),
    ("市保密局", "德州市国家保密局"),
    ("市密码管理局", "德州市密码管理局"),
    ("市编办", "德州市机构编制委员会办公室"),
    ("市人社局", "德州市人力资源和社会保障局"),
    ("市民政局", "德州市民政局"),
    ("市政务服务中心管理办", "德州市政务服务中心管理办公室"),
    ("市民热线管理办", "德州市市民热线管理办公室"),
    ("市公安局", "德州市公安局"),
    ("市市场监管局", "德州市市场监督管理局"),
    ("市自然资源局", "德州市自然资源和规划局"),
    ("市住建局", "德州市住房和城乡建设局"),
    ("市交通运输局", "德州市交通运输局"),
    ("市卫生健康委", "德州市卫生健康委员会"),
    ("市教育局", "德州市教育和体育局"),
    ("市生态环境局", "德州市生态环境局"),
    ("市司法局", "德州市司法局"),
    ("市农业农村局", "德州市农业农村局"),
    ("市水利局", "德州市水利局"),
    ("市商务局", "德州市商务局"),
    ("市文旅局", "德州市文化和旅游局"),
    ("市应急局", "德州市应急管理局"),
    ("市医保局", "德州市医疗保障局"),
    ("市城管局", "德州市城市管理局"),
    ("市科技局", "德州市科学技术局"),
    ("市工信局", "德州市工业和信息化局"),
    ("市退役军人局", "德州市退役军人事务局"),
    ("市行政审批局", "德州市行政审批服务局"),
    ("市公积金中心", "德州市住房公积金管理中心"),
)

VERTICAL: tuple[tuple[str, str], ...] = (
    ("市税务局", "国家税务总局德州市税务局"),
    ("德州调查队", "国家统计局德州调查队"),
    ("市气象局", "德州市气象局"),
)

CONTRACTORS: tuple[tuple[str, str], ...] = (("政务云承建商", "德州政务云运营服务单位（示例）"),)

# Illustrative townships (streets and towns) per county: two each, first one with a community.
TOWNSHIPS: dict[str, tuple[str, str]] = {
    "371402": ("新湖街道", "新华街道"),
    "371403": ("安德街道", "临齐街道"),
    "371422": ("宁城街道", "津城街道"),
    "371423": ("渤海路街道", "庆云镇"),
    "371424": ("邢侗街道", "恒源街道"),
    "371425": ("晏城街道", "祝阿镇"),
    "371426": ("龙门街道", "桃园街道"),
    "371427": ("银城街道", "北城街道"),
    "371428": ("广运街道", "武城镇"),
    "371481": ("市中街道", "胡家街道"),
    "371482": ("市中街道", "伦镇"),
}

# Named groups the plan writes instead of listing units.
MUNICIPAL_GROUPS = (
    "市直有关部门",
    "市直各部门",
    "市政府有关部门",
    "市政府各部门",
    "市直各有关单位",
    "市直相关部门",
    "相关部门",
    "市直其他部门",
)
COUNTY_GROUPS = ("各县市区政府", "各县市区政务内网主管部门")

# Demo accounts: username, real name is generated, department short name, roles.
PERSONAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("admin", "市电政办", ("platform_admin",)),
    ("tongji.admin", "市统计局", ("dept_admin",)),
    ("tongji.steward", "市统计局", ("steward",)),
    ("tongji.reviewer", "市统计局", ("reviewer",)),
    ("gongan.steward", "市公安局", ("steward",)),
    ("gongan.reviewer", "市公安局", ("reviewer",)),
    ("lingcheng.consumer", "陵城区", ("consumer",)),
    ("duban.supervisor", "市政府办公室", ("supervisor",)),
    ("shenji.auditor", "市审计局", ("auditor",)),
)


def is_seeded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Department)))


def seed_departments(session: Session) -> dict[str, Department]:
    """Create the tree and the groups; returns units by short name."""
    rng = random.Random(371400)
    units: dict[str, Department] = {}

    def add(
        short: str,
        name: str,
        kind: DepartmentKind,
        parent: Department | None,
        area: str,
        code: str,
        order: int,
    ) -> Department:
        dept = create_department(
            session,
            SYSTEM,
            DepartmentCreate(
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                parent_id=parent.id if parent else None,
                area_code=area,
                sort_order=order,
            ),
        )
        units[short] = dept
        return dept

    city = add(
        "德州市",
        "德州市人民政府",
        DepartmentKind.city,
        None,
        CITY.code,
        make_credit_code(rng, CITY.code, "1", "1"),
        0,
    )
    for i, (short, name) in enumerate(MUNICIPAL, 1):
        add(
            short,
            name,
            DepartmentKind.municipal,
            city,
            CITY.code,
            make_credit_code(rng, CITY.code, "1", "1"),
            i,
        )
    for i, area in enumerate(COUNTIES, 1):
        county = add(
            area.name,
            f"{area.name}人民政府",
            DepartmentKind.county,
            city,
            area.code,
            make_credit_code(rng, area.code, "1", "1"),
            100 + i,
        )
        for j, town in enumerate(TOWNSHIPS[area.code], 1):
            suffix = "办事处" if town.endswith("街道") else "人民政府"
            township = add(
                f"{area.name}{town}",
                f"{area.name}{town}{suffix}",
                DepartmentKind.township,
                county,
                f"{area.code}{j:03d}",
                make_credit_code(rng, area.code, "1", "1"),
                j,
            )
            if j == 1:
                add(
                    f"{area.name}{town}第一社区",
                    f"{town}第一社区居民委员会",
                    DepartmentKind.community,
                    township,
                    f"{area.code}{j:03d}001",
                    f"C{area.code}{j:03d}001",
                    1,
                )
    for i, (short, name) in enumerate(VERTICAL, 1):
        add(
            short,
            name,
            DepartmentKind.vertical,
            city,
            CITY.code,
            make_credit_code(rng, CITY.code, "1", "1"),
            200 + i,
        )
    for i, (short, name) in enumerate(CONTRACTORS, 1):
        add(
            short,
            name,
            DepartmentKind.contractor,
            None,
            CITY.code,
            make_credit_code(rng, CITY.code, "9", "1"),
            300 + i,
        )

    municipal_ids = [units[s].id for s, _n in MUNICIPAL]
    county_ids = [units[a.name].id for a in COUNTIES]
    for name in MUNICIPAL_GROUPS:
        create_unit_group(
            session,
            SYSTEM,
            UnitGroupCreate(
                name=name, description="市直部门（督查员可按任务细化）", member_ids=municipal_ids
            ),
        )
    for name in COUNTY_GROUPS:
        create_unit_group(
            session,
            SYSTEM,
            UnitGroupCreate(name=name, description="11 个县市区", member_ids=county_ids),
        )
    contractor_ids = [units[s].id for s, _n in CONTRACTORS]
    for name in ("市电子政务云承建商",):
        create_unit_group(
            session,
            SYSTEM,
            UnitGroupCreate(name=name, description="政务云承建单位", member_ids=contractor_ids),
        )
    return units


def seed_users(session: Session, units: dict[str, Department], password: str) -> list[str]:
    """The demo personas plus two fictional staff per municipal department and county."""
    with one_hash_per_password():
        return _seed_users(session, units, password)


def _seed_users(session: Session, units: dict[str, Department], password: str) -> list[str]:
    fake = Faker("zh_CN")
    fake.seed_instance(20260101)
    rng = random.Random(20260101)
    created = []
    for username, unit, roles in PERSONAS:
        create_user(
            session,
            SYSTEM,
            UserCreate(
                username=username,
                real_name=fake.name(),
                department_id=units[unit].id,
                password=password,
                mobile=make_mobile(rng),
                roles=list(roles),
                email=f"{username}@example.gov.cn",
                posts=["科员"],
            ),
        )
        created.append(username)
    staff_units = [units[s] for s, _n in MUNICIPAL] + [units[a.name] for a in COUNTIES]
    for dept in staff_units:
        for i in (1, 2):
            username = f"staff{dept.id:03d}.{i}"
            create_user(
                session,
                SYSTEM,
                UserCreate(
                    username=username,
                    real_name=fake.name(),
                    department_id=dept.id,
                    password=password,
                    mobile=make_mobile(rng),
                    roles=["steward"] if i == 1 else ["consumer"],
                    posts=[rng.choice(["科员", "科长", "副科长", "信息员"])],
                ),
            )
            created.append(username)
    return created
