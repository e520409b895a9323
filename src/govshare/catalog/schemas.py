"""Forms and API shapes of the catalog: resources, data items, categories, versions, search,
imports and statistics. Value lists follow STANDARDS.md §1; labels are Chinese msgids."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.core.i18n import N_, _

Status = Literal["draft", "submitted", "returned", "published", "retired"]
VersionStatus = Literal["draft", "submitted", "returned", "published", "superseded", "withdrawn"]
CategoryClass = Literal["basic", "thematic", "departmental"]
ShareType = Literal["unconditional", "conditional", "none"]
OpenType = Literal["open", "conditional", "closed"]
FormatClass = Literal[
    "file", "spreadsheet", "database", "image", "streaming", "self_describing", "other"
]
ShareMethod = Literal["database", "interface", "file", "other"]
TypeCode = Literal["C", "N", "Y", "D", "T", "L", "M", "G", "B", "I", "F"]

STATUS_LABELS: dict[str, str] = {
    "draft": N_("草稿"),
    "submitted": N_("待审核"),
    "returned": N_("已退回"),
    "published": N_("已发布"),
    "retired": N_("已停用"),
    "superseded": N_("已被新版本取代"),
    "withdrawn": N_("已撤回"),
}
CATEGORY_CLASS_LABELS: dict[str, str] = {
    "basic": N_("基础信息资源目录"),
    "thematic": N_("主题信息资源目录"),
    "departmental": N_("部门信息资源目录"),
}
LEI_OF_CLASS = {"basic": "1", "thematic": "2", "departmental": "3"}  # [M] STANDARDS.md §1.4
CLASS_OF_LEI = {v: k for k, v in LEI_OF_CLASS.items()}
SHARE_TYPE_LABELS: dict[str, str] = {
    "unconditional": N_("无条件共享"),
    "conditional": N_("有条件共享"),
    "none": N_("不予共享"),
}
OPEN_TYPE_LABELS: dict[str, str] = {
    "open": N_("无条件开放"),
    "conditional": N_("有条件开放"),
    "closed": N_("不予开放"),
}
FORMAT_CLASS_LABELS: dict[str, str] = {
    "file": N_("电子文件"),
    "spreadsheet": N_("电子表格"),
    "database": N_("数据库"),
    "image": N_("图形图像"),
    "streaming": N_("流媒体"),
    "self_describing": N_("自描述格式"),
    "other": N_("其他"),
}
SHARE_METHOD_LABELS: dict[str, str] = {
    "database": N_("共享平台-数据库"),
    "interface": N_("共享平台-接口"),
    "file": N_("共享平台-文件"),
    "other": N_("其他方式（邮件、拷盘、介质等）"),
}
TYPE_CODE_LABELS: dict[str, str] = {
    "C": N_("字符型"),
    "N": N_("数值型"),
    "Y": N_("货币型"),
    "D": N_("日期型"),
    "T": N_("日期时间型"),
    "L": N_("逻辑型"),
    "M": N_("备注型"),
    "G": N_("通用型"),
    "B": N_("双精度型"),
    "I": N_("整型"),
    "F": N_("浮点型"),
}
GRADING_LABELS: dict[int, str] = {
    1: N_("一级（一般）"),
    2: N_("二级（敏感）"),
    3: N_("三级（重要）"),
    4: N_("四级（极重要）"),
}
UPDATE_CYCLE_LABELS: dict[str, str] = {
    "实时": N_("实时"),
    "每日": N_("每日"),
    "每周": N_("每周"),
    "每月": N_("每月"),
    "每季度": N_("每季度"),
    "每半年": N_("每半年"),
    "每年": N_("每年"),
    "其他": N_("其他"),
}
# The 格式 ↔ 共享方式 cascade (STANDARDS.md §1.2 element 9, [V Inspur] for file and database).
SHARE_METHODS_BY_FORMAT: dict[str, tuple[str, ...]] = {
    "file": ("file", "other"),
    "spreadsheet": ("file", "other"),
    "database": ("database", "interface", "other"),
    "image": ("file", "other"),
    "streaming": ("interface", "file", "other"),
    "self_describing": ("interface", "file", "other"),
    "other": ("database", "interface", "file", "other"),
}


def not_blank(value: str) -> str:
    """Strip; refuse an empty value."""
    value = value.strip()
    if not value:
        raise ValueError(_("不能为空。"))
    return value


def stripped(value: str) -> str:
    return value.strip()


def clean_list(values: list[str]) -> list[str]:
    """Strip each entry, drop blanks and repeats, keep the order."""
    out: list[str] = []
    for v in values:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return out


# --- data items --------------------------------------------------------------------------------


class DataItemIn(BaseModel):
    """A data item (信息项) as filed."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, description="信息项名称")
    type_code: TypeCode = Field(description="数据类型 C N Y D T L M G B I F (STANDARDS.md §1.3)")
    length: int | None = Field(None, ge=1, le=1_000_000, description="数据长度")
    description: str = Field("", max_length=2000)
    is_key: bool = Field(False, description="主键或唯一标识")
    required: bool = Field(False, description="必填")
    personal: bool = Field(False, description="个人信息 (GB/T 35273)")
    sensitivity_level: int = Field(1, ge=1, le=4, description="敏感级别 1–4")
    authoritative_provider_id: int | None = Field(
        None, description="一数一源: the department that is the authoritative source"
    )

    _name = field_validator("name")(not_blank)
    _description = field_validator("description")(stripped)


