"""Datasets behind catalog resources, their immutable versions, loads and resumable uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime, utcnow
from govshare.core.security import EncryptedText


class Dataset(Base):
    """The data of one catalog resource (``catalog_resource.id``): its columns (from the data
    items), column mapping, settings, pull schedule and current version."""

    __tablename__ = "dataset"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_resource.id", ondelete="RESTRICT"), unique=True
    )
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(120), default="")
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    index_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    reject_threshold: Mapped[float] = mapped_column(Float, default=0.01)
    retention_versions: Mapped[int] = mapped_column(Integer, default=10)
    update_cycle: Mapped[str] = mapped_column(String(20), default="")
    schedule_cron: Mapped[str] = mapped_column(String(100), default="")
    pull_kind: Mapped[str] = mapped_column(String(20), default="")  # '' | database | http
    pull_config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pull_secret: Mapped[str | None] = mapped_column(EncryptedText, default=None)
    pull_mode: Mapped[str] = mapped_column(String(10), default="replace")
    next_pull_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_pull_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    current_version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return self.name


class DatasetVersion(Base):
    """One immutable version: its files, counts, digests, profile and preview.

    Status: candidate (built, waiting for the publish gates) → published (the current version)
    → superseded; refused (a gate said no); removed (files deleted by the retention policy).
    """

    __tablename__ = "dataset_version"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    load_id: Mapped[int | None] = mapped_column(Integer, default=None)
    mode: Mapped[str] = mapped_column(String(10), default="replace")
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    inserted: Mapped[int] = mapped_column(BigInteger, default=0)
    updated: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    sm3: Mapped[str] = mapped_column(String(64), default="")
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    preview: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    profile: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    gate_results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refused_reason: Mapped[str] = mapped_column(Text, default="")
    serving_ref: Mapped[str] = mapped_column(String(80), default="")
    serving_dropped: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    def audit_label(self) -> str:
        return f"v{self.number}"


class DatasetLoad(Base):
    """One attempt to load data (upload or pull): its job, outcome and rejected rows."""

    __tablename__ = "dataset_load"
    __table_args__ = (Index("ix_dataset_load_dataset", "dataset_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(String(10), default="replace")
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    token: Mapped[str] = mapped_column(String(40), unique=True)
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_accepted: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    reject_sample: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    reject_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    has_reject_file: Mapped[bool] = mapped_column(default=False)
    threshold: Mapped[float] = mapped_column(Float, default=0.01)
    error: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    def audit_label(self) -> str:
        return f"load {self.id}"


class DatasetUpload(Base):
    """A resumable upload: the file grows chunk by chunk on disk until ``received == size``."""

    __tablename__ = "dataset_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="receiving")  # complete / used
    created_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return self.filename
