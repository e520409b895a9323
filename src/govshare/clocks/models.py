"""The working-day calendar as data, the ladders per case kind, and the stages already sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govshare.core.db import Base, UTCDateTime, utcnow


class CalendarYear(Base):
    """A year whose holiday notice (国务院办公厅节假日安排) has been entered: a known year."""

    __tablename__ = "clocks_calendar_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(40), default="admin")
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return f"{self.year}"


class CalendarDay(Base):
    """An exception to the weekday rule: a holiday on a weekday or a make-up working day."""

    __tablename__ = "clocks_calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(40), default="admin")

    def audit_label(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class ClockRule(Base):
    """A platform admin's ladder for one case kind (the defaults come from settings)."""

    __tablename__ = "clocks_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), unique=True)
    limit_days: Mapped[int | None] = mapped_column(Integer, default=None)
    remind_before_days: Mapped[int] = mapped_column(Integer)
    urge_after_days: Mapped[int] = mapped_column(Integer)
    supervise_after_days: Mapped[int] = mapped_column(Integer)
    notify_after_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def audit_label(self) -> str:
        return self.kind


class ClockNotice(Base):
    """A ladder stage already acted on for one case and due date: each is sent once."""

    __tablename__ = "clocks_notice"
    __table_args__ = (UniqueConstraint("kind", "case_id", "stage", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[str] = mapped_column(String(60))
    stage: Mapped[str] = mapped_column(String(12))
    due: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
