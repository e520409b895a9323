"""Pages: datasets, loading a file with a live progress line, the reject report, versions with
preview, profile and downloads, the difference between two versions, dataset settings."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from govshare.core.errors import FieldError, Invalid, NotAuthorized, NotFound
from govshare.core.i18n import N_, _
from govshare.core.validation import parse
from govshare.core.web import NavEntry, SessionDep, UserDep, form_data, redirect, render
from govshare.datastore import permissions, service
from govshare.datastore.schemas import FILTER_HELP, LOAD_MODES, UPDATE_CYCLES, DatasetUpdate

router = APIRouter(include_in_schema=False)

NAV = [NavEntry(N_("数据集"), "/data", "database", permissions.can_list_datasets, N_("数据"))]
CHUNK = 8 * 1024 * 1024


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get("/data", response_class=HTMLResponse)
def dataset_list(request: Request, session: SessionDep, actor: UserDep, q: str = "") -> Response:
    """Datasets, by name."""
    datasets = service.list_datasets(session, actor, q=q or None)
    return render(request, "datastore/list.html", {"datasets": datasets, "q": q})


@router.get("/data/for-resource/{resource_id}", response_class=HTMLResponse)
def dataset_link(
    request: Request, session: SessionDep, actor: UserDep, resource_id: int
) -> Response:
    """A link to a catalog resource's dataset, or nothing: the catalog's resource page loads it
    (HTMX), since the catalog may not import the datastore (the import-linter layers)."""
    try:
        dataset = service.get_dataset_by_resource(session, actor, resource_id)
    except (NotFound, NotAuthorized):
        return HTMLResponse("")
    return render(request, "datastore/_resource_link.html", {"d": dataset})


@router.get("/data/{dataset_id}", response_class=HTMLResponse)
def dataset_detail(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """A dataset: current version, versions, loads, the load form and settings."""
    page = service.get_dataset_page(session, actor, dataset_id)
    return render(
        request,
        "datastore/detail.html",
        {"p": page, "modes": LOAD_MODES, "cycles": UPDATE_CYCLES, "filter_help": FILTER_HELP},
    )


@router.post("/data/{dataset_id}/loads", response_class=HTMLResponse)
async def dataset_load(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """Receive a file (streamed to disk) and start loading it; the browser may then close."""
    form = await request.form()
    upload = form.get("file")
    mode = str(form.get("mode") or "replace")
    try:
        if isinstance(upload, str) or upload is None or not upload.filename:
            msg = _("请选择要加载的文件。")
            raise Invalid(msg, errors=[FieldError("file", msg)])
        upload.file.seek(0, 2)
        size = upload.file.tell()
        upload.file.seek(0)
        file = upload.file

        def chunks() -> Iterator[bytes]:
            while block := file.read(CHUNK):
                yield block

        load = service.load_uploaded_file(
            session, actor, dataset_id, upload.filename, size, chunks(), mode=mode
        )
    finally:
        await form.close()
    return redirect(f"/data/{dataset_id}/loads/{load.id}", request)


@router.get("/data/{dataset_id}/loads/{load_id}", response_class=HTMLResponse)
def load_detail(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int, load_id: int
) -> Response:
    """A load: the live progress line while it runs, then the outcome and the reject report."""
    view = service.get_load_view(session, actor, load_id)
    return render(
        request,
        "datastore/load.html",
        {"v": view, "dataset_id": dataset_id},
        fragment="datastore/_load.html",
    )


@router.get("/data/{dataset_id}/loads/{load_id}/rejects.csv")
def load_rejects(session: SessionDep, actor: UserDep, dataset_id: int, load_id: int) -> Response:
    """The full reject list of a load as CSV (Excel opens it directly)."""
    stream = service.export_rejects(session, actor, load_id)
    return StreamingResponse(
        stream,
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"rejects-load-{load_id}.csv"),
    )


@router.get("/data/{dataset_id}/versions/{number}", response_class=HTMLResponse)
def version_detail(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int, number: int
) -> Response:
    """A version: counts, digests, preview, profile, downloads."""
    page = service.get_version_page(session, actor, dataset_id, number)
    return render(request, "datastore/version.html", {"p": page, "filter_help": FILTER_HELP})


@router.get("/data/{dataset_id}/versions/{number}/download")
def version_download(
    session: SessionDep,
    actor: UserDep,
    dataset_id: int,
    number: int,
    format: str = "csv",
    filter: str = "",
) -> Response:
    """Download a version (CSV with BOM, XLSX, JSON or Parquet), optionally filtered."""
    name, media, stream = service.download_version(
        session, actor, dataset_id, number, fmt=format, filter_text=filter or None
    )
    return StreamingResponse(stream, media_type=media, headers=_attachment(name))


@router.get("/data/{dataset_id}/diff", response_class=HTMLResponse)
def version_diff(
    request: Request,
    session: SessionDep,
    actor: UserDep,
    dataset_id: int,
    from_: int | None = None,
    to: int | None = None,
) -> Response:
    """The rows added, changed and removed between two versions."""
    a = from_ or int(request.query_params.get("from", "0") or 0)
    b = to or 0
    diff = service.diff_versions(session, actor, dataset_id, a, b, limit=200)
    return render(request, "datastore/diff.html", {"diff": diff, "dataset_id": dataset_id})


@router.post("/data/{dataset_id}/settings", response_class=HTMLResponse)
async def dataset_settings(
    request: Request, session: SessionDep, actor: UserDep, dataset_id: int
) -> Response:
    """Save the reject threshold, retention, update cycle and pull schedule."""
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if v != ""}
    if "reject_threshold" in raw:
        raw["reject_threshold"] = float(raw["reject_threshold"]) / 100
    data = parse(DatasetUpdate, raw)
    service.update_dataset(session, actor, dataset_id, data)
    return redirect(f"/data/{dataset_id}", request)
