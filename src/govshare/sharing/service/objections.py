"""Objections (异议) to refusals and 市电政办's arbitration of them.

The consumer may object to a refusal, with reasons, within ``GOVSHARE_SHARING_OBJECTION_DAYS``
working days of it (once per request). The objection waits on the ``sharing.arbitration`` clock
(``GOVSHARE_SHARING_ARBITRATION_DAYS`` working days; reminders by ``send_deadline_reminders``)
for 市电政办, who upholds the refusal or orders a grant, narrowed as a reviewer may narrow an
approval.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.clocks import service as clocks
from govshare.core.db import utcnow
from govshare.core.errors import Conflict
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.sharing import permissions
from govshare.sharing.models import ShareRequest
from govshare.sharing.schemas import Arbitration, Objection, RequestPublic
from govshare.sharing.service.common import load_request
from govshare.sharing.service.requests import (
    DECIDER_ROLES,
    _publics,
    _snapshot,
    _tell_consumer,
    grant_as_decided,
    objection_until,
)


def _office(session: Session) -> list[int]:
    return [
        m.department.id
        for m in accounts.find_units(session, SYSTEM, ["市电政办"])
        if m.department is not None
    ]


def _state(req: ShareRequest) -> dict[str, object]:
    return _snapshot(req) | {"objection": req.objection, "arbitration": req.arbitration}


def object_to_refusal(
    session: Session,
    actor: Actor,
    request_id: int,
    data: Objection,
    *,
    now: dt.datetime | None = None,
) -> RequestPublic:
    """Object to a refusal (提出异议) with reasons, within the objection period, once."""
    req = load_request(session, actor, request_id)
    require(
        permissions.can_object_to_refusal(actor, req.department_id),
        "sharing.object_to_refusal",
        ("sharing_request", str(req.id), req.audit_label()),
    )
    if req.objected_at is not None:
        raise Conflict(_("该申请已提出过异议，不能重复提出。"), action="sharing.object_to_refusal")
    if req.status != "refused":
        raise Conflict(_("只能对不予共享的申请提出异议。"), action="sharing.object_to_refusal")
    until = objection_until(req, clocks.get_calendar(session, SYSTEM))
    if until is not None and clocks.today(now) > until:
        raise Conflict(
            _("异议期已于 {until} 届满，不能再提出异议。").format(until=until.isoformat()),
            action="sharing.object_to_refusal",
        )
    before = _state(req)
    req.status = "objected"
    req.objection = data.reason
    req.objected_at = now or utcnow()
    req.objected_by_id = actor.user_id
    session.flush()
    resource = catalog.get_resource(session, SYSTEM, req.resource_id)
    notify.send(
        session,
        actor,
        recipients=Recipients(
            department_ids=[*_office(session), req.provider_department_id],
            roles=["platform_admin", *DECIDER_ROLES],
        ),
        subject=_("共享申请 {id}「{name}」不予共享，申请方提出异议，待市电政办仲裁。").format(
            id=req.id, name=resource.name
        ),
        body=data.reason,
        link=f"/sharing/requests/{req.id}",
        kind="sharing.objection",
        payload={"request": req.id},
    )
    audit.record(session, actor, "sharing.object_to_refusal", req, before=before, after=_state(req))
    return _publics(session, [req], now)[0]


def arbitrate_objection(
    session: Session,
    actor: Actor,
    request_id: int,
    data: Arbitration,
    *,
    now: dt.datetime | None = None,
) -> RequestPublic:
    """市电政办 rules on an objection: uphold the refusal, or order a grant (narrowed as a
    reviewer may: fewer items, a narrower row filter, tighter masks)."""
    req = load_request(session, actor, request_id)
    require(
        permissions.can_arbitrate_objection(actor),
        "sharing.arbitrate_objection",
        ("sharing_request", str(req.id), req.audit_label()),
    )
    if req.status != "objected":
        raise Conflict(_("该申请没有待仲裁的异议。"), action="sharing.arbitrate_objection")
    resource = catalog.get_resource(session, SYSTEM, req.resource_id)
    before = _state(req)
    req.arbitration_note = data.note
    req.arbitrated_at = now or utcnow()
    req.arbitrated_by_id = actor.user_id
    grant_id = None
    if data.outcome == "grant":
        grant_id = grant_as_decided(session, req, resource, data).id
        req.status = "approved"
        req.arbitration = "granted"
        word = _("责令共享，授权已生效")
    else:
        req.status = "refused"
        req.arbitration = "upheld"
        word = _("维持不予共享")
    session.flush()
    subject = _("共享申请 {id}「{name}」的异议已仲裁：{word}。").format(
        id=req.id, name=resource.name, word=word
    )
    _tell_consumer(session, actor, req, subject)
    notify.send(
        session,
        actor,
        recipients=Recipients(department_ids=[req.provider_department_id], roles=DECIDER_ROLES),
        subject=subject,
        body=data.note,
        link=f"/sharing/requests/{req.id}",
        kind="sharing.arbitration",
        payload={"request": req.id, "arbitration": req.arbitration},
    )
    audit.record(
        session,
        actor,
        "sharing.arbitrate_objection",
        req,
        before=before,
        after=_state(req) | {"grant": grant_id, "note": data.note},
    )
    return _publics(session, [req], now)[0]


def list_arbitration_queue(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> list[RequestPublic]:
    """Objections waiting for 市电政办's ruling, the nearest arbitration deadline first."""
    require(permissions.can_list_arbitration_queue(actor), "sharing.list_arbitration_queue")
    reqs = list(session.scalars(select(ShareRequest).where(ShareRequest.status == "objected")))
    out = _publics(session, reqs, now)
    return sorted(out, key=lambda r: (r.arbitration_due or dt.date.max, r.id))
