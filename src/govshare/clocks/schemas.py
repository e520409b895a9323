"""Shapes of the calendar, the ladders and the state of a clock."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govshare.core.i18n import N_, _

Stage = Literal["pending", "remind", "urge", "supervise", "notify", "done", "paused"]
DayKind = Literal["holiday", "workday"]
EventType = Literal["pause", "resume", "extend", "restart", "done", "reopen"]

STAGE_LABELS: dict[str, str] = {
    "pending": N_("未到提醒期"),
    "remind": N_("提醒"),
    "urge": N_("催办"),
    "supervise": N_("督办"),
    "notify": N_("通报"),
    "done": N_("已办结"),
    "paused": N_("已暂停"),
}
DAY_KIND_LABELS: dict[str, str] = {"holiday": N_("放假"), "workday": N_("调休上班")}
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


class Ladder(BaseModel):
    """The limit and escalation periods of one case kind, in working days."""

    limit_days: int | None = Field(
        None, ge=0, le=3650, description="Working days from the start (none: a fixed due date)"
    )
    remind_before_days: int = Field(3, ge=0, le=365, description="提醒 this many days before")
    urge_after_days: int = Field(0, ge=0, le=365, description="催办 this many days overdue")
    supervise_after_days: int = Field(5, ge=0, le=365, description="督办 this many days overdue")
    notify_after_days: int = Field(10, ge=0, le=365, description="通报 this many days overdue")


class CaseKind(BaseModel):
    """A kind of case that runs on a clock, with its default ladder."""

    code: str
    name: str
    ladder: Ladder
    customised: bool = False


class LadderUpdate(Ladder):
    """A new ladder for a case kind; the periods must rise along the ladder."""

    @model_validator(mode="after")
    def rising(self) -> LadderUpdate:
        if not self.urge_after_days <= self.supervise_after_days <= self.notify_after_days:
            raise ValueError(_("催办、督办、通报的期限应依次递增。"))
        return self


class ClockEvent(BaseModel):
    """One step in a case's history that moves its clock."""

    type: EventType
    on: dt.date
    until: dt.date | None = None


class ClockState(BaseModel):
    """Where a case stands: due date, working days left, stage of the ladder."""

    kind: str
    started_on: dt.date
    due: dt.date
    provisional: bool = Field(
        description="The deadline crosses a year whose holiday notice is not entered yet: "
        "weekends only were counted."
    )
    stage: Stage
    working_days_left: int
    overdue_working_days: int
    overdue: bool
    reached: list[Stage] = Field(default_factory=list)
    next_stage: Stage | None = None
    next_stage_on: dt.date | None = None
    done_on: dt.date | None = None
    paused_since: dt.date | None = None


class CalendarDayCreate(BaseModel):
    """A holiday or make-up working day an admin enters from the State Council's notice."""

    day: dt.date
    kind: DayKind
    name: str = Field("", max_length=50)


class CalendarDayPublic(BaseModel):
    """One exception to the weekday rule."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    day: dt.date
    kind: DayKind
    name: str
    source: str


class CalendarYearPublic(BaseModel):
    """A year of the calendar: known (its notice entered) or not, and its exceptions."""

    year: int
    known: bool
    source: str = ""
    note: str = ""
    days: list[CalendarDayPublic] = Field(default_factory=list)


class WorkingDaysAnswer(BaseModel):
    """The answer of the working-day calculator."""

    start: dt.date
    days: int
    result: dt.date
    provisional: bool


# Case kinds that run on a clock, with their name and default limit in working days (None: the
# case carries its own due date). Modules add theirs here (an explicit list, no plugins).
CASE_KINDS: dict[str, tuple[str, int | None]] = {
    "supervision.milestone": (N_("工作方案里程碑"), None),
    "supervision.report": (N_("进度报送"), None),
    "sharing.request": (N_("有条件共享申请答复"), 10),
    "sharing.arbitration": (N_("共享异议仲裁"), 15),
    "quality.rectification": (N_("数据质量问题整改"), 10),
    "hotline.ticket": (N_("12345 工单办理"), 5),
}

# Case kinds whose default limit is a setting (STANDARDS.md: legal limits marked [M] are
# configuration); the value in ``CASE_KINDS`` is the setting's default.
LIMIT_SETTINGS: dict[str, str] = {
    "sharing.request": "sharing_review_days",
    "sharing.arbitration": "sharing_arbitration_days",
}
