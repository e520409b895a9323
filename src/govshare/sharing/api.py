"""JSON API of sharing (/api/v1/sharing) and the data API every department calls (/api/v1/data).

The data API is for API tokens bound to a consumer system (``Authorization: Bearer …``). Resource
codes contain a slash (前段码/后段码); they go into the path as they are.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from govshare.core.db import READS_ONLY, Database, run_deferred_writes
from govshare.core.errors import DomainError, NotAuthenticated
from govshare.core.i18n import _
from govshare.core.security import Actor
from govshare.core.web import SessionDep, UserDep, get_database
from govshare.sharing import service
from govshare.sharing.schemas import (
    Arbitration,
    BatchAnswer,
    BatchRequest,
    Decision,
    GrantPublic,
    Objection,
    Reason,
    RecordAnswer,
    RenewalCreate,
    RenewalDecision,
    RenewalPublic,
    RequestCreate,
    RequestPublic,
    RowsAnswer,
    SystemCreate,
    SystemPublic,
    UsageReport,
    VerifyAnswer,
    VerifyRequest,
)
from govshare.sharing.service import hotpath
from govshare.sharing.service.data import Recorder

router = APIRouter(tags=["sharing"])
PROBLEM: dict[str, object] = {"content": {"application/problem+json": {}}}
DATA_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "令牌无效、过期或已吊销", **PROBLEM},
    403: {"description": "令牌未绑定消费系统，或没有有效授权（含已吊销、已过期）", **PROBLEM},
    404: {"description": "资源不存在或不可见；记录不存在或不在授权范围内", **PROBLEM},
    422: {"description": "信息项未获授权、筛选或游标无效、主键超过 1,000 个", **PROBLEM},
    429: {"description": "超过授权的调用频率或每日配额（Retry-After 头给出秒数）", **PROBLEM},
}


class TokenBinding(BaseModel):
    """Which of the caller's API tokens to bind."""

    token_id: int


# --- systems -------------------------------------------------------------------------------------


@router.get("/sharing/systems", response_model=list[SystemPublic])
def list_systems(session: SessionDep, actor: UserDep) -> list[SystemPublic]:
    """Consumer systems of the caller's department (platform admins, auditors: all)."""
    return service.list_systems(session, actor)


@router.post("/sharing/systems", response_model=SystemPublic, status_code=201)
def register_system(session: SessionDep, actor: UserDep, data: SystemCreate) -> SystemPublic:
    """Register a consumer system of the caller's department."""
    return service.register_system(session, actor, data)


@router.post("/sharing/systems/{system_id}/tokens", response_model=SystemPublic)
def bind_system_token(
    session: SessionDep, actor: UserDep, system_id: int, data: TokenBinding
) -> SystemPublic:
    """Bind one of the caller's API tokens to the system (one system per token)."""
    return service.bind_system_token(session, actor, system_id, data.token_id)


# --- requests ------------------------------------------------------------------------------------


@router.get("/sharing/requests", response_model=list[RequestPublic])
def list_requests(
    session: SessionDep, actor: UserDep, status: str | None = None
) -> list[RequestPublic]:
    """The caller's department's requests with their clocks, newest first."""
    return service.list_requests(session, actor, status=status)


@router.get("/sharing/review-queue", response_model=list[RequestPublic])
def list_review_queue(session: SessionDep, actor: UserDep) -> list[RequestPublic]:
    """Pending requests for the caller's department's resources, most urgent first."""
    return service.list_review_queue(session, actor)


@router.post("/sharing/requests", response_model=RequestPublic, status_code=201)
def submit_request(session: SessionDep, actor: UserDep, data: RequestCreate) -> RequestPublic:
    """Apply for a published resource for one of the department's systems."""
    return service.submit_request(session, actor, data)


@router.get("/sharing/requests/{request_id}", response_model=RequestPublic)
def get_request(session: SessionDep, actor: UserDep, request_id: int) -> RequestPublic:
    """One request with its clock."""
    return service.get_request(session, actor, request_id)


@router.put("/sharing/requests/{request_id}", response_model=RequestPublic)
def update_request(
    session: SessionDep, actor: UserDep, request_id: int, data: RequestCreate
) -> RequestPublic:
    """Complete a returned request and send it again."""
    return service.update_request(session, actor, request_id, data)


