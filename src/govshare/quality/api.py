"""JSON API of quality: rules, runs with findings, issues, objections, scoreboard, reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from govshare.core.web import SessionDep, UserDep
from govshare.quality import service
from govshare.quality.schemas import (
    CodeTableDetail,
    CodeTablePublic,
    CodeTableVersionPublic,
    FindingPublic,
    InspectionReport,
    IssueFix,
    IssuePublic,
    ObjectionAnswer,
    ObjectionCreate,
    ObjectionPublic,
    ReferenceTarget,
    RuleCreate,
    RulePublic,
    RunDetail,
    RunPublic,
    Scoreboard,
)

router = APIRouter(prefix="/quality", tags=["quality"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/datasets/{dataset_id}/rules", response_model=list[RulePublic])
def list_rules(session: SessionDep, actor: UserDep, dataset_id: int) -> list[RulePublic]:
    """A dataset's rules."""
    return [RulePublic.model_validate(r) for r in service.list_rules(session, actor, dataset_id)]


@router.get("/datasets/{dataset_id}/suggestions", response_model=list[RuleCreate])
def suggest_rules(session: SessionDep, actor: UserDep, dataset_id: int) -> list[RuleCreate]:
    """Rules proposed from the data items (not yet added)."""
    return service.suggest_rules(session, actor, dataset_id)


@router.get("/datasets/{dataset_id}/reference-targets", response_model=list[ReferenceTarget])
def list_reference_targets(
    session: SessionDep, actor: UserDep, dataset_id: int
) -> list[ReferenceTarget]:
    """Resources a reference rule on this dataset may point at (visible, with data)."""
    return service.list_reference_targets(session, actor, dataset_id)


@router.post("/datasets/{dataset_id}/rules", response_model=RulePublic, status_code=201)
def create_rule(
    session: SessionDep, actor: UserDep, dataset_id: int, data: RuleCreate
) -> RulePublic:
    """Add a rule (checked and compiled first: 422 with a Chinese message when it cannot run)."""
    return RulePublic.model_validate(service.create_rule(session, actor, dataset_id, data))


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(session: SessionDep, actor: UserDep, rule_id: int) -> Response:
    """Remove a rule."""
    service.delete_rule(session, actor, rule_id)
    return Response(status_code=204)


@router.post("/datasets/{dataset_id}/runs", response_model=RunPublic, status_code=201)
def run_inspection(session: SessionDep, actor: UserDep, dataset_id: int) -> RunPublic:
    """Check the current version now."""
    return RunPublic.model_validate(service.run_inspection(session, actor, dataset_id))


@router.get("/datasets/{dataset_id}/runs", response_model=list[RunPublic])
def list_runs(session: SessionDep, actor: UserDep, dataset_id: int) -> list[RunPublic]:
    """A dataset's runs, newest first."""
    return [RunPublic.model_validate(r) for r in service.list_runs(session, actor, dataset_id)]


@router.get("/runs/{run_id}", response_model=RunDetail)
def get_run(session: SessionDep, actor: UserDep, run_id: int) -> RunDetail:
    """A run with its findings (samples only for the provider's staff)."""
    run, findings, hidden = service.get_run(session, actor, run_id)
    detail = RunDetail.model_validate(run)
    detail.findings = [
        FindingPublic.model_validate(f).model_copy(update={"samples": [] if hidden else f.samples})
        for f in findings
    ]
    detail.samples_hidden = hidden
    return detail


@router.get("/issues", response_model=list[IssuePublic])
def list_issues(
    session: SessionDep, actor: UserDep, department_id: int | None = None, status: str = ""
) -> list[IssuePublic]:
    """Rectification issues."""
    issues = service.list_issues(session, actor, department_id=department_id, status=status or None)
    return [IssuePublic.model_validate(i) for i in issues]


@router.post("/issues/{issue_id}/fixed", response_model=IssuePublic)
def mark_issue_fixed(
    session: SessionDep, actor: UserDep, issue_id: int, data: IssueFix
) -> IssuePublic:
    """Mark an issue fixed; the next run verifies it."""
    return IssuePublic.model_validate(service.mark_issue_fixed(session, actor, issue_id, data))