class DataItemPublic(BaseModel):
    """A data item as shown and served."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    name: str
    type_code: str
    length: int | None
    description: str
    is_key: bool
    required: bool
    personal: bool
    sensitivity_level: int
    authoritative_provider_id: int | None


# --- resources ---------------------------------------------------------------------------------


class ResourceCreate(BaseModel):
    """A resource as filed: every element of the national core metadata (STANDARDS.md §1.2).

    ``category_code`` names the 目 (or 细目) by its 前段码, e.g. ``101001``. ``code`` may be given
    (an existing catalog's code); otherwise the 顺序码 is the next free one.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="信息资源名称")
    category_code: str = Field("", max_length=40, description="分类（目/细目）的前段码")
    code: str | None = Field(None, max_length=64, description="信息资源代码 前段码/后段码")
    provider_department_id: int = Field(description="信息资源提供方 (department id)")
    abstract: str = Field(max_length=4000, description="信息资源摘要")
    format_class: FormatClass = Field(description="信息资源格式分类")
    format_type: str = Field("", max_length=40, description="信息资源格式类型")
    share_type: ShareType = Field(description="共享类型")
    share_conditions: str = Field("", max_length=4000, description="共享条件")
    share_method: ShareMethod = Field(description="共享方式")
    share_method_note: str = Field("", max_length=200, description="其他共享方式的说明")
    open_type: OpenType = Field(description="开放属性")
    open_conditions: str = Field("", max_length=4000, description="开放条件")
    update_cycle: str = Field(max_length=20, description="更新周期")
    grading_level: int = Field(1, ge=1, le=4, description="数据分级 1–4 (STANDARDS.md §4.3)")
    grading_override_reason: str = Field(
        "", max_length=2000, description="共享/开放类型不同于分级默认值的理由"
    )
    secret: bool = Field(False, description="涉密 (refused: the platform holds only 非涉密)")
    legal_basis: str = Field("", max_length=4000, description="法律法规或政策依据")
    publish_date: dt.date | None = Field(None, description="发布日期 (set on publication)")
    related_codes: list[str] = Field(default_factory=list, description="关联资源代码")
    keywords: list[str] = Field(default_factory=list, description="关键字")
    record_count: int | None = Field(None, ge=0, description="数据量（条）")
    service_url: str = Field("", max_length=300, description="在线资源链接地址")
    data_items: list[DataItemIn] = Field(default_factory=list, description="信息项")

    _name = field_validator("name")(not_blank)
    _abstract = field_validator("abstract")(not_blank)
    _strip = field_validator(
        "category_code",
        "format_type",
        "share_conditions",
        "share_method_note",
        "open_conditions",
        "update_cycle",
        "grading_override_reason",
        "legal_basis",
        "service_url",
    )(stripped)
    _lists = field_validator("related_codes", "keywords")(clean_list)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip().upper()


class ReviewPublic(BaseModel):
    """A reviewer's decision."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    decision: str
    comment: str
    reviewer_name: str
    created_at: dt.datetime


class ResourcePublic(BaseModel):
    """A resource as other modules and API clients see it."""

    id: int
    code: str
    name: str
    status: Status
    category_id: int
    category_code: str
    category_name: str
    category_class: CategoryClass
    lei: str
    xiang: str
    mu: str
    ximu: str
    seq: int
    provider_department_id: int
    provider_name: str
    provider_code: str
    abstract: str
    format_class: str
    format_type: str
    share_type: ShareType
    share_conditions: str
    share_method: str
    share_method_note: str
    open_type: OpenType
    open_conditions: str
    update_cycle: str
    grading_level: int
    grading_override_reason: str
    secret: bool
    legal_basis: str
    publish_date: dt.date | None
    related_codes: list[str]
    keywords: list[str]
    record_count: int | None
    service_url: str
    version: int
    pending_version: int | None = Field(None, description="A revision waiting for review")
    pending_status: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    published_at: dt.datetime | None
    data_items: list[DataItemPublic]


class ResourceSummary(BaseModel):
    """A resource in a list or search result (no data items)."""

    id: int
    code: str
    name: str
    status: Status
    category_class: CategoryClass
    provider_department_id: int
    provider_name: str
    share_type: str
    open_type: str
    format_class: str
    update_cycle: str
    grading_level: int
    version: int
    item_count: int = 0
    abstract: str = ""
    publish_date: dt.date | None = None
    updated_at: dt.datetime | None = None
    highlight: str = Field("", description="Why it matched (search)")


class VersionPublic(BaseModel):
    """One filed version."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    version: int
    status: VersionStatus
    change_note: str
    review_comment: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    payload: dict[str, Any] = Field(description="The version's content as filed")


class FieldChange(BaseModel):
    """One field that differs between two versions."""

    field: str
    label: str
    before: Any
    after: Any


class ItemChange(BaseModel):
    """A data item added, removed or changed between two versions."""

    name: str
    change: Literal["added", "removed", "changed"]
    fields: list[FieldChange] = Field(default_factory=list)


class VersionDiff(BaseModel):
    """Field-by-field differences between two versions of a resource."""

    resource_id: int
    from_version: int
    to_version: int
    fields: list[FieldChange]
    items: list[ItemChange]


class ReviewDecision(BaseModel):
    """A reviewer's comment when returning, or note when publishing."""

    comment: str = Field("", max_length=4000)

    _comment = field_validator("comment")(stripped)


class ReturnDecision(BaseModel):
    """Returning needs a comment that tells the steward what to fix."""

    comment: str = Field(max_length=4000)

    _comment = field_validator("comment")(not_blank)


class RetireRequest(BaseModel):
    """Why a resource is retired."""

    reason: str = Field(max_length=2000)

    _reason = field_validator("reason")(not_blank)


class QueueEntry(BaseModel):
    """A submitted version waiting for a reviewer."""

    resource_id: int
    code: str
    name: str
    provider_name: str
    version: int
    first_filing: bool
    submitted_at: dt.datetime | None
    due_date: dt.date | None
    overdue: bool


# --- categories ----------------------------------------------------------------------------------


class CategoryCreate(BaseModel):
    """A new 目 (under a 项) or 细目 (under a 目)."""

    model_config = ConfigDict(extra="forbid")

    parent_id: int
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(max_length=100)
    department_id: int | None = None
    sort_order: int = 0

    _name = field_validator("name")(not_blank)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return value.strip().upper()


class CategoryPublic(BaseModel):
    """A node of the classification."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    level: int
    code: str
    full_code: str
    name: str
    category_class: str
    parent_id: int | None
    department_id: int | None
    active: bool


# --- search ------------------------------------------------------------------------------------


class ResourceFilter(BaseModel):
    """Filters of lists, search, exports and facets (all optional)."""

    q: str = ""
    status: Status | None = None
    provider_department_id: int | None = None
    category_class: CategoryClass | None = None
    category_id: int | None = None
    share_type: ShareType | None = None
    open_type: OpenType | None = None
    format_class: FormatClass | None = None
    update_cycle: str | None = None
    grading_level: int | None = Field(None, ge=1, le=4)
    area_code: str | None = None


class FacetValue(BaseModel):
    """One value of a facet and how many results carry it."""

    value: str
    label: str
    count: int


class SearchResult(BaseModel):
    """A page of ranked results with facet counts over the whole result set."""

    items: list[ResourceSummary]
    total: int
    facets: dict[str, list[FacetValue]]
    next_cursor: str | None
    tokens: list[str] = Field(default_factory=list, description="The segmented query")


# --- import ------------------------------------------------------------------------------------


class CellError(BaseModel):
    """One wrong cell of an imported file, in Chinese."""

    sheet: str
    row: int
    column: str
    header: str
    value: str
    message: str


class ImportReport(BaseModel):
    """What an import found and did: per-row, per-cell errors; nothing saved when any row failed
    unless the valid rows were explicitly asked for."""

    filename: str
    rows: int
    valid_rows: int
    errors: list[CellError]
    imported: int
    imported_ids: list[int] = Field(default_factory=list)
    mode: Literal["all_or_nothing", "valid_rows"]
    encoding: str | None = None

    @property
    def failed_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors if e.sheet == "信息资源"})


# --- statistics --------------------------------------------------------------------------------


class UnitStats(BaseModel):
    """Filing progress of one department or county."""

    key: str
    name: str
    filed: int
    published: int
    submitted: int
    returned: int
    draft: int
    unconditional: int
    conditional: int
    none: int
    open: int
    open_ratio: float
    data_items: int
    overdue_reviews: int


class CatalogStats(BaseModel):
    """Statistics for supervision: totals, per department and per county."""

    totals: UnitStats
    departments: list[UnitStats]
    counties: list[UnitStats]