@router.post("/sharing/requests/{request_id}/approve", response_model=RequestPublic)
def approve_request(
    session: SessionDep, actor: UserDep, request_id: int, data: Decision
) -> RequestPublic:
    """Approve, possibly narrowed (items, row filter) and with tighter masks."""
    return service.approve_request(session, actor, request_id, data)


@router.post("/sharing/requests/{request_id}/refuse", response_model=RequestPublic)
def refuse_request(
    session: SessionDep, actor: UserDep, request_id: int, data: Reason
) -> RequestPublic:
    """Refuse with a reason."""
    return service.refuse_request(session, actor, request_id, data)


@router.post("/sharing/requests/{request_id}/return", response_model=RequestPublic)
def return_request(
    session: SessionDep, actor: UserDep, request_id: int, data: Reason
) -> RequestPublic:
    """Return for more information with a reason."""
    return service.return_request(session, actor, request_id, data)


@router.post("/sharing/requests/{request_id}/object", response_model=RequestPublic)
def object_to_refusal(
    session: SessionDep, actor: UserDep, request_id: int, data: Objection
) -> RequestPublic:
    """Object to a refusal (提出异议) with reasons, within the objection period, once."""
    return service.object_to_refusal(session, actor, request_id, data)


@router.get("/sharing/arbitration-queue", response_model=list[RequestPublic])
def list_arbitration_queue(session: SessionDep, actor: UserDep) -> list[RequestPublic]:
    """Objections waiting for 市电政办's ruling, the nearest deadline first."""
    return service.list_arbitration_queue(session, actor)


@router.post("/sharing/requests/{request_id}/arbitrate", response_model=RequestPublic)
def arbitrate_objection(
    session: SessionDep, actor: UserDep, request_id: int, data: Arbitration
) -> RequestPublic:
    """市电政办 upholds the refusal or orders a grant (narrowed as a reviewer may)."""
    return service.arbitrate_objection(session, actor, request_id, data)


# --- grants --------------------------------------------------------------------------------------


@router.get("/sharing/grants", response_model=list[GrantPublic])
def list_grants(session: SessionDep, actor: UserDep) -> list[GrantPublic]:
    """Grants held by or given by the caller's department."""
    return service.list_grants(session, actor)


@router.get("/sharing/grants/{grant_id}", response_model=GrantPublic)
def get_grant(session: SessionDep, actor: UserDep, grant_id: int) -> GrantPublic:
    """One grant."""
    return service.get_grant(session, actor, grant_id)


@router.post("/sharing/grants/{grant_id}/revoke", response_model=GrantPublic)
def revoke_grant(session: SessionDep, actor: UserDep, grant_id: int, data: Reason) -> GrantPublic:
    """Revoke at once: the next call under the grant is refused."""
    return service.revoke_grant(session, actor, grant_id, data)


@router.post("/sharing/grants/{grant_id}/renewals", response_model=RenewalPublic, status_code=201)
def apply_renewal(
    session: SessionDep, actor: UserDep, grant_id: int, data: RenewalCreate
) -> RenewalPublic:
    """Apply to renew an expiring grant, stating the purpose again."""
    return service.apply_renewal(session, actor, grant_id, data)


@router.get("/sharing/renewals", response_model=list[RenewalPublic])
def list_renewals(
    session: SessionDep, actor: UserDep, status: str | None = None
) -> list[RenewalPublic]:
    """Renewals of grants held or given by the caller's department."""
    return service.list_renewals(session, actor, status=status)


@router.post("/sharing/renewals/{renewal_id}/approve", response_model=RenewalPublic)
def approve_renewal(
    session: SessionDep, actor: UserDep, renewal_id: int, data: RenewalDecision
) -> RenewalPublic:
    """Approve a renewal: a new validity from the old end."""
    return service.approve_renewal(session, actor, renewal_id, data)


@router.post("/sharing/renewals/{renewal_id}/refuse", response_model=RenewalPublic)
def refuse_renewal(
    session: SessionDep, actor: UserDep, renewal_id: int, data: Reason
) -> RenewalPublic:
    """Let the grant lapse, with a reason."""
    return service.refuse_renewal(session, actor, renewal_id, data)


# --- usage ---------------------------------------------------------------------------------------


