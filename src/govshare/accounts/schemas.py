"""Forms and API shapes of departments, unit groups, users and tokens.

Validators are small named functions; messages are Chinese msgids translated when raised.
"""

from __future__ import annotations

import datetime as dt
import enum
import re

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field, field_validator

from govshare.core.areas import ALL as AREAS
from govshare.core.i18n import N_, _
from govshare.core.identifiers import uscc_problem
from govshare.core.security import ROLE_CODES, TOKEN_SCOPES


class DepartmentKind(enum.StrEnum):
    """Kinds of unit in the department tree."""

    city = "city"
    municipal = "municipal"
    county = "county"
    township = "township"
    community = "community"
    vertical = "vertical"
    contractor = "contractor"


DEPARTMENT_KIND_LABELS: dict[str, str] = {
    "city": N_("市级人民政府"),
    "municipal": N_("市直部门"),
    "county": N_("县市区政府"),
    "township": N_("乡镇（街道）"),
    "community": N_("村居（社区）"),
    "vertical": N_("垂直管理单位"),
    "contractor": N_("承建单位"),
}


USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
INTERNAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")


def valid_department_code(code: str) -> str:
    """An 18-character code must be a valid credit code; anything else an internal code."""
    code = code.strip().upper()
    if len(code) == 18:
        problem = uscc_problem(code)
        if problem:
            raise ValueError(_(problem))
        return code
    if not INTERNAL_CODE.match(code):
        raise ValueError(
            _("单位代码应为 18 位统一社会信用代码，或 2–32 位大写字母、数字和连字符。")
        )
    return code


def valid_area_code(code: str) -> str:
    code = code.strip()
    if code and not re.fullmatch(r"\d{6}(\d{3}|\d{6})?", code):
        raise ValueError(_("行政区划代码应为 6、9 或 12 位数字。"))
    if code and code[:6] not in AREAS and not code.startswith("37"):
        raise ValueError(_("行政区划代码不在山东省范围内。"))
    return code


def not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(_("不能为空。"))
    return value


def valid_username(value: str) -> str:
    value = value.strip().lower()
    if not USERNAME.match(value):
        raise ValueError(_("用户名应以小写字母开头，3–64 位小写字母、数字、点、下划线或连字符。"))
    return value


def valid_mobile(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not MOBILE.match(value):
        raise ValueError(_("手机号码应为 11 位，以 1 开头。"))
    return value


def valid_roles(values: list[str]) -> list[str]:
    unknown = [r for r in values if r not in ROLE_CODES]
    if unknown:
        raise ValueError(_("未知角色：{roles}").format(roles="、".join(unknown)))
    return sorted(set(values))


def valid_scopes(values: list[str]) -> list[str]:
    unknown = [s for s in values if s not in TOKEN_SCOPES]
    if unknown:
        raise ValueError(_("未知权限范围：{scopes}").format(scopes="、".join(unknown)))
    if not values:
        raise ValueError(_("至少选择一个权限范围。"))
    return sorted(set(values))


# --- departments ------------------------------------------------------------------------------


class DepartmentCreate(BaseModel):
    """A new unit in the tree."""

    code: str = Field(description="18-character credit code, or an internal code")
    name: str = Field(max_length=100)
    short_name: str = Field("", max_length=50)
    kind: DepartmentKind
    parent_id: int | None = None
    area_code: str = ""
    sort_order: int = 0

    _code = field_validator("code")(valid_department_code)
    _name = field_validator("name")(not_blank)
    _area = field_validator("area_code")(valid_area_code)


class DepartmentUpdate(BaseModel):
    """Changes to a unit; omitted fields stay as they are."""

    code: str | None = None
    name: str | None = Field(None, max_length=100)
    short_name: str | None = Field(None, max_length=50)
    kind: DepartmentKind | None = None
    parent_id: int | None = None
    area_code: str | None = None
    sort_order: int | None = None
    active: bool | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, v: str | None) -> str | None:
        return None if v is None else valid_department_code(v)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return None if v is None else not_blank(v)

    @field_validator("area_code")
    @classmethod
    def _area(cls, v: str | None) -> str | None:
        return None if v is None else valid_area_code(v)


