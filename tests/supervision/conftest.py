"""A work plan in the test database: the seed table imported through the real service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from govshare.supervision import service
from govshare.supervision.demo import SEED, SEED_NAME

SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed"


def import_seed(
    session: Any, actor: Any, *, starts_on: dt.date = dt.date(2017, 11, 1), **kw: Any
) -> int:
    plan = service.import_plan(
        session,
        actor("platform_admin"),
        filename=SEED_NAME,
        data=SEED.read_bytes(),
        starts_on=starts_on,
        **kw,
    )
    session.flush()
    return plan.id


@pytest.fixture
def plan_id(session, actor) -> int:
    """The seed plan with its original dates (2017–2018), followed (not archived)."""
    return import_seed(session, actor)


def task_id(session: Any, plan: int, number: int) -> int:
    from sqlalchemy import select

    from govshare.supervision.models import Task

    return session.scalar(select(Task.id).where(Task.plan_id == plan, Task.number == number))
