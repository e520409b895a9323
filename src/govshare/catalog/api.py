"""JSON API of the catalog (/api/v1/catalog): resources, search, versions, reviews, categories,
imports, exports and statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from govshare.catalog import service
from govshare.catalog.schemas import (
    CatalogStats,
    CategoryClass,
    CategoryCreate,
    CategoryPublic,
    FormatClass,
    ImportReport,
    OpenType,
    QueueEntry,
    ResourceCreate,
    ResourceFilter,
    ResourcePublic,
    RetireRequest,
    ReturnDecision,
    ReviewDecision,
    ReviewPublic,
    SearchResult,
    ShareType,
    Status,
    VersionDiff,
    VersionPublic,
)
from govshare.core.config import get_settings
from govshare.core.pagination import Page, clamp_limit
from govshare.core.web import SessionDep, UserDep, download

router = APIRouter(prefix="/catalog", tags=["catalog"])
Limit = Annotated[int | None, Query(description="Rows per page (default 50, at most 500)")]


def _limit(limit: int | None, default: int | None = None) -> int:
    s = get_settings()
    return clamp_limit(limit, default or s.page_size, s.page_size_max)


def _filters(
    q: str = "",
    status: Status | None = None,
    provider_department_id: int | None = None,
    category_class: CategoryClass | None = None,
    category_id: int | None = None,
    share_type: ShareType | None = None,
    open_type: OpenType | None = None,
    format_class: FormatClass | None = None,
    update_cycle: str | None = None,
    grading_level: Annotated[int | None, Query(ge=1, le=4)] = None,
    area_code: str | None = None,
) -> ResourceFilter:
    return ResourceFilter(
        q=q,
        status=status,
        provider_department_id=provider_department_id,
        category_class=category_class,
        category_id=category_id,
        share_type=share_type,
        open_type=open_type,
        format_class=format_class,
        update_cycle=update_cycle,
        grading_level=grading_level,
        area_code=area_code,
    )


@router.get("/resources", response_model=Page[ResourcePublic])
def list_resources(
    session: SessionDep,
    actor: UserDep,
    status: Status | None = None,
    provider_department_id: int | None = None,
    category_class: CategoryClass | None = None,
    share_type: ShareType | None = None,
    open_type: OpenType | None = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> Page[ResourcePublic]:
    """The catalog as JSON: visible resources with their data items, newest first."""
    n = _limit(limit)
    f = _filters(
        status=status,
        provider_department_id=provider_department_id,
        category_class=category_class,
        share_type=share_type,
        open_type=open_type,
    )
    rows, nxt = service.list_resources(session, actor, filters=f, cursor=cursor, limit=n)
    return Page(items=rows, next_cursor=nxt, limit=n)


@router.get("/resources/search", response_model=SearchResult)
def search_resources(
    session: SessionDep,
    actor: UserDep,
    q: str = "",
    status: Status | None = None,
    provider_department_id: int | None = None,
    category_class: CategoryClass | None = None,
    share_type: ShareType | None = None,
    open_type: OpenType | None = None,
    format_class: FormatClass | None = None,
    update_cycle: str | None = None,
    grading_level: Annotated[int | None, Query(ge=1, le=4)] = None,
    area_code: str | None = None,
    cursor: str | None = None,
    limit: Limit = None,
) -> SearchResult:
    """Full-text search (Chinese word segmentation) with facets; ranked best first."""
    f = _filters(
        q,
        status,
        provider_department_id,
        category_class,
        None,
        share_type,
        open_type,
        format_class,
        update_cycle,
        grading_level,
        area_code,
    )
    return service.search_resources(session, actor, f, cursor=cursor, limit=_limit(limit, 20))


@router.get("/resources/by-code", response_model=ResourcePublic)
def get_resource_by_code(session: SessionDep, actor: UserDep, code: str) -> ResourcePublic:
    """One resource by its code, e.g. ``101001/000001``."""
    return service.get_resource_by_code(session, actor, code)


@router.get("/resources/{resource_id}", response_model=ResourcePublic)
def get_resource(session: SessionDep, actor: UserDep, resource_id: int) -> ResourcePublic:
    """One resource with its data items."""
    return service.get_resource(session, actor, resource_id)


@router.post("/resources", response_model=ResourcePublic, status_code=201)
def create_resource(session: SessionDep, actor: UserDep, data: ResourceCreate) -> ResourcePublic:
    """File a resource for the caller's department (a draft)."""
    return service.create_resource(session, actor, data)


@router.put("/resources/{resource_id}", response_model=ResourcePublic)
def update_resource(
    session: SessionDep, actor: UserDep, resource_id: int, data: ResourceCreate
) -> ResourcePublic:
    """Replace a filing's content (a published resource gets a revision awaiting review)."""
    return service.update_resource(session, actor, resource_id, data)


@router.delete("/resources/{resource_id}", status_code=204)
def delete_resource(session: SessionDep, actor: UserDep, resource_id: int) -> Response:
    """Delete a filing that was never published."""
    service.delete_resource(session, actor, resource_id)
    return Response(status_code=204)


@router.post("/resources/{resource_id}/submit", response_model=ResourcePublic)
def submit_resource(session: SessionDep, actor: UserDep, resource_id: int) -> ResourcePublic:
    """Send a draft, returned filing or revision to review."""
    return service.submit_resource(session, actor, resource_id)


@router.post("/resources/{resource_id}/return", response_model=ResourcePublic)
def return_resource(
    session: SessionDep, actor: UserDep, resource_id: int, data: ReturnDecision
) -> ResourcePublic:
    """Return a submission with comments (市电政办 reviewers)."""
    return service.return_resource(session, actor, resource_id, data)


