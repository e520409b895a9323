"""Share requests: applying, the provider's decision within the legal limit, reminders.

Unconditional resources are granted at once (the provider is told), 'none' resources are refused
at once with the provider's stated basis, conditional ones wait for the provider's reviewer on
the ``sharing.request`` clock (``GOVSHARE_SHARING_REVIEW_DAYS`` working days, 10 by default; a
ladder a platform admin sets in ``clocks`` takes precedence). A refusal may be objected to and
arbitrated (``objections``); its clock, ``sharing.arbitration``, is evaluated here too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.catalog import service as catalog
from govshare.catalog.schemas import ResourcePublic
from govshare.clocks import service as clocks
from govshare.clocks.schemas import ClockEvent, ClockState
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import Conflict, FieldError, Invalid
from govshare.core.i18n import N_, _
from govshare.core.masking import Mask, default_mask, is_tighter
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.sharing import permissions
from govshare.sharing.models import ConsumerSystem, Grant, ShareRequest
from govshare.sharing.schemas import (
    Decision,
    Reason,
    RequestCreate,
    RequestPublic,
    RowScope,
)
from govshare.sharing.service.common import (
    Resources,
    as_utc,
    grant_ids,
    load_request,
    load_system,
    request_public,
)

KIND = "sharing.request"
ARBITRATION = "sharing.arbitration"
DECIDER_ROLES = ["reviewer", "dept_admin"]


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message)])


def _check_items(resource: ResourcePublic, data: RequestCreate) -> None:
    names = {i.name for i in resource.data_items}
    unknown = [n for n in data.items if n not in names]
    if unknown:
        raise _bad("items", _("该资源没有这些信息项：{names}").format(names="、".join(unknown)))
    if len(set(data.items)) != len(data.items):
        raise _bad("items", _("信息项重复。"))
    bad = [f.item for f in data.row_filter if f.item not in names]
    if bad:
        raise _bad(
            "row_filter", _("行范围使用了不存在的信息项：{names}").format(names="、".join(bad))
        )


def default_masks(resource: ResourcePublic, items: list[str]) -> dict[str, Mask]:
    """The §4.2 mask of each item from its sensitivity and the resource's grading."""
    by_name = {i.name: i for i in resource.data_items}

    def level(name: str) -> int:
        # Personal information (GB/T 35273) is at least sensitive: masked by default.
        item = by_name[name]
        return max(item.sensitivity_level, 2 if item.personal else 1)

    return {
        n: default_mask(n, by_name[n].type_code, level(n), resource.grading_level) for n in items
    }


def _grant(
    session: Session,
    req: ShareRequest,
    resource: ResourcePublic,
    *,
    items: list[str],
    row_filter: list[dict[str, Any]],
    masks: dict[str, Mask],
    days: int,
    rate_limit: int = 50,
    daily_quota: int = 100000,
) -> Grant:
    now = utcnow()
    grant = Grant(
        request_id=req.id,
        system_id=req.system_id,
        resource_id=req.resource_id,
        provider_department_id=req.provider_department_id,
        items=items,
        masks={k: str(v) for k, v in masks.items()},
        row_filter=row_filter,
        purpose=req.purpose,
        valid_from=now,
        valid_until=now + dt.timedelta(days=days),
        rate_limit=rate_limit,
        daily_quota=daily_quota,
    )
    session.add(grant)
    session.flush()
    return grant


def _snapshot(req: ShareRequest) -> dict[str, Any]:
    return {
        "status": req.status,
        "items": list(req.items),
        "row_filter": list(req.row_filter),
        "reason": req.reason,
    }


def _tell_provider(session: Session, actor: Actor, req: ShareRequest, subject: str) -> None:
    notify.send(
        session,
        actor,
        recipients=Recipients(department_ids=[req.provider_department_id], roles=DECIDER_ROLES),
        subject=subject,
        link=f"/sharing/requests/{req.id}",
        kind="sharing.request",
        payload={"request": req.id},
    )


def _tell_consumer(session: Session, actor: Actor, req: ShareRequest, subject: str) -> None:
    notify.send(
        session,
        actor,
        recipients=Recipients(
            user_ids=[req.requester_id] if req.requester_id else [],
            department_ids=[] if req.requester_id else [req.department_id],
        ),
        subject=subject,
        body=req.reason,
        link=f"/sharing/requests/{req.id}",
        kind="sharing.decision",
        payload={"request": req.id, "status": req.status},
    )


