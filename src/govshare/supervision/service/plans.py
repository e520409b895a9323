"""Plans: reading a plan file into a preview, importing it, its outline, export, shifted copies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import local_today
from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.supervision import permissions, spreadsheets
from govshare.supervision.models import (
    Milestone,
    Plan,
    PlanPart,
    PlanSection,
    Task,
    TaskEvent,
    TaskUnit,
)
from govshare.supervision.parsing import (
    PlanTable,
    milestones_for,
    parse_time_node,
    read_rows,
    split_units,
)
from govshare.supervision.parsing import read_text as read_plan_text
from govshare.supervision.schemas import (
    SOURCE_LABELS,
    STATUS_LABELS,
    ImportPreview,
    PartOutline,
    PlanOutline,
    PlanPublic,
    PreviewTask,
    SectionOutline,
    UnitRef,
)
from govshare.supervision.service._state import PlanState, load_plan, plan_state

MAX_PLAN_FILE = 2 * 1024 * 1024


# --- reading a file ------------------------------------------------------------------------------


def _read_file(filename: str, data: bytes) -> PlanTable:
    if len(data) > MAX_PLAN_FILE:
        msg = _("文件过大（最大 2 MB）。")
        raise Invalid(msg, errors=[FieldError("file", msg)])
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            return read_rows(spreadsheets.read_xlsx(data))
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file
            msg = _("无法读取 Excel 文件：{error}").format(error=type(exc).__name__)
            raise Invalid(msg, errors=[FieldError("file", msg)]) from exc
    if name.endswith((".txt", ".text", ".csv")) or not name:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return read_plan_text(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        msg = _("无法识别文本编码（应为 UTF-8 或 GB18030）。")
        raise Invalid(msg, errors=[FieldError("file", msg)])
    msg = _("只能导入 .xlsx 或 .txt 文件。")
    raise Invalid(msg, errors=[FieldError("file", msg)])


def _keep_group(name: str) -> bool:
    words = [w for w in get_settings().supervision_keep_group_words.split(",") if w.strip()]
    return any(w.strip() in name for w in words)


def _resolver(session: Session, table: PlanTable) -> dict[str, UnitRef | list[UnitRef] | None]:
    """Unit names of the whole table → a unit, a kept group, expanded members, or None."""
    names = sorted({n for t in table.tasks for n in split_units(t.units)})
    tries = names + [f"市{n}" for n in names if not n.startswith("市")]
    matches = {m.text: m for m in accounts.find_units(session, SYSTEM, tries)}
    out: dict[str, UnitRef | list[UnitRef] | None] = {}
    for n in names:
        m = matches.get(n)
        if (m is None or (m.department is None and m.group is None)) and f"市{n}" in matches:
            m = matches[f"市{n}"]
        if m is None or (m.department is None and m.group is None):
            out[n] = None
        elif m.department is not None:
            out[n] = UnitRef(
                role="co",
                department_id=m.department.id,
                name=m.department.short_name or m.department.name,
            )
        elif m.group is not None and _keep_group(n):
            out[n] = UnitRef(role="co", name=n, group_name=n, resolved=False)
        elif m.group is not None:
            out[n] = [
                UnitRef(role="co", department_id=d.id, name=d.short_name or d.name, via_group=n)
                for d in m.group.members
            ]
    return out


def _preview(session: Session, table: PlanTable) -> ImportPreview:
    resolve = _resolver(session, table)
    problems = [(p.where, p.message) for p in table.problems]
    tasks = []
    seen: set[int] = set()
    for row in table.tasks:
        node = parse_time_node(row.time_node)
        mine: list[str] = []
        if node.problem:
            mine.append(node.problem)
        if row.number in seen:
            mine.append(_("任务编号 {n} 重复。").format(n=row.number))
        seen.add(row.number)
        refs: list[UnitRef] = []
        names = split_units(row.units)
        if not names:
            mine.append(_("缺少责任单位。"))
        for i, name in enumerate(names):
            found = resolve.get(name)
            role = "lead" if i == 0 else "co"
            if found is None:
                mine.append(_("单位“{name}”不在单位树中。").format(name=name))
            elif isinstance(found, list):
                refs += [r.model_copy(update={"role": role}) for r in found]
            else:
                refs.append(found.model_copy(update={"role": role}))
        if not str(row.content).strip():
            mine.append(_("缺少具体任务内容。"))
        drafts = milestones_for(node, row.content) if not node.problem else []
        part = table.parts[row.part]
        sec = table.sections[row.section]
        tasks.append(
            PreviewTask(
                number=row.number,
                title=row.title,
                part=f"{part[0]}、{part[1]}" if part[0] else part[1],
                section=f"{sec[1]}{sec[2]}",
                time_node=str(row.time_node),
                recurring=node.recurring,
                units=refs,
                milestones=[(d.due, d.source, d.sentence) for d in drafts],
                problems=mine,
            )
        )
        problems += [(row.where, m) for m in mine]
    return ImportPreview(
        title=table.title or _("未命名工作方案"),
        parts=len(table.parts),
        sections=len(table.sections),
        tasks=tasks,
        problems=problems,
    )


def preview_import(session: Session, actor: Actor, *, filename: str, data: bytes) -> ImportPreview:
    """What importing a file would create, and every problem found; nothing is saved."""
    require(permissions.can_preview_import(actor), "supervision.preview_import")
    return _preview(session, _read_file(filename, data))


def _save(
    session: Session,
    table: PlanTable,
    preview: ImportPreview,
    *,
    title: str,
    starts_on: dt.date,
    source: str,
    note: str = "",
    shifted_days: int = 0,
    archived: bool = False,
) -> Plan:
    plan = Plan(
        title=title,
        starts_on=starts_on,
        source=source,
        note=note,
        shifted_days=shifted_days,
        archived=archived,
    )
    session.add(plan)
    session.flush()
    part_rows = []
    for i, (number, ptitle) in enumerate(table.parts):
        part = PlanPart(plan_id=plan.id, number=number, title=ptitle, position=i)
        session.add(part)
        part_rows.append(part)
    session.flush()
    section_rows = []
    for i, (part_index, number, stitle) in enumerate(table.sections):
        sec = PlanSection(part_id=part_rows[part_index].id, number=number, title=stitle, position=i)
        session.add(sec)
        section_rows.append(sec)
    session.flush()
    shift = dt.timedelta(days=shifted_days)
    for row, pt in zip(table.tasks, preview.tasks, strict=True):
        node = parse_time_node(row.time_node)
        task = Task(
            plan_id=plan.id,
            section_id=section_rows[row.section].id,
            number=row.number,
            title=row.title,
            content=row.content,
            time_node=str(row.time_node)[:100],
            units_text=row.units[:500],
            recurring=node.recurring,
            starts_on=(node.start + shift) if node.start else None,
        )
        session.add(task)
        session.flush()
        for pos, ref in enumerate(pt.units):
            session.add(
                TaskUnit(
                    task_id=task.id,
                    role=ref.role,
                    department_id=ref.department_id,
                    group_name=ref.group_name,
                    via_group=ref.via_group,
                    resolved=ref.resolved,
                    position=pos,
                )
            )
        for due, src, sentence in pt.milestones:
            session.add(
                Milestone(
                    task_id=task.id,
                    due=due + shift,
                    original_due=due + shift,
                    source=src,
                    sentence=sentence,
                )
            )
    session.flush()
    return plan


def import_plan(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    data: bytes,
    title: str | None = None,
    starts_on: dt.date | None = None,
    shifted_days: int = 0,
    archived: bool = False,
    note: str = "",
) -> Plan:
    """Import a plan from .xlsx or the seed's text layout; refused whole if any problem remains.

    ``shifted_days`` moves every date (a rebased copy for drills and the demo).
    """
    require(permissions.can_import_plan(actor), "supervision.import_plan")
    table = _read_file(filename, data)
    preview = _preview(session, table)
    if preview.problems:
        msg = _("导入文件有 {n} 处问题，未导入任何内容，请修正后再导入。").format(
            n=len(preview.problems)
        )
        raise Invalid(msg, errors=[FieldError(w, m) for w, m in preview.problems[:50]])
    first_due = min((m[0] for t in preview.tasks for m in t.milestones), default=None)
    default_start = (first_due - dt.timedelta(days=61)) if first_due else local_today()
    start = starts_on or default_start + dt.timedelta(days=shifted_days)
    plan = _save(
        session,
        table,
        preview,
        title=(title or preview.title)[:200],
        starts_on=start,
        source="xlsx" if filename.lower().endswith(".xlsx") else "text",
        note=note,
        shifted_days=shifted_days,
        archived=archived,
    )
    tasks = session.scalars(select(Task).where(Task.plan_id == plan.id)).all()
    session.add_all(
        TaskEvent(task_id=t.id, kind="import", actor=actor.display_name or "", note=filename)
        for t in tasks
    )
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.import_plan",
        plan,
        after={
            "title": plan.title,
            "tasks": len(preview.tasks),
            "milestones": sum(len(t.milestones) for t in preview.tasks),
            "shifted_days": shifted_days,
        },
    )
    return plan


def create_shifted_copy(
    session: Session, actor: Actor, plan_id: int, *, days: int, title: str | None = None
) -> Plan:
    """Copy a plan with every date moved by ``days`` (drills; the demo's living copy)."""
    require(permissions.can_create_shifted_copy(actor), "supervision.create_shifted_copy")
    src = load_plan(session, plan_id)
    shift = dt.timedelta(days=days)
    copy = Plan(
        title=(title or src.title)[:200],
        starts_on=src.starts_on + shift,
        source="copy",
        note=_("由“{title}”平移 {days} 天而来").format(title=src.title, days=days),
        shifted_days=src.shifted_days + days,
    )
    session.add(copy)
    session.flush()
    for part in session.scalars(select(PlanPart).where(PlanPart.plan_id == src.id)):
        new_part = PlanPart(
            plan_id=copy.id, number=part.number, title=part.title, position=part.position
        )
        session.add(new_part)
        session.flush()
        for sec in session.scalars(select(PlanSection).where(PlanSection.part_id == part.id)):
            new_sec = PlanSection(
                part_id=new_part.id, number=sec.number, title=sec.title, position=sec.position
            )
            session.add(new_sec)
            session.flush()
            for task in session.scalars(select(Task).where(Task.section_id == sec.id)):
                _copy_task(session, task, copy.id, new_sec.id, shift)
    session.flush()
    audit.record(
        session,
        actor,
        "supervision.create_shifted_copy",
        copy,
        after={"from": src.id, "days": days},
    )
    return copy


def _copy_task(
    session: Session, task: Task, plan_id: int, section_id: int, shift: dt.timedelta
) -> None:
    new = Task(
        plan_id=plan_id,
        section_id=section_id,
        number=task.number,
        title=task.title,
        content=task.content,
        time_node=task.time_node,
        units_text=task.units_text,
        recurring=task.recurring,
        weight=task.weight,
        starts_on=task.starts_on + shift if task.starts_on else None,
    )
    session.add(new)
    session.flush()
    for u in session.scalars(select(TaskUnit).where(TaskUnit.task_id == task.id)):
        session.add(
            TaskUnit(
                task_id=new.id,
                role=u.role,
                department_id=u.department_id,
                group_name=u.group_name,
                via_group=u.via_group,
                resolved=u.resolved,
                position=u.position,
            )
        )
    for m in session.scalars(select(Milestone).where(Milestone.task_id == task.id)):
        session.add(
            Milestone(
                task_id=new.id,
                due=m.due + shift,
                original_due=m.original_due + shift,
                source=m.source,
                sentence=m.sentence,
            )
        )


# --- reading plans ------------------------------------------------------------------------------


def _plan_public(state: PlanState) -> PlanPublic:
    by_status = dict.fromkeys(STATUS_LABELS, 0)
    for ts in state.tasks:
        by_status[ts.status] += 1
    weights = sum(ts.task.weight for ts in state.tasks) or 1.0
    percent = sum(ts.task.percent * ts.task.weight for ts in state.tasks) / weights
    return PlanPublic(
        id=state.plan.id,
        title=state.plan.title,
        starts_on=state.plan.starts_on,
        source=state.plan.source,
        note=state.plan.note,
        shifted_days=state.plan.shifted_days,
        archived=state.plan.archived,
        tasks=len(state.tasks),
        milestones=sum(len(ts.milestones) for ts in state.tasks),
        percent=round(percent, 1),
        by_status=by_status,
    )


def list_plans(session: Session, actor: Actor) -> list[PlanPublic]:
    """Every plan with its counts, the ones followed now first."""
    require(permissions.can_list_plans(actor), "supervision.list_plans")
    plans = session.scalars(select(Plan).order_by(Plan.archived, Plan.id.desc())).all()
    return [_plan_public(plan_state(session, p)) for p in plans]


def _avg(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def get_plan_outline(
    session: Session, actor: Actor, plan_id: int, *, now: dt.datetime | None = None
) -> PlanOutline:
    """Parts → sections → tasks with their units, progress and status."""
    require(permissions.can_get_plan_outline(actor), "supervision.get_plan_outline")
    state = plan_state(session, load_plan(session, plan_id), now)
    parts = []
    for part in state.parts:
        sections = []
        for sec in (s for s in state.sections if s.part_id == part.id):
            tasks = [state.summary(ts) for ts in state.tasks if ts.section.id == sec.id]
            sections.append(
                SectionOutline(
                    number=sec.number,
                    title=sec.title,
                    percent=_avg([t.percent for t in tasks]),
                    tasks=tasks,
                )
            )
        parts.append(
            PartOutline(
                number=part.number,
                title=part.title,
                percent=_avg([t.percent for s in sections for t in s.tasks]),
                sections=sections,
            )
        )
    return PlanOutline(plan=_plan_public(state), parts=parts)


def export_plan(session: Session, actor: Actor, plan_id: int) -> bytes:
    """The plan as .xlsx in the four columns, with a sheet of milestones and their status."""
    require(permissions.can_export_plan(actor), "supervision.export_plan")
    plan = load_plan(session, plan_id)
    state = plan_state(session, plan)
    rows: list[tuple[str, str, str, str]] = []
    milestones = []
    last_part = last_section = None
    for ts in state.tasks:
        if ts.part.id != last_part:
            rows.append(
                (
                    f"{ts.part.number}、{ts.part.title}" if ts.part.number else ts.part.title,
                    "",
                    "",
                    "",
                )
            )
            last_part = ts.part.id
        if ts.section.id != last_section and ts.section.number:
            rows.append((f"{ts.section.number}{ts.section.title}", "", "", ""))
            last_section = ts.section.id
        rows.append(
            (
                f"{ts.task.number}.{ts.task.title}",
                _export_node(ts.task.time_node),
                ts.task.units_text,
                ts.task.content,
            )
        )
        for m in ts.milestones:
            milestones.append(
                (
                    ts.task.number,
                    ts.task.title,
                    m.due,
                    m.sentence or _(SOURCE_LABELS[m.source]),
                    _(STATUS_LABELS[m.status]),
                    ts.task.percent,
                )
            )
    data = spreadsheets.plan_workbook(plan.title, rows, milestones)
    audit.record(
        session,
        actor,
        "supervision.export_plan",
        plan,
        details={"format": "xlsx", "tasks": len(state.tasks)},
    )
    return data


def _export_node(node: str) -> str:
    """The time node as written, with line breaks inside it joined."""
    return re.sub(r"\s+", "", node)
