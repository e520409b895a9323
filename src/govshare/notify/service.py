"""Telling people things: in-app notifications, and an outbox of e-mails and webhook calls.

``send`` writes everything in the caller's transaction: the notifications, and one outbox row per
e-mail and per webhook call. Nothing leaves the platform until that transaction commits; then
``deliver_outbox`` (kicked right after the commit by the in-process scheduler, and run on every
tick) sends what is due, records each attempt, and retries failures with a doubling back-off.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import utcnow
from govshare.core.errors import FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.masking import mask_email
from govshare.core.pagination import keyset_page
from govshare.core.security import SYSTEM, Actor, require
from govshare.notify import delivery, permissions
from govshare.notify.models import DeliveryAttempt, Notification, OutboxMessage, WebhookEndpoint
from govshare.notify.schemas import (
    DeliveryReport,
    Recipients,
    SendResult,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)

# The use cases (``set_after_commit_hook`` is start-up wiring, not a use case).
__all__ = [
    "create_webhook",
    "deliver_outbox",
    "list_deliveries",
    "list_notifications",
    "list_outbox",
    "mark_all_read",
    "mark_read",
    "retry_message",
    "send",
    "send_email",
    "set_webhook_active",
    "unread_count",
]

# Set by the application (main.py) to start a delivery pass soon after a commit that queued mail.
_after_commit_hook: Callable[[], None] | None = None
_OUTBOX_FLAG = "notify_outbox_pending"


def set_after_commit_hook(hook: Callable[[], None] | None) -> None:
    """Install (or remove) what runs after a commit that queued outbox messages."""
    global _after_commit_hook
    _after_commit_hook = hook


@event.listens_for(Session, "after_commit")
def _kick_delivery(session: Session) -> None:
    if session.info.pop(_OUTBOX_FLAG, False) and _after_commit_hook is not None:
        _after_commit_hook()


@event.listens_for(Session, "after_rollback")
def _forget_delivery(session: Session) -> None:
    session.info.pop(_OUTBOX_FLAG, None)


# --- sending -----------------------------------------------------------------------------------


def _departments_of(session: Session, to: Recipients) -> set[int]:
    """The departments named directly or through unit groups."""
    departments = set(to.department_ids)
    if to.groups:
        for match in accounts.find_units(session, SYSTEM, to.groups):
            if match.group is not None:
                departments |= {m.id for m in match.group.members}
            elif match.department is not None:
                departments.add(match.department.id)
    return departments


def _users_of(session: Session, to: Recipients) -> dict[int, tuple[int, str | None]]:
    """user id → (department id, e-mail) of every active user the recipients name."""
    out: dict[int, tuple[int, str | None]] = {}
    for dept in sorted(_departments_of(session, to)):
        roles: list[str | None] = list(to.roles) or [None]
        for role in roles:
            cursor: str | None = None
            while True:
                users, cursor = accounts.list_users(
                    session, SYSTEM, department_id=dept, role=role, cursor=cursor, limit=500
                )
                out |= {u.id: (u.department_id, u.email) for u in users if u.active}
                if cursor is None:
                    break
    for uid in to.user_ids:
        if uid not in out:
            try:
                u = accounts.get_user(session, SYSTEM, uid)
            except NotFound:
                continue
            if u.active:
                out[uid] = (u.department_id, u.email)
    return out


def _webhooks_for(session: Session, kind: str, departments: set[int]) -> Sequence[WebhookEndpoint]:
    hooks = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active)).all()
    return [
        h
        for h in hooks
        if (h.department_id is None or h.department_id in departments)
        and (not h.kinds or any(kind == k or kind.startswith(k.rstrip("*")) for k in h.kinds))
    ]


def send(
    session: Session,
    actor: Actor,
    *,
    recipients: Recipients,
    subject: str,
    body: str = "",
    link: str = "",
    kind: str = "general",
    payload: dict[str, Any] | None = None,
) -> SendResult:
    """Tell the recipients: a notification each, an e-mail each (when SMTP is configured and the
    user has an address), a call to each matching webhook. All in the caller's transaction."""
    require(permissions.can_send(actor), "notify.send")
    settings = get_settings()
    users = _users_of(session, recipients)
    for uid in sorted(users):
        session.add(
            Notification(user_id=uid, kind=kind, subject=subject[:200], body=body, link=link)
        )
    emails = 0
    if settings.smtp_host:
        url = settings.base_url.rstrip("/") + link if link else ""
        text = body + (f"\n\n{url}" if url else "")
        for _dept, email in sorted(users.values(), key=lambda v: str(v[1])):
            if email:
                session.add(
                    OutboxMessage(
                        channel="email",
                        recipient=email,
                        kind=kind,
                        subject=subject[:200],
                        body=text,
                    )
                )
                emails += 1
    departments = {d for d, _e in users.values()} | set(recipients.department_ids)
    hooks = _webhooks_for(session, kind, departments)
    data = {"kind": kind, "subject": subject, "body": body, "link": link, **(payload or {})}
    for hook in hooks:
        session.add(
            OutboxMessage(
                channel="webhook",
                recipient=hook.url[:300],
                webhook_id=hook.id,
                kind=kind,
                subject=subject[:200],
                payload=data,
            )
        )
    session.flush()
    if emails or hooks:
        session.info[_OUTBOX_FLAG] = True
    result = SendResult(
        notifications=len(users), emails=emails, webhooks=len(hooks), user_ids=sorted(users)
    )
    audit.record(
        session,
        actor,
        "notify.send",
        ("notification", kind, subject[:300]),
        details=result.model_dump(exclude={"user_ids"}),
    )
    return result


