"""Shapes of jobs for the API and the pages, and of a job kind in the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
STATUSES: tuple[str, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
ACTIVE: tuple[str, ...] = ("queued", "running")


class JobPublic(BaseModel):
    """A job as callers see it: status, progress line, outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    status: str
    progress: float
    progress_text: str
    attempts: int
    created_by_id: int | None
    department_id: int | None
    target_type: str
    target_id: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    cancel_requested: bool
    result: dict[str, Any] | None
    error: str


@dataclass(frozen=True)
class JobSnapshot:
    """What a handler or a cleanup hook is told about its job."""

    id: int
    kind: str
    payload: dict[str, Any]
    actor: dict[str, Any]
    attempts: int
    error: str = ""


@dataclass(frozen=True)
class JobKind:
    """One entry of the handler registry (wired in main.py).

    ``run(ctx)`` does the work and returns a JSON-able result; ``cleanup(db, job)`` undoes the
    partial work of a job that failed or whose worker died (called on recovery too).
    """

    title: str
    run: Callable[[Any], dict[str, Any] | None]
    cleanup: Callable[[Any, JobSnapshot], None] | None = None


def actor_to_dict(actor: Any) -> dict[str, Any]:
    """A JSON snapshot of an Actor (who enqueued a job)."""
    return {
        "kind": actor.kind,
        "user_id": actor.user_id,
        "username": actor.username,
        "display_name": actor.display_name,
        "department_id": actor.department_id,
        "department_name": actor.department_name,
        "roles": sorted(actor.roles),
        "token_id": actor.token_id,
        "scopes": sorted(actor.scopes),
    }
