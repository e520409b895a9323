"""Masks as a consumer of shared or open data sees them (STANDARDS.md §4.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govshare.core.masking import (
    Mask,
    default_mask,
    is_tighter,
    mask_address,
    mask_date,
    mask_email,
    mask_keep_ends,
    mask_name,
    mask_phone,
    mask_value,
    pseudonym,
)

ID = "371402199001011234"


def test_id_number_keeps_first_six_and_last_four_and_hides_the_birth_date() -> None:
    masked = mask_keep_ends(ID)
    assert masked == "371402********1234"
    assert "19900101" not in masked
    assert len(masked) == len(ID)


def test_short_values_are_starred_whole() -> None:
    assert mask_keep_ends("12345") == "*****"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("13812341234", "138****1234"),
        ("0534-2345678", "0534-***5678"),
        ("053412345678", "0534-****5678"),
        ("12345", "*2345"),
    ],
)
def test_phone_numbers(raw: str, shown: str) -> None:
    assert mask_phone(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"), [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧***"), ("", "")]
)
def test_names_keep_the_surname(raw: str, shown: str) -> None:
    assert mask_name(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("山东省德州市德城区新湖街道湖滨北路18号3单元", "山东省德州市德城区新湖街道****"),
        ("德州市陵城区糜镇刘家村12号", "德州市陵城区糜镇****"),
        ("德州市德城区某小区5号楼", "德州市德城区****"),
        ("不详", "不详"),
    ],
)
def test_addresses_stop_at_the_street(raw: str, shown: str) -> None:
    assert mask_address(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("1987-05-02", "1987"),
        ("1987年5月2日", "1987"),
        ("2020-01-01T08:00:00", "2020"),
        ("?", "****"),
    ],
)
def test_dates_keep_the_year(raw: str, shown: str) -> None:
    assert mask_date(raw) == shown


def test_email() -> None:
    assert mask_email("zhangsan@example.com") == "z***@example.com"


def test_pseudonyms_join_under_one_key_and_differ_across_keys() -> None:
    a = pseudonym(ID, b"consumer-a")
    assert a == pseudonym(ID, b"consumer-a")
    assert a != pseudonym(ID, b"consumer-b")
    assert ID not in (a or "")
    assert len(a or "") == 32


def test_mask_value_dispatch_and_none() -> None:
    assert mask_value(Mask.NONE, ID) == ID
    assert mask_value(Mask.SUPPRESS, ID) is None
    assert mask_value(Mask.KEEP_ENDS, None) is None
    assert mask_value(Mask.PSEUDONYM, ID, key=b"k") == pseudonym(ID, b"k")
    with pytest.raises(ValueError, match="key"):
        mask_value(Mask.PSEUDONYM, ID)


@pytest.mark.parametrize(
    ("name", "type_code", "sensitivity", "grading", "mask"),
    [
        ("身份证号", "C", 3, 3, Mask.KEEP_ENDS),
        ("联系电话", "C", 2, 2, Mask.PHONE),
        ("姓名", "C", 2, 2, Mask.NAME),
        ("户籍地址", "C", 2, 2, Mask.ADDRESS),
        ("出生日期", "D", 2, 2, Mask.DATE_YEAR),
        ("统一社会信用代码", "C", 1, 1, Mask.NONE),
        ("病史", "C", 4, 3, Mask.SUPPRESS),
        ("收入", "N", 3, 3, Mask.PSEUDONYM),
        ("备注", "C", 2, 2, Mask.NONE),
        ("就诊时间", "T", 3, 3, Mask.DATE_YEAR),
    ],
)
def test_default_masks(
    name: str, type_code: str, sensitivity: int, grading: int, mask: Mask
) -> None:
    assert default_mask(name, type_code, sensitivity, grading) is mask


def test_reviewers_may_only_tighten() -> None:
    assert is_tighter(Mask.SUPPRESS, Mask.KEEP_ENDS)
    assert is_tighter(Mask.KEEP_ENDS, Mask.KEEP_ENDS)
    assert is_tighter(Mask.PSEUDONYM, Mask.NAME)
    assert not is_tighter(Mask.NONE, Mask.KEEP_ENDS)
    assert not is_tighter(Mask.PHONE, Mask.KEEP_ENDS)


@given(st.text(min_size=11, max_size=40))
def test_keep_ends_never_reveals_the_middle(value: str) -> None:
    masked = mask_keep_ends(value) or ""
    assert len(masked) == len(value)
    assert set(masked[6:-4]) == {"*"}
