"""A small registry of test job kinds."""

from __future__ import annotations

from typing import Any

from govshare.core.errors import Invalid
from govshare.jobs.schemas import JobKind, JobSnapshot

CLEANED: list[int] = []


def _steps(ctx: Any) -> dict[str, Any]:
    for i in range(3):
        ctx.progress((i + 1) / 3, f"第 {i + 1} 步", force=True)
    return {"steps": 3, "by": ctx.actor.username}


def _bad(ctx: Any) -> None:
    raise Invalid("源文件为空。")


def _boom(ctx: Any) -> None:
    raise RuntimeError("disk on fire")


def _cleanup(db: Any, job: JobSnapshot) -> None:
    CLEANED.append(job.id)


KINDS = {
    "test.steps": JobKind("三步", _steps, _cleanup),
    "test.bad": JobKind("坏输入", _bad, _cleanup),
    "test.boom": JobKind("崩溃", _boom, _cleanup),
    "test.noop": JobKind("空", lambda ctx: None),
}
