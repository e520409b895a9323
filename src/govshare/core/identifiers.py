"""Chinese identifiers: check digits, validation and deterministic generators.

GB 11643-1999 citizen ID numbers, GB 32100-2015 unified social credit codes (with the embedded
GB 11714-1997 organisation code). The validators check structure and check digits only; whether an
area code exists is a separate question (``core.areas``), asked without python-stdnum's
birth-year test, which wrongly rejects numbers issued under a newer area code (STANDARDS.md §3.1).
"""

from __future__ import annotations

import datetime as dt
import random
import re

from govshare.core.db import local_today
from govshare.core.i18n import N_

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID18 = re.compile(r"^\d{17}[\dX]$")
ID15 = re.compile(r"^\d{15}$")

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[1-9ANY][1-59]\d{6}[\dA-Z]{8}[\dX][\dA-HJ-NP-RTUW-Y]$")
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100 登记管理部门码 → its 机构类别码 (STANDARDS.md §3.2).
USCC_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}


def id_check_char(body17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(number: str) -> dt.date | None:
    """The birth date inside an 18-digit ID number, or None when it is not a real date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_problem(number: str, *, today: dt.date | None = None) -> str | None:
    """Why an 18-digit citizen ID number is wrong (Chinese message), or None when it is valid.

    Checks the layout, the birth date (a real date, not in the future, not before 1900) and the
    check character. Area codes are checked elsewhere.
    """
    if ID15.match(number):
        return N_("15 位旧身份证号码")
    if not ID18.match(number):
        return N_("身份证号码应为 17 位数字加 1 位校验码（数字或 X）")
    born = id_birth_date(number)
    if born is None:
        return N_("出生日期不是有效日期")
    if born > (today or local_today()) or born.year < 1850:
        return N_("出生日期超出合理范围")
    if id_check_char(number[:17]) != number[17]:
        return N_("校验码错误")
    return None


def id_gender(number: str) -> str:
    """'男' for an odd sequence digit, '女' for an even one."""
    return "男" if int(number[16]) % 2 else "女"


def uscc_check_char(body17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def org_code_problem(code: str) -> str | None:
    """Why a 9-character organisation code (dash optional) is wrong, or None."""
    code = code.replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return N_("组织机构代码应为 8 位数字或大写字母加 1 位校验码")
    if org_check_char(code[:8]) != code[8]:
        return N_("组织机构代码校验码错误")
    return None


def uscc_problem(code: str) -> str | None:
    """Why a unified social credit code is wrong, or None when it is valid.

    Unknown registration/category pairs are not errors here (see ``uscc_category``); the
    embedded organisation code must carry a valid GB 11714 check character.
    """
    if len(code) != 18:
        return N_("统一社会信用代码应为 18 位")
    if not USCC_PATTERN.match(code) or any(c not in USCC_CHARS for c in code):
        # GB 32100 writes every character from its 31-character set (no I, O, S, V, Z)
        return N_("统一社会信用代码含有不允许的字符或格式不符")
    if uscc_check_char(code[:17]) != code[17]:
        return N_("统一社会信用代码校验码错误")
    if org_code_problem(code[8:17]) is not None:
        return N_("统一社会信用代码中的组织机构代码校验码错误")
    return None


def uscc_category(code: str) -> str | None:
    """The registration category a credit code names, or None when the table does not know it."""
    return USCC_CATEGORIES.get(code[:1], {}).get(code[1:2])


# --- deterministic generators for demo and test data ----------------------------------------


def make_id_number(rng: random.Random, area: str, born: dt.date, male: bool) -> str:
    """A valid 18-digit ID number for a synthetic person."""
    seq = rng.randrange(0, 99)
    gender_digit = rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    body = f"{area}{born:%Y%m%d}{seq:02d}{gender_digit}"
    return body + id_check_char(body)


def make_org_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    return body + org_check_char(body)


def make_credit_code(rng: random.Random, area: str, dept: str = "9", category: str = "1") -> str:
    """A valid unified social credit code for a synthetic organisation in ``area``."""
    while True:
        org = make_org_code(rng)
        body = f"{dept}{category}{area}{org}"
        code = body + uscc_check_char(body)
        if uscc_problem(code) is None:
            return code


def make_mobile(rng: random.Random) -> str:
    prefix = rng.choice(
        [
            "134",
            "135",
            "136",
            "137",
            "138",
            "139",
            "150",
            "151",
            "152",
            "157",
            "158",
            "159",
            "182",
            "183",
            "187",
            "188",
            "130",
            "131",
            "132",
            "155",
            "156",
            "185",
            "186",
            "133",
            "153",
            "177",
            "180",
            "181",
            "189",
            "199",
        ]
    )
    return prefix + f"{rng.randrange(0, 10**8):08d}"