def submit_request(session: Session, actor: Actor, data: RequestCreate) -> RequestPublic:
    """Apply for a published resource on behalf of one of the department's systems.

    Unconditional: granted at once. None: refused at once with the provider's basis.
    Conditional: waits for the provider's reviewer on the legal clock.
    """
    system = load_system(session, actor, data.system_id)
    require(
        permissions.can_submit_request(actor, system.department_id),
        "sharing.submit_request",
        ("sharing_system", str(system.id), system.name),
    )
    resource = catalog.get_resource(session, actor, data.resource_id)
    if resource.status != "published":
        raise Conflict(_("只能申请已发布的信息资源。"))
    _check_items(resource, data)
    open_req = session.scalar(
        select(ShareRequest.id).where(
            ShareRequest.system_id == system.id,
            ShareRequest.resource_id == resource.id,
            ShareRequest.status.in_(("pending", "returned", "objected")),
        )
    )
    if open_req is not None:
        raise Conflict(_("该系统对此资源已有待办的申请（编号 {id}）。").format(id=open_req))
    req = ShareRequest(
        system_id=system.id,
        resource_id=resource.id,
        department_id=system.department_id,
        provider_department_id=resource.provider_department_id,
        requester_id=actor.user_id,
        share_type=resource.share_type,
        purpose=data.purpose,
        scenario=data.scenario,
        legal_basis=data.legal_basis,
        items=list(data.items),
        row_filter=[f.model_dump() for f in data.row_filter],
        days=data.days,
        volume=data.volume,
        status="pending",
        submitted_at=utcnow(),
    )
    session.add(req)
    session.flush()
    grant_id = None
    if resource.share_type == "unconditional":
        req.status = "approved"
        req.decided_at = utcnow()
        grant = _grant(
            session,
            req,
            resource,
            items=list(data.items),
            row_filter=req.row_filter,
            masks=default_masks(resource, list(data.items)),
            days=data.days,
        )
        grant_id = grant.id
        _tell_provider(
            session,
            actor,
            req,
            _("无条件共享资源「{name}」已授权给 {system}。").format(
                name=resource.name, system=system.name
            ),
        )
    elif resource.share_type == "none":
        req.status = "refused"
        req.decided_at = utcnow()
        req.reason = _("该资源为不予共享类。依据：{basis}").format(
            basis=resource.legal_basis or resource.share_conditions or _("提供部门未填写")
        )
    else:
        _tell_provider(
            session,
            actor,
            req,
            _("新的共享申请：{system} 申请「{name}」。").format(
                system=system.name, name=resource.name
            ),
        )
    session.flush()
    audit.record(
        session,
        actor,
        "sharing.submit_request",
        req,
        after=_snapshot(req) | {"resource": resource.code, "system": system.name},
    )
    return request_public(req, system, resource, _clock(session, req), grant_id)


def update_request(
    session: Session, actor: Actor, request_id: int, data: RequestCreate
) -> RequestPublic:
    """Complete a returned request and send it again: its clock starts anew."""
    req = load_request(session, actor, request_id)
    require(
        permissions.can_update_request(actor, req.department_id),
        "sharing.update_request",
        ("sharing_request", str(req.id), req.audit_label()),
    )
    if req.status != "returned":
        raise Conflict(_("只有退回补充的申请才能修改后重新提交。"))
    if data.resource_id != req.resource_id or data.system_id != req.system_id:
        raise _bad("resource_id", _("重新提交时不能更换资源或系统。"))
    resource = catalog.get_resource(session, actor, req.resource_id)
    _check_items(resource, data)
    before = _snapshot(req)
    req.purpose = data.purpose
    req.scenario = data.scenario
    req.legal_basis = data.legal_basis
    req.items = list(data.items)
    req.row_filter = [f.model_dump() for f in data.row_filter]
    req.days = data.days
    req.volume = data.volume
    req.status = "pending"
    req.reason = ""
    req.submitted_at = utcnow()
    req.decided_at = None
    session.flush()
    _tell_provider(session, actor, req, _("共享申请 {id} 已补充后重新提交。").format(id=req.id))
    audit.record(session, actor, "sharing.update_request", req, before=before, after=_snapshot(req))
    system = session.get(ConsumerSystem, req.system_id)
    assert system is not None
    return request_public(req, system, resource, _clock(session, req))


def _pending(session: Session, actor: Actor, request_id: int, action: str) -> ShareRequest:
    req = load_request(session, actor, request_id)
    check = getattr(permissions, f"can_{action.split('.')[1]}")
    require(
        check(actor, req.provider_department_id),
        action,
        ("sharing_request", str(req.id), req.audit_label()),
    )
    if req.status != "pending":
        raise Conflict(_("该申请已处理，不能再审核。"))
    return req


