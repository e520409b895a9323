"""Shapes of recipients, notifications, webhooks and the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.core.i18n import _


class Recipients(BaseModel):
    """Who is told: users, departments (their users with the given roles), unit groups."""

    user_ids: list[int] = Field(default_factory=list)
    department_ids: list[int] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="Unit group names")
    roles: list[str] = Field(
        default_factory=list, description="Roles of department/group users told (empty: all)"
    )


class SendResult(BaseModel):
    """What ``send`` queued: notifications, e-mails and webhook calls."""

    notifications: int
    emails: int
    webhooks: int
    user_ids: list[int]


class NotificationPublic(BaseModel):
    """One in-app notification."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


def valid_webhook_url(value: str) -> str:
    """Only http(s) addresses are called."""
    if not value.startswith(("http://", "https://")):
        raise ValueError(_("回调地址应以 http:// 或 https:// 开头。"))
    return value


class WebhookCreate(BaseModel):
    """A new webhook: where, for which department (none: all), for which kinds (none: all)."""

    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=8, max_length=500)
    department_id: int | None = None
    kinds: list[str] = Field(default_factory=list)

    _url = field_validator("url")(valid_webhook_url)


class WebhookPublic(BaseModel):
    """A webhook (its secret is never shown again)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    url: str
    department_id: int | None
    kinds: list[str]
    active: bool
    created_at: dt.datetime


class WebhookCreated(WebhookPublic):
    """The answer to creating a webhook: the signing secret, shown this once."""

    secret: str


class OutboxPublic(BaseModel):
    """An outbox message and its delivery state."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    recipient: str
    kind: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class DeliveryPublic(BaseModel):
    """One delivery attempt."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: int
    attempt: int
    at: dt.datetime
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryReport(BaseModel):
    """The outcome of one delivery pass."""

    sent: int = 0
    failed: int = 0
    given_up: int = 0
    details: dict[str, Any] = Field(default_factory=dict)
