"""Rules proposed from data items: by name (身份证号 → the ID rule) and by type code (pure)."""

from __future__ import annotations

import re
from typing import Any

from govshare.quality.schemas import RuleCreate

# (pattern on the item's name, kind, params, severity)
BY_NAME: list[tuple[str, str, dict[str, Any], str]] = [
    (r"身份证|公民身份号码|身份号码", "citizen_id", {}, "error"),
    (r"统一社会信用代码|信用代码", "credit_code", {}, "error"),
    (r"组织机构代码", "org_code", {}, "error"),
    (r"手机|移动电话|联系电话", "mobile", {}, "warning"),
    (r"固定电话|办公电话|座机", "phone", {}, "warning"),
    (r"邮政编码|邮编", "postal_code", {}, "warning"),
    (r"邮箱|电子邮件|e-?mail", "email", {}, "warning"),
    (r"^性别$", "value_set", {"code_list": "gender"}, "error"),
    (r"^民族$", "value_set", {"code_list": "ethnic"}, "warning"),
    (r"区划|行政区划代码|地区代码", "value_set", {"code_list": "area"}, "warning"),
]


def _agreements(id_item: str, columns: list[dict[str, Any]]) -> list[RuleCreate]:
    """Birth date and gender must agree with the ID number."""
    out = []
    for c in columns:
        if re.search(r"出生日期|生日", c["name"]):
            out.append(RuleCreate(kind="id_birth", items=[id_item, c["name"]]))
        if c["name"] == "性别":
            out.append(RuleCreate(kind="id_gender", items=[id_item, c["name"]]))
    return out


# The legal-entity resource a credit code elsewhere should exist in (STANDARDS.md §1.1 法人).
ENTITY_RESOURCE = "市场主体登记信息"
CREDIT_CODE = BY_NAME[1][0]


def suggestions(
    columns: list[dict[str, Any]], entity: tuple[int, str] | None = None
) -> list[RuleCreate]:
    """Rules a steward would likely want on these data items (to accept or edit); ``entity``
    (resource id, item) is the legal-entity resource's credit code, which a credit code here
    should exist in."""
    out: list[RuleCreate] = []
    names = [c["name"] for c in columns]
    id_item = next((c["name"] for c in columns if re.search(BY_NAME[0][0], c["name"])), None)
    for c in columns:
        name, code = c["name"], c.get("type_code", "C")
        if c.get("required") or c.get("is_key"):
            out.append(RuleCreate(kind="not_null", items=[name]))
        if c.get("is_key"):
            out.append(RuleCreate(kind="unique", items=[name]))
        for pattern, kind, params, severity in BY_NAME:
            if code in "CMG" and re.search(pattern, name, re.IGNORECASE):
                out.append(RuleCreate(kind=kind, items=[name], params=params, severity=severity))
                break
        if entity and code in "CMG" and re.search(CREDIT_CODE, name):
            params = {"resource_id": entity[0], "item": entity[1]}
            out.append(
                RuleCreate(kind="reference", items=[name], params=params, severity="warning")
            )
        if code in ("D", "T"):
            out.append(RuleCreate(kind="date_sane", items=[name], severity="warning"))
    if id_item:
        out.extend(_agreements(id_item, columns))
    if names:
        out.append(RuleCreate(kind="volume", params={"max_change": 0.5}, severity="warning"))
        out.append(RuleCreate(kind="freshness", severity="warning"))
    return out