def _narrowed_filter(req: ShareRequest, chosen: list[RowScope] | None) -> list[dict[str, Any]]:
    asked = [RowScope(**f) for f in req.row_filter]
    if chosen is None:
        return [f.model_dump() for f in asked]
    by_item = {f.item: set(f.values) for f in chosen}
    for f in asked:
        if f.item not in by_item or not by_item[f.item] <= set(f.values):
            raise _bad(
                "row_filter",
                _("审核只能收窄申请的行范围：{item} 应在申请的取值之内。").format(item=f.item),
            )
    return [f.model_dump() for f in chosen]


def approve_request(
    session: Session, actor: Actor, request_id: int, data: Decision
) -> RequestPublic:
    """Approve a pending request, possibly narrowed (items, rows) and with tighter masks."""
    req = _pending(session, actor, request_id, "sharing.approve_request")
    resource = catalog.get_resource(session, SYSTEM, req.resource_id)
    before = _snapshot(req)
    grant = grant_as_decided(session, req, resource, data)
    req.status = "approved"
    req.decided_at = utcnow()
    req.decided_by_id = actor.user_id
    req.reason = data.note
    _tell_consumer(
        session,
        actor,
        req,
        _("共享申请 {id}「{name}」已批准。").format(id=req.id, name=resource.name),
    )
    audit.record(
        session,
        actor,
        "sharing.approve_request",
        req,
        before=before,
        after=_snapshot(req) | {"grant": grant.id, "masks": grant.masks},
    )
    system = session.get(ConsumerSystem, req.system_id)
    assert system is not None
    return request_public(req, system, resource, _clock(session, req), grant.id)


def grant_as_decided(
    session: Session, req: ShareRequest, resource: ResourcePublic, data: Decision
) -> Grant:
    """The grant on ``req`` with the terms of ``data`` (checked by ``approved_terms``)."""
    items, row_filter, masks = approved_terms(req, resource, data)
    return _grant(
        session,
        req,
        resource,
        items=items,
        row_filter=row_filter,
        masks=masks,
        days=data.days or req.days,
        rate_limit=data.rate_limit,
        daily_quota=data.daily_quota,
    )


def approved_terms(
    req: ShareRequest, resource: ResourcePublic, data: Decision
) -> tuple[list[str], list[dict[str, Any]], dict[str, Mask]]:
    """The items, row filter and masks of a grant on ``req`` as ``data`` narrows them: only
    items asked for, only inside the asked row scope, masks only tighter than the defaults."""
    items = list(data.items) if data.items is not None else list(req.items)
    if not items:
        raise _bad("items", _("至少批准一个信息项。"))
    extra = [i for i in items if i not in req.items]
    if extra:
        raise _bad("items", _("不能批准未申请的信息项：{names}").format(names="、".join(extra)))
    row_filter = _narrowed_filter(req, data.row_filter)
    names = {i.name for i in resource.data_items}
    unknown = [f["item"] for f in row_filter if f["item"] not in names]
    if unknown:
        raise _bad(
            "row_filter",
            _("行范围使用了不存在的信息项：{names}").format(names="、".join(unknown)),
        )
    masks = default_masks(resource, items)
    for item, mask in data.masks.items():
        if item not in masks:
            raise _bad(f"masks.{item}", _("「{item}」不在批准的信息项中。").format(item=item))
        if not is_tighter(mask, masks[item]):
            raise _bad(
                f"masks.{item}",
                _("「{item}」的脱敏方式只能比默认的更严格。").format(item=item),
            )
        masks[item] = mask
    return items, row_filter, masks


def _decide(
    session: Session, actor: Actor, request_id: int, data: Reason, action: str, status: str
) -> RequestPublic:
    req = _pending(session, actor, request_id, action)
    before = _snapshot(req)
    req.status = status
    req.reason = data.reason
    req.decided_at = utcnow()
    req.decided_by_id = actor.user_id
    session.flush()
    resource = catalog.get_resource(session, SYSTEM, req.resource_id)
    word = _("不予共享") if status == "refused" else _("退回补充")
    _tell_consumer(
        session,
        actor,
        req,
        _("共享申请 {id}「{name}」：{word}").format(id=req.id, name=resource.name, word=word),
    )
    audit.record(session, actor, action, req, before=before, after=_snapshot(req))
    system = session.get(ConsumerSystem, req.system_id)
    assert system is not None
    return request_public(req, system, resource, _clock(session, req))


