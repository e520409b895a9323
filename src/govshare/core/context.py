"""Per-request context (request id, client address, locale), kept in context variables.

Set by the request middleware, read by the audit trail and the translator, so that neither has to
be handed the request object through every service call. Outside a request (CLI, jobs) the
defaults apply.
"""

from __future__ import annotations

import random
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """Who is asking, from where, in which request."""

    request_id: str
    client_ip: str | None = None
    user_agent: str | None = None


_ids = random.Random()  # noqa: S311 - request ids are labels, not secrets
_request: ContextVar[RequestContext | None] = ContextVar("govshare_request", default=None)
_locale: ContextVar[str] = ContextVar("govshare_locale", default="zh_CN")


def new_request_id() -> str:
    """32 hex digits naming a request in logs and X-Request-ID. Not a secret: drawn from the
    process's PRNG, not ``uuid4``'s ``os.urandom``, whose system call per request gave up the
    GIL to the audit writer thread and cost 11 % of the event loop under load
    (docs/performance.md)."""
    return f"{_ids.getrandbits(128):032x}"


def current_request() -> RequestContext | None:
    return _request.get()


def set_request(ctx: RequestContext | None) -> object:
    return _request.set(ctx)


def current_locale() -> str:
    return _locale.get()


def set_locale(locale: str) -> object:
    return _locale.set(locale)
