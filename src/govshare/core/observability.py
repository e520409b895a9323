"""Request ids, locale choice, structured JSON logs, Prometheus metrics and security headers.

``RequestMiddleware`` is a plain ASGI middleware: it names every request (``X-Request-ID``),
picks its language, times it for ``/metrics``, writes one JSON access line and adds the security
headers. Context variables it sets are read by the audit trail and the translator.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from http.cookies import SimpleCookie
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govshare.core.context import RequestContext, new_request_id, set_locale, set_request
from govshare.core.i18n import LOCALES, parse_accept_language

REQUESTS = Counter(
    "govshare_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "govshare_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    ),
]

log = structlog.get_logger("govshare.http")


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Structured logs on stdout: JSON lines in production, readable text otherwise."""
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*processors, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )


def metrics_payload() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def choose_locale(scope: Scope, default: str) -> str:
    """Cookie ``govshare_lang`` first; API clients may ask by Accept-Language; else the default."""
    cookie = _header(scope, b"cookie")
    if cookie:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie)
        except Exception:  # noqa: BLE001 - a garbled cookie header is ignored, not fatal
            jar = SimpleCookie()
        if "govshare_lang" in jar and jar["govshare_lang"].value in LOCALES:
            return jar["govshare_lang"].value
    if str(scope.get("path", "")).startswith("/api"):
        return parse_accept_language(_header(scope, b"accept-language")) or default
    return default


def request_context(scope: Scope) -> RequestContext:
    rid = _header(scope, b"x-request-id")
    client = scope.get("client")
    return RequestContext(
        request_id=rid if rid and REQUEST_ID.match(rid) else new_request_id(),
        client_ip=client[0] if client else None,
        user_agent=(_header(scope, b"user-agent") or "")[:300] or None,
    )


class RequestMiddleware:
    """Names, times, logs and counts every HTTP request; sets its locale; adds safe headers."""

    def __init__(self, app: ASGIApp, default_locale: str = "zh_CN") -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = request_context(scope)
        set_request(ctx)
        set_locale(choose_locale(scope, self.default_locale))
        structlog.contextvars.bind_contextvars(request_id=ctx.request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", ctx.request_id.encode()))
                present = {k for k, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        holder: dict[str, str] = {}
        scope["govshare.route"] = holder
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route_path = holder.get("path", "unmatched")
            method = scope.get("method", "")
            REQUESTS.labels(method, route_path, str(status_holder["status"])).inc()
            LATENCY.labels(method, route_path).observe(elapsed)
            if route_path not in ("/healthz", "/metrics", "/static", "unmatched"):
                log.info(
                    "request",
                    method=method,
                    path=scope.get("path"),
                    status=status_holder["status"],
                    ms=round(elapsed * 1000, 2),
                    client=ctx.client_ip,
                )
            structlog.contextvars.unbind_contextvars("request_id")


class RouteCapture:
    """Innermost middleware: hands the matched route template to RequestMiddleware's metrics
    (middleware in between may copy the scope, so the outer one cannot see the match)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            holder = scope.get("govshare.route")
            route = scope.get("route")
            if isinstance(holder, dict):
                holder["path"] = getattr(route, "path", None) or "unmatched"
