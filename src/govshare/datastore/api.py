"""JSON API of the datastore (/api/v1/data): datasets, resumable uploads, loads, versions,
downloads, diffs, and rows of a resource's current version (lookup, pages, CKAN-style search)."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from govshare.core.web import SessionDep, UserDep
from govshare.datastore import service
from govshare.datastore.schemas import (
    DatasetCreate,
    DatasetPublic,
    DatasetUpdate,
    DiffPublic,
    LoadPublic,
    LoadRequest,
    RowsPage,
    ScanResult,
    SearchResult,
    UploadCreate,
    UploadPublic,
    VersionPublic,
)

router = APIRouter(prefix="/data", tags=["datastore"])


class LookupRequest(BaseModel):
    """Keys of the key item (or {item: value} for a composite key), at most 1,000."""

    keys: list[Any] = Field(max_length=1000)
    fields: list[str] | None = None


class ScanRequest(BaseModel):
    """One SELECT over `data` (the version) and `previous`, with parameters."""

    sql: str
    params: list[Any] | dict[str, Any] | None = None
    version: int | None = None
    timeout_ms: int | None = None
    row_cap: int | None = None


class Preview(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    version: int


@router.get("/datasets", response_model=list[DatasetPublic])
def list_datasets(session: SessionDep, actor: UserDep, q: str | None = None) -> Any:
    """Datasets visible to the caller."""
    return service.list_datasets(session, actor, q=q)


@router.post("/datasets", response_model=DatasetPublic, status_code=201)
def create_dataset(session: SessionDep, actor: UserDep, data: DatasetCreate) -> Any:
    """Create a dataset with an explicit column specification."""
    return service.create_dataset(session, actor, data)


@router.post("/resources/{resource_id}/dataset", response_model=DatasetPublic, status_code=201)
def create_dataset_for_resource(session: SessionDep, actor: UserDep, resource_id: int) -> Any:
    """Create the dataset of a published catalog resource (columns from its data items)."""
    return service.create_dataset_for_resource(session, actor, resource_id)


@router.get("/datasets/{dataset_id}", response_model=DatasetPublic)
def get_dataset(session: SessionDep, actor: UserDep, dataset_id: int) -> Any:
    """One dataset."""
    return service.get_dataset(session, actor, dataset_id)


@router.patch("/datasets/{dataset_id}", response_model=DatasetPublic)
def update_dataset(
    session: SessionDep, actor: UserDep, dataset_id: int, data: DatasetUpdate
) -> Any:
    """Change thresholds, retention, mapping, indexes, the pull source and schedule."""
    return service.update_dataset(session, actor, dataset_id, data)


@router.post("/datasets/{dataset_id}/uploads", response_model=UploadPublic, status_code=201)
def create_upload(session: SessionDep, actor: UserDep, dataset_id: int, data: UploadCreate) -> Any:
    """Start a resumable upload (`size` bytes); then PUT chunks to /uploads/{id}?offset=N."""
    return service.create_upload(session, actor, dataset_id, data)


@router.put("/uploads/{upload_id}", response_model=UploadPublic)
async def upload_chunk(
    request: Request, session: SessionDep, actor: UserDep, upload_id: int, offset: int = 0
) -> Any:
    """Append the request body at `offset` (must equal `received`; 409 names the right one)."""
    body = await request.body()
    return service.upload_chunk(session, actor, upload_id, offset, body)


@router.get("/uploads/{upload_id}", response_model=UploadPublic)
def get_upload(session: SessionDep, actor: UserDep, upload_id: int) -> Any:
    """Where an upload stands: resume at `received`."""
    return service.get_upload(session, actor, upload_id)


@router.post("/datasets/{dataset_id}/loads", response_model=LoadPublic, status_code=202)
def load_dataset(session: SessionDep, actor: UserDep, dataset_id: int, data: LoadRequest) -> Any:
    """Load a completed upload as a new version; follow `job_id` at /api/v1/jobs/{id}."""
    return service.load_dataset(session, actor, dataset_id, data.upload_id, mode=data.mode)


@router.post("/datasets/{dataset_id}/pull", response_model=LoadPublic, status_code=202)
def pull_dataset(session: SessionDep, actor: UserDep, dataset_id: int) -> Any:
    """Pull from the dataset's department database or HTTP API now."""
    return service.pull_dataset(session, actor, dataset_id)


@router.get("/loads/{load_id}", response_model=LoadPublic)
def get_load(session: SessionDep, actor: UserDep, load_id: int) -> Any:
    """One load: status, counts, the first rejected rows."""
    return service.get_load(session, actor, load_id)


