"""The fixed cast of the tests: one persona per DESIGN.md role, created through real services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts.models import Department, User
from govshare.accounts.schemas import UserCreate
from govshare.accounts.service import create_user
from govshare.accounts.service.auth import actor_for
from govshare.core.security import ANONYMOUS, SYSTEM, Actor

PASSWORD = "Test-Pass-2026"


@dataclass(frozen=True)
class Persona:
    name: str
    username: str
    unit: str  # department short name
    roles: tuple[str, ...]


PERSONAS: dict[str, Persona] = {
    p.name: p
    for p in (
        Persona("platform_admin", "p.admin", "市电政办", ("platform_admin",)),
        Persona("dept_admin", "p.tongji.admin", "市统计局", ("dept_admin",)),
        Persona("steward", "p.tongji.steward", "市统计局", ("steward",)),
        Persona("reviewer", "p.tongji.reviewer", "市统计局", ("reviewer",)),
        Persona("consumer", "p.lingcheng.consumer", "陵城区", ("consumer",)),
        Persona("supervisor", "p.duban", "市政府办公室", ("supervisor",)),
        Persona("auditor", "p.shenji", "市审计局", ("auditor",)),
        Persona("other_admin", "p.gongan.admin", "市公安局", ("dept_admin",)),
    )
}
ROLE_PERSONAS = (
    "platform_admin",
    "dept_admin",
    "steward",
    "reviewer",
    "consumer",
    "supervisor",
    "auditor",
    "public",
)


def seed_personas(session: Session) -> None:
    units = {d.short_name: d for d in session.scalars(select(Department))}
    for p in PERSONAS.values():
        create_user(
            session,
            SYSTEM,
            UserCreate(
                username=p.username,
                real_name=f"测试{p.name}",
                department_id=units[p.unit].id,
                password=PASSWORD,
                roles=list(p.roles),
                mobile="13800001234",
            ),
        )


def actor_of(session: Session, name: str) -> Actor:
    """The Actor of a persona ('public' is the anonymous visitor)."""
    if name == "public":
        return ANONYMOUS
    if name == "system":
        return SYSTEM
    user = session.scalars(select(User).where(User.username == PERSONAS[name].username)).one()
    return actor_for(session, user)


def department_id(session: Session, short_name: str) -> int:
    return session.scalars(select(Department.id).where(Department.short_name == short_name)).one()
