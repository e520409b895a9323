"""Resumable uploads: a file arrives in chunks at known offsets and can be resumed after a break.

Protocol (API): ``POST /api/v1/data/datasets/{id}/uploads`` with ``filename`` and ``size`` →
``{id, received: 0}``; then ``PUT /api/v1/data/uploads/{id}?offset=N`` with the bytes from
``N``; ``GET /api/v1/data/uploads/{id}`` tells ``received`` — where to resume. A chunk at the
wrong offset is refused (409) with the right one. The file is written straight to disk.
"""

from __future__ import annotations

import shutil
import uuid

from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.datastore import permissions
from govshare.datastore.engines.sources import SourceError, file_kind
from govshare.datastore.models import DatasetUpload
from govshare.datastore.schemas import UploadCreate
from govshare.datastore.service._common import dataset_of, target, upload_path


def _gb(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.1f} MB"


def create_upload(
    session: Session, actor: Actor, dataset_id: int, data: UploadCreate
) -> DatasetUpload:
    """Start an upload of ``size`` bytes; refused at once when too large or the disk too full."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_create_upload(actor, ds), "datastore.create_upload", target(ds))
    try:
        file_kind(data.filename)
    except SourceError as exc:
        raise Invalid(str(exc), errors=[FieldError("filename", str(exc))]) from exc
    limit = get_settings().datastore_upload_max_bytes
    if data.size > limit:
        msg = _("文件大小 {size} 超过上传上限 {limit}：请拆分文件，或由部门前置机拉取。").format(
            size=_gb(data.size), limit=_gb(limit)
        )
        raise Invalid(msg, errors=[FieldError("size", msg)])
    path = upload_path(uuid.uuid4().hex)
    path.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path.parent).free
    if data.size * 3 > free:  # the upload, the version files and the row store
        msg = _("服务器磁盘空间不足：需要约 {need}，可用 {free}。").format(
            need=_gb(data.size * 3), free=_gb(free)
        )
        raise Invalid(msg, errors=[FieldError("size", msg)])
    up = DatasetUpload(
        token=path.stem.removesuffix(".part"),
        dataset_id=ds.id,
        filename=data.filename,
        size=data.size,
        created_by_id=actor.user_id,
    )
    path.touch()
    session.add(up)
    session.flush()
    audit.record(
        session,
        actor,
        "datastore.create_upload",
        up,
        details={"dataset_id": ds.id, "size": data.size},
    )
    return up


def _upload(session: Session, actor: Actor, upload_id: int) -> tuple[DatasetUpload, object]:
    up = session.get(DatasetUpload, upload_id)
    if up is None:
        raise NotFound(_("上传不存在。"))
    ds = dataset_of(session, actor, up.dataset_id)
    return up, ds


def get_upload(session: Session, actor: Actor, upload_id: int) -> DatasetUpload:
    """Where an upload stands (``received`` is the offset to resume from)."""
    up, ds = _upload(session, actor, upload_id)
    require(permissions.can_get_upload(actor, ds), "datastore.get_upload")  # type: ignore[arg-type]
    return up


def upload_chunk(
    session: Session, actor: Actor, upload_id: int, offset: int, chunk: bytes
) -> DatasetUpload:
    """Append ``chunk`` at ``offset`` (which must equal ``received``); complete at ``size``."""
    up, ds = _upload(session, actor, upload_id)
    require(permissions.can_upload_chunk(actor, ds), "datastore.upload_chunk")  # type: ignore[arg-type]
    if up.status != "receiving":
        raise Conflict(_("上传已完成，不能再追加。"))
    if offset != up.received:
        raise Conflict(
            _("分片位置不对：服务器已收到 {received} 字节，请从该位置续传。").format(
                received=up.received
            ),
            extra={"received": up.received},
        )
    if len(chunk) > get_settings().datastore_upload_chunk_bytes:
        raise Invalid(_("分片过大。"))
    if up.received + len(chunk) > up.size:
        raise Invalid(_("上传的内容超过了声明的文件大小。"))
    path = upload_path(up.token)
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(chunk)
        fh.truncate()
    up.received += len(chunk)
    if up.received == up.size:
        up.status = "complete"
    session.flush()
    if up.status == "complete" or offset == 0:
        audit.record(
            session,
            actor,
            "datastore.upload_chunk",
            up,
            details={"received": up.received, "size": up.size},
        )
    return up
