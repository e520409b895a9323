"""Shapes of datasets, versions, loads, uploads and query results; the filter grammar."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govshare.core.i18n import N_, _

LoadMode = Literal["replace", "append", "upsert", "delete"]
LOAD_MODES: dict[str, str] = {
    "replace": N_("全量替换"),
    "append": N_("追加"),
    "upsert": N_("按主键更新或新增"),
    "delete": N_("增量（按操作列新增、修改、删除）"),
}
UPDATE_CYCLES = ("", "实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "其他")
DOWNLOAD_FORMATS = ("csv", "xlsx", "json", "parquet")
TYPE_CODE_PATTERN = r"^[CNYDTLMGBIF]$"


class ColumnSpec(BaseModel):
    """One column of a dataset: a data item's name, type code (C N Y D T L M G B I F) and length."""

    name: str = Field(min_length=1, max_length=100)
    type_code: str = Field("C", pattern=TYPE_CODE_PATTERN)
    length: str | None = Field(None, max_length=20, description="C: characters; N: 'p,s'")
    is_key: bool = False
    required: bool = False

    @field_validator("name")
    @classmethod
    def name_is_clean(cls, v: str) -> str:
        v = v.strip()
        if not v or v.startswith("_"):
            raise ValueError(_("信息项名称不能为空，也不能以下划线开头。"))
        return v


def unique_names(columns: list[ColumnSpec]) -> list[ColumnSpec]:
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(_("信息项名称重复。"))
    if not columns:
        raise ValueError(_("至少需要一个信息项。"))
    return columns


class DatasetCreate(BaseModel):
    """A dataset with its own column specification (the catalog binding fills these)."""

    resource_id: int
    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    department_id: int
    provider_name: str = ""
    columns: list[ColumnSpec]
    update_cycle: str = ""
    reject_threshold: float | None = Field(None, ge=0, le=1)
    retention_versions: int | None = Field(None, ge=1, le=1000)

    _cols = field_validator("columns")(classmethod(lambda cls, v: unique_names(v)))


class DatasetUpdate(BaseModel):
    """What a steward may change: thresholds, retention, mapping, indexes, the pull schedule."""

    reject_threshold: float | None = Field(None, ge=0, le=1)
    retention_versions: int | None = Field(None, ge=1, le=1000)
    mapping: dict[str, str] | None = Field(
        None, description="File header → data item name ('' ignores the header)"
    )
    index_columns: list[str] | None = None
    update_cycle: str | None = None
    schedule_cron: str | None = Field(None, max_length=100)
    pull_kind: Literal["", "database", "http"] | None = None
    pull_config: dict[str, Any] | None = None
    pull_secret: str | None = Field(None, description="Database URL with password, or headers")
    pull_mode: LoadMode | None = None


class DatasetPublic(BaseModel):
    """A dataset as callers see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    code: str
    name: str
    department_id: int
    provider_name: str
    columns: list[ColumnSpec]
    mapping: dict[str, str]
    index_columns: list[str]
    reject_threshold: float
    retention_versions: int
    update_cycle: str
    schedule_cron: str
    pull_kind: str
    pull_mode: str
    next_pull_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    current_version_id: int | None
    created_at: dt.datetime


class VersionPublic(BaseModel):
    """An immutable version: counts, digests and provenance."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    number: int
    status: str
    mode: str
    source: dict[str, Any]
    rows: int
    inserted: int
    updated: int
    deleted: int
    rejected: int
    size_bytes: int
    sha256: str
    sm3: str
    refused_reason: str
    created_by_name: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class LoadPublic(BaseModel):
    """One load: status, counts, the first rejected rows (the full list is downloadable)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    dataset_id: int
    job_id: int | None
    mode: str
    source: dict[str, Any]
    status: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    reject_sample: list[list[Any]] = Field(description="[row, column, value, reason]")
    reject_reasons: dict[str, int]
    has_reject_file: bool
    threshold: float
    error: str
    version_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class UploadCreate(BaseModel):
    """Start a resumable upload: the file's name and its size in bytes."""

    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1)


class UploadPublic(BaseModel):
    """Where a resumable upload stands: send the next chunk at ``received``."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    token: str
    dataset_id: int
    filename: str
    size: int
    received: int
    status: str


class LoadRequest(BaseModel):
    """Load a completed upload into a dataset."""

    upload_id: int
    mode: LoadMode = "replace"


class RowsPage(BaseModel):
    """Rows of the current version and the cursor of the next page."""

    columns: list[str]
    rows: list[dict[str, Any]]
    next_cursor: str | None = None
    version: int


class ScanResult(BaseModel):
    """The answer of a scan: column names, rows (at most the row cap), whether it was cut."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    version: int


class SearchResult(BaseModel):
    """CKAN datastore_search semantics: fields, records, total (cached per version)."""

    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    version: int


class DiffPublic(BaseModel):
    """Rows added, changed and removed between two versions, with a sample of each."""

    from_version: int
    to_version: int
    added: int
    changed: int
    removed: int
    rows: list[dict[str, Any]]


# --- the filter grammar ----------------------------------------------------------------------

FILTER_HELP = N_(
    "条件之间用分号分隔；每个条件为「信息项 运算符 值」，运算符：= != > >= < <= "
    "~（包含）^（开头是）in（逗号分隔的多个值）；「信息项 为空」「信息项 不为空」。"
    "例：性别=男; 出生日期>=1980-01-01; 户籍地区划 in 371402,371403"
)
_OPS = ("!=", ">=", "<=", "=", ">", "<", "~", "^")
_CLAUSE = re.compile(r"^\s*(?P<col>[^=!<>~^]+?)\s*(?P<op>!=|>=|<=|=|>|<|~|\^)\s*(?P<val>.*)$")
_IN = re.compile(r"^\s*(?P<col>.+?)\s+in\s+(?P<val>.+)$", re.IGNORECASE)
_NULL = re.compile(r"^\s*(?P<col>.+?)\s+(?P<neg>不)?为空\s*$")


@dataclass(frozen=True)
class Condition:
    """One condition of a filter: column, operator, value(s)."""

    column: str
    op: str  # = != > >= < <= contains prefix in null notnull
    values: tuple[str, ...] = field(default_factory=tuple)


def parse_filter(text: str | None) -> list[Condition]:
    """Parse ``性别=男; 出生日期>=1980-01-01; 区划 in 371402,371403; 住址 ~ 德城``."""
    out: list[Condition] = []
    for clause in (text or "").split(";"):
        if not clause.strip():
            continue
        if m := _NULL.match(clause):
            out.append(Condition(m["col"].strip(), "notnull" if m["neg"] else "null"))
        elif m := _IN.match(clause):
            vals = tuple(v.strip() for v in m["val"].split(",") if v.strip())
            out.append(Condition(m["col"].strip(), "in", vals))
        elif m := _CLAUSE.match(clause):
            op = {"~": "contains", "^": "prefix"}.get(m["op"], m["op"])
            out.append(Condition(m["col"].strip(), op, (m["val"].strip(),)))
        else:
            raise ValueError(_("无法理解的筛选条件「{clause}」。").format(clause=clause.strip()))
    return out
