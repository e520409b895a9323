"""Masking of personal values, shared by the data API (sharing) and the open-data portal.

The patterns are the de-facto ones of STANDARDS.md §4.2 (no national standard fixes them):
keep-ends for ID and card numbers, 3 + 4 for mobiles, the surname of a name, an address cut at
the street (乡镇/街道) level, a date cut to its year, a keyed pseudonym (HMAC-SM3 with a
per-consumer key, so that records stay joinable but not reversible) and suppression.

Every function takes and returns ``str | None`` (``None`` stays ``None``): masks apply to the text
form the data API serves. ``mask_value`` dispatches by :class:`Mask`; ``default_mask`` proposes a
mask for a data item from its name, type code, sensitivity (1–4) and the resource's grading
(1–4), which a reviewer can tighten per grant (see :func:`is_tighter`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from govshare.core.security import hmac_sm3_hex

__all__ = [
    "Mask",
    "STRENGTH",
    "default_mask",
    "is_tighter",
    "mask_address",
    "mask_date",
    "mask_email",
    "mask_keep_ends",
    "mask_name",
    "mask_phone",
    "mask_value",
    "pseudonym",
]


class Mask(enum.StrEnum):
    """How one data item's values leave the platform."""

    NONE = "none"  # 明文
    KEEP_ENDS = "keep_ends"  # 保留首尾：身份证前 6 后 4，银行卡前 6 后 4
    PHONE = "phone"  # 手机号 3 + 4，固话保留区号与后 4 位
    NAME = "name"  # 仅保留姓
    ADDRESS = "address"  # 截至乡镇/街道
    DATE_YEAR = "date_year"  # 日期仅保留年份
    EMAIL = "email"  # 邮箱首字符 + 域名
    PSEUDONYM = "pseudonym"  # 带密钥的假名（HMAC-SM3），可关联不可逆
    SUPPRESS = "suppress"  # 不提供该值


#: How much each mask hides, for "a reviewer may only tighten": a grant may replace a default by a
#: mask of equal or greater strength. Pseudonyms and suppression hide the value entirely.
STRENGTH: dict[Mask, int] = {
    Mask.NONE: 0,
    Mask.DATE_YEAR: 1,
    Mask.ADDRESS: 1,
    Mask.EMAIL: 1,
    Mask.PHONE: 1,
    Mask.KEEP_ENDS: 1,
    Mask.NAME: 2,
    Mask.PSEUDONYM: 3,
    Mask.SUPPRESS: 4,
}

STAR = "*"
_ADDRESS_LEVEL = re.compile(r"^(.*?(?:街道|镇|乡|办事处))")
_ADDRESS_COUNTY = re.compile(r"^((?:[^省]{2,3}省)?(?:[^市]{2,4}市)?[^区县市省]{1,5}(?:区|县|市))")
_DATE = re.compile(r"^\s*(\d{4})(?:[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?)?")
_LANDLINE = re.compile(r"^(0\d{2,3})[-\s]?(\d{7,8})$")


def mask_keep_ends(value: str | None, head: int = 6, tail: int = 4) -> str | None:
    """Keep ``head`` leading and ``tail`` trailing characters; star the rest.

    A value too short to keep both ends and hide anything is starred whole, so a short value
    never leaks in the clear.
    """
    if value is None:
        return None
    if len(value) <= head + tail:
        return STAR * len(value)
    return value[:head] + STAR * (len(value) - head - tail) + value[len(value) - tail :]


def mask_phone(value: str | None) -> str | None:
    """Mobile ``138****1234``; landline ``0534-****5678``; anything else keeps its last 4."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 11 and text.isdigit() and text.startswith("1"):
        return text[:3] + STAR * 4 + text[7:]
    landline = _LANDLINE.match(text)
    if landline:
        area, number = landline.groups()
        return f"{area}-{STAR * (len(number) - 4)}{number[-4:]}"
    return mask_keep_ends(text, 0, 4)


def mask_name(value: str | None) -> str | None:
    """Keep the surname: 张* for two characters, 张** for three or more.

    Two-character surnames (欧阳, 司马 …) are not told apart from given names here: the first
    character is kept, which still hides the given name.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return text
    return text[0] + STAR * max(len(text) - 1, 1)


