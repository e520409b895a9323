"""Audit entries and the head of their chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime


class AuditEntry(Base):
    """One recorded action: who, what, on which target, with which outcome, from where, when.

    ``seq`` numbers the chain without gaps; ``digest`` is HMAC-SM3 over the previous digest and
    this entry's fields, so any edit, insertion or deletion breaks the chain at a named place.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_action", "action"),
        Index("ix_audit_entry_occurred", "occurred_at"),
        Index("ix_audit_entry_actor", "actor_user_id"),
        Index("ix_audit_entry_department", "department_id"),
        Index("ix_audit_entry_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    token_id: Mapped[int | None] = mapped_column(Integer, default=None)
    department_id: Mapped[int | None] = mapped_column(Integer, default=None)
    department_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    target_type: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[str] = mapped_column(String(100), default="")
    target_label: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head: last sequence number and digest. Its row lock serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    digest: Mapped[str] = mapped_column(String(64))
