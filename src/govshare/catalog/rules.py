"""The compilation guide's rules as small named checks (STANDARDS.md §1, §2, §4.3).

Each check takes the filed resource and answers Chinese field errors; forms, the API and the
Excel import all run the same list (``RULES``), so a rule is stated once. Checks that need the
database (category, provider, duplicates, code uniqueness) live in the service.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from govshare.catalog.schemas import LEI_OF_CLASS, SHARE_METHODS_BY_FORMAT, ResourceCreate
from govshare.core.config import Settings
from govshare.core.errors import FieldError
from govshare.core.i18n import _

# --- names ------------------------------------------------------------------------------------

_PUNCT = re.compile(r"[\s\u3000]+")


@lru_cache(maxsize=65_536)
def normalize_name(name: str) -> str:
    """The key under which two names count as the same: full-width folded (NFKC), lower case,
    without spaces or punctuation (the duplicate defect the Inspur guide names). Cached: an
    import normalises the same data item names thousands of times."""
    text = unicodedata.normalize("NFKC", name).lower()
    return "".join(
        ch for ch in _PUNCT.sub("", text) if not unicodedata.category(ch).startswith(("P", "S"))
    )


# --- codes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeParts:
    """The parts of a resource code: 类 项 目 细目 (前段码) and the 顺序码 (后段码)."""

    lei: str
    xiang: str
    mu: str
    ximu: str
    seq: int

    @property
    def prefix(self) -> str:
        return f"{self.lei}{self.xiang}{self.mu}{self.ximu}"


def build_code(parts: CodeParts, settings: Settings) -> str:
    """The code string from its parts, the 顺序码 padded to the catalog's one length."""
    sep = settings.catalog_code_separator
    return f"{parts.prefix}{sep}{parts.seq:0{settings.catalog_sequence_digits}d}"


def code_problem(code: str, settings: Settings) -> str | None:
    """Why a resource code is malformed (Chinese), or None."""
    return parse_code(code, settings)[1]


def parse_code(code: str, settings: Settings) -> tuple[CodeParts | None, str | None]:
    """Split a code into its parts, or say why it cannot be split."""
    sep = re.escape(settings.catalog_code_separator)
    digits = settings.catalog_sequence_digits
    m = re.fullmatch(
        rf"(?P<lei>[1-3])(?P<xiang>\d{{2}})(?P<mu>\d{{3}})(?P<ximu>[0-9A-Z]{{0,20}}){sep}"
        rf"(?P<seq>\d+)",
        code.strip().upper(),
    )
    if m is None:
        example = f"101001{settings.catalog_code_separator}{1:0{digits}d}"
        return None, _(
            "信息资源代码格式应为 类(1位)项(2位)目(3位)细目{sep}顺序码，例如 {example}。"
        ).format(sep=settings.catalog_code_separator, example=example)
    if len(m["seq"]) != digits:
        return None, _("顺序码应为 {n} 位数字（目录内代码长度一致）。").format(n=digits)
    if int(m["seq"]) == 0:
        return None, _("顺序码不能全为 0。")
    return (
        CodeParts(m["lei"], m["xiang"], m["mu"], m["ximu"], int(m["seq"])),
        None,
    )


# --- the rules --------------------------------------------------------------------------------

Rule = Callable[[ResourceCreate, Settings], list[FieldError]]


