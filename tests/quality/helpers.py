"""Builders for quality tests: a person dataset with the ten-rule suite, loads through the gate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from govshare.datastore import service as datastore
from govshare.quality import service
from govshare.quality.schemas import RuleCreate
from tests.datastore.helpers import load, make_dataset, people_csv

PERSON_SUITE: list[RuleCreate] = [
    RuleCreate(kind="not_null", items=["公民身份号码"]),
    RuleCreate(kind="not_null", items=["姓名"]),
    RuleCreate(kind="not_null", items=["联系电话"], severity="warning"),
    RuleCreate(kind="unique", items=["公民身份号码"]),
    RuleCreate(kind="citizen_id", items=["公民身份号码"]),
    RuleCreate(kind="mobile", items=["联系电话"], severity="warning"),
    RuleCreate(kind="value_set", items=["户籍地区划"], params={"code_list": "area"}),
    RuleCreate(kind="id_birth", items=["公民身份号码", "出生日期"]),
    RuleCreate(kind="id_gender", items=["公民身份号码", "性别"]),
    RuleCreate(kind="date_sane", items=["更新时间"]),
]


@contextmanager
def gated() -> Iterator[None]:
    """Loads publish through quality's gate (main.PUBLISH_GATES) inside the block."""
    datastore.configure_gates([service.gate_version])
    try:
        yield
    finally:
        datastore.configure_gates([])


def person_dataset(session: Session, steward: Any, *, suite: bool = True) -> Any:
    ds = make_dataset(session, steward)
    if suite:
        for rule in PERSON_SUITE:
            service.create_rule(session, steward, ds.id, rule)
    session.flush()
    return ds


def plant(rows: list[list[str]]) -> list[list[str]]:
    """Planted errors a checker must find (the loader accepts them: they are well-typed)."""
    r = rows
    r[1][2] = r[1][2][:17] + ("0" if r[1][2][17] != "0" else "1")  # check digit
    r[2][1] = "女" if r[2][1] == "男" else "男"  # gender disagrees with the ID
    r[3][3] = "1901-01-01"  # birth date disagrees
    r[4][5] = "999999"  # area code not in Dezhou's table
    r[5][7] = "12345"  # not a mobile number
    r[6][2] = "371421" + r[6][2][6:17]  # retired 陵县 code: still valid once re-checked
    from govshare.core.identifiers import id_check_char

    r[6][2] = r[6][2][:17] + id_check_char(r[6][2][:17])
    r[7][2] = "370402800102111"  # a 15-digit legacy number: reported apart
    return r


def load_people(
    db: Any, session: Session, steward: Any, ds: Any, path: Path, n: int = 60, edit: Any = None
) -> Any:
    return load(db, session, steward, ds, people_csv(path, n, edit=edit))
