"""Deterministic synthetic tables for demos, tests and benchmarks (never real personal data).

People of Dezhou: valid GB 11643 ID numbers (``core.identifiers.make_id_number``) issued in
Dezhou's county codes (``core.areas``), unique by construction; names from Faker ``zh_CN`` with a
fixed seed. Legal entities: valid GB 32100 credit codes. ``bad`` plants rows a checker must
reject (too long, bad date, missing key, duplicate key).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from govshare.core.areas import COUNTIES
from govshare.core.identifiers import (
    id_check_char,
    make_credit_code,
    make_id_number,
    make_mobile,
)

PERSON_COLUMNS: list[dict[str, Any]] = [
    {"name": "姓名", "type_code": "C", "length": "20", "required": True},
    {"name": "性别", "type_code": "C", "length": "2"},
    {"name": "公民身份号码", "type_code": "C", "length": "18", "is_key": True, "required": True},
    {"name": "出生日期", "type_code": "D"},
    {"name": "民族", "type_code": "C", "length": "10"},
    {"name": "户籍地区划", "type_code": "C", "length": "6"},
    {"name": "户籍地址", "type_code": "C", "length": "100"},
    {"name": "联系电话", "type_code": "C", "length": "11"},
    {"name": "登记日期", "type_code": "D"},
    {"name": "更新时间", "type_code": "T"},
    {"name": "是否有效", "type_code": "L"},
    {"name": "家庭人口数", "type_code": "I"},
]
ENTITY_COLUMNS: list[dict[str, Any]] = [
    {
        "name": "统一社会信用代码",
        "type_code": "C",
        "length": "18",
        "is_key": True,
        "required": True,
    },
    {"name": "名称", "type_code": "C", "length": "100", "required": True},
    {"name": "法定代表人", "type_code": "C", "length": "20"},
    {"name": "成立日期", "type_code": "D"},
    {"name": "注册资本", "type_code": "Y", "length": "18,2"},
    {"name": "住所", "type_code": "C", "length": "100"},
    {"name": "登记状态", "type_code": "C", "length": "10"},
    {"name": "所属区划", "type_code": "C", "length": "6"},
]
ETHNIC = ["汉族"] * 97 + ["回族", "满族", "蒙古族"]
STREETS = ["新湖大街", "东风路", "解放路", "三八路", "天衢路", "湖滨路", "德兴大道", "长河大道"]
BASE = dt.date(1940, 1, 1)
DAYS = 29200  # 80 years; 7919 is coprime with it, so the day order below is a permutation


@lru_cache
def _names(seed: int) -> list[str]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return [fake.name() for _ in range(3000)]


@lru_cache
def _pools(seed: int) -> tuple[list[str], list[str], list[str], list[str]]:
    rng = random.Random(seed + 1)
    addresses = [f"山东省德州市{rng.choice(STREETS)}{rng.randrange(1, 999)}号" for _ in range(4096)]
    mobiles = [make_mobile(rng) for _ in range(8192)]
    times = [
        f"2026-{rng.randrange(1, 11):02d}-{rng.randrange(1, 28):02d} "
        f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:00"
        for _ in range(4096)
    ]
    days = [(BASE + dt.timedelta(days=d)).isoformat() for d in range(DAYS + 3650)]
    return addresses, mobiles, times, days


def person_rows(n: int, *, seed: int = 2026, start: int = 0) -> Iterator[list[str]]:
    """``n`` people as CSV text rows, the same for the same seed; ID numbers never repeat."""
    rng = random.Random(seed)
    names = _names(seed)
    addresses, mobiles, times, days = _pools(seed)
    areas = [a.code for a in COUNTIES]
    for i in range(start, start + n):
        area = areas[i % len(areas)]
        j = i // len(areas)
        day = (j % DAYS) * 7919 % DAYS
        born = BASE + dt.timedelta(days=day)
        bits = rng.getrandbits(48)
        idn = make_id_number(rng, area, born, bool(bits & 1))
        body = f"{idn[:14]}{(j // DAYS) % 100:02d}{idn[16]}"  # the sequence makes it unique
        idn = body + id_check_char(body)
        yield [
            names[(bits >> 1) % len(names)],
            "男" if bits & 1 else "女",
            idn,
            days[day],
            ETHNIC[(bits >> 13) % len(ETHNIC)],
            area,
            addresses[(bits >> 20) & 4095],
            mobiles[(bits >> 32) & 8191],
            days[day + (bits >> 8) % 3650],
            times[(bits >> 36) & 4095],
            "是",
            str(1 + (bits >> 45) % 6),
        ]


def entity_rows(n: int, *, seed: int = 2026) -> Iterator[list[str]]:
    """``n`` legal entities with valid, distinct credit codes."""
    rng = random.Random(seed)
    names = _names(seed)
    areas = [a.code for a in COUNTIES]
    seen: set[str] = set()
    kinds = ["科技有限公司", "商贸有限公司", "农业专业合作社", "建材有限公司", "食品有限公司"]
    while len(seen) < n:
        area = rng.choice(areas)
        code = make_credit_code(rng, area)
        if code in seen:
            continue
        seen.add(code)
        yield [
            code,
            f"德州{rng.choice(STREETS)[:2]}{len(seen)}{rng.choice(kinds)}",
            rng.choice(names),
            (dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 11000))).isoformat(),
            f"{rng.randrange(10, 50000) * 1000}.00",
            f"山东省德州市{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            rng.choice(["存续", "存续", "存续", "注销", "吊销"]),
            area,
        ]


def write_csv(
    path: Path,
    header: list[str],
    rows: Iterator[list[str]],
    *,
    encoding: str = "utf-8",
    bad: int = 0,
    seed: int = 7,
) -> int:
    """Write rows as CSV; ``bad`` rows get a planted fault. Returns the rows written."""
    rng = random.Random(seed)
    n = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        faults: list[list[str]] = []
        for row in rows:
            if bad and len(faults) < bad and rng.random() < 0.2:
                faults.append(row)
                kind = len(faults) % 4
                if kind == 0:
                    row = [*row]
                    row[0] = row[0] * 8  # name too long
                elif kind == 1:
                    row = [*row[:3], "1985年13月40日", *row[4:]]  # impossible date
                elif kind == 2:
                    row = [*row[:2], "", *row[3:]]  # key missing
                else:
                    w.writerow(row)  # the same key twice
                    n += 1
            w.writerow(row)
            n += 1
    return n


def person_header() -> list[str]:
    return [c["name"] for c in PERSON_COLUMNS]


def entity_header() -> list[str]:
    return [c["name"] for c in ENTITY_COLUMNS]
