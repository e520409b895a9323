"""Who may send, read and manage notifications, webhooks and the outbox.

Services of every module send notifications on behalf of their actor (the system included). A
person reads and marks only their own notifications. Platform admins manage every webhook and the
outbox; department admins manage their department's webhooks.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from govshare.core.security import Actor
from govshare.notify.models import Notification, WebhookEndpoint


def can_send(actor: Actor) -> bool:
    """Any service acting for a logged-in actor or the system may tell people things."""
    return actor.is_authenticated


def can_send_email(actor: Actor) -> bool:
    """The system and services acting for the platform (the open-data portal's verification
    mail is sent as the portal, a system actor)."""
    return actor.kind == "system" or actor.is_platform_admin


def can_list_notifications(actor: Actor) -> bool:
    """A person lists their own notifications."""
    return actor.is_authenticated and actor.user_id is not None


def can_unread_count(actor: Actor) -> bool:
    """The bell is for anyone logged in (the system has none)."""
    return actor.is_authenticated


def can_mark_read(actor: Actor, notification: Notification | None = None) -> bool:
    """Only the addressee marks a notification read."""
    if not actor.is_authenticated or actor.user_id is None:
        return False
    return notification is None or notification.user_id == actor.user_id


def can_mark_all_read(actor: Actor) -> bool:
    """A person clears their own bell."""
    return actor.is_authenticated and actor.user_id is not None


def can_list_webhooks(actor: Actor) -> bool:
    """Platform admins (all) and department admins (their department's)."""
    return actor.has_role("platform_admin", "dept_admin")


def can_create_webhook(actor: Actor, department_id: int | None) -> bool:
    """Platform admins for any or no department; department admins for their own."""
    if actor.is_platform_admin:
        return True
    return actor.has_role("dept_admin") and actor.in_department(department_id)


def can_set_webhook_active(actor: Actor, webhook: WebhookEndpoint) -> bool:
    """Whoever may create the webhook may switch it on and off."""
    return can_create_webhook(actor, webhook.department_id)


def can_list_outbox(actor: Actor) -> bool:
    """The outbox and its delivery log are for platform admins."""
    return actor.is_platform_admin


def can_list_deliveries(actor: Actor) -> bool:
    """The delivery log is for platform admins."""
    return actor.is_platform_admin


def can_deliver_outbox(actor: Actor) -> bool:
    """The scheduler (system) and platform admins run a delivery pass."""
    return actor.is_platform_admin


def can_retry_message(actor: Actor) -> bool:
    """Platform admins send a given-up message again."""
    return actor.is_platform_admin


def visible_notifications(actor: Actor) -> Select[Notification]:
    """One's own notifications."""
    return select(Notification).where(Notification.user_id == (actor.user_id or -1))


def visible_webhooks(actor: Actor) -> Select[WebhookEndpoint]:
    """All webhooks for platform admins; the own department's for department admins."""
    stmt = select(WebhookEndpoint)
    if actor.is_platform_admin:
        return stmt
    if actor.has_role("dept_admin") and actor.department_id is not None:
        return stmt.where(WebhookEndpoint.department_id == actor.department_id)
    return stmt.where(WebhookEndpoint.id == -1)
