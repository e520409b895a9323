"""When a scheduled pull is next due: from a five-field cron expression or the update cycle.

The platform has one periodic scheduler (clocks); it calls ``enqueue_due_pulls`` and this module
only answers "when next". Cron fields: minute hour day-of-month month day-of-week, each ``*``,
a number, a list ``1,15``, a range ``1-5`` or a step ``*/10``. Times are Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from govshare.core.config import get_settings
from govshare.core.i18n import _

CYCLES: dict[str, dt.timedelta] = {
    "实时": dt.timedelta(minutes=15),
    "每日": dt.timedelta(days=1),
    "每周": dt.timedelta(weeks=1),
    "每月": dt.timedelta(days=30),
    "每季度": dt.timedelta(days=91),
    "每半年": dt.timedelta(days=182),
    "每年": dt.timedelta(days=365),
}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _field(text: str, lo: int, hi: int) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, s = part.split("/", 1)
            step = int(s)
        if part == "*":
            a, b = lo, hi
        elif "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
        else:
            a = b = int(part)
        if a < lo or b > hi or a > b or step < 1:
            raise ValueError
        out.update(range(a, b + 1, step))
    return out


def parse_cron(expr: str) -> list[set[int]]:
    parts = expr.split()
    if len(parts) != 5:
        raise ValueError(_("定时表达式应有 5 段：分 时 日 月 周，例如「0 2 * * *」。"))
    try:
        return [_field(p, lo, hi) for p, (lo, hi) in zip(parts, _RANGES, strict=True)]
    except ValueError:
        raise ValueError(_("定时表达式「{expr}」无法理解。").format(expr=expr)) from None


def next_run(cron: str, cycle: str, after: dt.datetime | None) -> dt.datetime | None:
    """The next due time after ``after`` (UTC), or None when neither cron nor cycle is set."""
    if cron:
        fields = parse_cron(cron)
        if after is None:
            return None
        tz = ZoneInfo(get_settings().timezone)
        t = after.astimezone(tz).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        for _i in range(366 * 24 * 60):
            dow = (t.weekday() + 1) % 7
            if (
                t.minute in fields[0]
                and t.hour in fields[1]
                and t.day in fields[2]
                and t.month in fields[3]
                and dow in fields[4]
            ):
                return t.astimezone(dt.UTC)
            t += dt.timedelta(minutes=1)
        return None
    if cycle in CYCLES and after is not None:
        return after + CYCLES[cycle]
    return None
