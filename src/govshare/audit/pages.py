"""Pages: browse and filter the audit trail, one entry, export, chain verification."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from govshare.audit import permissions, service
from govshare.audit.schemas import OUTCOMES, AuditFilter
from govshare.core.i18n import N_
from govshare.core.validation import parse
from govshare.core.web import NavEntry, SessionDep, UserDep, render

router = APIRouter(include_in_schema=False)

NAV = [
    NavEntry(
        N_("审计日志"),
        "/audit",
        "journal-check",
        permissions.can_list_audit_entries,
        N_("安全与审计"),
    ),
]


def _filters(request: Request) -> AuditFilter:
    raw = {k: v for k, v in request.query_params.items() if v and k in AuditFilter.model_fields}
    return parse(AuditFilter, raw)


@router.get("/audit", response_class=HTMLResponse)
def audit_list(
    request: Request, session: SessionDep, actor: UserDep, cursor: str | None = None
) -> Response:
    """The trail, newest first, with filters; more rows load in place."""
    filters = _filters(request)
    entries, next_cursor = service.list_audit_entries(
        session, actor, filters=filters, cursor=cursor
    )
    query = urlencode(filters.model_dump(exclude_none=True, mode="json"))
    return render(
        request,
        "audit/list.html",
        {
            "entries": entries,
            "next_cursor": next_cursor,
            "filters": filters,
            "query": query,
            "outcomes": OUTCOMES,
            "can_export": permissions.can_export_audit_entries(actor),
            "can_verify": permissions.can_verify_audit_chain(actor),
        },
        fragment="audit/_rows.html" if cursor else None,
    )


@router.get("/audit/export.{fmt}")
def audit_export(request: Request, session: SessionDep, actor: UserDep, fmt: str) -> Response:
    """Download the filtered trail as CSV or XLSX."""
    filters = _filters(request)
    kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
    stream = service.export_audit_entries(session, actor, filters=filters, fmt=kind)
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if kind == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return StreamingResponse(
        stream,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit.{kind}"'},
    )


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, session: SessionDep, actor: UserDep) -> Response:
    """Walk the chain and show every broken place."""
    result = service.verify_audit_chain(session, actor)
    return render(request, "audit/verify.html", {"result": result})


@router.get("/audit/{entry_id}", response_class=HTMLResponse)
def audit_detail(request: Request, session: SessionDep, actor: UserDep, entry_id: int) -> Response:
    """One entry with its before/after and chain digests."""
    entry = service.get_audit_entry(session, actor, entry_id)
    return render(request, "audit/detail.html", {"entry": entry})
