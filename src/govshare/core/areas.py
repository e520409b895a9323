"""GB/T 2260 administrative division codes of Dezhou (德州市, 371400), current and retired.

From STANDARDS.md §3.4. Retired codes keep their validity years: ID numbers issued under them are
still valid (an ID number's area code is where it was first issued). Functional zones such as
德州天衢新区 use statistical codes that are not GB/T 2260 codes; they are kept apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """One division code with the years it was in use (``until`` None = still current)."""

    code: str
    name: str
    kind: str
    since: int | None = None
    until: int | None = None

    @property
    def current(self) -> bool:
        return self.until is None


CITY = Area("371400", "德州市", "地级市", 1994)

COUNTIES: tuple[Area, ...] = (
    Area("371402", "德城区", "市辖区"),
    Area("371403", "陵城区", "市辖区", 2014),
    Area("371422", "宁津县", "县"),
    Area("371423", "庆云县", "县"),
    Area("371424", "临邑县", "县"),
    Area("371425", "齐河县", "县"),
    Area("371426", "平原县", "县"),
    Area("371427", "夏津县", "县"),
    Area("371428", "武城县", "县"),
    Area("371481", "乐陵市", "县级市"),
    Area("371482", "禹城市", "县级市"),
)

RETIRED: tuple[Area, ...] = (
    Area("371421", "陵县", "县", 1994, 2014),
    Area("372401", "德州市", "县级市", None, 1994),
    Area("372402", "乐陵市", "县级市", 1988, 1994),
    Area("372403", "禹城市", "县级市", 1993, 1994),
    Area("372421", "陵县", "县", None, 1994),
    Area("372422", "平原县", "县", None, 1994),
    Area("372423", "夏津县", "县", None, 1994),
    Area("372424", "武城县", "县", None, 1994),
    Area("372425", "齐河县", "县", None, 1994),
    Area("372426", "禹城县", "县", None, 1993),
    Area("372427", "乐陵县", "县", None, 1988),
    Area("372428", "临邑县", "县", None, 1994),
    Area("372429", "商河县", "县", None, 1989),
    Area("372430", "济阳县", "县", None, 1989),
    Area("372431", "宁津县", "县", None, 1994),
    Area("372432", "庆云县", "县", None, 1994),
)

# Statistical codes of functional zones: not GB/T 2260, kept in their own dictionary.
FUNCTIONAL_ZONES: tuple[Area, ...] = (
    # [M] names unverified (STANDARDS.md §9.12): shown by code until an admin confirms them.
    Area("371471", "功能区 371471", "功能区"),
    Area("371472", "功能区 371472", "功能区"),
)

ALL: dict[str, Area] = {
    a.code: a for a in (CITY, Area("371401", "市辖区", "—"), *COUNTIES, *RETIRED)
}
COUNTY_BY_CODE: dict[str, Area] = {a.code: a for a in COUNTIES}


def area_name(code: str | None) -> str:
    """Name of a known code (current or retired), or an empty string."""
    if not code:
        return ""
    area = ALL.get(code[:6])
    return area.name if area else ""


def is_known_area(code: str) -> bool:
    """Whether a six-digit code is a Dezhou GB/T 2260 code, current or retired."""
    return code[:6] in ALL
