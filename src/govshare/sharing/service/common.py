"""Helpers shared by the sharing services: loading with visibility, public shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourcePublic
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, Grant, ShareRequest
from govshare.sharing.schemas import (
    ARBITRATION_LABELS,
    STATUS_LABELS,
    GrantPublic,
    RequestPublic,
    RowScope,
)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Some drivers hand back naive datetimes: normalise to aware UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class Resources:
    """Catalog resources read once per call (as the system: visibility is checked by callers)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[int, ResourcePublic] = {}

    def get(self, resource_id: int) -> ResourcePublic:
        if resource_id not in self._cache:
            self._cache[resource_id] = catalog.get_resource(self.session, SYSTEM, resource_id)
        return self._cache[resource_id]


def load_system(session: Session, actor: Actor, system_id: int) -> ConsumerSystem:
    system = session.get(ConsumerSystem, system_id)
    if system is None or not permissions.can_see_system(actor, system.department_id):
        raise NotFound(_("消费系统不存在。"))
    return system


def load_request(session: Session, actor: Actor, request_id: int) -> ShareRequest:
    req = session.get(ShareRequest, request_id)
    if req is None or not permissions.can_see_request(
        actor, req.department_id, req.provider_department_id
    ):
        raise NotFound(_("共享申请不存在。"))
    return req


def load_grant(session: Session, actor: Actor, grant_id: int) -> tuple[Grant, ConsumerSystem]:
    grant = session.get(Grant, grant_id)
    system = session.get(ConsumerSystem, grant.system_id) if grant else None
    if (
        grant is None
        or system is None
        or not permissions.can_see_request(
            actor, system.department_id, grant.provider_department_id
        )
    ):
        raise NotFound(_("授权不存在。"))
    return grant, system


def grant_active(grant: Grant, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return grant.revoked_at is None and as_utc(grant.valid_from) <= now < as_utc(grant.valid_until)


def grant_state(grant: Grant, now: dt.datetime | None = None) -> str:
    """active, revoked, expired, or not_yet (its validity starts later)."""
    now = now or utcnow()
    if grant.revoked_at is not None:
        return "revoked"
    if now < as_utc(grant.valid_from):
        return "not_yet"
    return "active" if now < as_utc(grant.valid_until) else "expired"


def expiring(grant: Grant, now: dt.datetime | None = None) -> bool:
    """Active and ending within the announcement window (renewal may be applied for)."""
    now = now or utcnow()
    window = dt.timedelta(days=get_settings().sharing_expiry_notice_days)
    return grant_state(grant, now) == "active" and as_utc(grant.valid_until) - now <= window


def grant_public(grant: Grant, system: ConsumerSystem, resource: ResourcePublic) -> GrantPublic:
    return GrantPublic(
        id=grant.id,
        request_id=grant.request_id,
        system_id=system.id,
        system_name=system.name,
        department_id=system.department_id,
        provider_department_id=grant.provider_department_id,
        resource_id=resource.id,
        resource_code=resource.code,
        resource_name=resource.name,
        items=list(grant.items),
        masks=dict(grant.masks),
        row_filter=[RowScope(**f) for f in grant.row_filter],
        purpose=grant.purpose,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        rate_limit=grant.rate_limit,
        daily_quota=grant.daily_quota,
        revoked_at=grant.revoked_at,
        revoked_reason=grant.revoked_reason,
        active=grant_active(grant),
        state=grant_state(grant),
        expiring=expiring(grant),
    )


def request_public(
    req: ShareRequest,
    system: ConsumerSystem,
    resource: ResourcePublic,
    clock: Any = None,
    grant_id: int | None = None,
) -> RequestPublic:
    return RequestPublic(
        id=req.id,
        system_id=system.id,
        system_name=system.name,
        resource_id=resource.id,
        resource_code=resource.code,
        resource_name=resource.name,
        department_id=req.department_id,
        provider_department_id=req.provider_department_id,
        share_type=req.share_type,
        purpose=req.purpose,
        scenario=req.scenario,
        legal_basis=req.legal_basis,
        items=list(req.items),
        row_filter=[RowScope(**f) for f in req.row_filter],
        days=req.days,
        volume=req.volume,
        status=req.status,
        status_label=_(STATUS_LABELS[req.status]),
        submitted_at=req.submitted_at,
        decided_at=req.decided_at,
        reason=req.reason,
        due=clock.due if clock else None,
        working_days_left=clock.working_days_left if clock else None,
        overdue=bool(clock and clock.overdue),
        stage=clock.stage if clock else None,
        grant_id=grant_id,
        objection=req.objection,
        objected_at=req.objected_at,
        arbitration=req.arbitration,
        arbitration_label=_(ARBITRATION_LABELS[req.arbitration]) if req.arbitration else "",
        arbitration_note=req.arbitration_note,
        arbitrated_at=req.arbitrated_at,
    )


def grant_ids(session: Session, request_ids: list[int]) -> dict[int, int]:
    if not request_ids:
        return {}
    rows = session.execute(
        select(Grant.request_id, Grant.id).where(Grant.request_id.in_(request_ids))
    ).all()
    return {int(r): int(g) for r, g in rows}
