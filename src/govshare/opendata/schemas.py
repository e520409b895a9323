"""Forms and public shapes of the open-data portal."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from govshare.catalog.schemas import FacetValue, ResourcePublic, ResourceSummary
from govshare.core.i18n import N_, _

Level = Literal["open", "conditional"]
TargetLevel = Literal["open", "conditional", "closed"]
LEVEL_LABELS: dict[str, str] = {
    "open": N_("无条件开放"),
    "conditional": N_("有条件开放"),
    "closed": N_("不予开放"),
}
LEVEL_RANK = {"closed": 0, "conditional": 1, "open": 2}  # higher = more open
RELEASE_STATUS_LABELS = {"released": N_("已开放"), "withdrawn": N_("已撤回")}
CHANGE_STATUS_LABELS = {"pending": N_("待审批"), "approved": N_("已批准"), "refused": N_("已驳回")}
APPLICATION_STATUS_LABELS = {
    "submitted": N_("待答复"),
    "granted": N_("已同意"),
    "refused": N_("未同意"),
}
REQUEST_STATUS_LABELS = {
    "submitted": N_("待分派"),
    "assigned": N_("办理中"),
    "answered": N_("已答复"),
}
REQUESTER_KINDS = {"citizen": N_("公民"), "company": N_("企业"), "researcher": N_("科研机构")}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str) -> str:
    """Text without control characters, trimmed (HTML is kept as text and escaped when shown)."""
    if _CONTROL.search(value):
        raise ValueError(_("含有不可见的控制字符。"))
    return value.strip()


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("不能为空。"))
    return value.strip()


class ReleaseCreate(BaseModel):
    """Release a published resource on the portal with the masks of its data items."""

    model_config = ConfigDict(extra="forbid")

    resource_id: int
    masks: dict[str, str] = Field(default_factory=dict, description="信息项名称 → 脱敏方式")
    note: str = Field("", max_length=500)


class ReleasePublic(BaseModel):
    """A release as shown on admin pages and in the API."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    level: str
    status: str
    masks: dict[str, str]
    note: str
    views: int
    downloads: int
    api_calls: int
    released_at: dt.datetime
    updated_at: dt.datetime


class LevelChangeCreate(BaseModel):
    """Ask to change a released resource's open level (lowering needs approval)."""

    model_config = ConfigDict(extra="forbid")

    to_level: TargetLevel
    reason: str = Field(min_length=1, max_length=2000)

    _reason = field_validator("reason")(not_blank)


class LevelChangePublic(BaseModel):
    """A level change and its decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    release_id: int
    resource_id: int
    from_level: str
    to_level: str
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class Decision(BaseModel):
    """Approve (grant) or refuse, with a note (a refusal needs one)."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: str = Field("", max_length=2000)


class PublicUserCreate(BaseModel):
    """Self-registration of a member of the public."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    organization: str = Field("", max_length=200)
    password: str = Field(min_length=10, max_length=200)

    _name = field_validator("name")(not_blank)
    _text = field_validator("organization")(plain_text)


class PublicUserPublic(BaseModel):
    """A public user as they see themselves."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    organization: str
    verified_at: dt.datetime | None
    api_key_prefix: str
    created_at: dt.datetime


class ApplicationCreate(BaseModel):
    """An application for a conditionally open resource (申请表 + 安全承诺书)."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=10, max_length=2000, description="用途")
    commitment: str = Field(min_length=10, max_length=4000, description="安全承诺")
    agree: bool = Field(description="承诺遵守数据安全与使用约定")

    _text = field_validator("purpose", "commitment")(plain_text)

    @field_validator("agree")
    @classmethod
    def must_agree(cls, value: bool) -> bool:
        if not value:
            raise ValueError(_("请勾选安全承诺。"))
        return value


class ApplicationPublic(BaseModel):
    """An application and its answer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    provider_department_id: int
    public_user_id: int
    purpose: str
    commitment: str
    status: str
    due_date: dt.date
    handoff_ref: str
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime
    resource_name: str = ""
    applicant_name: str = ""
    overdue: bool = False


class DataRequestCreate(BaseModel):
    """A public data request (数据需求)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=10, max_length=4000)
    requester_name: str = Field(min_length=1, max_length=100)
    requester_kind: Literal["citizen", "company", "researcher"] = "citizen"

    _text = field_validator("title", "description", "requester_name")(plain_text)


class DataRequestAnswer(BaseModel):
    """The provider's public answer, with the resource once it is open."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=2, max_length=4000)
    resource_id: int | None = None

    _text = field_validator("answer")(plain_text)


class DataRequestPublic(BaseModel):
    """A data request as everyone sees it (the requester's name is masked)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    requester_name: str
    requester_kind: str
    status: str
    provider_department_id: int | None
    provider_name: str
    due_date: dt.date | None
    answer: str
    answered_at: dt.datetime | None
    resource_id: int | None
    created_at: dt.datetime


class PortalItem(BaseModel):
    """A dataset in a portal list: the catalog summary with the portal's figures."""

    resource: ResourceSummary
    level: str
    views: int = 0
    downloads: int = 0
    has_data: bool = False


class PortalSearch(BaseModel):
    """A page of portal search results with facet counts."""

    items: list[PortalItem]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    tokens: list[str]
    stamp: str


class PortalHome(BaseModel):
    """What the home page shows."""

    total: int
    open_count: int
    conditional_count: int
    with_data: int
    domains: list[FacetValue]
    providers: list[FacetValue]
    counties: list[FacetValue]
    latest: list[PortalItem]
    requests_answered: int
    stamp: str


class VersionEntry(BaseModel):
    """One published version of a dataset (the update history)."""

    number: int
    rows: int
    published_at: dt.datetime | None
    status: str


class PortalDataset(BaseModel):
    """The dataset page: metadata, items, preview (masked), chart, history, permissions."""

    resource: ResourcePublic
    release: ReleasePublic
    masks: dict[str, str]
    has_data: bool
    may_read: bool
    columns: list[str] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    total_rows: int = 0
    version: int | None = None
    chart: dict[str, Any] | None = None
    history: list[VersionEntry] = Field(default_factory=list)
    application: ApplicationPublic | None = None
    stamp: str = ""


class Rankings(BaseModel):
    """The most viewed, downloaded and called datasets."""

    views: list[PortalItem]
    downloads: list[PortalItem]
    api_calls: list[PortalItem]


class UsageRow(BaseModel):
    """One released dataset's use: page views, downloads and CKAN API calls."""

    resource_id: int
    name: str
    provider_name: str
    level: str
    views: int
    downloads: int
    api_calls: int


class PortalUsage(BaseModel):
    """The portal's use for the e-government office: totals, the most used datasets and the
    CKAN API calls per day (anonymous and with a key)."""

    views: int
    downloads: int
    api_calls: int
    rows: list[UsageRow]
    days: list[dt.date]
    anonymous_calls: list[int]
    keyed_calls: list[int]
    pending_calls: int


class ReleaseRow(BaseModel):
    """A resource of the admin page: its filing and its release (if any)."""

    resource: ResourceSummary
    release: ReleasePublic | None
    personal_items: list[str]
    proposed_masks: dict[str, str]


class DcatFinding(BaseModel):
    """One result of the DCAT-AP check: the node, the property and what is wrong."""

    focus: str
    path: str
    message: str


class DcatCheck(BaseModel):
    """The portal's DCAT-AP feed checked against the DCAT-AP 3 core shapes (pyshacl)."""

    conforms: bool
    datasets: int
    triples: int
    violation_count: int
    warning_count: int
    violations: list[DcatFinding]
    warnings: list[DcatFinding]
