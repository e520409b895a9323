"""Expiry announcements and renewal (re-certification) of grants.

The scheduler announces grants expiring within ``GOVSHARE_SHARING_EXPIRY_NOTICE_DAYS`` days to the
consumer and the provider, once per validity period. Inside that window the consumer applies for
renewal, stating the purpose again; the provider's reviewer approves (a new validity, counted
from the old end) or lets the grant lapse.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.clocks import service as clocks
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, Grant, GrantRenewal
from govshare.sharing.permissions import APPLICANTS, DECIDERS
from govshare.sharing.schemas import (
    RENEWAL_LABELS,
    Reason,
    RenewalCreate,
    RenewalDecision,
    RenewalPublic,
)
from govshare.sharing.service.common import (
    Resources,
    as_utc,
    expiring,
    grant_state,
    load_grant,
)

EXPIRY = "sharing.grant_expiry"


def _public(session: Session, renewal: GrantRenewal) -> RenewalPublic:
    grant = session.get(Grant, renewal.grant_id)
    assert grant is not None
    system = session.get(ConsumerSystem, grant.system_id)
    assert system is not None
    return RenewalPublic(
        id=renewal.id,
        grant_id=grant.id,
        system_name=system.name,
        resource_name=Resources(session).get(grant.resource_id).name,
        department_id=system.department_id,
        provider_department_id=grant.provider_department_id,
        purpose=renewal.purpose,
        days=renewal.days,
        status=renewal.status,
        status_label=_(RENEWAL_LABELS[renewal.status]),
        submitted_at=renewal.submitted_at,
        decided_at=renewal.decided_at,
        note=renewal.note,
        grant_valid_until=grant.valid_until,
        valid_until=renewal.valid_until,
    )


def _tell(
    session: Session, actor: Actor, to: Recipients, subject: str, link: str, kind: str
) -> None:
    notify.send(session, actor, recipients=to, subject=subject, link=link, kind=kind)


def apply_renewal(
    session: Session,
    actor: Actor,
    grant_id: int,
    data: RenewalCreate,
    *,
    now: dt.datetime | None = None,
) -> RenewalPublic:
    """Apply to renew an expiring grant, stating the purpose again (re-certification)."""
    grant, system = load_grant(session, actor, grant_id)
    require(
        permissions.can_apply_renewal(actor, system.department_id),
        "sharing.apply_renewal",
        ("sharing_grant", str(grant.id), grant.audit_label()),
    )
    now = now or utcnow()
    state = grant_state(grant, now)
    if state != "active":
        raise Conflict(
            _("已吊销或已过期的授权不能续期，请重新提出共享申请。"), action="sharing.apply_renewal"
        )
    if not expiring(grant, now):
        raise Conflict(
            _("授权在 {day} 到期，到期前 {n} 天内才能申请续期。").format(
                day=clocks.today(as_utc(grant.valid_until)).isoformat(),
                n=get_settings().sharing_expiry_notice_days,
            ),
            action="sharing.apply_renewal",
        )
    open_one = session.scalar(
        select(GrantRenewal.id).where(
            GrantRenewal.grant_id == grant.id, GrantRenewal.status == "pending"
        )
    )
    if open_one is not None:
        raise Conflict(
            _("该授权已有待审核的续期申请（编号 {id}）。").format(id=open_one),
            action="sharing.apply_renewal",
        )
    renewal = GrantRenewal(
        grant_id=grant.id,
        requester_id=actor.user_id,
        purpose=data.purpose,
        days=data.days,
        status="pending",
        submitted_at=now,
    )
    session.add(renewal)
    session.flush()
    _tell(
        session,
        actor,
        Recipients(department_ids=[grant.provider_department_id], roles=list(DECIDERS)),
        _("{system} 申请续期授权 {id}。").format(system=system.name, id=grant.id),
        "/sharing/renewals",
        "sharing.renewal",
    )
    audit.record(
        session,
        actor,
        "sharing.apply_renewal",
        renewal,
        after={"grant": grant.id, "purpose": data.purpose, "days": data.days},
    )
    return _public(session, renewal)


def _pending(
    session: Session, actor: Actor, renewal_id: int, action: str
) -> tuple[GrantRenewal, Grant, ConsumerSystem]:
    renewal = session.get(GrantRenewal, renewal_id)
    if renewal is None:
        raise NotFound(_("续期申请不存在。"))
    try:
        grant, system = load_grant(session, actor, renewal.grant_id)
    except NotFound:
        raise NotFound(_("续期申请不存在。")) from None
    check = getattr(permissions, f"can_{action.split('.')[1]}")
    require(
        check(actor, grant.provider_department_id),
        action,
        ("sharing_renewal", str(renewal.id), renewal.audit_label()),
    )
    if renewal.status != "pending":
        raise Conflict(_("该续期申请已处理。"), action=action)
    return renewal, grant, system


def approve_renewal(
    session: Session,
    actor: Actor,
    renewal_id: int,
    data: RenewalDecision,
    *,
    now: dt.datetime | None = None,
) -> RenewalPublic:
    """Approve a renewal: the grant's validity runs on from its old end (or from now, if it
    lapsed meanwhile) for the days asked or fewer; the restated purpose becomes the grant's."""
    action = "sharing.approve_renewal"
    renewal, grant, system = _pending(session, actor, renewal_id, action)
    if grant.revoked_at is not None:
        raise Conflict(_("授权已吊销，不能续期。"), action=action)
    now = now or utcnow()
    before = {"valid_until": grant.valid_until, "purpose": grant.purpose}
    days = data.days or renewal.days
    grant.valid_until = max(as_utc(grant.valid_until), now) + dt.timedelta(days=days)
    grant.purpose = renewal.purpose
    renewal.status = "approved"
    renewal.decided_at = now
    renewal.decided_by_id = actor.user_id
    renewal.note = data.note
    renewal.valid_until = grant.valid_until
    session.flush()
    _tell(
        session,
        actor,
        Recipients(department_ids=[system.department_id], roles=list(APPLICANTS)),
        _("授权 {id} 已续期至 {day}。").format(
            id=grant.id, day=clocks.today(as_utc(grant.valid_until)).isoformat()
        ),
        "/sharing/grants",
        "sharing.renewal",
    )
    audit.record(
        session,
        actor,
        action,
        renewal,
        before=before,
        after={"valid_until": grant.valid_until, "purpose": grant.purpose, "days": days},
    )
    return _public(session, renewal)


