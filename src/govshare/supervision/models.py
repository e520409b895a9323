"""Plans, parts, sections, tasks and their units, milestones, progress reports with evidence,
extension requests and the record of every step on a task."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
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


class Plan(Base):
    """A work plan (任务分解表): its title, when it starts, and whether it is still followed."""

    __tablename__ = "supervision_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="text")  # text | xlsx | copy
    note: Mapped[str] = mapped_column(String(500), default="")
    shifted_days: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def audit_label(self) -> str:
        return self.title


class PlanPart(Base):
    """A part of the plan (一、…)."""

    __tablename__ = "supervision_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("supervision_plan.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class PlanSection(Base):
    """A section of a part (（一）…)."""

    __tablename__ = "supervision_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("supervision_part.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Task(Base):
    """A task of the plan: number, title, content, time node as written, weight, progress."""

    __tablename__ = "supervision_task"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_plan.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_section.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    time_node: Mapped[str] = mapped_column(String(100), default="")
    units_text: Mapped[str] = mapped_column(String(500), default="")
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    done_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    def audit_label(self) -> str:
        return f"{self.number}. {self.title}"


class TaskUnit(Base):
    """A unit responsible for a task: the lead (牵头) or a co-unit (配合), or a named group that
    the supervisor still has to resolve into units."""

    __tablename__ = "supervision_task_unit"
    __table_args__ = (Index("ix_supervision_task_unit_dept", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_task.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(4))  # lead | co
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), default=None)
    group_name: Mapped[str] = mapped_column(String(100), default="")  # a named group row
    via_group: Mapped[str] = mapped_column(String(100), default="")  # a member from a group
    resolved: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Milestone(Base):
    """A dated deliverable of a task, from its time node or a deadline in its content."""

    __tablename__ = "supervision_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_task.id", ondelete="CASCADE"), index=True
    )
    due: Mapped[dt.date] = mapped_column(Date)
    original_due: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))  # time_node | content | both | manual
    sentence: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)

    def audit_label(self) -> str:
        return f"{self.due:%Y-%m-%d} {self.sentence[:60]}"


class ProgressReport(Base):
    """A unit's progress on a task for one period: percent, narrative, evidence, review."""

    __tablename__ = "supervision_report"
    __table_args__ = (Index("ix_supervision_report_task_dept", "task_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("supervision_task.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_milestone.id", ondelete="SET NULL"), default=None
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    author: Mapped[str] = mapped_column(String(100), default="")
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    percent: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)
    reviewer: Mapped[str] = mapped_column(String(100), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)

    def audit_label(self) -> str:
        return f"{self.period} {self.percent}%"


class Attachment(Base):
    """An evidence file of a report, stored under the data dir by its SM3 digest."""

    __tablename__ = "supervision_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_report.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class ExtensionRequest(Base):
    """A unit's request to move a milestone, with its reason and the supervisor's decision."""

    __tablename__ = "supervision_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_milestone.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int] = mapped_column(ForeignKey("supervision_task.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    author: Mapped[str] = mapped_column(String(100), default="")
    requested_due: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")

    def audit_label(self) -> str:
        return f"→ {self.requested_due:%Y-%m-%d}"


class TaskEvent(Base):
    """One step recorded on a task: a reminder, urging, supervision, report, review, extension."""

    __tablename__ = "supervision_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("supervision_task.id", ondelete="CASCADE"), index=True
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("supervision_milestone.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
