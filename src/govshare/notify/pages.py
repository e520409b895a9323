"""Pages: the bell, one's notifications, webhooks (with their secret shown once), the outbox."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from govshare.core.errors import DomainError
from govshare.core.i18n import N_, _
from govshare.core.validation import parse
from govshare.core.web import (
    NavEntry,
    SessionDep,
    UserDep,
    flash,
    form_data,
    recover,
    redirect,
    render,
    safe_next,
)
from govshare.notify import permissions, service
from govshare.notify.schemas import WebhookCreate, WebhookCreated

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(N_("通知"), "/notify", "bell", permissions.can_list_notifications, N_("消息")),
    NavEntry(
        N_("回调地址"), "/notify/webhooks", "broadcast", permissions.can_list_webhooks, N_("消息")
    ),
    NavEntry(N_("发件箱"), "/notify/outbox", "send", permissions.can_list_outbox, N_("消息")),
]


@router.get("/notify/bell", response_class=HTMLResponse)
def bell(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """The bell's number (HTMX refreshes it)."""
    count = service.unread_count(session, actor)
    return render(request, "notify/_bell.html", {"count": count}, fragment="notify/_bell.html")


@router.get("/notify", response_class=HTMLResponse)
def notification_list(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    unread: str = "",
    cursor: str | None = None,
) -> Response:
    """One's notifications, newest first; more load in place."""
    rows, next_cursor = service.list_notifications(
        session, actor, unread_only=unread == "1", cursor=cursor
    )
    return render(
        request,
        "notify/list.html",
        {
            "notes": rows,
            "next_cursor": next_cursor,
            "unread": unread == "1",
            "count": service.unread_count(session, actor),
        },
        fragment="notify/_rows.html" if cursor else None,
    )


@router.post("/notify/{notification_id}/read", response_class=HTMLResponse)
async def notification_read(
    request: Request, session: SessionDep, actor: UserDep, notification_id: int
) -> Response:
    """Mark one read, then follow its link (or come back)."""
    form = await form_data(request)
    note = service.mark_read(session, actor, notification_id)
    return redirect(safe_next(str(form.get("next") or note.link or "/notify"), "/notify"), request)


@router.post("/notify/read-all", response_class=HTMLResponse)
def notification_read_all(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Mark every notification read."""
    count = service.mark_all_read(session, actor)
    flash(request, _("已将 {n} 条通知标为已读。").format(n=count))
    return redirect("/notify", request)


def _webhook_page(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    *,
    created: WebhookCreated | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "notify/webhooks.html",
        {
            "hooks": service.list_webhooks(session, actor),
            "created": created,
            "errors": errors or {},
            "values": values or {},
            "is_admin": actor.is_platform_admin,
        },
        status=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/notify/webhooks", response_class=HTMLResponse)
def webhook_list(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Webhooks the actor manages, and the form for a new one."""
    return _webhook_page(request, session, actor)


@router.post("/notify/webhooks", response_class=HTMLResponse)
async def webhook_create(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Register a webhook and show its secret once."""
    form = await form_data(request)
    kinds = [k.strip() for k in str(form.get("kinds", "")).split(",") if k.strip()]
    dept = form.get("department_id") or (None if actor.is_platform_admin else actor.department_id)
    data = {"name": form.get("name", ""), "url": form.get("url", ""), "kinds": kinds}
    try:
        created = service.create_webhook(
            session, actor, parse(WebhookCreate, data | {"department_id": dept})
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = recover(request, session, exc)
        return _webhook_page(request, session, actor, errors=errors, values=form, status=exc.status)
    return _webhook_page(request, session, actor, created=created)


@router.post("/notify/webhooks/{webhook_id}/active", response_class=HTMLResponse)
async def webhook_active(
    request: Request, session: SessionDep, actor: UserDep, webhook_id: int
) -> Response:
    """Switch a webhook on or off."""
    form = await form_data(request)
    service.set_webhook_active(session, actor, webhook_id, active=form.get("active") == "1")
    flash(request, _("已保存。"))
    return redirect("/notify/webhooks", request)


@router.get("/notify/outbox", response_class=HTMLResponse)
def outbox(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    status: str = "",
    cursor: str | None = None,
) -> Response:
    """E-mails and webhook calls with their delivery state."""
    rows, next_cursor = service.list_outbox(session, actor, status=status or None, cursor=cursor)
    return render(
        request,
        "notify/outbox.html",
        {"messages": rows, "next_cursor": next_cursor, "status": status},
        fragment="notify/_outbox_rows.html" if cursor else None,
    )


@router.get("/notify/outbox/{message_id}", response_class=HTMLResponse)
def outbox_message(
    request: Request, session: SessionDep, actor: UserDep, message_id: int
) -> Response:
    """One message's delivery log."""
    attempts = service.list_deliveries(session, actor, message_id)
    return render(
        request, "notify/deliveries.html", {"attempts": attempts, "message_id": message_id}
    )


@router.post("/notify/outbox/{message_id}/retry", response_class=HTMLResponse)
def outbox_retry(
    request: Request, session: SessionDep, actor: UserDep, message_id: int
) -> Response:
    """Send a message again on the next pass."""
    service.retry_message(session, actor, message_id)
    flash(request, _("已重新排队发送。"))
    return redirect("/notify/outbox", request)
