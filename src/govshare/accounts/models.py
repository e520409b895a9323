"""Department tree, unit groups, users and their roles, web sessions and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govshare.accounts.schemas import DepartmentKind
from govshare.core.db import Base, UTCDateTime, utcnow
from govshare.core.security import EncryptedText


class Department(Base):
    """A unit of government (or a contractor) in the tree, with its GB/T 2260 area code."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    short_name: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[DepartmentKind] = mapped_column(Enum(DepartmentKind, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    area_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Department | None] = relationship(remote_side="Department.id", lazy="raise")

    def audit_label(self) -> str:
        return self.name


class UnitGroup(Base):
    """A named group of units, such as 市直有关部门 or 各县市区政府."""

    __tablename__ = "unit_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitGroupMember(Base):
    """Membership of a unit in a group."""

    __tablename__ = "unit_group_member"
    __table_args__ = (UniqueConstraint("group_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("unit_group.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)


class User(Base):
    """A person (or a system account) with a department, posts and roles."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    real_name: Mapped[str] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    posts: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="raise")

    def audit_label(self) -> str:
        return f"{self.real_name}（{self.username}）"


class UserRole(Base):
    """A role held by a user (scoped to the user's department where the role is departmental)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))


class WebSession(Base):
    """A browser login; the cookie holds a random token, the table only its SM3 digest."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    client_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)


class ApiToken(Base):
    """A machine client's credential: shown once, stored as a digest, scoped and expiring."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    def audit_label(self) -> str:
        return f"{self.name}（{self.prefix}…）"