def refuse_renewal(
    session: Session,
    actor: Actor,
    renewal_id: int,
    data: Reason,
    *,
    now: dt.datetime | None = None,
) -> RenewalPublic:
    """Let the grant lapse: the renewal is refused with a reason; the grant ends as it was."""
    action = "sharing.refuse_renewal"
    renewal, grant, system = _pending(session, actor, renewal_id, action)
    renewal.status = "lapsed"
    renewal.decided_at = now or utcnow()
    renewal.decided_by_id = actor.user_id
    renewal.note = data.reason
    session.flush()
    _tell(
        session,
        actor,
        Recipients(department_ids=[system.department_id], roles=list(APPLICANTS)),
        _("授权 {id} 不予续期，将于有效期满后失效：{reason}").format(
            id=grant.id, reason=data.reason
        ),
        "/sharing/grants",
        "sharing.renewal",
    )
    audit.record(session, actor, action, renewal, after={"reason": data.reason})
    return _public(session, renewal)


def list_renewals(
    session: Session, actor: Actor, *, status: str | None = None
) -> list[RenewalPublic]:
    """Renewals of grants held or given by the actor's department, newest first (platform
    admins and auditors: all)."""
    require(permissions.can_list_renewals(actor), "sharing.list_renewals")
    stmt = (
        select(GrantRenewal)
        .join(Grant, Grant.id == GrantRenewal.grant_id)
        .join(ConsumerSystem, ConsumerSystem.id == Grant.system_id)
        .order_by(GrantRenewal.id.desc())
        .limit(500)
    )
    if not (actor.is_platform_admin or actor.has_role("auditor") or actor.kind == "system"):
        dept = actor.department_id or -1
        stmt = stmt.where(
            (ConsumerSystem.department_id == dept) | (Grant.provider_department_id == dept)
        )
    if status:
        stmt = stmt.where(GrantRenewal.status == status)
    return [_public(session, r) for r in session.scalars(stmt)]


def send_expiry_notices(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Announce grants expiring within the window to the consumer and the provider, once per
    validity period (a renewal's new end is announced again)."""
    require(permissions.can_send_expiry_notices(actor), "sharing.send_expiry_notices")
    now = now or utcnow()
    window = dt.timedelta(days=get_settings().sharing_expiry_notice_days)
    rows = session.execute(
        select(Grant, ConsumerSystem)
        .join(ConsumerSystem, ConsumerSystem.id == Grant.system_id)
        .where(
            Grant.revoked_at.is_(None),
            Grant.valid_until > now,
            Grant.valid_until <= now + window,
            Grant.valid_from <= now,
        )
    ).all()
    announced = 0
    resources = Resources(session)
    for grant, system in rows:
        end = clocks.today(as_utc(grant.valid_until))
        if not clocks.claim_stage(session, SYSTEM, EXPIRY, str(grant.id), "announce", end):
            continue
        subject = _("授权 {id}（{system} 使用「{name}」）将于 {day} 到期，可申请续期。").format(
            id=grant.id, system=system.name, name=resources.get(grant.resource_id).name, day=end
        )
        for dept, roles in (
            (system.department_id, APPLICANTS),
            (grant.provider_department_id, DECIDERS),
        ):
            to = Recipients(department_ids=[dept], roles=list(roles))
            _tell(session, actor, to, subject, "/sharing/grants", "sharing.expiry")
        announced += 1
    session.flush()
    if announced:
        audit.record(
            session,
            actor,
            "sharing.send_expiry_notices",
            ("sharing_grant", "", "expiry notices"),
            details={"announced": announced},
        )
    return {"announced": announced}
