"""Who may do what with notifications, webhooks and the outbox: every persona × every rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from govshare.notify import permissions as p
from govshare.notify.models import Notification, WebhookEndpoint
from tests.personas import ROLE_PERSONAS, department_id

EVERYONE = set(ROLE_PERSONAS) - {"public"}
ADMINS = {"platform_admin"}


def _tongji_hook(s: Any) -> WebhookEndpoint:
    return WebhookEndpoint(department_id=department_id(s, "市统计局"))


MATRIX: dict[str, tuple[Callable[[Any, Any], bool], set[str]]] = {
    "send": (lambda a, s: p.can_send(a), EVERYONE),
    "send_email": (lambda a, s: p.can_send_email(a), ADMINS),
    "list_notifications": (lambda a, s: p.can_list_notifications(a), EVERYONE),
    "unread_count": (lambda a, s: p.can_unread_count(a), EVERYONE),
    "mark_read(steward's)": (
        lambda a, s: p.can_mark_read(a, Notification(user_id=_steward_id(s))),
        {"steward"},
    ),
    "mark_all_read": (lambda a, s: p.can_mark_all_read(a), EVERYONE),
    "list_webhooks": (lambda a, s: p.can_list_webhooks(a), {"platform_admin", "dept_admin"}),
    "create_webhook(统计局)": (
        lambda a, s: p.can_create_webhook(a, department_id(s, "市统计局")),
        {"platform_admin", "dept_admin"},
    ),
    "create_webhook(all)": (lambda a, s: p.can_create_webhook(a, None), ADMINS),
    "set_webhook_active(统计局)": (
        lambda a, s: p.can_set_webhook_active(a, _tongji_hook(s)),
        {"platform_admin", "dept_admin"},
    ),
    "list_outbox": (lambda a, s: p.can_list_outbox(a), ADMINS),
    "list_deliveries": (lambda a, s: p.can_list_deliveries(a), ADMINS),
    "deliver_outbox": (lambda a, s: p.can_deliver_outbox(a), ADMINS),
    "retry_message": (lambda a, s: p.can_retry_message(a), ADMINS),
}


def _steward_id(s: Any) -> int:
    from tests.personas import actor_of

    return actor_of(s, "steward").user_id  # type: ignore[return-value]


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_matrix(rule, persona, session, actor):
    check, allowed = MATRIX[rule]
    assert check(actor(persona), session) is (persona in allowed)


def test_visible_webhooks_of_a_department_admin(session, actor):
    from govshare.notify.schemas import WebhookCreate
    from govshare.notify.service import create_webhook, list_webhooks

    create_webhook(
        session, actor("platform_admin"), WebhookCreate(name="全局", url="http://127.0.0.1:9/a")
    )
    create_webhook(
        session,
        actor("dept_admin"),
        WebhookCreate(
            name="统计",
            url="http://127.0.0.1:9/b",
            department_id=department_id(session, "市统计局"),
        ),
    )
    assert [h.name for h in list_webhooks(session, actor("dept_admin"))] == ["统计"]
    assert len(list_webhooks(session, actor("platform_admin"))) == 2
