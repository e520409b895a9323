"""Shapes of consumer systems, requests, decisions, grants and the data API's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.core.i18n import N_, _
from govshare.core.masking import Mask

RequestStatus = Literal["pending", "returned", "approved", "refused", "objected"]
RenewalStatus = Literal["pending", "approved", "lapsed"]

STATUS_LABELS: dict[str, str] = {
    "pending": N_("待审核"),
    "returned": N_("退回补充"),
    "approved": N_("已批准"),
    "refused": N_("不予共享"),
    "objected": N_("异议待仲裁"),
}
ARBITRATION_LABELS: dict[str, str] = {
    "upheld": N_("维持不予共享"),
    "granted": N_("责令共享"),
}
RENEWAL_LABELS: dict[str, str] = {
    "pending": N_("待审核"),
    "approved": N_("已续期"),
    "lapsed": N_("不予续期"),
}
MASK_LABELS: dict[str, str] = {
    "none": N_("明文"),
    "keep_ends": N_("保留首尾"),
    "phone": N_("电话 3+4"),
    "name": N_("仅保留姓"),
    "address": N_("地址至乡镇街道"),
    "date_year": N_("日期仅保留年份"),
    "email": N_("邮箱首字符+域名"),
    "pseudonym": N_("密钥假名"),
    "suppress": N_("不提供"),
}
BATCH_MAX_KEYS = 1000


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("不能为空。"))
    return value.strip()


class RowScope(BaseModel):
    """One condition of a row filter: the item's value is one of ``values`` (e.g. own county)."""

    item: str = Field(max_length=100)
    values: list[str] = Field(min_length=1, max_length=200)

    @field_validator("values")
    @classmethod
    def values_not_blank(cls, v: list[str]) -> list[str]:
        out = [x.strip() for x in v if x.strip()]
        if not out:
            raise ValueError(_("行范围至少给出一个取值。"))
        return out


class SystemCreate(BaseModel):
    """A consumer system a department registers."""

    name: str = Field(max_length=100)
    purpose: str = Field(max_length=500)
    contact: str = Field("", max_length=100)

    _name = field_validator("name", "purpose")(_not_blank)


class SystemPublic(BaseModel):
    """A consumer system as shown (never its pseudonym key)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    department_id: int
    name: str
    purpose: str
    contact: str
    active: bool
    created_at: dt.datetime


class RequestCreate(BaseModel):
    """A consumer's application for a published resource."""

    system_id: int
    resource_id: int
    purpose: str = Field(max_length=500, description="用途")
    scenario: str = Field("", max_length=500, description="业务场景")
    legal_basis: str = Field("", max_length=500, description="依据")
    items: list[str] = Field(min_length=1, max_length=500, description="申请的信息项名称")
    row_filter: list[RowScope] = Field(default_factory=list, description="行范围")
    days: int = Field(365, ge=1, le=1095, description="使用期限（天）")
    volume: str = Field("", max_length=100, description="预计调用量")

    _purpose = field_validator("purpose")(_not_blank)


class Decision(BaseModel):
    """A reviewer's approval, possibly narrowed: fewer items, a row filter, tighter masks."""

    items: list[str] | None = Field(None, description="批准的信息项（默认：申请的全部）")
    row_filter: list[RowScope] | None = Field(None, description="行范围（默认：申请的范围）")
    masks: dict[str, Mask] = Field(default_factory=dict, description="收紧的脱敏方式")
    days: int | None = Field(None, ge=1, le=1095)
    rate_limit: int = Field(50, ge=1, le=10000, description="每秒请求数")
    daily_quota: int = Field(100000, ge=1, le=100_000_000, description="每日记录数")
    note: str = Field("", max_length=500)


class Reason(BaseModel):
    """A refusal or a return needs a reason."""

    reason: str = Field(max_length=2000)

    _reason = field_validator("reason")(_not_blank)


class Objection(BaseModel):
    """A consumer's objection to a refusal (提出异议): the reasons are required."""

    reason: str = Field(max_length=2000, description="异议理由")

    _reason = field_validator("reason")(_not_blank)


class Arbitration(Decision):
    """市电政办's arbitration: uphold the refusal, or order a grant. An ordered grant takes the
    reviewer's narrowing options (fewer items, a narrower row filter, tighter masks)."""

    outcome: Literal["uphold", "grant"] = Field(description="uphold 维持不予共享；grant 责令共享")
    note: str = Field(max_length=2000, description="仲裁意见")

    _note = field_validator("note")(_not_blank)