def refuse_request(session: Session, actor: Actor, request_id: int, data: Reason) -> RequestPublic:
    """Refuse a pending request; the reason is required and shown to the consumer."""
    return _decide(session, actor, request_id, data, "sharing.refuse_request", "refused")


def return_request(session: Session, actor: Actor, request_id: int, data: Reason) -> RequestPublic:
    """Return a pending request for more information; its clock pauses until it is resent."""
    return _decide(session, actor, request_id, data, "sharing.return_request", "returned")


# --- the clock ---------------------------------------------------------------------------------


def _events(req: ShareRequest) -> list[ClockEvent]:
    if req.decided_at is None:
        return []
    on = clocks.today(as_utc(req.decided_at))
    if req.status == "returned":
        return [ClockEvent(type="pause", on=on)]
    return [ClockEvent(type="done", on=on)]


def _clock(
    session: Session,
    req: ShareRequest,
    now: dt.datetime | None = None,
    calendar: Any = None,
    ladder: Any = None,
) -> ClockState | None:
    if req.share_type != "conditional":
        return None
    return clocks.evaluate_clock(
        session,
        SYSTEM,
        KIND,
        started_at=as_utc(req.submitted_at),
        events=_events(req),
        now=now,
        calendar=calendar,
        ladder=ladder,
    )


def arbitration_clock(
    session: Session,
    req: ShareRequest,
    now: dt.datetime | None = None,
    calendar: Any = None,
    ladder: Any = None,
) -> ClockState | None:
    """The ``sharing.arbitration`` clock of an objection: from the objection to the ruling."""
    if req.objected_at is None:
        return None
    events = []
    if req.arbitrated_at is not None:
        events = [ClockEvent(type="done", on=clocks.today(as_utc(req.arbitrated_at)))]
    return clocks.evaluate_clock(
        session,
        SYSTEM,
        ARBITRATION,
        started_at=as_utc(req.objected_at),
        events=events,
        now=now,
        calendar=calendar,
        ladder=ladder,
    )


def objection_until(req: ShareRequest, calendar: Any) -> dt.date | None:
    """The last day the consumer may object to a refusal (None: no refusal to object to)."""
    if req.status != "refused" or req.decided_at is None or req.objected_at is not None:
        return None
    days = get_settings().sharing_objection_days
    result: dt.date = calendar.add_working_days(clocks.today(as_utc(req.decided_at)), days)
    return result


def _publics(
    session: Session, reqs: list[ShareRequest], now: dt.datetime | None = None
) -> list[RequestPublic]:
    resources = Resources(session)
    systems = {
        s.id: s
        for s in session.scalars(
            select(ConsumerSystem).where(ConsumerSystem.id.in_({r.system_id for r in reqs}))
        )
    }
    grants = grant_ids(session, [r.id for r in reqs])
    cal = clocks.get_calendar(session, SYSTEM)
    ladder = clocks.get_ladder(session, SYSTEM, KIND)
    arb_ladder = clocks.get_ladder(session, SYSTEM, ARBITRATION)
    out = []
    for r in reqs:
        resource = resources.get(r.resource_id)
        public = request_public(
            r,
            systems[r.system_id],
            resource,
            _clock(session, r, now, cal, ladder),
            grants.get(r.id),
        )
        public.default_masks = {k: str(v) for k, v in default_masks(resource, r.items).items()}
        public.objection_until = objection_until(r, cal)
        arb = arbitration_clock(session, r, now, cal, arb_ladder) if r.objected_at else None
        if arb is not None:
            public.arbitration_due = arb.due
            public.arbitration_days_left = arb.working_days_left
            public.arbitration_overdue = r.status == "objected" and arb.overdue
        out.append(public)
    return out


def get_request(
    session: Session, actor: Actor, request_id: int, *, now: dt.datetime | None = None
) -> RequestPublic:
    """One request with its clock (applying or providing department, 市电政办, auditors)."""
    req = load_request(session, actor, request_id)
    require(
        permissions.can_get_request(actor, req.department_id, req.provider_department_id),
        "sharing.get_request",
    )
    return _publics(session, [req], now)[0]


def list_requests(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    now: dt.datetime | None = None,
    limit: int = 200,
) -> list[RequestPublic]:
    """The requests of the actor's department (as applicant), newest first."""
    require(permissions.can_list_requests(actor), "sharing.list_requests")
    stmt = select(ShareRequest).order_by(ShareRequest.id.desc()).limit(limit)
    if not (actor.is_platform_admin or actor.has_role("auditor") or actor.kind == "system"):
        stmt = stmt.where(ShareRequest.department_id == (actor.department_id or -1))
    if status:
        stmt = stmt.where(ShareRequest.status == status)
    return _publics(session, list(session.scalars(stmt)), now)