def send_email(
    session: Session,
    actor: Actor,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str = "general",
) -> bool:
    """Queue one e-mail to an address that is not a platform user's (a public user of the
    open-data portal, say), in the caller's transaction. False when no SMTP server is set."""
    require(permissions.can_send_email(actor), "notify.send_email")
    if not get_settings().smtp_host:
        return False
    session.add(
        OutboxMessage(
            channel="email", recipient=to[:300], kind=kind, subject=subject[:200], body=body
        )
    )
    session.flush()
    session.info[_OUTBOX_FLAG] = True
    audit.record(
        session,
        actor,
        "notify.send_email",
        ("email", kind, subject[:300]),
        details={"to": mask_email(to)},
    )
    return True


# --- the bell ----------------------------------------------------------------------------------


def list_notifications(
    session: Session,
    actor: Actor,
    *,
    unread_only: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Notification], str | None]:
    """One's notifications, newest first."""
    require(permissions.can_list_notifications(actor), "notify.list_notifications")
    stmt = permissions.visible_notifications(actor)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return keyset_page(session, stmt, Notification.id, cursor=cursor, limit=limit)


def unread_count(session: Session, actor: Actor) -> int:
    """How many of one's notifications are unread (the number on the bell)."""
    require(permissions.can_unread_count(actor), "notify.unread_count")
    stmt = permissions.visible_notifications(actor).where(Notification.read_at.is_(None))
    return int(
        session.scalar(stmt.with_only_columns(func.count(), maintain_column_froms=True)) or 0
    )


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of one's notifications read."""
    note = session.scalars(
        permissions.visible_notifications(actor).where(Notification.id == notification_id)
    ).one_or_none()
    if note is None:
        raise NotFound(_("通知不存在。"))
    require(permissions.can_mark_read(actor, note), "notify.mark_read")
    if note.read_at is None:
        note.read_at = utcnow()
        session.flush()
        audit.record(session, actor, "notify.mark_read", note)
    return note


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark all of one's notifications read; returns how many were unread."""
    require(permissions.can_mark_all_read(actor), "notify.mark_all_read")
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    audit.record(session, actor, "notify.mark_all_read", details={"count": count})
    return count


# --- webhooks ------------------------------------------------------------------------------------


def list_webhooks(session: Session, actor: Actor) -> list[WebhookPublic]:
    """The webhooks the actor manages."""
    require(permissions.can_list_webhooks(actor), "notify.list_webhooks")
    hooks = session.scalars(permissions.visible_webhooks(actor).order_by(WebhookEndpoint.id))
    return [WebhookPublic.model_validate(h) for h in hooks]


def create_webhook(session: Session, actor: Actor, data: WebhookCreate) -> WebhookCreated:
    """Register a webhook; its signing secret is returned this once."""
    require(
        permissions.can_create_webhook(actor, data.department_id),
        "notify.create_webhook",
        message=_("只能为本部门登记回调地址。"),
    )
    if data.department_id is not None:
        try:
            accounts.get_department(session, SYSTEM, data.department_id)
        except NotFound as exc:
            msg = _("单位不存在。")
            raise Invalid(msg, errors=[FieldError("department_id", msg)]) from exc
    secret = "whsec_" + secrets.token_urlsafe(32)
    hook = WebhookEndpoint(
        name=data.name,
        url=data.url,
        secret=secret,
        department_id=data.department_id,
        kinds=data.kinds,
    )
    session.add(hook)
    session.flush()
    audit.record(
        session,
        actor,
        "notify.create_webhook",
        hook,
        after=data.model_dump(),
    )
    return WebhookCreated(**WebhookPublic.model_validate(hook).model_dump(), secret=secret)


