"""Releases of catalog resources on the portal, level changes, public users and their API keys,
applications for conditionally open resources, public data requests and API usage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime, utcnow


class Release(Base):
    """A catalog resource released on the portal at a level (open / conditional), with the masks
    its data items pass on the way out. ``status``: released or withdrawn."""

    __tablename__ = "opendata_release"
    __table_args__ = (
        Index("ix_opendata_release_status_level", "status", "level"),
        Index("ix_opendata_release_updated_at", "updated_at"),  # the portal stamp's max()
        # every portal query's "released" list, read from the index alone
        Index("ix_opendata_release_status_resource", "status", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), unique=True
    )
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="released")
    masks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    views: Mapped[int] = mapped_column(Integer, default=0)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return f"release of resource {self.resource_id}"


class LevelChange(Base):
    """A request to change a released resource's open level. Lowering (open → conditional or
    closed, conditional → closed) waits for a platform admin's approval (344号)."""

    __tablename__ = "opendata_level_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_release.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(Integer)
    from_level: Mapped[str] = mapped_column(String(20))
    to_level: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    def audit_label(self) -> str:
        return f"{self.from_level} → {self.to_level} (resource {self.resource_id})"


class PublicUser(Base):
    """A registered member of the public (citizen, company, researcher); not a platform user.

    The e-mail is verified by a link; the verification token and the API key are stored only as
    SM3 digests."""

    __tablename__ = "opendata_public_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    verify_digest: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    verify_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    api_key_digest: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    api_key_prefix: Mapped[str] = mapped_column(String(16), default="")
    session_nonce: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"公众用户 {self.id}"


class Application(Base):
    """A public user's application for a conditionally open resource: purpose and security
    commitment; decided by the provider (through the sharing workflow once it is wired) by
    ``due_date`` (working days from ``GOVSHARE_OPENDATA_APPLY_DAYS``)."""

    __tablename__ = "opendata_application"
    __table_args__ = (Index("ix_opendata_application_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_release.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(Integer, index=True)
    provider_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    public_user_id: Mapped[int] = mapped_column(
        ForeignKey("opendata_public_user.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    due_date: Mapped[dt.date] = mapped_column(Date)
    handoff_ref: Mapped[str] = mapped_column(String(100), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"申请 {self.id}（资源 {self.resource_id}）"


class DataRequest(Base):
    """A public data request (数据需求): asked by a visitor, routed by the e-government office to
    the likely provider, answered publicly by ``due_date``, linked to the resource once open."""

    __tablename__ = "opendata_data_request"
    __table_args__ = (Index("ix_opendata_data_request_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    requester_name: Mapped[str] = mapped_column(String(100))
    requester_kind: Mapped[str] = mapped_column(String(20), default="citizen")
    public_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("opendata_public_user.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    provider_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), default=None, index=True
    )
    provider_name: Mapped[str] = mapped_column(String(100), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    resource_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"数据需求 {self.id} {self.title}"


class ApiUsage(Base):
    """CKAN API calls per day and key (``key_prefix`` '' = anonymous callers)."""

    __tablename__ = "opendata_api_usage"
    __table_args__ = (UniqueConstraint("day", "key_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    key_prefix: Mapped[str] = mapped_column(String(16), default="")
    public_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    calls: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        data: dict[str, Any] = {"day": self.day, "key": self.key_prefix, "calls": self.calls}
        return f"ApiUsage({data})"


class PortalSummary(Base):
    """The home page's counts and latest updates for one portal version (``stamp``), computed
    once per version and kept so that a new app process does not recount every resource."""

    __tablename__ = "opendata_portal_summary"

    stamp: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