def list_review_queue(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> list[RequestPublic]:
    """Pending requests for the actor's department's resources, the most urgent first
    (platform admins: every department's, to follow up overdue ones)."""
    require(permissions.can_list_review_queue(actor), "sharing.list_review_queue")
    stmt = select(ShareRequest).where(ShareRequest.status == "pending")
    if not actor.is_platform_admin:
        stmt = stmt.where(ShareRequest.provider_department_id == (actor.department_id or -1))
    out = _publics(session, list(session.scalars(stmt)), now)
    return sorted(out, key=lambda r: (r.due or dt.date.max, r.id))


_SUBJECTS = {
    KIND: {
        "remind": N_("【提醒】共享申请 {id} 应于 {due} 前答复。"),
        "urge": N_("【催办】共享申请 {id} 已超过答复期限（{due}）。"),
        "supervise": N_("【督办】共享申请 {id} 超期未答复（期限 {due}），已报市电政办。"),
        "notify": N_("【通报】共享申请 {id} 严重超期未答复（期限 {due}）。"),
    },
    ARBITRATION: {
        "remind": N_("【提醒】共享申请 {id} 的异议应于 {due} 前仲裁。"),
        "urge": N_("【催办】共享申请 {id} 的异议已超过仲裁期限（{due}）。"),
        "supervise": N_("【督办】共享申请 {id} 的异议超期未仲裁（期限 {due}）。"),
        "notify": N_("【通报】共享申请 {id} 的异议严重超期未仲裁（期限 {due}）。"),
    },
}


def _reminded(session: Session, req: ShareRequest, kind: str, stage: str) -> Recipients:
    """Who a reminder goes to: the provider's deciders (escalated: and 市电政办); an
    arbitration's: 市电政办."""
    office = [
        m.department.id
        for m in accounts.find_units(session, SYSTEM, ["市电政办"])
        if m.department is not None
    ]
    if kind == ARBITRATION:
        return Recipients(department_ids=office, roles=["platform_admin"])
    if stage in ("supervise", "notify"):
        return Recipients(
            department_ids=[req.provider_department_id, *office],
            roles=[*DECIDER_ROLES, "platform_admin"],
        )
    return Recipients(department_ids=[req.provider_department_id], roles=DECIDER_ROLES)


def send_deadline_reminders(
    session: Session, actor: Actor, *, now: dt.datetime | None = None
) -> dict[str, int]:
    """Tell the provider as a pending request nears and passes its limit; escalate overdue ones
    to 市电政办 (督办 and 通报 stages); tell 市电政办 as an objection's arbitration nears and
    passes its limit. Each stage is sent once per case."""
    require(permissions.can_send_deadline_reminders(actor), "sharing.send_deadline_reminders")
    reqs = list(
        session.scalars(
            select(ShareRequest).where(
                ((ShareRequest.status == "pending") & (ShareRequest.share_type == "conditional"))
                | (ShareRequest.status == "objected")
            )
        )
    )
    cal = clocks.get_calendar(session, SYSTEM)
    ladders = {k: clocks.get_ladder(session, SYSTEM, k) for k in (KIND, ARBITRATION)}
    sent = {"remind": 0, "urge": 0, "supervise": 0, "notify": 0}
    for req in reqs:
        kind = ARBITRATION if req.status == "objected" else KIND
        clock = arbitration_clock if kind == ARBITRATION else _clock
        state = clock(session, req, now, cal, ladders[kind])
        if state is None:
            continue
        for stage in state.reached:
            if stage not in sent or not clocks.claim_stage(
                session, SYSTEM, kind, str(req.id), stage, state.due
            ):
                continue
            notify.send(
                session,
                actor,
                recipients=_reminded(session, req, kind, stage),
                subject=_(_SUBJECTS[kind][stage]).format(id=req.id, due=state.due.isoformat()),
                link=f"/sharing/requests/{req.id}",
                kind=f"{kind}.{stage}" if kind == ARBITRATION else f"sharing.{stage}",
                payload={"request": req.id, "due": state.due.isoformat()},
            )
            sent[stage] += 1
    session.flush()
    if any(sent.values()):
        audit.record(
            session,
            actor,
            "sharing.send_deadline_reminders",
            ("sharing_request", "", "reminders"),
            details=sent,
        )
    return sent