class DepartmentPublic(BaseModel):
    """A unit as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    short_name: str
    kind: DepartmentKind
    parent_id: int | None
    area_code: str
    sort_order: int
    active: bool


class DepartmentNode(BaseModel):
    """A unit with its children, for the tree view."""

    id: int
    code: str
    name: str
    short_name: str
    kind: DepartmentKind
    area_code: str
    active: bool
    user_count: int = 0
    children: list[DepartmentNode] = []


class UnitGroupCreate(BaseModel):
    name: str = Field(max_length=100)
    description: str = Field("", max_length=500)
    member_ids: list[int] = []

    _name = field_validator("name")(not_blank)


class UnitGroupPublic(BaseModel):
    """A named group of units and its members."""

    id: int
    name: str
    description: str
    members: list[DepartmentPublic]


class HomeSummary(BaseModel):
    """Counts shown on the home dashboard."""

    departments: int
    departments_by_kind: dict[str, int]
    users: int


class UnitMatch(BaseModel):
    """What a unit name in a document refers to: a unit, a group, or nothing known."""

    text: str
    department: DepartmentPublic | None = None
    group: UnitGroupPublic | None = None

    @property
    def found(self) -> bool:
        return self.department is not None or self.group is not None


# --- users ------------------------------------------------------------------------------------


class UserCreate(BaseModel):
    """A new account in a department."""

    username: str
    real_name: str = Field(max_length=50)
    department_id: int
    password: str = Field(min_length=1, max_length=128)
    mobile: str | None = None
    email: EmailStr | None = None
    posts: list[str] = []
    roles: list[str] = []

    _username = field_validator("username")(valid_username)
    _real_name = field_validator("real_name")(not_blank)
    _mobile = field_validator("mobile")(valid_mobile)
    _roles = field_validator("roles")(valid_roles)


class UserUpdate(BaseModel):
    """Changes to an account; omitted fields stay as they are."""

    real_name: str | None = Field(None, max_length=50)
    department_id: int | None = None
    mobile: str | None = None
    email: EmailStr | None = None
    posts: list[str] | None = None
    active: bool | None = None

    @field_validator("real_name")
    @classmethod
    def _real_name(cls, v: str | None) -> str | None:
        return None if v is None else not_blank(v)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, v: str | None) -> str | None:
        return valid_mobile(v)


class RolesUpdate(BaseModel):
    roles: list[str]

    _roles = field_validator("roles")(valid_roles)


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(max_length=128)


class UserPublic(BaseModel):
    """An account as the API shows it; the mobile number is masked unless the viewer may see it."""

    id: int
    username: str
    real_name: str
    department_id: int
    department_name: str
    mobile: str | None
    email: str | None
    posts: list[str]
    roles: list[str]
    active: bool
    locked: bool
    last_login_at: dt.datetime | None
    created_at: dt.datetime


class Me(BaseModel):
    """The caller as the platform sees it."""

    kind: str
    user_id: int | None
    username: str | None
    display_name: str
    department_id: int | None
    department_name: str | None
    roles: list[str]
    scopes: list[str]


# --- tokens -----------------------------------------------------------------------------------


class TokenCreate(BaseModel):
    name: str = Field(max_length=100)
    scopes: list[str] = ["read"]
    days: int | None = Field(None, ge=1)

    _name = field_validator("name")(not_blank)
    _scopes = field_validator("scopes")(valid_scopes)


class TokenPublic(BaseModel):
    """A token as listed: never the secret itself."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> str:
        """active, revoked or expired."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= dt.datetime.now(dt.UTC) else "active"


class TokenCreated(TokenPublic):
    """The answer to creating a token: the only time its secret is shown."""

    token: str


class LoginResult(BaseModel):
    """Outcome of a login attempt (failures are answers, not exceptions: they must be saved)."""

    ok: bool
    message: str = ""
    session_token: str | None = None
    user_id: int | None = None
