"""Public data requests (数据需求): a visitor asks for data not yet open, the e-government office
routes the request to the likely provider, the provider answers publicly by the deadline and
links the resource once it is open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.clocks import service as clocks
from govshare.core.config import get_settings
from govshare.core.db import local_today, utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.masking import mask_name
from govshare.core.security import Actor, require
from govshare.notify import service as notify
from govshare.notify.schemas import Recipients
from govshare.opendata import permissions
from govshare.opendata.models import DataRequest, PublicUser
from govshare.opendata.schemas import DataRequestAnswer, DataRequestCreate, DataRequestPublic
from govshare.opendata.service._common import PORTAL, open_resource


def _public(req: DataRequest) -> DataRequestPublic:
    out = DataRequestPublic.model_validate(req)
    out.requester_name = mask_name(req.requester_name) or ""
    return out


def _load(session: Session, request_id: int) -> DataRequest:
    req = session.get(DataRequest, request_id)
    if req is None:
        raise NotFound(_("数据需求不存在。"))
    return req


def submit_data_request(
    session: Session, actor: Actor, data: DataRequestCreate, *, visitor: PublicUser | None = None
) -> DataRequest:
    """Record a public data request; it waits for the e-government office to route it."""
    require(permissions.can_submit_data_request(actor), "opendata.submit_data_request")
    req = DataRequest(
        title=data.title,
        description=data.description,
        requester_name=data.requester_name,
        requester_kind=data.requester_kind,
        public_user_id=visitor.id if visitor else None,
    )
    session.add(req)
    session.flush()
    audit.record(session, actor, "opendata.submit_data_request", req, after={"title": req.title})
    return req


def list_data_requests(
    session: Session, actor: Actor, *, status: str | None = None, page: int = 1, size: int = 20
) -> tuple[list[DataRequestPublic], int]:
    """Public data requests, newest first, with the total."""
    require(permissions.can_list_data_requests(actor), "opendata.list_data_requests")
    if page < 1 or page > 500:
        raise Invalid(_("页码无效。"), errors=[FieldError("page", _("页码无效。"))])
    stmt = select(DataRequest)
    if status:
        stmt = stmt.where(DataRequest.status == status)
    total = int(session.scalar(stmt.with_only_columns(func.count())) or 0)
    rows = session.scalars(
        stmt.order_by(DataRequest.id.desc()).offset((page - 1) * size).limit(size)
    ).all()
    return [_public(r) for r in rows], total


def get_data_request(session: Session, actor: Actor, request_id: int) -> DataRequestPublic:
    """One data request with its answer."""
    require(permissions.can_get_data_request(actor), "opendata.get_data_request")
    return _public(_load(session, request_id))


def assign_data_request(
    session: Session, actor: Actor, request_id: int, department_id: int
) -> DataRequest:
    """Route a request to the likely provider, who must answer within the configured working
    days (the provider's staff are told)."""
    require(permissions.can_assign_data_request(actor), "opendata.assign_data_request")
    req = _load(session, request_id)
    if req.status == "answered":
        raise Conflict(_("该需求已经答复。"))
    dept = accounts.get_department(session, actor, department_id)
    before = {"status": req.status, "provider": req.provider_name}
    req.provider_department_id, req.provider_name = dept.id, dept.name
    req.status = "assigned"
    req.due_date = clocks.add_working_days(
        session, actor, local_today(), get_settings().opendata_request_days
    ).result
    session.flush()
    notify.send(
        session,
        PORTAL,
        recipients=Recipients(department_ids=[dept.id], roles=["steward", "dept_admin"]),
        subject=_("公众数据需求：{title}").format(title=req.title[:100]),
        body=_("请在 {due} 前公开答复。").format(due=req.due_date.isoformat()),
        link="/open-admin/requests",
        kind="opendata.request",
    )
    audit.record(
        session,
        actor,
        "opendata.assign_data_request",
        req,
        before=before,
        after={"status": req.status, "provider": req.provider_name},
    )
    return req


def answer_data_request(
    session: Session, actor: Actor, request_id: int, data: DataRequestAnswer
) -> DataRequest:
    """The provider's public answer; with ``resource_id`` when the data is now open."""
    req = _load(session, request_id)
    require(
        permissions.can_answer_data_request(actor, req),
        "opendata.answer_data_request",
        ("data_request", str(req.id), req.title),
    )
    if req.status == "submitted" and not actor.is_platform_admin:
        raise Conflict(_("该需求还没有分派。"))
    if data.resource_id is not None:
        open_resource(session, actor, data.resource_id)  # NotFound unless released
    before = {"status": req.status, "answer": req.answer}
    req.answer, req.resource_id = data.answer, data.resource_id
    req.status, req.answered_at, req.answered_by_id = "answered", utcnow(), actor.user_id
    session.flush()
    audit.record(
        session,
        actor,
        "opendata.answer_data_request",
        req,
        before=before,
        after={"status": req.status, "resource_id": req.resource_id},
    )
    return req


def list_request_providers(session: Session, actor: Actor) -> list[Any]:
    """The departments a data request can be routed to (city departments and counties)."""
    require(permissions.can_list_request_providers(actor), "opendata.list_request_providers")
    units, _c = accounts.list_departments(session, actor, limit=10_000)
    kinds = ("municipal", "vertical", "county")
    return [u for u in units if getattr(u.kind, "value", str(u.kind)) in kinds]