@router.get("/loads/{load_id}/rejects.csv", response_class=StreamingResponse)
def export_rejects(session: SessionDep, actor: UserDep, load_id: int) -> Response:
    """Every rejected row of a load: row, column, value, reason (CSV, UTF-8 with BOM)."""
    return StreamingResponse(
        service.export_rejects(session, actor, load_id), media_type="text/csv; charset=utf-8"
    )


@router.get("/datasets/{dataset_id}/versions", response_model=list[VersionPublic])
def list_versions(session: SessionDep, actor: UserDep, dataset_id: int) -> Any:
    """A dataset's versions, newest first."""
    return service.list_versions(session, actor, dataset_id)


@router.get("/datasets/{dataset_id}/versions/{number}", response_model=VersionPublic)
def get_version(session: SessionDep, actor: UserDep, dataset_id: int, number: int) -> Any:
    """One version: counts, SHA-256 and SM3, source, who and when."""
    return service.get_version(session, actor, dataset_id, number)


@router.get("/datasets/{dataset_id}/versions/{number}/preview", response_model=Preview)
def preview_version(session: SessionDep, actor: UserDep, dataset_id: int, number: int) -> Any:
    """The first rows of a version."""
    cols, rows, v = service.preview_version(session, actor, dataset_id, number)
    return Preview(columns=cols, rows=rows, version=v.number)


@router.get("/datasets/{dataset_id}/versions/{number}/profile")
def get_profile(
    session: SessionDep, actor: UserDep, dataset_id: int, number: int
) -> list[dict[str, Any]]:
    """Per column: nulls, distinct, min, max, top values."""
    return service.get_profile(session, actor, dataset_id, number)


@router.get("/datasets/{dataset_id}/versions/{number}/download")
def download_version(
    session: SessionDep,
    actor: UserDep,
    dataset_id: int,
    number: int,
    format: Literal["csv", "xlsx", "json", "parquet"] = "csv",
    filter: str | None = None,
    fields: list[str] | None = Query(None),
) -> Response:
    """Stream a version: CSV (UTF-8 with BOM), XLSX (≤ 1,048,575 rows), JSON or Parquet."""
    name, media, stream = service.download_version(
        session, actor, dataset_id, number, fmt=format, filter_text=filter, columns=fields
    )
    return StreamingResponse(
        stream,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/datasets/{dataset_id}/diff", response_model=DiffPublic)
def diff_versions(
    session: SessionDep,
    actor: UserDep,
    dataset_id: int,
    from_: int = Query(alias="from"),
    to: int = Query(),
    limit: int = 100,
) -> Any:
    """Rows added, changed and removed between two versions."""
    return service.diff_versions(session, actor, dataset_id, from_, to, limit=min(limit, 1000))


@router.post("/resources/{resource_id}/lookup", response_model=list[dict[str, Any]])
def lookup_rows(session: SessionDep, actor: UserDep, resource_id: int, data: LookupRequest) -> Any:
    """Rows of the current version by key (≤ 1,000 keys)."""
    return service.lookup_rows(session, actor, resource_id, data.keys, columns=data.fields)


@router.get("/resources/{resource_id}/rows", response_model=RowsPage)
def page_rows(
    session: SessionDep,
    actor: UserDep,
    resource_id: int,
    filter: str | None = None,
    fields: list[str] | None = Query(None),
    cursor: str | None = None,
    limit: int = 100,
) -> Any:
    """A page of the current version's rows (filter grammar, cursor)."""
    return service.page_rows(
        session, actor, resource_id, filter_text=filter, columns=fields, cursor=cursor, limit=limit
    )


@router.get("/resources/{resource_id}/search", response_model=SearchResult)
def search_rows(
    session: SessionDep,
    actor: UserDep,
    resource_id: int,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 100,
    offset: int = 0,
    fields: list[str] | None = Query(None),
) -> Any:
    """CKAN datastore_search semantics over the current version."""
    return service.search_rows(
        session, actor, resource_id, q=q, sort=sort, limit=limit, offset=offset, fields=fields
    )


@router.post("/resources/{resource_id}/scan", response_model=ScanResult)
def run_scan(session: SessionDep, actor: UserDep, resource_id: int, data: ScanRequest) -> Any:
    """One SELECT over a version (`data`) with allowed functions, a time limit and a row cap."""
    return service.run_scan(
        session,
        actor,
        resource_id,
        data.version,
        data.sql,
        data.params,
        timeout_ms=data.timeout_ms,
        row_cap=data.row_cap,
    )
