"""Builders for sharing tests: the population resource of 市公安局 with rows, a consumer system
of 陵城区 with a bound token, requests and grants through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts.schemas import TokenCreate
from govshare.accounts.service import create_token
from govshare.catalog.models import Category
from govshare.core.db import Database
from govshare.core.security import SYSTEM, Actor
from govshare.datastore import service as ds_service
from govshare.datastore.demo import publish_resource
from govshare.datastore.synthetic import PERSON_COLUMNS, person_rows
from govshare.sharing import service
from govshare.sharing.schemas import Decision, RequestCreate, RowScope, SystemCreate
from tests.datastore.helpers import load, people_csv
from tests.personas import actor_of, department_id

COUNTY = "371403"  # 陵城区
ASKED = ["姓名", "公民身份号码", "户籍地址"]


@dataclass
class World:
    resource: Any
    system_id: int
    headers: dict[str, str]
    people: list[list[Any]]

    @property
    def code(self) -> str:
        return str(self.resource.code)

    def in_county(self) -> list[list[Any]]:
        return [p for p in self.people if p[5] == COUNTY]

    def outside(self) -> list[list[Any]]:
        return [p for p in self.people if p[5] != COUNTY]


def population(session: Session, name: str = "人口基础信息") -> Any:
    dept = department_id(session, "市公安局")
    cat = session.scalars(select(Category.full_code).where(Category.department_id == dept)).one()
    return publish_resource(session, name, dept, cat, PERSON_COLUMNS, "全市户籍人口。")


def system_with_token(
    session: Session, persona: str = "consumer", name: str = "陵城区一网通办"
) -> tuple[int, dict[str, str]]:
    who = actor_of(session, persona)
    system = service.register_system(
        session, who, SystemCreate(name=name, purpose="办事核验", contact="0534-1234567")
    )
    token = create_token(session, who, TokenCreate(name=name, scopes=["read"]))
    service.bind_system_token(session, who, system.id, token.id)
    session.flush()
    return system.id, {"Authorization": f"Bearer {token.token}"}


def build_world(db: Database, session: Session, tmp: Path, rows: int = 300) -> World:
    resource = population(session)
    ds = ds_service.create_dataset_for_resource(session, SYSTEM, resource.id)
    session.flush()
    load(db, session, SYSTEM, ds, people_csv(tmp / "people.csv", rows))
    system_id, headers = system_with_token(session)
    session.commit()
    return World(resource, system_id, headers, [list(p) for p in person_rows(rows)])


def ask(session: Session, world: World, actor: Actor | None = None, **over: Any) -> Any:
    data = {
        "system_id": world.system_id,
        "resource_id": world.resource.id,
        "purpose": "办理户籍业务时核验身份",
        "scenario": "一网通办",
        "legal_basis": "《山东省政务信息资源共享管理办法》",
        "items": ASKED,
        "days": 365,
    } | over
    return service.submit_request(
        session, actor or actor_of(session, "consumer"), RequestCreate.model_validate(data)
    )


def approve_county(session: Session, request_id: int, **over: Any) -> Any:
    decision = Decision(
        row_filter=[RowScope(item="户籍地区划", values=[COUNTY])],
        masks={"公民身份号码": "keep_ends"},  # type: ignore[dict-item]
        **over,
    )
    return service.approve_request(session, actor_of(session, "other_admin"), request_id, decision)
