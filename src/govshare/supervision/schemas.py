"""Shapes of plans, tasks, milestones, reports, extensions, dashboards and the evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.clocks.schemas import ClockState
from govshare.core.i18n import N_, _

Status = Literal["not_started", "on_track", "at_risk", "overdue", "done"]
STATUS_LABELS: dict[str, str] = {
    "not_started": N_("未开始"),
    "on_track": N_("正常推进"),
    "at_risk": N_("有风险"),
    "overdue": N_("已逾期"),
    "done": N_("已完成"),
}
STATUS_COLORS = {
    "not_started": "secondary",
    "on_track": "primary",
    "at_risk": "warning",
    "overdue": "danger",
    "done": "success",
}
EVENT_LABELS: dict[str, str] = {
    "remind": N_("提醒"),
    "urge": N_("催办"),
    "supervise": N_("督办"),
    "notify": N_("列为通报候选"),
    "report_due": N_("提醒报送进度"),
    "report": N_("报送进度"),
    "accept": N_("采纳进度"),
    "return": N_("退回进度"),
    "extension": N_("申请延期"),
    "extension_ok": N_("批准延期"),
    "extension_no": N_("不批准延期"),
    "milestone": N_("修改里程碑"),
    "resolve": N_("明确配合单位"),
    "import": N_("导入"),
}
SOURCE_LABELS: dict[str, str] = {
    "time_node": N_("时间节点"),
    "content": N_("任务内容"),
    "both": N_("时间节点与任务内容"),
    "manual": N_("督查员修改"),
}


def percent_in_range(value: int) -> int:
    """Progress is a percentage."""
    if not 0 <= value <= 100:
        raise ValueError(_("进度应在 0 到 100 之间。"))
    return value


class ReportCreate(BaseModel):
    """A progress report: percent, narrative, optionally the milestone it is about."""

    percent: int
    narrative: str = Field(min_length=2, max_length=5000)
    milestone_id: int | None = None
    department_id: int | None = Field(
        None, description="The unit reported for (default: the reporter's own unit)"
    )

    _percent = field_validator("percent")(percent_in_range)


class UploadedFile(BaseModel):
    """An evidence file as received."""

    filename: str
    content_type: str = "application/octet-stream"
    data: bytes


class ReportReview(BaseModel):
    """A supervisor's decision on a report."""

    decision: Literal["accept", "return"]
    note: str = Field("", max_length=2000)
    rating: int | None = Field(None, ge=1, le=5, description="1–5, counts in the evaluation")
    milestone_done: bool = Field(False, description="Mark the report's milestone done")


class MilestoneUpdate(BaseModel):
    """A supervisor's correction of an extracted milestone."""

    due: dt.date
    sentence: str = Field("", max_length=2000)


class MilestoneCreate(MilestoneUpdate):
    """A milestone the supervisor adds by hand."""


class ExtensionCreate(BaseModel):
    """A unit's request to move a milestone."""

    requested_due: dt.date
    reason: str = Field(min_length=4, max_length=2000)


class ExtensionDecision(BaseModel):
    """A supervisor's decision on an extension request."""

    approve: bool
    note: str = Field("", max_length=2000)


class GroupResolve(BaseModel):
    """The units a named group stands for on one task."""

    group_name: str
    department_ids: list[int] = Field(default_factory=list)


class Weights(BaseModel):
    """Evaluation weights (normalised when they do not add up to 1)."""

    on_time: float = Field(0.5, ge=0, le=1)
    timeliness: float = Field(0.3, ge=0, le=1)
    rating: float = Field(0.2, ge=0, le=1)


# --- public shapes ---------------------------------------------------------------------------


class UnitRef(BaseModel):
    """A unit (or a named group) on a task."""

    role: Literal["lead", "co"]
    department_id: int | None = None
    name: str
    group_name: str = ""
    via_group: str = ""
    resolved: bool = True


class MilestonePublic(BaseModel):
    """A milestone with its status and clock."""

    id: int
    task_id: int
    task_number: int = 0
    task_title: str = ""
    due: dt.date
    original_due: dt.date
    source: str
    sentence: str
    done_on: dt.date | None
    corrected: bool
    status: Status
    clock: ClockState | None = None


class TaskSummary(BaseModel):
    """A task in lists and dashboards."""

    id: int
    plan_id: int
    number: int
    title: str
    part: str
    section: str
    time_node: str
    recurring: bool
    lead: str
    lead_id: int | None
    co_units: list[str]
    percent: int
    status: Status
    next_due: dt.date | None = None
    provisional: bool = False
    stage: str = ""