@router.get("/sharing/usage", response_model=UsageReport)
def get_usage(
    session: SessionDep,
    actor: UserDep,
    side: Literal["provider", "consumer"] = "consumer",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> UsageReport:
    """Data API usage per system, per grant and per day over a date range (default: 30 days):
    as provider (use of the department's resources) or consumer (its systems' use)."""
    return service.get_usage(session, actor, side=side, since=since, until=until)


# --- the data API (specific routes first: the resource code contains a slash) -------------------
#
# Each call runs its reads in a transaction of its own (DEFERRED on SQLite, so calls do not
# queue for the write lock), commits, and only then hands its audit entry to the group-commit
# recorder: the answer leaves once the entry is durable, and concurrent calls share one write.
# Refusals roll back and are recorded like every other route's. The token's read scope suffices:
# batch lookup and verification send keys in a POST body but only read. Web sessions do not call
# the data API.

T = TypeVar("T")


def _read(
    db: Database,
    resolve_actor: Callable[..., Actor],
    auth: str | None,
    work: Callable[[Any, Actor], T],
    on_actor: Callable[[Actor], None] | None = None,
) -> T:
    """Resolve the bearer token and run ``work`` in a read-only transaction (DEFERRED on SQLite),
    then the writes it put off (the token's last-use note). Refusals roll back and raise."""
    session = db.session()
    try:
        session.connection(execution_options={READS_ONLY: True})
        if not auth:
            raise NotAuthenticated(
                _("数据接口需要接口令牌：Authorization: Bearer <令牌>。"),
                action="sharing.data_api",
            )
        actor = resolve_actor(session, session_token=None, authorization=auth, method="GET")
        if on_actor is not None:
            on_actor(actor)
        answer = work(session, actor)
        session.commit()
        run_deferred_writes(session)  # e.g. the token's last-use note, after the reads
        return answer
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def _call(request: Request, work: Callable[[Any, Actor, Recorder], T]) -> T:
    db = get_database(request)
    pending: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    seen: list[Actor] = []

    def run() -> T:
        def note(actor: Actor) -> None:
            seen.append(actor)
            request.state.actor = actor

        try:
            return _read(
                db,
                request.app.state.resolve_actor,
                request.headers.get("authorization"),
                lambda s, a: work(s, a, lambda *x, **k: pending.append((x, k))),
                note,
            )
        except DomainError as exc:
            db.record_refusal(seen[0] if seen else None, exc)
            raise

    answer = await run_in_threadpool(run)
    for args, kwargs in pending:
        await request.app.state.audit_group.record(*args, **kwargs)
    return answer


# --- the single-record lookup's fast path --------------------------------------------------------

LOOKUP_PATH = re.compile(r"^/api/v1/data/(?P<code>.*)/records/(?P<key>[^/]+)$")
LOOKUP_ROUTE = "/api/v1/data/{resource_code}/records/{key}"
JSON_HEADERS = [(b"content-type", b"application/json")]


class FastLookup:
    """``GET /api/v1/data/{code}/records/{key}`` as plain ASGI, ahead of FastAPI's routing and
    of the CSRF and session middleware (a bearer-token GET needs neither), inside the request
    middleware (request id, locale, metrics, security headers). It answers the calls it can from
    a resolved call (``service.hotpath``) and passes every other one on: the FastAPI route
    ``lookup_record`` below, which is what OpenAPI documents, answers and records those (first
    call of a token, refusals, 404, 429) exactly as before. Measured in docs/performance.md."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Resolutions under way, per (caller, resource, stamp): concurrent first calls of one
        # caller (all its connections, at start or when its entry has aged out) share one
        # resolution instead of each running the full path's reads and token note at once.
        self._resolving: dict[tuple[str, str, str], asyncio.Task[hotpath.Resolved]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = LOOKUP_PATH.match(scope["path"])
            if match is not None and await self._answer(scope, send, match["code"], match["key"]):
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send, code: str, key: str) -> bool:
        auth = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if not auth:
            return False
        state = scope["app"].state
        db: Database = state.db
        who = hashlib.blake2b(auth, digest_size=16).hexdigest()
        # SQLite's stamp and row reads and the in-process limiter take tens of µs: on the event
        # loop. Network round trips (PostgreSQL, a Redis limiter) go to the thread pool.
        inline = db.dialect == "sqlite" and not state.settings.redis_url

        def fast(entry: hotpath.Resolved | None) -> tuple[str, hotpath.Answer | None, Any]:
            stamp = hotpath.read_stamp(db)
            entry = entry or hotpath.cached(who, code, stamp)
            if entry is None or entry.stamp != stamp:
                return stamp, None, None
            return stamp, hotpath.answer_lookup(entry, key), entry

        stamp, answer, entry = fast(None) if inline else await run_in_threadpool(fast, None)
        if entry is None:
            text = auth.decode("latin-1")

            def resolve() -> hotpath.Resolved:
                return _read(
                    db,
                    state.resolve_actor,
                    text,
                    lambda s, a: hotpath.resolve_lookup(s, a, code, stamp),
                )

            try:
                entry = await self._resolve_once((who, code, stamp), resolve)
            except DomainError:
                return False  # the full path answers and records the refusal
            stamp, answer, entry = fast(entry) if inline else await run_in_threadpool(fast, entry)
        if answer is None:
            return False
        holder = scope.get("govshare.route")
        if isinstance(holder, dict):
            holder["path"] = LOOKUP_ROUTE
        body = json.dumps(answer.body, ensure_ascii=False, separators=(",", ":")).encode()
        await state.audit_group.record(
            entry.actor, hotpath.ACTION, entry.target, details=answer.details, plain=True
        )
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _resolve_once(
        self, key: tuple[str, str, str], resolve: Callable[[], hotpath.Resolved]
    ) -> hotpath.Resolved:
        """Resolve a call in the thread pool and remember it, or wait for the same resolution
        already under way (its refusal is raised to every waiter). The resolution is a task of
        its own, so a caller that hangs up does not cancel it for the others."""
        task = self._resolving.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._resolve(key, resolve))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # seen if unawaited
            self._resolving[key] = task
        return await asyncio.shield(task)

    async def _resolve(
        self, key: tuple[str, str, str], resolve: Callable[[], hotpath.Resolved]
    ) -> hotpath.Resolved:
        try:
            entry = await run_in_threadpool(resolve)
            hotpath.remember(key[0], key[1], entry)
            return entry
        finally:
            self._resolving.pop(key, None)


@router.post(
    "/data/{resource_code:path}/records/batch",
    response_model=BatchAnswer,
    tags=["data"],
    responses=DATA_ERRORS,
)
async def lookup_records(request: Request, resource_code: str, data: BatchRequest) -> BatchAnswer:
    """Batch lookup of up to 1,000 keys: records in key order, keys not found listed apart."""
    return await _call(
        request, lambda s, a, r: service.lookup_records(s, a, resource_code, data.keys, r)
    )


@router.post(
    "/data/{resource_code:path}/verify",
    response_model=VerifyAnswer,
    tags=["data"],
    responses=DATA_ERRORS,
)
async def verify_record(request: Request, resource_code: str, data: VerifyRequest) -> VerifyAnswer:
    """核验: does this record exist with these values? Yes/no per field, no data returned."""
    return await _call(
        request,
        lambda s, a, r: service.verify_record(s, a, resource_code, data.key, data.fields, r),
    )


@router.get(
    "/data/{resource_code:path}/records/{key}",
    response_model=RecordAnswer,
    tags=["data"],
    responses=DATA_ERRORS,
)
async def lookup_record(request: Request, resource_code: str, key: str) -> RecordAnswer:
    """One record by its key, with the grant's items and masks."""
    return await _call(request, lambda s, a, r: service.lookup_record(s, a, resource_code, key, r))


@router.get(
    "/data/{resource_code:path}",
    response_model=RowsAnswer,
    tags=["data"],
    responses=DATA_ERRORS,
)
async def read_rows(
    request: Request,
    resource_code: str,
    fields: Annotated[str | None, Query(description="信息项，逗号分隔（默认：授权的全部）")] = None,
    filter: Annotated[
        str | None, Query(description="筛选，如 `性别=男; 出生日期>=1980-01-01`")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RowsAnswer:
    """Rows of the resource inside the grant: granted items, row filter and masks applied."""
    names = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    return await _call(
        request,
        lambda s, a, r: service.read_rows(
            s,
            a,
            resource_code,
            fields=names,
            filter_text=filter,
            cursor=cursor,
            limit=limit,
            audit_with=r,
        ),
    )
