"""The status of milestones and tasks, computed from dates, reported progress and reporting
timeliness — never stored, so a correction or a rule change shows at once. ``RULES`` is the rule
as the pages show it.
"""

from __future__ import annotations

import datetime as dt

from govshare.clocks.schemas import ClockState
from govshare.core.i18n import N_
from govshare.supervision.schemas import Status

RULES: tuple[tuple[str, str], ...] = (
    ("done", N_("已完成：督查员确认里程碑完成，或牵头单位报送 100% 且被采纳。")),
    ("overdue", N_("已逾期：过了截止日期（含批准的延期）仍未完成。")),
    (
        "at_risk",
        N_(
            "有风险：距截止日期不足 {remind} 个工作日仍未完成；或进度落后于时间进度 {gap} 个百分点"
            "以上；或超过报送期限未报送进度。"
        ),
    ),
    ("on_track", N_("正常推进：已有进度报送，且未出现以上情况。")),
    ("not_started", N_("未开始：尚无进度报送，且未出现以上情况。")),
)
ORDER: dict[str, int] = {"overdue": 4, "at_risk": 3, "on_track": 2, "not_started": 1, "done": 0}


def expected_percent(start: dt.date, due: dt.date, today: dt.date) -> int:
    """The share of the time from start to due that has passed, as a percentage."""
    if today >= due:
        return 100
    if today <= start or due <= start:
        return 0
    return int(100 * (today - start).days / (due - start).days)


def milestone_status(
    *,
    done: bool,
    clock: ClockState,
    percent: int,
    reported: bool,
    reports_late: bool,
    start: dt.date,
    today: dt.date,
    gap: int,
) -> Status:
    """The status of one milestone (see ``RULES``)."""
    if done:
        return "done"
    if clock.overdue:
        return "overdue"
    behind = expected_percent(start, clock.due, today) - percent > gap
    if clock.stage == "remind" or behind or reports_late:
        return "at_risk"
    return "on_track" if reported else "not_started"


def task_status(
    *,
    milestone_statuses: list[Status],
    recurring: bool,
    done: bool,
    reported: bool,
    reports_late: bool,
) -> Status:
    """A task takes its worst open milestone; a recurring task goes by its reporting."""
    if done:
        return "done"
    open_ = [s for s in milestone_statuses if s != "done"]
    if milestone_statuses and not open_ and not recurring:
        return "done"
    if open_:
        return max(open_, key=lambda s: ORDER[s])
    if reports_late:
        return "at_risk"
    return "on_track" if reported else "not_started"
