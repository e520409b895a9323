"""Shapes of audit entries, filters and chain verification results."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OUTCOMES = ("success", "denied", "invalid", "not_found", "conflict", "failed", "rate_limited")


class AuditFilter(BaseModel):
    """What to narrow the trail to; every field optional."""

    action: str | None = Field(None, description="Action code or its prefix, e.g. `accounts.`")
    actor: str | None = Field(None, description="Username or part of the actor's name")
    department_id: int | None = None
    outcome: (
        Literal["success", "denied", "invalid", "not_found", "conflict", "failed", "rate_limited"]
        | None
    ) = None
    target_type: str | None = None
    target_id: str | None = None
    since: dt.date | None = Field(None, description="From this day (Asia/Shanghai), inclusive")
    until: dt.date | None = Field(None, description="Up to this day (Asia/Shanghai), inclusive")
    request_id: str | None = None


class AuditEntryPublic(BaseModel):
    """One entry of the trail."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int
    occurred_at: dt.datetime
    actor_kind: str
    actor_user_id: int | None
    actor_name: str
    token_id: int | None
    department_id: int | None
    department_name: str
    action: str
    outcome: str
    target_type: str
    target_id: str
    target_label: str
    reason: str
    client_ip: str
    request_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: dict[str, Any] | None
    digest: str


class FindingPublic(BaseModel):
    kind: str
    seq: int | None
    entry_id: int | None
    message: str


class VerificationPublic(BaseModel):
    """The outcome of walking the chain."""

    ok: bool
    checked: int
    head_seq: int
    findings: list[FindingPublic]


class DailyCount(BaseModel):
    day: dt.date
    success: int
    refused: int


class ActionTally(BaseModel):
    """Entries of one action on one day (Asia/Shanghai) by one token on one target, with one
    outcome: how many, and the sum of their ``details.rows`` (records returned)."""

    day: dt.date
    action: str
    outcome: str
    token_id: int | None
    target_type: str
    target_id: str
    entries: int
    rows: int