class RequestPublic(BaseModel):
    """A request with its clock."""

    id: int
    system_id: int
    system_name: str
    resource_id: int
    resource_code: str
    resource_name: str
    department_id: int
    provider_department_id: int
    share_type: str
    purpose: str
    scenario: str
    legal_basis: str
    items: list[str]
    row_filter: list[RowScope]
    days: int
    volume: str
    status: RequestStatus
    status_label: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str
    due: dt.date | None = None
    working_days_left: int | None = None
    overdue: bool = False
    stage: str | None = None
    grant_id: int | None = None
    default_masks: dict[str, str] = Field(
        default_factory=dict, description="各信息项的默认脱敏方式（审核只能收紧）"
    )
    objection_until: dt.date | None = Field(None, description="可提出异议的最后一天")
    objection: str = ""
    objected_at: dt.datetime | None = None
    arbitration: Literal["", "upheld", "granted"] = ""
    arbitration_label: str = ""
    arbitration_note: str = ""
    arbitrated_at: dt.datetime | None = None
    arbitration_due: dt.date | None = None
    arbitration_days_left: int | None = None
    arbitration_overdue: bool = False


class GrantPublic(BaseModel):
    """A grant as its consumer and provider see it."""

    id: int
    request_id: int
    system_id: int
    system_name: str
    department_id: int
    provider_department_id: int
    resource_id: int
    resource_code: str
    resource_name: str
    items: list[str]
    masks: dict[str, str]
    row_filter: list[RowScope]
    purpose: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    rate_limit: int
    daily_quota: int
    revoked_at: dt.datetime | None
    revoked_reason: str
    active: bool
    state: Literal["active", "revoked", "expired", "not_yet"] = "active"
    expiring: bool = Field(False, description="在到期提醒期内（可申请续期）")
    renewal_id: int | None = None
    renewal_status: RenewalStatus | None = None


class RenewalCreate(BaseModel):
    """A consumer's application to renew a grant: the purpose stated again, a new period."""

    purpose: str = Field(max_length=500, description="用途（重新说明）")
    days: int = Field(365, ge=1, le=1095, description="续期天数")

    _purpose = field_validator("purpose")(_not_blank)


class RenewalDecision(BaseModel):
    """The provider's approval of a renewal, possibly for a shorter period."""

    days: int | None = Field(None, ge=1, le=1095, description="续期天数（默认：申请的天数）")
    note: str = Field("", max_length=500)


class RenewalPublic(BaseModel):
    """A renewal application with the grant it renews."""

    id: int
    grant_id: int
    system_name: str
    resource_name: str
    department_id: int
    provider_department_id: int
    purpose: str
    days: int
    status: RenewalStatus
    status_label: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    note: str
    grant_valid_until: dt.datetime
    valid_until: dt.datetime | None = Field(None, description="批准后的新有效期")


class UsageCount(BaseModel):
    """Calls, records returned and refusals of one system, grant or day."""

    key: str
    label: str
    calls: int = 0
    records: int = 0
    refusals: int = 0


class GrantUsage(UsageCount):
    """A grant's usage, with its purpose and today's quota left."""

    grant_id: int
    system_name: str
    resource_name: str
    purpose: str
    daily_quota: int
    quota_left_today: int


class UsageReport(BaseModel):
    """Usage of the data API over a date range, as the provider or the consumer sees it."""

    side: Literal["provider", "consumer"]
    since: dt.date
    until: dt.date
    totals: UsageCount
    by_system: list[UsageCount]
    by_grant: list[GrantUsage]
    by_day: list[UsageCount]


class RowsAnswer(BaseModel):
    """A page of rows under a grant."""

    resource_code: str
    grant_id: int
    items: list[str]
    rows: list[dict[str, Any]]
    next_cursor: str | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "resource_code": "371400-101001/000001",
                    "grant_id": 1,
                    "items": ["姓名", "公民身份号码", "户籍地址"],
                    "rows": [
                        {
                            "姓名": "张**",
                            "公民身份号码": "371403********1234",
                            "户籍地址": "山东省德州市陵城区安德街道****",
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )


class RecordAnswer(BaseModel):
    """One record under a grant."""

    resource_code: str
    grant_id: int
    record: dict[str, Any]


class BatchRequest(BaseModel):
    """Up to 1,000 keys."""

    keys: list[str] = Field(max_length=BATCH_MAX_KEYS + 1)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"keys": ["371403198001011234", "371403199002023456"]}]}
    )


class BatchAnswer(BaseModel):
    """The records found, in key order, and the keys not found (or outside the grant)."""

    resource_code: str
    grant_id: int
    records: list[dict[str, Any]]
    missing: list[str]


class VerifyRequest(BaseModel):
    """核验: the key and the values to check; no data is returned."""

    key: str
    fields: dict[str, str] = Field(min_length=1, max_length=50)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"key": "371403198001011234", "fields": {"姓名": "张三", "户籍地址": "…"}}]
        }
    )


class VerifyAnswer(BaseModel):
    """Whether the record exists and, per field, whether the given value matches."""

    resource_code: str
    grant_id: int
    exists: bool
    fields: dict[str, bool]
