"""The web shell's helpers: templates, rendering, HTMX fragments, flash messages, the actor.

Routes use ``render`` for pages (``_fragment.html`` when the request comes from HTMX),
``ActorDep``/``UserDep`` for who is asking, and ``flash`` for one-time messages. Templates never
decide permissions: routes pass ``can_*`` results in the context.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from govshare.core.config import get_settings
from govshare.core.context import current_locale
from govshare.core.db import Database
from govshare.core.errors import DomainError, NotAuthenticated
from govshare.core.i18n import HTML_LANG, LOCALES, gettext, ngettext
from govshare.core.security import ANONYMOUS, Actor

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


@dataclass(frozen=True)
class NavEntry:
    """A link in the side navigation, shown when ``visible(actor)`` says so."""

    label: str
    url: str
    icon: str
    visible: Callable[[Actor], bool]
    section: str = ""


# --- the transaction and the actor of a request ------------------------------------------


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit on success, roll back on any error.

    A refusal that names an action (``DomainError.action``) is then recorded in the audit trail
    in a transaction of its own, so that nothing else of the refused request is written.
    """
    db = get_database(request)
    session = db.session()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        session.rollback()
        db.record_refusal(getattr(request.state, "actor", None), exc)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


# --- the actor of a request ------------------------------------------------------------------


def get_actor(request: Request, session: SessionDep) -> Actor:
    """The actor of this request, resolved once by the accounts module's resolver."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    resolver = request.app.state.resolve_actor
    actor: Actor = resolver(
        session,
        session_token=request.cookies.get("govshare_session"),
        authorization=request.headers.get("authorization"),
        method=request.method,
    )
    request.state.actor = actor
    return actor


def actor_for_error_page(request: Request) -> None:
    """Resolve the actor of a request no route handled (a 404 of the router), so that its error
    page shows the user's own header and menu rather than a login button. Best effort: an error
    page must render even when the database is what failed."""
    if getattr(request.state, "actor", None) is not None:
        return
    if not request.cookies.get("govshare_session"):
        return
    try:
        with get_database(request).session() as session:
            request.state.actor = request.app.state.resolve_actor(
                session,
                session_token=request.cookies.get("govshare_session"),
                authorization=None,
                method="GET",
            )
    except Exception:  # noqa: BLE001 - the error page goes on as anonymous
        log.debug("no actor for the error page", exc_info=True)


def get_user(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    """The actor, who must be logged in (pages redirect to the login form otherwise)."""
    if not actor.is_authenticated:
        raise NotAuthenticated(gettext("请先登录。"))
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
UserDep = Annotated[Actor, Depends(get_user)]


# --- templates --------------------------------------------------------------------------------


def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time shown in the configured zone (Asia/Shanghai by default)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)


def number(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def to_json(value: Any) -> str:
    """JSON for a data attribute (charts); Jinja's autoescape makes it attribute-safe."""
    return json.dumps(value, ensure_ascii=False, default=str)


@lru_cache
def static_version(path: str) -> str:
    file = STATIC_DIR / path
    if not file.exists():
        return "0"
    return hashlib.sha1(file.read_bytes()).hexdigest()[:10]  # noqa: S324 - cache key, not security


def static_url(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["localtime"] = localtime
    env.filters["number"] = number
    env.filters["tojson_attr"] = to_json
    env.filters["urlquote"] = lambda s: quote(str(s), safe="")
    env.globals["static_url"] = static_url
    env.globals["LOCALES"] = LOCALES
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def csrf_token(request: Request) -> str:
    getter = request.scope.get("csrftoken")
    return getter() if callable(getter) else ""


def flash(request: Request, message: str, category: str = "success") -> None:
    """A one-time message shown on the next page."""
    if "session" in request.scope:
        request.session.setdefault("flash", []).append([category, message])


def pop_flashes(request: Request) -> list[list[str]]:
    if "session" not in request.scope:
        return []
    return list(request.session.pop("flash", []))


def base_context(request: Request, actor: Actor | None = None) -> dict[str, Any]:
    actor = actor or getattr(request.state, "actor", None) or ANONYMOUS
    nav: list[NavEntry] = [n for n in request.app.state.nav if n.visible(actor)]
    locale = current_locale()
    return {
        "request": request,
        "actor": actor,
        "nav": nav,
        "locale": locale,
        "html_lang": HTML_LANG.get(locale, "zh-CN"),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "path": request.url.path,
        "settings": get_settings(),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only ``fragment`` when HTMX asks for part of it."""
    name = fragment if fragment and is_htmx(request) else template
    ctx = base_context(request)
    ctx.update(context or {})
    html = environment().get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status, headers=headers)


def download(content: bytes, filename: str, media_type: str) -> Response:
    """A file to save, its (Chinese) name encoded per RFC 6266 / 5987."""
    quoted = quote(filename, safe="")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"download\"; filename*=UTF-8''{quoted}",
            "Cache-Control": "no-store",
        },
    )


def redirect(url: str, request: Request | None = None) -> RedirectResponse | HTMLResponse:
    """Redirect after a POST; HTMX requests get an HX-Redirect header instead."""
    if request is not None and is_htmx(request):
        return HTMLResponse("", headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """A local redirect target only (no open redirects)."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return default


async def form_data(request: Request) -> dict[str, Any]:
    """A submitted form as a dict; repeated fields (checkboxes) become lists."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrftoken":
            continue
        values = form.getlist(key)
        data[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return {k.removesuffix("[]"): v for k, v in data.items()}


def recover(request: Request, session: Session, exc: DomainError) -> dict[str, str]:
    """After a form error: undo the request's work, record the refusal, return field errors.

    Pages that re-render a form with its errors call this instead of letting the error reach
    the session dependency (which would otherwise have done both).
    """
    session.rollback()
    get_database(request).record_refusal(getattr(request.state, "actor", None), exc)
    errors = {e.field: e.message for e in exc.errors}
    if not errors:
        errors["__all__"] = exc.detail
    return errors


def optional_int(value: str | None, field: str) -> int | None:
    """A query parameter that may be blank (an unselected filter) or a whole number."""
    from govshare.core.errors import FieldError, Invalid
    from govshare.core.i18n import _

    if value is None or not value.strip():
        return None
    if not value.strip().isdigit():
        raise Invalid(_("应为整数。"), errors=[FieldError(field, _("应为整数。"))])
    return int(value)
