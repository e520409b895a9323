"""Audit scenarios of notify: each write, run once, must leave its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govshare.notify import service as notify
from govshare.notify.schemas import Recipients, WebhookCreate
from tests.personas import department_id


def _to_steward(s: Any, a: Callable[[str], Any]) -> Any:
    return notify.send(
        s,
        a("supervisor"),
        recipients=Recipients(department_ids=[department_id(s, "市统计局")], roles=["steward"]),
        subject="测试通知",
    )


def _mark_read(s: Any, a: Callable[[str], Any]) -> None:
    _to_steward(s, a)
    rows, _c = notify.list_notifications(s, a("steward"))
    notify.mark_read(s, a("steward"), rows[0].id)


def _hook(s: Any, a: Callable[[str], Any]) -> Any:
    return notify.create_webhook(
        s, a("platform_admin"), WebhookCreate(name="督查系统", url="http://127.0.0.1:9/hook")
    )


def _deliver(s: Any, a: Callable[[str], Any]) -> None:
    _hook(s, a)
    _to_steward(s, a)
    notify.deliver_outbox(s, a("platform_admin"))


def _retry(s: Any, a: Callable[[str], Any]) -> None:
    _hook(s, a)
    _to_steward(s, a)
    rows, _c = notify.list_outbox(s, a("platform_admin"))
    notify.retry_message(s, a("platform_admin"), rows[0].id)


def _email(s: Any, a: Callable[[str], Any]) -> None:
    from govshare.core.config import get_settings

    settings = get_settings()
    old = settings.smtp_host
    settings.smtp_host = "127.0.0.1"
    try:
        notify.send_email(
            s, a("platform_admin"), to="visitor@example.com", subject="验证邮箱", body=""
        )
    finally:
        settings.smtp_host = old


SCENARIOS: dict[str, Callable[[Any, Callable[[str], Any]], None]] = {
    "notify.send": _to_steward,
    "notify.send_email": _email,
    "notify.mark_read": _mark_read,
    "notify.mark_all_read": lambda s, a: notify.mark_all_read(s, a("steward")),
    "notify.create_webhook": _hook,
    "notify.set_webhook_active": lambda s, a: notify.set_webhook_active(
        s, a("platform_admin"), _hook(s, a).id, active=False
    ),
    "notify.deliver_outbox": _deliver,
    "notify.retry_message": _retry,
}
