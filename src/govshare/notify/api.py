"""JSON API of notifications, webhooks and the outbox (/api/v1/notify)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from govshare.core.config import get_settings
from govshare.core.pagination import Page, clamp_limit
from govshare.core.web import SessionDep, UserDep
from govshare.notify import service
from govshare.notify.schemas import (
    DeliveryPublic,
    DeliveryReport,
    NotificationPublic,
    OutboxPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)

router = APIRouter(prefix="/notify", tags=["notify"])


def _limit(limit: int | None) -> int:
    s = get_settings()
    return clamp_limit(limit, s.page_size, s.page_size_max)


@router.get("/notifications", response_model=Page[NotificationPublic])
def list_notifications(
    session: SessionDep,
    actor: UserDep,
    unread: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[NotificationPublic]:
    """The caller's notifications, newest first."""
    n = _limit(limit)
    rows, nxt = service.list_notifications(
        session, actor, unread_only=unread, cursor=cursor, limit=n
    )
    return Page(
        items=[NotificationPublic.model_validate(r) for r in rows], next_cursor=nxt, limit=n
    )


@router.get("/notifications/unread-count", response_model=int)
def unread_count(session: SessionDep, actor: UserDep) -> int:
    """How many of the caller's notifications are unread."""
    return service.unread_count(session, actor)


@router.post("/notifications/{notification_id}/read", response_model=NotificationPublic)
def mark_read(session: SessionDep, actor: UserDep, notification_id: int) -> NotificationPublic:
    """Mark one notification read."""
    return NotificationPublic.model_validate(service.mark_read(session, actor, notification_id))


@router.post("/notifications/read-all", response_model=int)
def mark_all_read(session: SessionDep, actor: UserDep) -> int:
    """Mark all the caller's notifications read; returns how many were unread."""
    return service.mark_all_read(session, actor)


@router.get("/webhooks", response_model=list[WebhookPublic])
def list_webhooks(session: SessionDep, actor: UserDep) -> list[WebhookPublic]:
    """Webhooks the caller manages."""
    return service.list_webhooks(session, actor)


@router.post("/webhooks", response_model=WebhookCreated, status_code=201)
def create_webhook(
    session: SessionDep, actor: UserDep, data: WebhookCreate, response: Response
) -> WebhookCreated:
    """Register a webhook. Calls carry `X-Govshare-Signature: sm3=<HMAC-SM3 hex>` over
    `<X-Govshare-Timestamp>.<body>` with the secret returned here (shown only this once)."""
    response.headers["Cache-Control"] = "no-store"
    return service.create_webhook(session, actor, data)


@router.put("/webhooks/{webhook_id}/active", response_model=WebhookPublic)
def set_webhook_active(
    session: SessionDep, actor: UserDep, webhook_id: int, active: bool
) -> WebhookPublic:
    """Switch a webhook on or off."""
    return service.set_webhook_active(session, actor, webhook_id, active=active)


@router.get("/outbox", response_model=Page[OutboxPublic])
def list_outbox(
    session: SessionDep,
    actor: UserDep,
    status: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[OutboxPublic]:
    """Outbox messages and their state (platform admins)."""
    n = _limit(limit)
    rows, nxt = service.list_outbox(session, actor, status=status, cursor=cursor, limit=n)
    return Page(items=[OutboxPublic.model_validate(r) for r in rows], next_cursor=nxt, limit=n)


@router.get("/outbox/{message_id}/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(session: SessionDep, actor: UserDep, message_id: int) -> list[DeliveryPublic]:
    """The delivery log of one message."""
    return [
        DeliveryPublic.model_validate(d)
        for d in service.list_deliveries(session, actor, message_id)
    ]


@router.post("/outbox/deliver", response_model=DeliveryReport)
def deliver_outbox(session: SessionDep, actor: UserDep) -> DeliveryReport:
    """Run one delivery pass now (platform admins)."""
    return service.deliver_outbox(session, actor)


@router.post("/outbox/{message_id}/retry", response_model=OutboxPublic)
def retry_message(session: SessionDep, actor: UserDep, message_id: int) -> OutboxPublic:
    """Queue a message again."""
    return OutboxPublic.model_validate(service.retry_message(session, actor, message_id))