class ReportPublic(BaseModel):
    """A progress report."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    department_id: int
    milestone_id: int | None
    author: str
    period: str
    percent: int
    narrative: str
    status: str
    submitted_at: dt.datetime
    on_time: bool
    reviewer: str
    review_note: str
    reviewed_at: dt.datetime | None
    rating: int | None


class AttachmentPublic(BaseModel):
    """An evidence file."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    report_id: int
    filename: str
    content_type: str
    size: int
    digest: str


class ExtensionPublic(BaseModel):
    """An extension request."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    milestone_id: int
    task_id: int
    department_id: int
    author: str
    requested_due: dt.date
    reason: str
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str
    decision_note: str


class EventPublic(BaseModel):
    """A step recorded on a task."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    milestone_id: int | None
    kind: str
    at: dt.datetime
    actor: str
    note: str
    recipients: int


class TaskDetail(TaskSummary):
    """A task with everything on its page."""

    content: str
    units_text: str
    weight: float
    units: list[UnitRef]
    milestones: list[MilestonePublic]
    reports: list[ReportPublic]
    attachments: dict[int, list[AttachmentPublic]] = Field(default_factory=dict)
    extensions: list[ExtensionPublic]
    events: list[EventPublic]
    responsible_ids: list[int]
    unit_names: dict[int, str] = Field(default_factory=dict)
    group_members: dict[str, list[int]] = Field(default_factory=dict)


class PlanPublic(BaseModel):
    """A plan and its counts."""

    id: int
    title: str
    starts_on: dt.date
    source: str
    note: str
    shifted_days: int
    archived: bool
    tasks: int
    milestones: int
    percent: float
    by_status: dict[str, int]


class PlanOutline(BaseModel):
    """Parts → sections → tasks, as on the plan page."""

    plan: PlanPublic
    parts: list[PartOutline]


class PartOutline(BaseModel):
    """A part with its sections."""

    number: str
    title: str
    percent: float
    sections: list[SectionOutline]


class SectionOutline(BaseModel):
    """A section with its tasks."""

    number: str
    title: str
    percent: float
    tasks: list[TaskSummary]


PlanOutline.model_rebuild()
PartOutline.model_rebuild()


class Bar(BaseModel):
    """One bar of a dashboard chart."""

    name: str
    value: float
    count: int = 0
    overdue: int = 0


class TimelinePoint(BaseModel):
    """A milestone on the timeline."""

    task: int
    title: str
    due: dt.date
    status: Status


class Dashboard(BaseModel):
    """What the plan's dashboard shows."""

    plan: PlanPublic
    by_part: list[Bar]
    by_section: list[Bar]
    by_unit: list[Bar]
    by_county: list[Bar]
    overdue: list[TaskSummary]
    upcoming: list[MilestonePublic]
    timeline: list[TimelinePoint]
    today: dt.date


class UnitScore(BaseModel):
    """One unit's evaluation."""

    rank: int = 0
    department_id: int
    name: str
    kind: str = ""
    milestones_due: int
    milestones_on_time: int
    reports_expected: int
    reports_on_time: int
    rating: float | None
    on_time_score: float | None
    timeliness_score: float | None
    rating_score: float | None
    score: float


class Evaluation(BaseModel):
    """Units ranked for a plan and period with the weights used."""

    plan_id: int
    start: dt.date
    end: dt.date
    weights: Weights
    units: list[UnitScore]


class PreviewTask(BaseModel):
    """A task as the import preview shows it."""

    number: int
    title: str
    part: str
    section: str
    time_node: str
    recurring: bool
    units: list[UnitRef]
    milestones: list[tuple[dt.date, str, str]]
    problems: list[str]


class ImportPreview(BaseModel):
    """What an import would create, and every problem found, before anything is saved."""

    title: str
    parts: int
    sections: int
    tasks: list[PreviewTask]
    problems: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not self.problems


class UnitPage(BaseModel):
    """Everything a unit owes across plans."""

    department_id: int
    name: str
    lead: list[TaskSummary]
    co: list[TaskSummary]
    milestones: list[MilestonePublic]
    returned: list[ReportPublic]
    extensions: list[ExtensionPublic]


class ReminderReport(BaseModel):
    """What one reminder pass did."""

    remind: int = 0
    urge: int = 0
    supervise: int = 0
    notify: int = 0
    report_due: int = 0


class HomeProgress(BaseModel):
    """The plan card of the home dashboard."""

    plan: PlanPublic
    mine: int = 0
    overdue: list[TaskSummary] = Field(default_factory=list)


class MilestoneRow(BaseModel):
    """A milestone as stored (after a change)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    task_id: int
    due: dt.date
    original_due: dt.date
    source: str
    sentence: str
    done_on: dt.date | None
    corrected: bool


class PlanRef(BaseModel):
    """A plan as created."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    starts_on: dt.date
    source: str
    shifted_days: int
