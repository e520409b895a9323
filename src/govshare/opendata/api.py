"""JSON of the open-data portal: the CKAN Action API (``ckan_router``: ``/api/3/action/{action}``
and ``/api/action/{action}``, GET or POST, CKAN's envelope and error shapes) with
``/datastore/dump/{id}``, and the platform's own ``/api/v1/opendata`` endpoints."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from govshare.core.config import get_settings
from govshare.core.db import READS_ONLY
from govshare.core.errors import Invalid
from govshare.core.i18n import _
from govshare.core.security import ANONYMOUS
from govshare.core.web import SessionDep, UserDep, get_session
from govshare.opendata import service
from govshare.opendata.schemas import (
    DataRequestPublic,
    DcatCheck,
    LevelChangePublic,
    ReleaseRow,
)

router = APIRouter(prefix="/opendata", tags=["opendata"])
ckan_router = APIRouter(include_in_schema=False)
CKAN_PREFIXES = ("/api/3/action/", "/api/action/")
CKAN_TYPES = {
    404: "Not Found Error",
    403: "Authorization Error",
    401: "Authorization Error",
    409: "Validation Error",
    422: "Validation Error",
    429: "Rate Limit Error",
}


def _help(request: Request) -> str:
    action = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    return f"{get_settings().base_url.rstrip('/')}/api/3/action/help_show?name={action}"


def ckan_error(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    type_slug: str = "",
) -> JSONResponse:
    """An error in CKAN's envelope (``success: false``, ``error.__type``, ``error.message``)."""
    kind = "Search Query Error" if type_slug == "search-query" else CKAN_TYPES.get(status)
    if kind is None:
        kind = "Internal Server Error" if status >= 500 else "Validation Error"
    error: dict[str, Any] = {"__type": kind, "message": detail}
    for e in errors or []:
        error.setdefault(str(e.get("field") or "__all__"), []).append(e.get("message", ""))
    code = 409 if kind in ("Validation Error", "Search Query Error") else status
    return JSONResponse(
        {"help": _help(request), "success": False, "error": error},
        status_code=code,
        headers=headers,
    )


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        ctype = request.headers.get("content-type", "")
        if body and "json" in ctype or (body and body.lstrip()[:1] == b"{"):
            try:
                data = json.loads(body)
            except ValueError:
                raise Invalid(_("请求体不是有效的 JSON。")) from None
            if not isinstance(data, dict):
                raise Invalid(_("请求体应为 JSON 对象。"))
            params.update(data)
        elif body:
            form = await request.form()
            params.update({k: form.get(k) for k in form})
    return params


def _caller(request: Request, session: SessionDep) -> Any:
    """The public user of the request's CKAN API key (None: anonymous); rate-limited."""
    return _resolve_caller(request, session)


def _resolve_caller(request: Request, session: Any) -> Any:
    key = request.headers.get("x-ckan-api-key") or request.headers.get("authorization")
    if key and key.lower().startswith("bearer "):
        key = key[7:]
    caller = service.resolve_api_key(session, ANONYMOUS, key or None)
    client = request.client.host if request.client else "unknown"
    if caller is not None:
        service.check_visitor_rate(ANONYMOUS, f"key:{caller.id}", keyed=True)
    else:
        service.check_visitor_rate(ANONYMOUS, client)
    return caller


CallerDep = Annotated[Any, Depends(_caller)]


# Actions whose answer depends only on the portal's version (not on a dataset's rows).
VERSIONED = {
    "package_list",
    "package_search",
    "package_show",
    "organization_list",
    "organization_show",
    "group_list",
    "tag_list",
    "resource_show",
}


def _answer(
    request: Request, action: str, params: dict[str, Any], session: Any, record: Any
) -> Response:
    caller = _resolve_caller(request, session)
    headers: dict[str, str] = {}
    if request.method == "GET" and action in VERSIONED:
        tag, changed = service.get_portal_stamp(session, ANONYMOUS)
        raw = f"{tag}|{request.url.path}?{request.url.query}"
        etag = 'W/"' + hashlib.sha1(raw.encode()).hexdigest()[:20] + '"'  # noqa: S324 - cache key
        headers = {"ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate"}
        if changed is not None:
            headers["Last-Modified"] = format_datetime(changed, usegmt=True)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
    result = service.ckan_action(
        session, ANONYMOUS, action, params, caller=caller, audit_with=record
    )
    return JSONResponse(
        {"help": _help(request), "success": True, "result": result}, headers=headers
    )


