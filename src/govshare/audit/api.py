"""JSON API of the audit trail (/api/v1/audit)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from govshare.audit import service
from govshare.audit.schemas import AuditEntryPublic, AuditFilter, FindingPublic, VerificationPublic
from govshare.core.config import get_settings
from govshare.core.pagination import Page, clamp_limit
from govshare.core.web import SessionDep, UserDep

router = APIRouter(prefix="/audit", tags=["audit"])
Outcome = Literal["success", "denied", "invalid", "not_found", "conflict", "failed", "rate_limited"]


@router.get("/entries", response_model=Page[AuditEntryPublic])
def list_audit_entries(
    session: SessionDep,
    actor: UserDep,
    action: str | None = None,
    actor_name: Annotated[str | None, Query(alias="actor")] = None,
    department_id: int | None = None,
    outcome: Outcome | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    request_id: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[AuditEntryPublic]:
    """Entries newest first. `action` ending in `.` matches a prefix (e.g. `accounts.`)."""
    s = get_settings()
    n = clamp_limit(limit, s.page_size, s.page_size_max)
    filters = AuditFilter(
        action=action,
        actor=actor_name,
        department_id=department_id,
        outcome=outcome,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
        request_id=request_id,
    )
    rows, nxt = service.list_audit_entries(session, actor, filters=filters, cursor=cursor, limit=n)
    return Page(items=[AuditEntryPublic.model_validate(r) for r in rows], next_cursor=nxt, limit=n)


@router.get("/entries/{entry_id}", response_model=AuditEntryPublic)
def get_audit_entry(session: SessionDep, actor: UserDep, entry_id: int) -> AuditEntryPublic:
    """One entry."""
    return AuditEntryPublic.model_validate(service.get_audit_entry(session, actor, entry_id))


@router.post("/verify", response_model=VerificationPublic)
def verify_audit_chain(session: SessionDep, actor: UserDep) -> VerificationPublic:
    """Walk the chain; `findings` names every altered, inserted or deleted entry."""
    r = service.verify_audit_chain(session, actor)
    return VerificationPublic(
        ok=r.ok,
        checked=r.checked,
        head_seq=r.head_seq,
        findings=[
            FindingPublic(kind=f.kind, seq=f.seq, entry_id=f.entry_id, message=f.message)
            for f in r.findings
        ],
    )
