"""Reading a work plan: time nodes, deadlines inside the content, unit lists, the seed's text
layout and the four-column spreadsheet. Pure functions: no database, no clock.

What a time node may say (as the plan writes it): ``2018年10月`` (due at the end of that month),
``2017年12月—2018年12月`` (a range: due at its end), ``2017年12月2018年6月`` (two nodes: two
milestones), ``长期`` (recurring: reports on a cadence instead of a due date), and for imports
``2018年``/``2018年底`` (end of year), ``2018年10月15日``, ``2018-10`` or ``2018-10-15``. Deadlines
in the content: ``2018年6月底前…``, ``2017年年底前…``, ``2018年3月底前…``, ``2018年10月15日前…``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from govshare.core.i18n import _

CN_NUM = "一二三四五六七八九十"
PART_RE = re.compile(r"^([一二三四五六七八九十]+)\s*、\s*(.+)$")
SECTION_RE = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.+)$")
TASK_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(.+)$")
NODE_RE = re.compile(r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?)?(?:年?底|年?末)?")
ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
ISO_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})(?!\d)")
RANGE_SEP = re.compile(r"[—–\-~～至到]+")
DEADLINE_RE = re.compile(
    r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|底|末)?|年?底|年末)前"
)
SENTENCE_END = re.compile(r"[。；;！!？?\n]")
HEADER_WORDS = ("目标任务", "时间节点", "责任单位", "具体任务内容")
UNIT_SPLIT = re.compile(r"[、，,；;/\s]+")


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class ParsedNode:
    """A time node read: milestone dates (in order), a range start, recurring, or a problem."""

    dates: list[dt.date] = field(default_factory=list)
    start: dt.date | None = None
    recurring: bool = False
    problem: str = ""


def _node_date(m: re.Match[str]) -> dt.date:
    year = int(m.group("y"))
    if m.group("m") is None:
        return dt.date(year, 12, 31)
    month = int(m.group("m"))
    if m.group("d"):
        return dt.date(year, month, int(m.group("d")))
    return month_end(year, month)


def parse_time_node(text: str | dt.date | dt.datetime | None) -> ParsedNode:
    """Read a time-node cell; ``problem`` says in Chinese why it cannot be read."""
    if isinstance(text, dt.datetime):
        return ParsedNode(dates=[text.date()])
    if isinstance(text, dt.date):
        return ParsedNode(dates=[text])
    raw = re.sub(r"\s+", "", str(text or ""))
    if not raw:
        return ParsedNode(problem=_("时间节点为空。"))
    if raw in ("长期", "长期坚持", "持续推进", "长期推进"):
        return ParsedNode(recurring=True)
    raw = ISO_MONTH.sub(r"\1年\2月", ISO_DAY.sub(r"\1年\2月\3日", raw))
    matches = list(NODE_RE.finditer(raw))
    rest = NODE_RE.sub("|", raw)
    is_range = bool(RANGE_SEP.search(rest))
    leftover = RANGE_SEP.sub("", rest).replace("|", "").strip("、，,；;")
    if not matches or leftover:
        return ParsedNode(problem=_("无法识别时间节点“{text}”。").format(text=raw))
    try:
        dates = [_node_date(m) for m in matches]
    except ValueError:
        return ParsedNode(problem=_("时间节点“{text}”中的日期不存在。").format(text=raw))
    if is_range and len(dates) == 2:
        if dates[1] < dates[0]:
            return ParsedNode(problem=_("时间节点“{text}”的结束早于开始。").format(text=raw))
        return ParsedNode(dates=[dates[1]], start=dates[0])
    return ParsedNode(dates=sorted(set(dates)))


@dataclass
class ContentDeadline:
    """A deadline found in the content and the sentence it belongs to."""

    due: dt.date
    sentence: str


def content_deadlines(content: str) -> list[ContentDeadline]:
    """Every ``…前`` deadline in the content, each with its sentence (from the deadline to the
    next deadline or the end of the sentence)."""
    out: list[ContentDeadline] = []
    pos = 0
    for segment in SENTENCE_END.split(content):
        start = content.find(segment, pos) if segment else pos
        pos = start + len(segment)
        matches = list(DEADLINE_RE.finditer(segment))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(segment)
            sentence = segment[m.start() : end].strip().rstrip("，,、")
            try:
                due = _deadline_date(m)
            except ValueError:
                continue
            out.append(ContentDeadline(due=due, sentence=sentence))
    return out


def _deadline_date(m: re.Match[str]) -> dt.date:
    year = int(m.group("y"))
    if m.group("m") is None:
        return dt.date(year, 12, 31)
    month = int(m.group("m"))
    if m.group("d"):
        return dt.date(year, month, int(m.group("d")))
    return month_end(year, month)


@dataclass
class MilestoneDraft:
    """A milestone to create: due date, where it came from, the sentence it is linked to."""

    due: dt.date
    source: str  # time_node | content | both
    sentence: str = ""


def milestones_for(node: ParsedNode, content: str) -> list[MilestoneDraft]:
    """The milestones of a task: its time node's dates and its content's deadlines, one per date.

    A content deadline on the same day as a time node joins it (source ``both``) and lends it its
    sentence. A recurring task keeps its dated content deadlines (rare) and nothing else.
    """
    drafts: dict[dt.date, MilestoneDraft] = {
        d: MilestoneDraft(due=d, source="time_node") for d in node.dates
    }
    for cd in content_deadlines(content):
        have = drafts.get(cd.due)
        if have is None:
            drafts[cd.due] = MilestoneDraft(due=cd.due, source="content", sentence=cd.sentence)
        elif not have.sentence:
            have.sentence = cd.sentence
            if have.source == "time_node":
                have.source = "both"
    return [drafts[d] for d in sorted(drafts)]


def split_units(text: str) -> list[str]:
    """Unit names in the order written; the first is the lead unit. ``市编办等部门`` → 市编办."""
    names = []
    for part in UNIT_SPLIT.split(text.strip()):
        name = re.sub(r"(等部门|等单位|等)$", "", part.strip())
        if name and name not in names:
            names.append(name)
    return names


# --- whole tables --------------------------------------------------------------------------------


@dataclass
class RowProblem:
    """A problem found while reading, where it is (row or task number) and what is wrong."""

    where: str
    message: str


@dataclass
class TaskRow:
    """One task as written: number, title, time node, units, content, and where it came from."""

    number: int
    title: str
    time_node: str | dt.date
    units: str
    content: str
    part: int
    section: int
    where: str


@dataclass
class PlanTable:
    """A plan read from a file: its title, parts, sections and tasks, and any layout problems."""

    title: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)  # (number, title)
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (part index, no, title)
    tasks: list[TaskRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _title_of(line: str) -> str | None:
    m = re.search(r"《(.+?)》", line)
    if m:
        return m.group(1)
    return line if "任务分解表" in line or "工作方案" in line else None


def _ensure_section(table: PlanTable) -> None:
    if not table.parts:
        table.parts.append(("", _("（未分部分）")))
    part = len(table.parts) - 1
    if not table.sections or table.sections[-1][0] != part:
        table.sections.append((part, "", ""))


def _structure(table: PlanTable, line: str) -> None:
    """Add a part (一、…) or section (（一）…) line to the table."""
    if m := PART_RE.match(line):
        table.parts.append((m.group(1), m.group(2).strip()))
    elif m := SECTION_RE.match(line):
        if not table.parts:
            table.parts.append(("", _("（未分部分）")))
        table.sections.append((len(table.parts) - 1, f"（{m.group(1)}）", m.group(2).strip()))


def read_text(text: str) -> PlanTable:
    """Read the seed's layout: title, header, ``一、`` parts, ``（一）`` sections, ``1.`` tasks
    each followed by its time node (one or more lines), its units and its content."""
    table = PlanTable()
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    current: list[str] = []
    head: tuple[int, str, int] | None = None  # (number, title, line number)

    def flush() -> None:
        nonlocal head, current
        if head is None:
            return
        number, title, lineno = head
        body = [c for c in current if c]
        where = _("第 {n} 行（任务 {no}）").format(n=lineno, no=number)
        if len(body) < 3:
            table.problems.append(
                RowProblem(where, _("任务缺少时间节点、责任单位或具体任务内容。"))
            )
        else:
            _ensure_section(table)
            table.tasks.append(
                TaskRow(
                    number=number,
                    title=title,
                    time_node="".join(body[:-2]),
                    units=body[-2],
                    content=body[-1],
                    part=len(table.parts) - 1,
                    section=len(table.sections) - 1,
                    where=where,
                )
            )
        head, current = None, []

    for lineno, line in enumerate(lines, 1):
        if not line or line in HEADER_WORDS:
            continue
        if head is None and not table.parts and (title := _title_of(line)):
            table.title = title
            continue
        if PART_RE.match(line) or SECTION_RE.match(line):
            flush()
            _structure(table, line)
            continue
        if (m := TASK_RE.match(line)) and (head is None or len([c for c in current if c]) >= 3):
            flush()
            head = (int(m.group(1)), m.group(2).strip(), lineno)
            continue
        if head is not None:
            current.append(line)
    flush()
    if not table.tasks:
        table.problems.append(
            RowProblem(_("全文"), _("没有找到任何任务（应为“1.任务名称”开头的行）。"))
        )
    return table


def read_rows(rows: list[list[object]]) -> PlanTable:
    """Read spreadsheet rows in the four columns 目标任务 / 时间节点 / 责任单位 / 具体任务内容."""
    table = PlanTable()
    header_seen = False
    for i, row in enumerate(rows, 1):
        cells = [(c if isinstance(c, dt.date) else str(c or "").strip()) for c in row[:4]]
        cells += [""] * (4 - len(cells))
        a, b, c, d = cells
        text_a = str(a)
        if not any(str(x) for x in cells):
            continue
        if not header_seen:
            if text_a == HEADER_WORDS[0] or HEADER_WORDS[1] in (str(b),):
                header_seen = True
            elif title := _title_of(text_a):
                table.title = title
            continue
        where = _("第 {n} 行").format(n=i)
        if not str(b) and not str(c) and (m := PART_RE.match(text_a)):
            table.parts.append((m.group(1), m.group(2).strip()))
        elif not str(b) and not str(c) and (m := SECTION_RE.match(text_a)):
            if not table.parts:
                table.parts.append(("", _("（未分部分）")))
            table.sections.append((len(table.parts) - 1, f"（{m.group(1)}）", m.group(2).strip()))
        elif m := TASK_RE.match(text_a):
            _ensure_section(table)
            table.tasks.append(
                TaskRow(
                    number=int(m.group(1)),
                    title=m.group(2).strip(),
                    time_node=b,
                    units=str(c),
                    content=str(d),
                    part=len(table.parts) - 1,
                    section=len(table.sections) - 1,
                    where=where,
                )
            )
        else:
            table.problems.append(
                RowProblem(where, _("无法识别的行：应为“一、”部分、“（一）”小节或“1.”任务。"))
            )
    if not header_seen:
        table.problems.append(
            RowProblem(
                _("表头"), _("找不到表头（目标任务 / 时间节点 / 责任单位 / 具体任务内容）。")
            )
        )
    elif not table.tasks:
        table.problems.append(RowProblem(_("全文"), _("没有找到任何任务。")))
    return table
