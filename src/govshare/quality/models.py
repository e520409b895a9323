"""Rules, runs and their findings, rectification issues, and objections."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime, utcnow
from govshare.core.security import EncryptedText


class QualityRule(Base):
    """A check on a dataset's data items: kind, items, parameters, severity and tolerance."""

    __tablename__ = "quality_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("dataset.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dimension: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10), default="error")  # error | warning
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return self.name


class QualityRun(Base):
    """One measurement of a dataset version by all its enabled rules, with the scores."""

    __tablename__ = "quality_run"
    __table_args__ = (Index("ix_quality_run_dataset_started", "dataset_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    dataset_name: Mapped[str] = mapped_column(String(200), default="")
    department_name: Mapped[str] = mapped_column(String(120), default="")
    version_id: Mapped[int | None] = mapped_column(Integer, default=None)
    version_number: Mapped[int] = mapped_column(Integer, default=0)
    trigger: Mapped[str] = mapped_column(String(10))  # gate | schedule | manual
    status: Mapped[str] = mapped_column(String(10))  # passed | warnings | blocked
    rows: Mapped[int] = mapped_column(Integer, default=0)
    rules: Mapped[int] = mapped_column(Integer, default=0)
    failed_rules: Mapped[int] = mapped_column(Integer, default=0)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"{self.dataset_name} v{self.version_number}"


class QualityFinding(Base):
    """A rule's result in a run: failing rows, their share, and at most 20 sample keys."""

    __tablename__ = "quality_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("quality_run.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("quality_rule.id", ondelete="SET NULL"), default=None, index=True
    )
    rule_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    dimension: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    failing: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    share: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    # Sample rows hold personal values (ID numbers, names): SM4-GCM encrypted JSON at rest.
    samples_json: Mapped[str | None] = mapped_column(EncryptedText, default=None)

    @property
    def samples(self) -> list[dict[str, Any]]:
        return json.loads(self.samples_json) if self.samples_json else []

    @samples.setter
    def samples(self, value: list[dict[str, Any]]) -> None:
        self.samples_json = json.dumps(value, ensure_ascii=False) if value else None


class QualityIssue(Base):
    """A rectification item (整改事项): a failing rule its department must fix by a deadline."""

    __tablename__ = "quality_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("quality_rule.id", ondelete="SET NULL"), default=None, index=True
    )
    rule_name: Mapped[str] = mapped_column(String(200))
    dataset_name: Mapped[str] = mapped_column(String(200), default="")
    opened_run_id: Mapped[int] = mapped_column(ForeignKey("quality_run.id", ondelete="CASCADE"))
    last_finding_id: Mapped[int | None] = mapped_column(Integer, default=None)
    failing: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # open → fixed (department says so) → resolved (a run verified it) | open (still failing);
    # open past the deadline → escalated.
    deadline: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    fixed_by_name: Mapped[str] = mapped_column(String(120), default="")
    fixed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"{self.dataset_name}：{self.rule_name}"


class QualityObjection(Base):
    """A consumer's objection (数据异议) to a value in shared data, and the provider's answer."""

    __tablename__ = "quality_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    dataset_name: Mapped[str] = mapped_column(String(200), default="")
    item: Mapped[str] = mapped_column(String(100))
    row_key: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int | None] = mapped_column(Integer, default=None)
    filed_by_name: Mapped[str] = mapped_column(String(120), default="")
    filer_department_id: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # open → confirmed (to be fixed) → fixed (a later version published) | rejected (answered)
    deadline: Mapped[dt.date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_name: Mapped[str] = mapped_column(String(120), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_version: Mapped[int] = mapped_column(Integer, default=0)
    fixed_version: Mapped[int | None] = mapped_column(Integer, default=None)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"{self.dataset_name}：{self.item}"


class QualityCodeTable(Base):
    """A code table a steward uploads (代码表) for value-set rules; its rows live in versions."""

    __tablename__ = "quality_code_table"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int | None] = mapped_column(Integer, default=None)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return self.name


class QualityCodeTableVersion(Base):
    """One upload of a code table: immutable rows (code, name, valid_from, valid_to)."""

    __tablename__ = "quality_code_table_version"
    __table_args__ = (Index("uq_quality_code_table_version", "table_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("quality_code_table.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(200), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="")
    # [{"code", "name", "valid_from", "valid_to"}], dates as ISO text or None
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return f"v{self.number}"
