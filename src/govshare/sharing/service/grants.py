"""Grants: what each consumer system may read; revocation takes effect on the next call."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.db import utcnow
from govshare.core.security import Actor, require
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, Grant, GrantRenewal
from govshare.sharing.schemas import GrantPublic, Reason
from govshare.sharing.service.common import Resources, grant_public, load_grant


def list_grants(session: Session, actor: Actor) -> list[GrantPublic]:
    """Grants held by the actor's department's systems or given on its resources, newest first
    (platform admins and auditors: all)."""
    require(permissions.can_list_grants(actor), "sharing.list_grants")
    stmt = (
        select(Grant, ConsumerSystem)
        .join(ConsumerSystem, ConsumerSystem.id == Grant.system_id)
        .order_by(Grant.id.desc())
        .limit(500)
    )
    if not (actor.is_platform_admin or actor.has_role("auditor") or actor.kind == "system"):
        dept = actor.department_id or -1
        stmt = stmt.where(
            (ConsumerSystem.department_id == dept) | (Grant.provider_department_id == dept)
        )
    resources = Resources(session)
    out = [grant_public(g, s, resources.get(g.resource_id)) for g, s in session.execute(stmt)]
    latest = session.execute(
        select(GrantRenewal.grant_id, GrantRenewal.id, GrantRenewal.status)
        .where(GrantRenewal.grant_id.in_([g.id for g in out]))
        .order_by(GrantRenewal.id)
    ).all()
    renewals = {int(g): (int(r), str(st)) for g, r, st in latest}
    for g in out:
        if g.id in renewals:
            g.renewal_id, g.renewal_status = renewals[g.id]  # type: ignore[assignment]
    return out


def get_grant(session: Session, actor: Actor, grant_id: int) -> GrantPublic:
    """One grant (consumer's and provider's departments, 市电政办, auditors)."""
    grant, system = load_grant(session, actor, grant_id)
    require(
        permissions.can_get_grant(actor, system.department_id, grant.provider_department_id),
        "sharing.get_grant",
    )
    return grant_public(grant, system, Resources(session).get(grant.resource_id))


def revoke_grant(session: Session, actor: Actor, grant_id: int, data: Reason) -> GrantPublic:
    """Revoke a grant at once: the very next call under it is refused."""
    grant, system = load_grant(session, actor, grant_id)
    require(
        permissions.can_revoke_grant(actor, system.department_id, grant.provider_department_id),
        "sharing.revoke_grant",
        ("sharing_grant", str(grant.id), grant.audit_label()),
    )
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        grant.revoked_reason = data.reason
        session.flush()
        audit.record(session, actor, "sharing.revoke_grant", grant, after={"reason": data.reason})
    return grant_public(grant, system, Resources(session).get(grant.resource_id))