def refuse_secret(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """涉密 resources are refused: the sharing platform holds only 非涉密 (STANDARDS.md §1.1)."""
    if not data.secret:
        return []
    return [
        FieldError(
            "secret",
            _("涉密信息资源不能在共享平台编目，请通过电子政务内网按保密规定管理。"),
        )
    ]


def restricted_sharing_needs_basis(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """有条件共享 states its conditions; 有条件 and 不予共享 cite their legal basis
    (国发〔2016〕51号, 山东省政府令第329号)."""
    errors = []
    if data.share_type == "conditional" and not data.share_conditions:
        errors.append(FieldError("share_conditions", _("有条件共享须写明共享条件和范围。")))
    if data.share_type in ("conditional", "none") and not data.legal_basis:
        errors.append(
            FieldError(
                "legal_basis",
                _("有条件共享或不予共享须注明法律、行政法规或党中央、国务院政策依据。"),
            )
        )
    return errors


def conditional_opening_needs_conditions(
    data: ResourceCreate, settings: Settings
) -> list[FieldError]:
    """有条件开放 states its conditions (山东省政府令第344号)."""
    if data.open_type == "conditional" and not data.open_conditions:
        return [FieldError("open_conditions", _("有条件开放须写明开放条件。"))]
    return []


def format_and_share_method_agree(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """A file resource is shared as a file; a database as a database or an interface."""
    allowed = SHARE_METHODS_BY_FORMAT[data.format_class]
    errors = []
    if data.share_method not in allowed:
        from govshare.catalog.schemas import FORMAT_CLASS_LABELS, SHARE_METHOD_LABELS

        errors.append(
            FieldError(
                "share_method",
                _("“{fmt}”格式的资源只能以{methods}方式共享。").format(
                    fmt=_(FORMAT_CLASS_LABELS[data.format_class]),
                    methods="、".join(_(SHARE_METHOD_LABELS[m]) for m in allowed),
                ),
            )
        )
    if data.share_method == "other" and not data.share_method_note:
        errors.append(
            FieldError("share_method_note", _("选择其他共享方式时须说明方式（如邮件、拷盘）。"))
        )
    return errors


def format_type_is_known(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """The format type belongs to its class (the configured lists, STANDARDS.md §1.2 element 7)."""
    allowed = settings.catalog_format_types.get(data.format_class, [])
    if not data.format_type:
        if data.format_class == "other":
            return []
        return [FieldError("format_type", _("请填写格式类型，例如 xlsx、达梦、pdf。"))]
    if allowed and data.format_type.lower() not in {a.lower() for a in allowed}:
        return [
            FieldError(
                "format_type",
                _("格式类型“{value}”不在该格式分类的可选值中：{allowed}。").format(
                    value=data.format_type, allowed="、".join(allowed)
                ),
            )
        ]
    return []


def update_cycle_is_known(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """The update cycle is one of the configured values."""
    if data.update_cycle in settings.catalog_update_cycles:
        return []
    return [
        FieldError(
            "update_cycle",
            _("更新周期应为以下之一：{values}。").format(
                values="、".join(settings.catalog_update_cycles)
            ),
        )
    ]


def grading_sets_defaults(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """The grading level sets default share and open types; other choices need a reason."""
    default = settings.catalog_grading_defaults.get(data.grading_level)
    if default is None or (data.share_type, data.open_type) == tuple(default):
        return []
    if data.grading_override_reason:
        return []
    from govshare.catalog.schemas import OPEN_TYPE_LABELS, SHARE_TYPE_LABELS

    return [
        FieldError(
            "grading_override_reason",
            _("{level}级数据默认为“{share}”“{open}”；选择其他共享或开放类型须说明理由。").format(
                level=data.grading_level,
                share=_(SHARE_TYPE_LABELS[default[0]]),
                open=_(OPEN_TYPE_LABELS[default[1]]),
            ),
        )
    ]


def items_fit_the_resource(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """Database resources list their data items; item names are unique within a resource."""
    errors = []
    if data.format_class == "database" and not data.data_items:
        errors.append(FieldError("data_items", _("数据库类资源须至少填写一个信息项。")))
    seen: dict[str, int] = {}
    for i, item in enumerate(data.data_items):
        key = normalize_name(item.name)
        if key in seen:
            errors.append(
                FieldError(
                    f"data_items.{i}.name",
                    _("信息项“{name}”与第 {n} 项重名。").format(name=item.name, n=seen[key] + 1),
                )
            )
        seen.setdefault(key, i)
    return errors


def grading_covers_items(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """就高从严 (GB/T 43697): the resource is graded at least as high as its most sensitive item;
    a resource holding personal information is never opened unconditionally."""
    errors = []
    top = max((i.sensitivity_level for i in data.data_items), default=1)
    if top > data.grading_level:
        errors.append(
            FieldError(
                "grading_level",
                _("数据分级（{level}级）低于其信息项的最高敏感级别（{top}级）。").format(
                    level=data.grading_level, top=top
                ),
            )
        )
    if data.open_type == "open" and any(i.personal for i in data.data_items):
        errors.append(FieldError("open_type", _("含个人信息的资源不能无条件开放。")))
    return errors


def category_matches_code(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """A given code is well formed and lies under the chosen category."""
    if not data.code:
        if not data.category_code:
            return [FieldError("category_code", _("请选择信息资源分类（目或细目）。"))]
        return []
    parts, problem = parse_code(data.code, settings)
    if problem:
        return [FieldError("code", problem)]
    assert parts is not None
    if data.category_code and parts.prefix != data.category_code:
        return [
            FieldError(
                "code",
                _("代码前段码 {prefix} 与所选分类 {category} 不一致。").format(
                    prefix=parts.prefix, category=data.category_code
                ),
            )
        ]
    return []


RULES: tuple[Rule, ...] = (
    refuse_secret,
    category_matches_code,
    restricted_sharing_needs_basis,
    conditional_opening_needs_conditions,
    format_and_share_method_agree,
    format_type_is_known,
    update_cycle_is_known,
    grading_sets_defaults,
    items_fit_the_resource,
    grading_covers_items,
)


def rule_errors(data: ResourceCreate, settings: Settings) -> list[FieldError]:
    """Every rule's errors for one filed resource."""
    return [e for rule in RULES for e in rule(data, settings)]


def class_of_category_code(code: str) -> str | None:
    """basic / thematic / departmental from a 前段码's first digit."""
    for cls, lei in LEI_OF_CLASS.items():
        if code.startswith(lei):
            return cls
    return None