def set_webhook_active(
    session: Session, actor: Actor, webhook_id: int, *, active: bool
) -> WebhookPublic:
    """Switch a webhook on or off."""
    hook = session.scalars(
        permissions.visible_webhooks(actor).where(WebhookEndpoint.id == webhook_id)
    ).one_or_none()
    if hook is None:
        raise NotFound(_("回调地址不存在。"))
    require(permissions.can_set_webhook_active(actor, hook), "notify.set_webhook_active")
    before = {"active": hook.active}
    hook.active = active
    session.flush()
    audit.record(
        session, actor, "notify.set_webhook_active", hook, before=before, after={"active": active}
    )
    return WebhookPublic.model_validate(hook)


# --- the outbox ----------------------------------------------------------------------------------


def list_outbox(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[OutboxMessage], str | None]:
    """Outbox messages, newest first, by status (pending, sent, dead)."""
    require(permissions.can_list_outbox(actor), "notify.list_outbox")
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return keyset_page(session, stmt, OutboxMessage.id, cursor=cursor, limit=limit)


def list_deliveries(session: Session, actor: Actor, message_id: int) -> list[DeliveryAttempt]:
    """The delivery attempts of one message, first to last."""
    require(permissions.can_list_deliveries(actor), "notify.list_deliveries")
    if session.get(OutboxMessage, message_id) is None:
        raise NotFound(_("消息不存在。"))
    return list(
        session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == message_id)
            .order_by(DeliveryAttempt.attempt)
        )
    )


def _attempt(session: Session, msg: OutboxMessage) -> tuple[bool, int | None, str]:
    settings = get_settings()
    if msg.channel == "email":
        return delivery.send_email(settings, msg.recipient, msg.subject, msg.body)
    hook = session.get(WebhookEndpoint, msg.webhook_id) if msg.webhook_id else None
    if hook is None or not hook.active:
        return False, None, "webhook removed or switched off"
    return delivery.post_webhook(settings, hook.url, hook.secret, msg.kind, msg.id, msg.payload)


def deliver_outbox(
    session: Session, actor: Actor, *, now: dt.datetime | None = None, limit: int = 50
) -> DeliveryReport:
    """Send the outbox messages that are due; record each attempt; back off after failures.

    A failed message is retried after ``GOVSHARE_NOTIFY_BACKOFF_SECONDS``, doubled after each
    failure, and given up (status ``dead``) after ``GOVSHARE_NOTIFY_MAX_ATTEMPTS`` attempts.
    """
    require(permissions.can_deliver_outbox(actor), "notify.deliver_outbox")
    settings = get_settings()
    now = now or utcnow()
    due = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    report = DeliveryReport()
    for msg in due:
        started = time.monotonic()
        ok, code, error = _attempt(session, msg)
        msg.attempts += 1
        session.add(
            DeliveryAttempt(
                message_id=msg.id,
                attempt=msg.attempts,
                at=now,
                ok=ok,
                status_code=code,
                error=error,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )
        if ok:
            msg.status, msg.sent_at, msg.last_error = "sent", now, ""
            report.sent += 1
        elif msg.attempts >= settings.notify_max_attempts:
            msg.status, msg.last_error = "dead", error
            report.given_up += 1
        else:
            wait = settings.notify_backoff_seconds * 2 ** (msg.attempts - 1)
            msg.next_attempt_at, msg.last_error = now + dt.timedelta(seconds=wait), error
            report.failed += 1
    session.flush()
    if due:
        audit.record(session, actor, "notify.deliver_outbox", details=report.model_dump())
    return report


def retry_message(session: Session, actor: Actor, message_id: int) -> OutboxMessage:
    """Put a given-up (or waiting) message back to be sent on the next pass."""
    require(permissions.can_retry_message(actor), "notify.retry_message")
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        raise NotFound(_("消息不存在。"))
    before = {"status": msg.status, "attempts": msg.attempts}
    msg.status, msg.next_attempt_at, msg.attempts = "pending", utcnow(), 0
    session.flush()
    session.info[_OUTBOX_FLAG] = True
    audit.record(
        session, actor, "notify.retry_message", msg, before=before, after={"status": "pending"}
    )
    return msg
