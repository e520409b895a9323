"""Per-request context (request id, client address, locale), kept in context variables.

Set by the request middleware, read by the audit trail and the translator, so that neither has to
be handed the request object through every service call. Outside a request (CLI, jobs) the
defaults apply.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """Who is asking, from where, in which request."""

    request_id: str
    client_ip: str | None = None
    user_agent: str | None = None


_request: ContextVar[RequestContext | None] = ContextVar("govshare_request", default=None)
_locale: ContextVar[str] = ContextVar("govshare_locale", default="zh_CN")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request() -> RequestContext | None:
    return _request.get()


def set_request(ctx: RequestContext | None) -> object:
    return _request.set(ctx)


def current_locale() -> str:
    return _locale.get()


def set_locale(locale: str) -> object:
    return _locale.set(locale)