@router.post("/resources/{resource_id}/publish", response_model=ResourcePublic)
def publish_resource(
    session: SessionDep, actor: UserDep, resource_id: int, data: ReviewDecision | None = None
) -> ResourcePublic:
    """Publish a submission (市电政办 reviewers)."""
    return service.publish_resource(session, actor, resource_id, data)


@router.post("/resources/{resource_id}/retire", response_model=ResourcePublic)
def retire_resource(
    session: SessionDep, actor: UserDep, resource_id: int, data: RetireRequest
) -> ResourcePublic:
    """Retire a published resource."""
    return service.retire_resource(session, actor, resource_id, data)


@router.get("/resources/{resource_id}/versions", response_model=list[VersionPublic])
def list_versions(session: SessionDep, actor: UserDep, resource_id: int) -> list[VersionPublic]:
    """The versions of a resource, newest first."""
    return service.list_versions(session, actor, resource_id)


@router.get("/resources/{resource_id}/diff", response_model=VersionDiff)
def diff_versions(
    session: SessionDep,
    actor: UserDep,
    resource_id: int,
    from_version: Annotated[int, Query(alias="from")],
    to_version: Annotated[int, Query(alias="to")],
) -> VersionDiff:
    """Field-by-field differences between two versions."""
    return service.diff_versions(session, actor, resource_id, from_version, to_version)


@router.get("/resources/{resource_id}/reviews", response_model=list[ReviewPublic])
def list_reviews(session: SessionDep, actor: UserDep, resource_id: int) -> list[ReviewPublic]:
    """Reviewers' decisions on a resource."""
    return service.list_reviews(session, actor, resource_id)


@router.get("/review-queue", response_model=list[QueueEntry])
def list_review_queue(session: SessionDep, actor: UserDep) -> list[QueueEntry]:
    """Submissions waiting for a 市电政办 reviewer, oldest first, with due dates."""
    return service.list_review_queue(session, actor)


@router.get("/categories", response_model=list[CategoryPublic])
def list_categories(
    session: SessionDep, actor: UserDep, category_class: CategoryClass | None = None
) -> list[CategoryPublic]:
    """The classification: 类, 项, 目 and 细目."""
    return service.list_categories(session, actor, category_class=category_class)


@router.post("/categories", response_model=CategoryPublic, status_code=201)
def create_category(session: SessionDep, actor: UserDep, data: CategoryCreate) -> CategoryPublic:
    """Add a 目 or 细目 (市电政办 reviewers)."""
    return service.create_category(session, actor, data)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/template", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def get_template(session: SessionDep, actor: UserDep) -> Response:
    """The filing template (.xlsx) with drop-downs and an instructions sheet."""
    return download(service.get_template(session, actor), "政务信息资源目录填报模板.xlsx", XLSX)


@router.post("/imports", response_model=ImportReport, status_code=201)
async def import_resources(
    session: SessionDep,
    actor: UserDep,
    file: Annotated[UploadFile, File(description=".xlsx (the template) or .csv")],
    department_id: Annotated[int | None, Form()] = None,
    mode: Annotated[str, Form(pattern="^(all_or_nothing|valid_rows)$")] = "all_or_nothing",
    dry_run: Annotated[bool, Form()] = False,
) -> ImportReport:
    """Import a department's catalog. Any wrong cell → 422 with every cell named, nothing saved
    (unless ``mode=valid_rows``); ``dry_run`` only checks."""
    content = await file.read(get_settings().catalog_import_max_mb * 1024 * 1024 + 1)
    return service.import_resources(
        session,
        actor,
        filename=file.filename or "",
        content=content,
        department_id=department_id or actor.department_id or -1,
        mode="valid_rows" if mode == "valid_rows" else "all_or_nothing",
        dry_run=dry_run,
    )


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_resources(
    session: SessionDep,
    actor: UserDep,
    q: str = "",
    status: Status | None = None,
    provider_department_id: int | None = None,
    category_class: CategoryClass | None = None,
    share_type: ShareType | None = None,
    open_type: OpenType | None = None,
) -> Response:
    """The visible resources of a filtered view as .xlsx, in the template's columns."""
    f = _filters(q, status, provider_department_id, category_class, None, share_type, open_type)
    return download(service.export_resources(session, actor, f), "政务信息资源目录.xlsx", XLSX)


@router.get("/statistics", response_model=CatalogStats)
def get_statistics(session: SessionDep, actor: UserDep) -> CatalogStats:
    """Filing progress per department and county (filed, published, share mix, open ratio,
    data items, overdue reviews)."""
    return service.get_statistics(session, actor)


@router.get("/export.json", response_model=list[ResourcePublic])
def export_catalog_json(session: SessionDep, actor: UserDep) -> list[ResourcePublic]:
    """Every published resource with its data items."""
    return service.export_catalog_json(session, actor)


@router.get("/dcat.jsonld", response_class=JSONResponse)
def export_dcat(session: SessionDep, actor: UserDep) -> JSONResponse:
    """The published catalog as DCAT-AP JSON-LD."""
    return JSONResponse(service.export_dcat(session, actor), media_type="application/ld+json")


@router.get("/province.{fmt}", response_class=Response)
def export_province(
    session: SessionDep,
    actor: UserDep,
    fmt: Annotated[str, Path(pattern="^(xml|json)$")],
    department_id: int | None = None,
) -> Response:
    """The province exchange form (GB/T 21063.3 / DB37/T 2885 element names), XML or JSON."""
    body = service.export_province(
        session, actor, fmt="json" if fmt == "json" else "xml", department_id=department_id
    )
    if isinstance(body, bytes):
        return Response(body, media_type="application/xml")
    return JSONResponse(body)
