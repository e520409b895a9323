"""The web shell around the modules: home dashboard, health, metrics, language, patterns.

Lives beside ``main.py`` (not in ``core``) because the home dashboard reads several modules'
services; it holds no rules of its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.types import Scope, Send

from govshare.accounts import service as accounts
from govshare.accounts.schemas import DEPARTMENT_KIND_LABELS
from govshare.audit import service as audit
from govshare.core.context import current_locale, current_request
from govshare.core.db import Database
from govshare.core.errors import NotAuthorized, Problem
from govshare.core.i18n import HTML_LANG, LOCALES, _
from govshare.core.observability import metrics_payload
from govshare.core.security import ANONYMOUS, ROLE_BY_CODE
from govshare.core.web import ActorDep, SessionDep, environment, get_database, render, safe_next
from govshare.supervision import service as supervision
from govshare.supervision.schemas import STATUS_COLORS, STATUS_LABELS

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The dashboard: what the signed-in user can reach, with the platform's activity."""
    if not actor.is_authenticated:
        return RedirectResponse("/login?next=/", status_code=303)
    summary = accounts.home_summary(session, actor)
    activity = audit.home_activity(session, actor)
    plan = supervision.home_progress(session, actor)
    kind_series = [
        {"name": _(DEPARTMENT_KIND_LABELS.get(kind, kind)), "value": count}
        for kind, count in summary.departments_by_kind.items()
    ]
    return render(
        request,
        "core/home.html",
        {
            "summary": summary,
            "activity": activity,
            "plan": plan,
            "status_labels": STATUS_LABELS,
            "status_colors": STATUS_COLORS,
            "kind_series": kind_series,
            "role_names": [
                _(ROLE_BY_CODE[r].name) for r in sorted(actor.roles) if r in ROLE_BY_CODE
            ],
        },
    )


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness: the metadata database answers."""
    db = get_database(request)
    try:
        db.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return JSONResponse({"status": "unavailable", "database": str(exc)[:200]}, status_code=503)
    return JSONResponse({"status": "ok", "database": db.dialect})


@router.get("/metrics")
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    payload, content_type = metrics_payload()
    return PlainTextResponse(payload, media_type=content_type)


@router.get("/-/lang")
def switch_language(to: str = "zh_CN", next: str = "/") -> Response:
    """Choose the interface language (a cookie); returns to where the user was."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if to in LOCALES:
        response.set_cookie("govshare_lang", to, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/-/patterns", response_class=HTMLResponse)
def patterns(request: Request, actor: ActorDep) -> Response:
    """Every shared component and partial on one page, for reviewing UI changes."""
    sample_chart = {
        "xAxis": {"type": "category", "data": ["德城区", "陵城区", "禹城市", "乐陵市"]},
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "data": [12, 7, 9, 4]}],
    }
    return render(request, "core/patterns.html", {"sample_chart": sample_chart})


def csrf_failed_response(scope: Scope) -> Response:
    """The answer to a form or request without a valid CSRF token (Chinese by default)."""
    ctx = current_request()
    title = _("请求已过期或来源不明")
    detail = _("表单安全校验失败（CSRF），请刷新页面后重新提交。")
    path = str(scope.get("path", ""))
    if path.startswith("/api"):
        body = Problem(
            status=403,
            title=title,
            detail=detail,
            type="https://govshare.example/problems/csrf",
            instance=path,
            request_id=ctx.request_id if ctx else None,
        ).as_dict()
        return JSONResponse(body, status_code=403, media_type="application/problem+json")
    html = (
        environment()
        .get_template("error.html")
        .render(
            {
                "status": 403,
                "title": title,
                "detail": detail,
                "errors": [],
                "nav": [],
                "actor": ANONYMOUS,
                "locale": current_locale(),
                "html_lang": HTML_LANG.get(current_locale(), "zh-CN"),
                "flashes": [],
                "request_id": ctx.request_id if ctx else "",
                "csrf_token": "",
                "path": path,
            }
        )
    )
    return HTMLResponse(html, status_code=403)


async def csrf_failed(scope: Scope, send: Send, message_id: Any = None) -> None:
    """asgi-csrf's failure hook: record the refusal, then answer in the user's language."""
    app = scope.get("app")
    db: Database | None = getattr(getattr(app, "state", None), "db", None)
    if db is not None:
        exc = NotAuthorized(
            _("表单安全校验失败（CSRF）"),
            action="core.csrf_check",
            target=("request", "", f"{scope.get('method')} {scope.get('path')}"),
        )
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(db.record_refusal, None, exc)
    response = csrf_failed_response(scope)

    async def no_body() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)