def mask_address(value: str | None) -> str | None:
    """Keep the address down to the township/street (乡镇/街道) and star the rest.

    Without a township the county/district is kept; without either, only the first 6
    characters.
    """
    if value is None:
        return None
    text = value.strip()
    match = _ADDRESS_LEVEL.match(text) or _ADDRESS_COUNTY.match(text)
    kept = match.group(1) if match else text[:6]
    if len(kept) >= len(text):
        return kept
    return kept + STAR * 4


def mask_date(value: str | None) -> str | None:
    """Keep the year of a date or timestamp (``1987-05-02`` → ``1987``)."""
    if value is None:
        return None
    match = _DATE.match(value)
    return match.group(1) if match else STAR * 4


def mask_email(value: str | None) -> str | None:
    """``z***@example.com``: the first character and the domain."""
    if value is None:
        return None
    local, sep, domain = value.partition("@")
    if not sep:
        return mask_keep_ends(value, 1, 0)
    return (local[:1] or STAR) + STAR * 3 + "@" + domain


def pseudonym(value: str | None, key: bytes) -> str | None:
    """A keyed pseudonym: the first 32 hex digits of HMAC-SM3(key, value).

    The same value under the same key always maps to the same pseudonym (records stay
    joinable); without the key it cannot be reversed or recomputed by the consumer.
    """
    if value is None:
        return None
    return hmac_sm3_hex(key, value)[:32]


_SIMPLE: dict[Mask, Callable[[str | None], str | None]] = {
    Mask.KEEP_ENDS: mask_keep_ends,
    Mask.PHONE: mask_phone,
    Mask.NAME: mask_name,
    Mask.ADDRESS: mask_address,
    Mask.DATE_YEAR: mask_date,
    Mask.EMAIL: mask_email,
}


def mask_value(mask: Mask, value: str | None, *, key: bytes | None = None) -> str | None:
    """Apply ``mask`` to one value; ``key`` is required for pseudonyms."""
    if value is None or mask is Mask.NONE:
        return value
    if mask is Mask.SUPPRESS:
        return None
    if mask is Mask.PSEUDONYM:
        if not key:
            raise ValueError("pseudonym masks need a key")
        return pseudonym(value, key)
    return _SIMPLE[mask](value)


# Name fragments that mark personal items, in the order they are tried (the first hit wins).
_BY_NAME: tuple[tuple[tuple[str, ...], Mask], ...] = (
    (("身份证", "证件号", "公民身份号码", "护照号"), Mask.KEEP_ENDS),
    (("银行卡", "银行账号", "卡号", "账号"), Mask.KEEP_ENDS),
    (("手机", "电话", "联系方式"), Mask.PHONE),
    (("邮箱", "电子邮件", "email"), Mask.EMAIL),
    (("住址", "地址", "户籍地", "居住地"), Mask.ADDRESS),
    (("出生日期", "出生年月", "生日"), Mask.DATE_YEAR),
    (("姓名", "联系人", "法定代表人", "经营者"), Mask.NAME),
)


def default_mask(name: str, type_code: str = "C", sensitivity: int = 1, grading: int = 1) -> Mask:
    """The mask proposed for a data item before any reviewer tightens it.

    Items the provider marked as sensitivity 1 (public) go in the clear. Recognised personal
    items (ID numbers, phones, names, addresses, birth dates, e-mail) get their §4.2 pattern.
    Other items at sensitivity 4 (or in a grade-4 resource) are suppressed; sensitivity 3 gets a
    pseudonym; sensitivity 2 stays in the clear.
    """
    if sensitivity <= 1 and grading <= 2:
        return Mask.NONE
    lowered = name.lower()
    for fragments, mask in _BY_NAME:
        if any(fragment in lowered for fragment in fragments):
            return mask
    if type_code in {"D", "T"} and sensitivity >= 3:
        return Mask.DATE_YEAR
    if sensitivity >= 4 or grading >= 4:
        return Mask.SUPPRESS
    if sensitivity == 3:
        return Mask.PSEUDONYM
    return Mask.NONE


def is_tighter(candidate: Mask, baseline: Mask) -> bool:
    """Whether ``candidate`` hides at least as much as ``baseline`` (allowed for a grant)."""
    return candidate == baseline or STRENGTH[candidate] > STRENGTH[baseline]