# A CKAN call only reads: it runs in a read-only transaction (DEFERRED on SQLite, so calls do not
# queue for the write lock), its API-usage counts are tallied in memory (service/usage.py) and a
# datastore_search's audit entry goes to the group-commit recorder after the reads committed;
# the answer leaves once that entry is durable. Refusals roll back and are recorded as elsewhere.
async def _action(request: Request, action: str) -> Response:
    params = await _params(request)
    pending: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def run() -> Response:
        # core.web's transaction (commit; on a refusal roll back and record it), read-only
        with contextmanager(get_session)(request) as session:
            session.connection(execution_options={READS_ONLY: True})
            return _answer(request, action, params, session, lambda *a, **k: pending.append((a, k)))

    response = await run_in_threadpool(run)
    for args, kwargs in pending:
        await request.app.state.audit_group.record(*args, **kwargs)
    return response


@ckan_router.api_route("/api/3/action/{action}", methods=["GET", "POST"])
async def ckan_action_v3(request: Request, action: str) -> Response:
    return await _action(request, action)


@ckan_router.api_route("/api/action/{action}", methods=["GET", "POST"])
async def ckan_action_plain(request: Request, action: str) -> Response:
    return await _action(request, action)


@ckan_router.get("/api/3")
def ckan_version() -> dict[str, int]:
    return {"version": 3}


@ckan_router.get("/datastore/dump/{resource_id}")
def datastore_dump(
    resource_id: str, session: SessionDep, caller: CallerDep, format: str = "csv"
) -> StreamingResponse:
    name, media, body = service.dump_datastore(
        session, ANONYMOUS, resource_id, fmt=format.lower(), caller=caller
    )
    return StreamingResponse(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="download"; '
            f"filename*=UTF-8''{quote(name, safe='')}"
        },
    )


def ckan_shape(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]],
    headers: dict[str, str],
    type_slug: str,
) -> Response | None:
    """CKAN's error shape on the CKAN paths (None elsewhere); installed by main.py."""
    if not request.url.path.startswith(CKAN_PREFIXES):
        return None
    return ckan_error(request, status, detail, errors, headers, type_slug)


# --- /api/v1/opendata ------------------------------------------------------------------------


@router.get("/requests", response_model=list[DataRequestPublic])
def list_data_requests(
    session: SessionDep,
    status: str | None = None,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> list[DataRequestPublic]:
    """Public data requests (数据需求) and their answers, newest first (20 a page)."""
    rows, _total = service.list_data_requests(session, ANONYMOUS, status=status, page=page)
    return rows


@router.get("/requests/{request_id}", response_model=DataRequestPublic)
def get_data_request(session: SessionDep, request_id: Annotated[int, Path()]) -> DataRequestPublic:
    """One public data request with its answer."""
    return service.get_data_request(session, ANONYMOUS, request_id)


@router.get("/releases", response_model=list[ReleaseRow])
def list_releases(
    session: SessionDep, actor: UserDep, department_id: int | None = None
) -> list[ReleaseRow]:
    """Published resources that may be opened, with their releases and proposed masks."""
    return service.list_releases(session, actor, department_id=department_id)


@router.get("/dcat-check", response_model=DcatCheck)
def check_portal_dcat(session: SessionDep, actor: UserDep) -> DcatCheck:
    """The public DCAT-AP feed validated against the DCAT-AP 3 core SHACL shapes."""
    return service.check_portal_dcat(session, actor)


@router.get("/level-changes", response_model=list[LevelChangePublic])
def list_level_changes(session: SessionDep, actor: UserDep, status: str | None = None) -> list[Any]:
    """Level changes (lowering waits for a platform admin's approval)."""
    return list(service.list_level_changes(session, actor, status=status))
