"""Resources, data items, the category tree, versions, reviews and the search documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from govshare.core.db import Base, UTCDateTime, utcnow


class Category(Base):
    """One node of the classification: 类 (level 1), 项 (2), 目 (3) or 细目 (4).

    ``full_code`` is the 前段码 of resources filed under it (类 + 项 + 目 + 细目).
    """

    __tablename__ = "catalog_category"
    __table_args__ = (UniqueConstraint("parent_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    full_code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category_class: Mapped[str] = mapped_column(String(20), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), default=None)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"{self.full_code} {self.name}"


class Resource(Base):
    """An information resource: the official (published, or never yet published) state.

    The code is built from its parts (类 项 目 细目 / 顺序码) and unique. Revisions of a published
    resource wait in ``ResourceVersion`` until a reviewer publishes them.
    """

    __tablename__ = "catalog_resource"
    __table_args__ = (
        CheckConstraint("secret = false", name="not_secret"),
        CheckConstraint("grading_level BETWEEN 1 AND 4", name="grading_level"),
        Index("ix_catalog_resource_status_provider", "status", "provider_department_id"),
        Index("ix_catalog_resource_status_category", "status", "category_id"),
        Index("ix_catalog_resource_status_share", "status", "share_type"),
        Index("ix_catalog_resource_status_open", "status", "open_type"),
        Index("ix_catalog_resource_status_format", "status", "format_class"),
        Index("ix_catalog_resource_status_cycle", "status", "update_cycle"),
        Index("ix_catalog_resource_status_grading", "status", "grading_level"),
        Index("ix_catalog_resource_provider_name_key", "provider_department_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    lei: Mapped[str] = mapped_column(String(1))
    xiang: Mapped[str] = mapped_column(String(2))
    mu: Mapped[str] = mapped_column(String(3))
    ximu: Mapped[str] = mapped_column(String(20), default="")
    seq: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(ForeignKey("catalog_category.id"))
    category_class: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    provider_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    provider_name: Mapped[str] = mapped_column(String(100))
    provider_code: Mapped[str] = mapped_column(String(32))
    provider_area_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    abstract: Mapped[str] = mapped_column(Text)
    format_class: Mapped[str] = mapped_column(String(20))
    format_type: Mapped[str] = mapped_column(String(40))
    share_type: Mapped[str] = mapped_column(String(20))
    share_conditions: Mapped[str] = mapped_column(Text, default="")
    share_method: Mapped[str] = mapped_column(String(20))
    share_method_note: Mapped[str] = mapped_column(String(200), default="")
    open_type: Mapped[str] = mapped_column(String(20))
    open_conditions: Mapped[str] = mapped_column(Text, default="")
    update_cycle: Mapped[str] = mapped_column(String(20))
    grading_level: Mapped[int] = mapped_column(Integer, default=1)
    grading_override_reason: Mapped[str] = mapped_column(Text, default="")
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    publish_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    related_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    record_count: Mapped[int | None] = mapped_column(Integer, default=None)
    service_url: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    items: Mapped[list[DataItem]] = relationship(
        lazy="raise",
        order_by="DataItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"


class DataItem(Base):
    """A data item (信息项) of a resource, in its position."""

    __tablename__ = "catalog_data_item"
    __table_args__ = (
        UniqueConstraint("resource_id", "position"),
        CheckConstraint("sensitivity_level BETWEEN 1 AND 4", name="sensitivity_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    type_code: Mapped[str] = mapped_column(String(1))
    length: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitivity_level: Mapped[int] = mapped_column(Integer, default=1)
    authoritative_provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id"), default=None, index=True
    )


class ResourceVersion(Base):
    """One version of a resource as filed: the full payload, kept for ever and diffable.

    Status: draft, submitted, returned (with the reviewer's comment), published, superseded
    (a later version was published) or withdrawn.
    """

    __tablename__ = "catalog_resource_version"
    __table_args__ = (
        UniqueConstraint("resource_id", "version"),
        Index("ix_catalog_resource_version_status", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class Review(Base):
    """A reviewer's decision on a submitted version: returned (with comments) or published."""

    __tablename__ = "catalog_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    reviewer_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchDocument(Base):
    """The segmented tokens of a resource, written in the same transaction as the resource.

    ``scope_tokens`` carry who may see it (``zzvispublic`` once published, ``zzvisd<department>``
    always), so that a plain search is answered by the full-text index alone.

    SQLite indexes them in the FTS5 table ``catalog_fts`` (external content: this table);
    PostgreSQL in ``tsv`` (everything) and ``tsv_primary`` (name, provider, code, keywords: small,
    so that ranking the first tier never reads the large vectors), each with a GIN index. The
    migration creates both indexes.
    """

    __tablename__ = "catalog_search"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="CASCADE"), primary_key=True
    )
    name_tokens: Mapped[str] = mapped_column(Text, default="")
    extra_tokens: Mapped[str] = mapped_column(Text, default="")
    abstract_tokens: Mapped[str] = mapped_column(Text, default="")
    item_tokens: Mapped[str] = mapped_column(Text, default="")
    scope_tokens: Mapped[str] = mapped_column(Text, default="")
    tsv: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), default=None
    )
    tsv_primary: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), default=None
    )


class Generation(Base):
    """The catalog's generation: one row whose token changes in the transaction of every write
    to resources (with their search documents). Facet counts are cached under it, so a cached
    count is exact: any publish, retire, filing or import gives a new token. A fresh random
    token rather than a counter, so that a rolled-back write's value never comes back."""

    __tablename__ = "catalog_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


# The columns of a facet-count combination (the eight facets and the provider's name).
FACET_COMBINATION = (
    "status",
    "provider_department_id",
    "provider_name",
    "category_class",
    "share_type",
    "open_type",
    "format_class",
    "update_cycle",
    "grading_level",
)


class FacetCount(Base):
    """How many resources share one combination of the facet columns (and provider name).

    Kept by triggers on ``catalog_resource`` (migration 0750) in the transaction of every
    insert, update and delete, bulk inserts included: never recounted, always exact. The
    unfiltered browse and every filter on facet columns count from here (a few thousand rows)
    instead of the resources (docs/decisions/0005). Rows may reach ``n = 0``; readers skip them.
    """

    __tablename__ = "catalog_facet_count"
    __table_args__ = (
        UniqueConstraint(
            *FACET_COMBINATION,
            name="uq_catalog_facet_count_combination",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    provider_department_id: Mapped[int] = mapped_column(Integer)
    provider_name: Mapped[str] = mapped_column(String(100))
    category_class: Mapped[str] = mapped_column(String(20))
    share_type: Mapped[str] = mapped_column(String(20))
    open_type: Mapped[str] = mapped_column(String(20))
    format_class: Mapped[str] = mapped_column(String(20))
    update_cycle: Mapped[str] = mapped_column(String(20))
    grading_level: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)


class ResourceFacet(Base):
    """Which facet combination (``catalog_facet_count`` row) each resource is in, kept by the
    same triggers in the same transaction (migration 0770). A phrase's facets count the
    combinations of its matches here, a narrow table, instead of reading eight columns out of
    every matching resource row (docs/decisions/0005)."""

    __tablename__ = "catalog_resource_facet"

    resource_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    combo_id: Mapped[int] = mapped_column(Integer)
