"""The city's plan as the demo loads it: every one of the 38 tasks checked against the table —
its lead unit, co-units (groups kept or expanded), milestones from the time node and from the
deadlines in its content, and whether it is recurring (长期)."""

from __future__ import annotations

import datetime as dt

import pytest

from govshare.supervision import service
from govshare.supervision.demo import SEED
from tests.supervision.conftest import SHARED_SEED

D = dt.date
Y17, M18_3, M18_6, M18_9, M18_10, Y18 = (
    D(2017, 12, 31),
    D(2018, 3, 31),
    D(2018, 6, 30),
    D(2018, 9, 30),
    D(2018, 10, 31),
    D(2018, 12, 31),
)
DIRECT, COUNTIES = "市直有关部门", "各县市区政府"
LONG = None  # recurring: no milestones

# number → (lead, co-units as the table names them, milestone dates or LONG)
TABLE: dict[int, tuple[str, list[str], list[dt.date] | None]] = {
    1: ("市电政办", [], [M18_10]),
    2: ("市电政办", [DIRECT, COUNTIES], [M18_10]),
    3: ("市电政办", [DIRECT, COUNTIES], [Y17]),
    4: ("市电政办", [DIRECT, COUNTIES], [Y17, M18_6, Y18]),
    5: ("市电政办", ["市密码管理局", "市保密局"], [M18_9]),
    6: ("市电政办", ["市密码管理局", "市保密局", DIRECT, "各县市区政务内网主管部门"], [M18_9, Y18]),
    7: ("市电政办", ["市政府有关部门", COUNTIES], [Y18]),
    8: ("市电政办", ["政务云承建商"], [M18_3]),
    9: ("市电政办", [DIRECT, "市电子政务云承建商"], [M18_10]),
    10: ("市电政办", ["市直各有关单位", COUNTIES], [M18_6]),
    11: ("市电政办", [DIRECT, COUNTIES], [Y17]),
    12: ("市电政办", [DIRECT, COUNTIES], [M18_10]),
    13: ("市电政办", [DIRECT, COUNTIES], LONG),
    14: ("市电政办", [DIRECT], [Y18]),
    15: ("市统计局", ["市电政办", COUNTIES], [M18_6]),
    16: ("市电政办", [DIRECT, COUNTIES], [M18_6]),
    17: ("市电政办", ["市政府有关部门", COUNTIES], [Y17]),
    18: ("市民热线管理办", ["市直相关部门"], [M18_3, M18_9]),
    19: ("市电政办", [DIRECT, COUNTIES], [Y17, Y18]),
    20: ("市电政办", [DIRECT, COUNTIES], [Y18]),
    21: ("市发改委", ["市政务服务中心管理办", "市电政办"], LONG),
    22: ("市电政办", ["相关部门", COUNTIES], [Y18]),
    23: ("市电政办", ["市政府各部门", COUNTIES], [M18_10]),
    24: ("市电政办", [DIRECT, COUNTIES], [M18_10]),
    25: ("市政务服务中心管理办", ["市编办", "市电政办", DIRECT, COUNTIES], [Y17, M18_6]),
    26: ("市电政办", ["市政务服务中心管理办", DIRECT, COUNTIES], [M18_9]),
    27: ("市政务服务中心管理办", ["市编办", "市民政局", "市电政办", DIRECT, COUNTIES], [Y17]),
    28: ("市直各部门", [COUNTIES], [Y18]),
    29: ("市编办", [COUNTIES], [Y17]),
    30: ("市财政局", ["市电政办", "市编办"], [M18_3]),
    31: ("市电政办", [], [Y17]),
    32: ("市人社局", ["市编办", "市财政局"], LONG),
    33: ("市财政局", ["市电政办", COUNTIES], LONG),
    34: ("市财政局", ["市电政办", COUNTIES], LONG),
    35: ("市保密局", ["市政府有关部门"], LONG),
    36: ("市电政办", [], LONG),
    37: ("市政府办公室", [], LONG),
    38: ("市审计局", [], LONG),
}


def test_the_shipped_plan_is_the_seed():
    if SHARED_SEED.is_dir():
        assert SEED.read_bytes() == next(SHARED_SEED.glob("*.txt")).read_bytes()


@pytest.fixture
def outline(session, actor, plan_id):
    return service.get_plan_outline(session, actor("supervisor"), plan_id)


def test_four_parts_and_thirty_eight_tasks(outline):
    assert outline.plan.title == "德州市政务信息系统整合共享工作推进方案"
    assert [p.number for p in outline.parts] == ["一", "二", "三", "四"]
    numbers = [t.number for p in outline.parts for s in p.sections for t in s.tasks]
    assert numbers == list(range(1, 39))
    assert outline.parts[1].sections[0].title == "加强政务信息资源统筹管理"


@pytest.mark.parametrize("number", sorted(TABLE))
def test_task_against_the_table(number, session, actor, plan_id):
    lead, co, dates = TABLE[number]
    tasks = {t.number: t for t in service.list_tasks(session, actor("supervisor"), plan_id)}
    detail = service.get_task(session, actor("supervisor"), tasks[number].id)
    assert detail.lead == lead
    assert detail.co_units == co
    assert detail.recurring is (dates is None)
    assert [m.due for m in detail.milestones] == (dates or [])


def test_groups_of_indefinite_units_stay_named_and_counties_expand(session, actor, plan_id):
    tasks = {t.number: t for t in service.list_tasks(session, actor("supervisor"), plan_id)}
    detail = service.get_task(session, actor("supervisor"), tasks[2].id)
    kept = [u for u in detail.units if u.group_name == DIRECT]
    assert len(kept) == 1 and not kept[0].resolved
    counties = [u.name for u in detail.units if u.via_group == COUNTIES]
    assert len(counties) == 11 and "陵城区" in counties


def test_milestones_are_linked_to_their_sentences(session, actor, plan_id):
    tasks = {t.number: t for t in service.list_tasks(session, actor("supervisor"), plan_id)}
    t18 = service.get_task(session, actor("supervisor"), tasks[18].id)
    assert t18.milestones[0].sentence == "2018年3月底前，由市热线办牵头制定热线整合的具体实施方案"
    assert t18.milestones[0].source == "content" and t18.milestones[1].source == "both"
    t4 = service.get_task(session, actor("supervisor"), tasks[4].id)
    assert t4.milestones[1].sentence.startswith("2018年6月底前，电子政务外网扩大到")
    t1 = service.get_task(session, actor("supervisor"), tasks[1].id)
    assert t1.milestones[0].source == "time_node" and t1.milestones[0].sentence == ""
