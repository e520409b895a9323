"""Shapes of rules, runs, findings, issues, objections, scores and the inspection report."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.core.i18n import N_, _
from govshare.quality.compiler import DIMENSIONS, KINDS

Severity = Literal["error", "warning"]
SEVERITY_LABELS = {"error": N_("错误（阻止发布）"), "warning": N_("警告")}
RUN_STATUS_LABELS = {"passed": N_("通过"), "warnings": N_("有警告"), "blocked": N_("未通过")}
TRIGGER_LABELS = {"gate": N_("发布检查"), "schedule": N_("定期巡检"), "manual": N_("手动检查")}
ISSUE_STATUS_LABELS = {
    "open": N_("待整改"),
    "fixed": N_("已整改待复查"),
    "resolved": N_("复查通过"),
    "escalated": N_("逾期已升级"),
}
OBJECTION_STATUS_LABELS = {
    "open": N_("待答复"),
    "confirmed": N_("已确认待更正"),
    "fixed": N_("已在新版本更正"),
    "rejected": N_("已答复（数据无误）"),
}
__all__ = ["DIMENSIONS", "KINDS"]


def kind_is_known(value: str) -> str:
    if value not in KINDS:
        raise ValueError(_("不支持的规则类型。"))
    return value


def items_are_named(value: list[str]) -> list[str]:
    return [v.strip() for v in value if v and v.strip()]


def tolerance_is_a_share(value: float) -> float:
    if not 0 <= value < 1:
        raise ValueError(_("容忍比例应在 0 到 1 之间（不含 1）。"))
    return value


class RuleCreate(BaseModel):
    """A new rule on a dataset's data items."""

    name: str = Field("", max_length=200)
    kind: str
    items: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    severity: Severity = "error"
    tolerance: float = 0.0
    enabled: bool = True

    _kind = field_validator("kind")(kind_is_known)
    _items = field_validator("items")(items_are_named)
    _tolerance = field_validator("tolerance")(tolerance_is_a_share)


class RuleUpdate(BaseModel):
    """Changes to a rule (items and kind stay)."""

    name: str | None = Field(None, max_length=200)
    params: dict[str, Any] | None = None
    severity: Severity | None = None
    tolerance: float | None = None
    enabled: bool | None = None

    @field_validator("tolerance")
    @classmethod
    def _tolerance(cls, v: float | None) -> float | None:
        return None if v is None else tolerance_is_a_share(v)


class ReferenceTarget(BaseModel):
    """A resource a reference rule may point at, with its data items."""

    resource_id: int
    name: str
    department: str
    items: list[str]


class RulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    name: str
    kind: str
    items: list[str]
    params: dict[str, Any]
    dimension: str
    severity: str
    tolerance: float
    enabled: bool
    suggested: bool


class FindingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int | None
    rule_name: str
    kind: str
    items: list[str]
    dimension: str
    severity: str
    failing: int
    checked: int
    share: float
    passed: bool
    detail: str
    samples: list[dict[str, Any]] = Field(
        default_factory=list, description="At most 20 failing rows: key items and values"
    )


class RunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    dataset_name: str
    department_id: int
    department_name: str
    version_number: int
    trigger: str
    status: str
    rows: int
    rules: int
    failed_rules: int
    scores: dict[str, float]
    score: float
    elapsed_ms: int
    started_at: dt.datetime


class RunDetail(RunPublic):
    findings: list[FindingPublic] = Field(default_factory=list)
    samples_hidden: bool = False


class IssuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    dataset_name: str
    department_id: int
    rule_id: int | None
    rule_name: str
    failing: int
    status: str
    deadline: dt.date
    note: str
    fixed_by_name: str
    fixed_at: dt.datetime | None
    resolved_at: dt.datetime | None
    escalated_at: dt.datetime | None
    created_at: dt.datetime


class IssueFix(BaseModel):
    """The department's note that it fixed the data."""

    note: str = Field(min_length=1, max_length=2000)

    @field_validator("note")
    @classmethod
    def _note(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(_("请说明整改情况。"))
        return v.strip()


class ObjectionCreate(BaseModel):
    """A consumer's objection to one value."""

    item: str = Field(min_length=1, max_length=100)
    row_key: str = Field("", max_length=200)
    value: str = Field("", max_length=500)
    description: str = Field(min_length=1, max_length=4000)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(_("请说明数据哪里有误。"))
        return v.strip()


class ObjectionAnswer(BaseModel):
    """The provider's answer: confirm (and fix in a new version) or explain why it is right."""

    accept: bool
    answer: str = Field(min_length=1, max_length=4000)

    @field_validator("answer")
    @classmethod
    def _answer(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(_("请填写答复。"))
        return v.strip()


class ObjectionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    dataset_name: str
    department_id: int
    item: str
    row_key: str
    value: str
    description: str
    filed_by_name: str
    status: str
    deadline: dt.date
    answer: str
    answered_by_name: str
    answered_at: dt.datetime | None
    fixed_version: int | None
    created_at: dt.datetime


class DepartmentScore(BaseModel):
    """A department's place on the scoreboard (latest run of each of its datasets)."""

    rank: int
    department_id: int
    department_name: str
    datasets: int
    score: float
    scores: dict[str, float]
    open_issues: int


class AreaScore(BaseModel):
    """The average of the departments of one division (GB/T 2260 code: 德州市 for city units)."""

    area_code: str
    area_name: str
    departments: int
    score: float


class Scoreboard(BaseModel):
    departments: list[DepartmentScore]
    areas: list[AreaScore] = Field(default_factory=list)
    months: list[str] = Field(default_factory=list)
    trend: dict[str, list[float | None]] = Field(
        default_factory=dict, description="Department name → average score per month"
    )
    weights: dict[str, float] = Field(default_factory=dict)


class InspectionReport(BaseModel):
    """A department's inspection report for a period."""

    department_id: int
    department_name: str
    start: dt.date
    end: dt.date
    score: float | None
    runs: list[RunDetail]
    issues: list[IssuePublic]
    samples_hidden: bool = False


class CodeTableVersionPublic(BaseModel):
    """One immutable upload of a code table."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    row_count: int
    filename: str
    encoding: str
    created_by_name: str
    created_at: dt.datetime


class CodeTablePublic(BaseModel):
    """A code table a steward uploaded, with its latest version number."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    latest_version: int
    created_by_name: str
    created_at: dt.datetime


class CodeRow(BaseModel):
    code: str
    name: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class CodeTableDetail(CodeTablePublic):
    """A code table, one version's rows, and all its versions (newest first)."""

    version: CodeTableVersionPublic
    rows: list[CodeRow]
    versions: list[CodeTableVersionPublic]
