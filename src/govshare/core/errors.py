"""The four domain exceptions services raise, and their one mapping to HTTP.

Services raise NotFound, NotAuthorized (NotAuthenticated for a missing or bad credential),
Invalid (with field errors) and Conflict. ``install_handlers`` turns them into RFC 9457
``application/problem+json`` under ``/api`` and into the error page elsewhere. A refusal that
names an ``action`` is recorded in the audit trail by the session dependency (core.db) after the
work of the request has been rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govshare.core.i18n import _


@dataclass
class FieldError:
    """One wrong input: which field (dotted path, row/cell for files) and what is wrong."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of the errors a service raises on purpose."""

    status = 400
    type_slug = "error"
    outcome = "failed"

    def __init__(
        self,
        detail: str,
        *,
        action: str | None = None,
        target: tuple[str, str, str] | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.action = action
        self.target = target
        self.errors: list[FieldError] = errors or []
        self.headers = headers or {}
        self.extra = extra or {}

    @property
    def title(self) -> str:
        return _("请求未能完成")


class NotFound(DomainError):
    """The object does not exist, or the actor may not see it (the two look the same)."""

    status = 404
    type_slug = "not-found"
    outcome = "not_found"

    @property
    def title(self) -> str:
        return _("未找到")


class NotAuthorized(DomainError):
    """The actor is known but may not do this."""

    status = 403
    type_slug = "forbidden"
    outcome = "denied"

    @property
    def title(self) -> str:
        return _("无权操作")


class NotAuthenticated(NotAuthorized):
    """No valid credential: not logged in, wrong password, expired or revoked token."""

    status = 401
    type_slug = "unauthenticated"

    @property
    def title(self) -> str:
        return _("需要登录")


class Invalid(DomainError):
    """The input is wrong; ``errors`` names each wrong field."""

    status = 422
    type_slug = "invalid"
    outcome = "invalid"

    @property
    def title(self) -> str:
        return _("输入有误")


class Conflict(DomainError):
    """The request clashes with the current state (duplicate code, wrong status)."""

    status = 409
    type_slug = "conflict"
    outcome = "conflict"

    @property
    def title(self) -> str:
        return _("与现有数据冲突")


class RateLimited(DomainError):
    """Too many requests; ``headers`` carries Retry-After."""

    status = 429
    type_slug = "rate-limited"
    outcome = "rate_limited"

    @property
    def title(self) -> str:
        return _("请求过于频繁")


@dataclass
class Problem:
    """An RFC 9457 problem document."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    instance: str | None = None
    request_id: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.instance:
            body["instance"] = self.instance
        if self.request_id:
            body["request_id"] = self.request_id
        if self.errors:
            body["errors"] = self.errors
        return body
