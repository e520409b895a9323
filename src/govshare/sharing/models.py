"""Consumer systems and their tokens, share requests, grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime, utcnow
from govshare.core.security import EncryptedText


class ConsumerSystem(Base):
    """A department's application that calls the data API (消费系统)."""

    __tablename__ = "sharing_system"
    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    pseudonym_key: Mapped[str] = mapped_column(EncryptedText)  # hex, SM4-GCM at rest
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return self.name


class SystemToken(Base):
    """An API token bound to a consumer system: it only ever works for that system's grants."""

    __tablename__ = "sharing_system_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("sharing_system.id", ondelete="CASCADE"))
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_token.id", ondelete="CASCADE"), unique=True
    )
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"token {self.token_id} → system {self.system_id}"


class ShareRequest(Base):
    """A consumer's application for a published resource, and its decision."""

    __tablename__ = "sharing_request"
    __table_args__ = (
        Index("ix_sharing_request_provider_status", "provider_department_id", "status"),
        Index("ix_sharing_request_system", "system_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("sharing_system.id", ondelete="RESTRICT"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resource.id", ondelete="RESTRICT"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="RESTRICT")
    )
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    share_type: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(500))
    scenario: Mapped[str] = mapped_column(String(500), default="")
    legal_basis: Mapped[str] = mapped_column(String(500), default="")
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    row_filter: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    days: Mapped[int] = mapped_column(Integer, default=365)
    volume: Mapped[str] = mapped_column(String(100), default="")
    # pending | returned | approved | refused | objected (a refusal under arbitration)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    # The consumer's objection (异议) to a refusal, and 市电政办's arbitration of it.
    objection: Mapped[str] = mapped_column(Text, default="")
    objected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    objected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    arbitration: Mapped[str] = mapped_column(String(20), default="")  # "" | upheld | granted
    arbitration_note: Mapped[str] = mapped_column(Text, default="")
    arbitrated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    arbitrated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )

    def audit_label(self) -> str:
        return f"申请 {self.id}"


class Grant(Base):
    """What one consumer system may read of one resource, until when and how fast (授权)."""

    __tablename__ = "sharing_grant"
    __table_args__ = (Index("ix_sharing_grant_system_resource", "system_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sharing_request.id", ondelete="RESTRICT"), unique=True
    )
    system_id: Mapped[int] = mapped_column(ForeignKey("sharing_system.id", ondelete="RESTRICT"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("catalog_resource.id", ondelete="RESTRICT"))
    provider_department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="RESTRICT")
    )
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    masks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    row_filter: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    rate_limit: Mapped[int] = mapped_column(Integer, default=50)  # requests per second
    daily_quota: Mapped[int] = mapped_column(Integer, default=100000)  # records per day
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"授权 {self.id}"


class AccessStamp(Base):
    """One row whose token changes, by database trigger (migration 0730), in the transaction of
    every change that can narrow or end a data API caller's access: tokens, their users, systems
    and bindings, grants, the dataset's current version. The data API caches resolved calls per
    process under it and reads it on every call, so a revocation stops the very next call."""

    __tablename__ = "sharing_access_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class GrantRenewal(Base):
    """A consumer's application to renew an expiring grant (re-certification), and its decision."""

    __tablename__ = "sharing_renewal"
    __table_args__ = (Index("ix_sharing_renewal_grant_status", "grant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("sharing_grant.id", ondelete="CASCADE"))
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    purpose: Mapped[str] = mapped_column(String(500))
    days: Mapped[int] = mapped_column(Integer, default=365)
    # pending | approved | lapsed (the provider let the grant lapse)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    def audit_label(self) -> str:
        return f"续期申请 {self.id}"