@router.get("/scoreboard", response_model=Scoreboard)
def get_scoreboard(session: SessionDep, actor: UserDep) -> Scoreboard:
    """Departments ranked by quality score, with trends."""
    return service.get_scoreboard(session, actor)


@router.get("/reports/{department_id}", response_model=InspectionReport)
def get_report(
    session: SessionDep, actor: UserDep, department_id: int, start: dt.date, end: dt.date
) -> InspectionReport:
    """A department's inspection report for a period."""
    return service.get_report(session, actor, department_id, start, end)


@router.get("/reports/{department_id}.xlsx")
def export_report(
    session: SessionDep, actor: UserDep, department_id: int, start: dt.date, end: dt.date
) -> Response:
    """The inspection report as an .xlsx workbook."""
    data, _report = service.export_report(session, actor, department_id, start, end, "xlsx")
    return Response(data, media_type=XLSX)


@router.post("/datasets/{dataset_id}/objections", response_model=ObjectionPublic, status_code=201)
def file_objection(
    session: SessionDep, actor: UserDep, dataset_id: int, data: ObjectionCreate
) -> ObjectionPublic:
    """Flag a wrong value."""
    return ObjectionPublic.model_validate(service.file_objection(session, actor, dataset_id, data))


@router.get("/objections", response_model=list[ObjectionPublic])
def list_objections(
    session: SessionDep, actor: UserDep, dataset_id: int | None = None
) -> list[ObjectionPublic]:
    """Objections the actor may see."""
    items = service.list_objections(session, actor, dataset_id=dataset_id)
    return [ObjectionPublic.model_validate(o) for o in items]


@router.get("/objections/{objection_id}", response_model=ObjectionPublic)
def get_objection(session: SessionDep, actor: UserDep, objection_id: int) -> ObjectionPublic:
    """One objection."""
    return ObjectionPublic.model_validate(service.get_objection(session, actor, objection_id))


@router.post("/objections/{objection_id}/answer", response_model=ObjectionPublic)
def answer_objection(
    session: SessionDep, actor: UserDep, objection_id: int, data: ObjectionAnswer
) -> ObjectionPublic:
    """Confirm (fix in a new version) or answer that the value is right."""
    return ObjectionPublic.model_validate(
        service.answer_objection(session, actor, objection_id, data)
    )


def _code_table(table: object, version: object, versions: object) -> CodeTableDetail:
    base = CodeTablePublic.model_validate(table).model_dump()
    return CodeTableDetail(
        **base,
        version=CodeTableVersionPublic.model_validate(version),
        rows=version.rows,  # type: ignore[attr-defined]
        versions=[CodeTableVersionPublic.model_validate(v) for v in versions],  # type: ignore[attr-defined]
    )


@router.get("/code-tables", response_model=list[CodeTablePublic])
def list_code_tables(session: SessionDep, actor: UserDep) -> list[CodeTablePublic]:
    """Code tables stewards uploaded for value-set rules."""
    return [CodeTablePublic.model_validate(t) for t in service.list_code_tables(session, actor)]


@router.post("/code-tables", response_model=CodeTableDetail, status_code=201)
async def upload_code_table(
    session: SessionDep,
    actor: UserDep,
    name: Annotated[str, Form()],
    file: Annotated[UploadFile, File(description=".csv (UTF-8 or GBK) or .xlsx")],
    description: Annotated[str, Form()] = "",
) -> CodeTableDetail:
    """Upload a code table (header 代码, 名称, optional 生效日期, 失效日期): a new table or the
    next version of the table with that name. A bad file → 422 naming every wrong cell."""
    content = await file.read(20 * 1024 * 1024 + 1)
    return _code_table(
        *service.upload_code_table(
            session,
            actor,
            name=name,
            description=description,
            filename=file.filename or "",
            content=content,
        )
    )


@router.get("/code-tables/{table_id}", response_model=CodeTableDetail)
def get_code_table(
    session: SessionDep, actor: UserDep, table_id: int, version: int | None = None
) -> CodeTableDetail:
    """A code table with one version's rows (the latest unless ``version``)."""
    return _code_table(*service.get_code_table(session, actor, table_id, version))
