"""GB 11643 / GB 32100 / GB 11714 check digits, the standards' worked examples, and generators."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govshare.core import areas
from govshare.core.identifiers import (
    id_check_char,
    id_gender,
    id_problem,
    make_credit_code,
    make_id_number,
    org_code_problem,
    uscc_category,
    uscc_problem,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "371403201001011235"])
def test_worked_examples_are_valid(number):
    assert id_problem(number) is None


def test_area_code_newer_than_birth_is_still_valid():
    """STANDARDS.md §3.1: 陵城区 (2014) number of someone born 2010 — stdnum wrongly rejects it."""
    assert id_problem("371403201001011235") is None
    assert areas.is_known_area("371403") and areas.is_known_area("372421")


def test_check_digit_example_sum():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize(
    "number,problem",
    [
        ("110105194912310021", "校验码错误"),
        ("110105194902300020", "出生日期不是有效日期"),
        ("11010519491231002", "身份证号码应为 17 位数字加 1 位校验码（数字或 X）"),
        ("110105491231002", "15 位旧身份证号码"),
    ],
)
def test_id_problems_are_named(number, problem):
    assert id_problem(number) == problem


def test_future_birth_is_out_of_range():
    body = "371402" + (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d") + "001"
    assert id_problem(body + id_check_char(body)) == "出生日期超出合理范围"


@pytest.mark.parametrize("code", ["91110000600037341L", "91371400MA3C00003K"])
def test_uscc_examples(code):
    assert uscc_problem(code) is None


def test_uscc_wrong_check_and_embedded_org_code():
    assert uscc_problem("91110000600037341A") == "统一社会信用代码校验码错误"
    assert org_code_problem("60003734-1") is None and org_code_problem("D2143569-X") is None
    assert org_code_problem("60003734-2") == "组织机构代码校验码错误"


def test_uscc_category_table_and_unknown_as_none():
    assert uscc_category("91110000600037341L") == "企业"
    assert uscc_category("11371400MB2851234X") == "机关"
    assert uscc_category("54371400MB2851234X") is None


@given(
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(areas.COUNTIES),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.booleans(),
)
def test_generated_id_numbers_validate_and_carry_gender(seed, area, born, male):
    number = make_id_number(random.Random(seed), area.code, born, male)
    assert id_problem(number) is None and id_gender(number) == ("男" if male else "女")


@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_of_an_id_is_caught(seed, pos, delta):
    number = make_id_number(random.Random(seed), "371402", dt.date(1980, 5, 17), True)
    digit = str((int(number[pos]) + delta) % 10)
    changed = number[:pos] + digit + number[pos + 1 :]
    assert id_problem(changed) is not None


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_credit_codes_validate(seed):
    assert uscc_problem(make_credit_code(random.Random(seed), "371400", "9", "1")) is None


def test_uscc_with_letters_outside_its_character_set_is_refused_not_an_error():
    # GB 32100 never writes I, O, S, V or Z; the check once raised ValueError on them
    assert uscc_problem("91371400ICQWD18Y19") == "统一社会信用代码含有不允许的字符或格式不符"


def test_born_today_in_beijing_is_not_in_the_future_while_utc_is_still_yesterday():
    import time_machine

    body = "371402" + "20261205" + "001"
    number = body + id_check_char(body)
    with time_machine.travel(dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC), tick=False):
        assert id_problem(number) is None  # 01:00 on 5 December in Beijing
    with time_machine.travel(dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC), tick=False):
        assert id_problem(number) == "出生日期超出合理范围"  # 23:00 on the 4th in Beijing
