"""Loads: enqueue a load (upload, file, pull), run it as a job, report rejects.

The job (``handle_load_job``) streams the source in batches, types and checks each batch, writes
accepted rows to a staging Parquet file and rejects to a CSV; then DuckDB merges the staged rows
with the previous version into the new version's file, rejects duplicate keys, counts what
changed, profiles it; the row store is built; the publish gates run; and one metadata
transaction makes it current (``versions.publish``). Until that transaction, readers see the
previous version; a failure or a killed process leaves it untouched and ``cleanup_load_job``
removes every partial file.
"""

from __future__ import annotations

import csv
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import Database, utcnow
from govshare.core.errors import Conflict, FieldError, Invalid, NotFound
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.datastore import permissions
from govshare.datastore.engines import sources
from govshare.datastore.engines.checking import check_batch, make_plan
from govshare.datastore.engines.columns import Column
from govshare.datastore.engines.sources import SourceError, SourceInfo
from govshare.datastore.models import Dataset, DatasetLoad, DatasetUpload, DatasetVersion
from govshare.datastore.service._common import (
    columns_of,
    dataset_of,
    load_dir,
    serving,
    target,
    upload_path,
    version_dir,
)
from govshare.datastore.service.schedule import next_run
from govshare.jobs import service as jobs

JOB_KIND = "datastore.load"
SAMPLE = 200


# --- enqueueing --------------------------------------------------------------------------------


def _check_mode(ds: Dataset, mode: str) -> None:
    if mode in ("upsert", "delete") and not any(c.get("is_key") for c in ds.columns):
        msg = _("没有主键信息项的数据集只能全量替换或追加。")
        raise Invalid(msg, errors=[FieldError("mode", msg)])


def _enqueue(
    session: Session, actor: Actor, ds: Dataset, mode: str, source: dict[str, Any], title: str
) -> DatasetLoad:
    _check_mode(ds, mode)
    load = DatasetLoad(
        dataset_id=ds.id,
        mode=mode,
        source={k: v for k, v in source.items() if k != "path"},
        token=uuid.uuid4().hex,
        threshold=ds.reject_threshold,
        created_by_id=actor.user_id,
    )
    session.add(load)
    session.flush()
    job = jobs.enqueue(
        session,
        actor,
        JOB_KIND,
        {"load_id": load.id, "dataset_id": ds.id, "mode": mode, "source": source},
        title=title,
        target=("dataset", str(ds.id)),
    )
    load.job_id = job.id
    session.flush()
    return load


def load_dataset(
    session: Session, actor: Actor, dataset_id: int, upload_id: int, *, mode: str = "replace"
) -> DatasetLoad:
    """Load a completed upload into the dataset as a new version (runs as a job)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_load_dataset(actor, ds), "datastore.load_dataset", target(ds))
    up = session.get(DatasetUpload, upload_id)
    if up is None or up.dataset_id != ds.id:
        raise NotFound(_("上传不存在。"))
    if up.status != "complete":
        raise Conflict(
            _("文件尚未上传完整（已收到 {received} / {size} 字节）。").format(
                received=up.received, size=up.size
            )
        )
    source = {
        "kind": sources.file_kind(up.filename),
        "filename": up.filename,
        "path": str(upload_path(up.token)),
        "upload_id": up.id,
        "size": up.size,
    }
    load = _enqueue(session, actor, ds, mode, source, _("加载 {name}").format(name=ds.name))
    up.status = "used"
    audit.record(
        session,
        actor,
        "datastore.load_dataset",
        ds,
        details={"load_id": load.id, "mode": mode, "file": up.filename},
    )
    return load


def load_file(
    session: Session, actor: Actor, dataset_id: int, path: Path, *, mode: str = "replace"
) -> DatasetLoad:
    """Load a file on the server's disk (the CLI ``govshare data load``)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_load_file(actor, ds), "datastore.load_file", target(ds))
    if not path.is_file():
        raise Invalid(_("文件不存在：{path}").format(path=path))
    try:
        kind = sources.file_kind(path.name)
    except SourceError as exc:
        raise Invalid(str(exc)) from exc
    source = {
        "kind": kind,
        "filename": path.name,
        "path": str(path.resolve()),
        "size": path.stat().st_size,
        "keep": True,
    }
    load = _enqueue(session, actor, ds, mode, source, _("加载 {name}").format(name=ds.name))
    audit.record(
        session,
        actor,
        "datastore.load_file",
        ds,
        details={"load_id": load.id, "mode": mode, "file": path.name},
    )
    return load


def pull_dataset(session: Session, actor: Actor, dataset_id: int) -> DatasetLoad:
    """Pull from the dataset's department database or HTTP API now (runs as a job)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_pull_dataset(actor, ds), "datastore.pull_dataset", target(ds))
    if ds.pull_kind not in ("database", "http"):
        raise Conflict(_("该数据集没有设置拉取来源。"))
    source = {"kind": ds.pull_kind, **{k: v for k, v in ds.pull_config.items() if k != "path"}}
    ds.last_pull_at = utcnow()
    ds.next_pull_at = next_run(ds.schedule_cron, ds.update_cycle, ds.last_pull_at)
    load = _enqueue(session, actor, ds, ds.pull_mode, source, _("拉取 {name}").format(name=ds.name))
    audit.record(session, actor, "datastore.pull_dataset", ds, details={"load_id": load.id})
    return load


def enqueue_due_pulls(
    session: Session, now: Any = None, actor: Actor = SYSTEM
) -> list[DatasetLoad]:
    """Enqueue a pull for every dataset whose scheduled pull is due (called by the scheduler)."""
    require(permissions.can_enqueue_due_pulls(actor), "datastore.enqueue_due_pulls")
    now = now or utcnow()
    due = session.scalars(
        select(Dataset)
        .where(
            Dataset.pull_kind != "",
            Dataset.next_pull_at.is_not(None),
            Dataset.next_pull_at <= now,
        )
        .order_by(Dataset.next_pull_at)
    ).all()
    out = []
    for ds in due:
        busy = session.scalar(
            select(DatasetLoad.id).where(
                DatasetLoad.dataset_id == ds.id, DatasetLoad.status.in_(("queued", "running"))
            )
        )
        if busy:
            continue
        out.append(pull_dataset(session, actor, ds.id))
    return out


# --- reading loads -----------------------------------------------------------------------------


def get_load(session: Session, actor: Actor, load_id: int) -> DatasetLoad:
    """One load with its counts and first rejected rows."""
    load = session.get(DatasetLoad, load_id, populate_existing=True)
    if load is None:
        raise NotFound(_("加载记录不存在。"))
    ds = dataset_of(session, actor, load.dataset_id)
    if not permissions.can_get_load(actor, ds):
        raise NotFound(_("加载记录不存在。"))
    return load


def list_loads(
    session: Session, actor: Actor, dataset_id: int, *, limit: int = 20
) -> Sequence[DatasetLoad]:
    """A dataset's loads, newest first (the update history with failures and rejects)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_list_loads(actor, ds), "datastore.list_loads", target(ds))
    return session.scalars(
        select(DatasetLoad)
        .where(DatasetLoad.dataset_id == ds.id)
        .order_by(DatasetLoad.id.desc())
        .limit(limit)
        .execution_options(populate_existing=True)
    ).all()


def export_rejects(session: Session, actor: Actor, load_id: int) -> Iterator[bytes]:
    """Stream a load's rejected rows as CSV (UTF-8 with BOM): row, column, value, reason."""
    load = get_load(session, actor, load_id)
    ds = dataset_of(session, actor, load.dataset_id)
    require(permissions.can_export_rejects(actor, ds), "datastore.export_rejects", target(ds))
    path = load_dir(load.token) / "rejects.csv"
    if not load.has_reject_file or not path.exists():
        raise NotFound(_("这次加载没有被拒绝的行。"))
    audit.record(
        session,
        actor,
        "datastore.export_rejects",
        ds,
        details={"load_id": load.id, "rows": load.rows_rejected},
    )

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while block := fh.read(1 << 16):
                yield block

    return chunks()


# --- the job -------------------------------------------------------------------------------------


class RejectLog:
    """Rejected rows: a CSV file for download, the first few kept for the page, counts.

    Row numbers are counted over the rows the reader returned; when the CSV reader skipped
    ragged rows (it cannot say where), ``renumber`` finds them and shifts every number after.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("w", encoding="utf-8-sig", newline="")
        self._w = csv.writer(self._fh)
        self._w.writerow([_("行号"), _("信息项"), _("值"), _("原因")])
        self.sample: list[list[Any]] = []
        self.reasons: Counter[str] = Counter()
        self.entries = 0
        self.rejected_rows = 0  # rows rejected (a row with two problems counts once)
        self.source_rows = 0  # rows the reader skipped (ragged, not JSON…)
        self.unnumbered = 0
        self.skipped: list[int] = []  # true numbers of rows the reader skipped

    def add(self, row: int | None, column: str, value: str, reason: str) -> None:
        self.entries += 1
        self.reasons[f"{column}：{reason}" if column else reason] += 1
        entry = [row, column, value[:200], reason]
        if len(self.sample) < SAMPLE:
            self.sample.append(entry)
        self._w.writerow(entry)

    def bad_row(self, row: int | None, reason: str) -> None:
        self.source_rows += 1
        self.rejected_rows += 1
        if row is None:
            self.unnumbered += 1
        self.add(row, "", "", reason)

    def number(self, ordinal: int) -> int:
        """The true row number of the ``ordinal``-th row the reader returned."""
        t = ordinal
        for r in self.skipped:
            if r <= t:
                t += 1
        return t

    def renumber(self, skipped: list[int]) -> None:
        self.skipped = sorted(skipped)

    def close(self) -> None:
        self._fh.close()
        if not self.skipped:
            return
        queue = iter(self.skipped)

        def fix(n: Any) -> Any:
            if n in (None, ""):
                return next(queue, None)
            return self.number(int(n))

        for entry in self.sample:
            entry[0] = fix(entry[0])
        queue = iter(self.skipped)
        tmp = self.path.with_suffix(".tmp")
        with (
            self.path.open(encoding="utf-8-sig", newline="") as src,
            tmp.open("w", encoding="utf-8-sig", newline="") as dst,
        ):
            reader, writer = csv.reader(src), csv.writer(dst)
            writer.writerow(next(reader))
            for row in reader:
                writer.writerow([fix(row[0]), *row[1:]])
        tmp.replace(self.path)


def _ragged_rows(path: Path, encoding: str, width: int) -> list[int]:
    """Row numbers (header = 1) of CSV records whose field count is not ``width``."""
    out = []
    with path.open(encoding=encoding, newline="") as fh:
        for n, record in enumerate(csv.reader(fh), start=1):
            if n > 1 and len(record) != width and any(record):
                out.append(n)
    return out


def _set_load(db: Database, load_id: int, **values: Any) -> None:
    with db.session() as s, s.begin():
        load = s.get(DatasetLoad, load_id)
        if load is not None:
            for k, v in values.items():
                setattr(load, k, v)


def _batches(
    source: dict[str, Any], ds: Dataset, info: SourceInfo, log: RejectLog, batch_rows: int
) -> Iterator[sources.TextBatch]:
    kind = source["kind"]
    timeout = get_settings().datastore_pull_timeout_seconds
    if kind == "database":
        url = ds.pull_secret or source.get("url", "")
        return sources.read_database(url, source.get("query", ""), info, batch_rows, timeout)
    if kind == "http":
        return sources.read_http(source, info, log.bad_row, batch_rows, timeout)
    path = Path(source["path"])
    if not path.exists():
        raise SourceError(_("上传的文件已不存在，请重新上传。"))
    if path.stat().st_size == 0:
        raise SourceError(_("文件为空。"))
    return sources.FILE_READERS[kind](path, info, log.bad_row, batch_rows)


def handle_load_job(ctx: Any) -> dict[str, Any]:
    """The ``datastore.load`` job: read, check, stage, merge, build, gate and publish."""
    from govshare.datastore.service import versions

    payload = ctx.payload
    db: Database = ctx.db
    load_id = int(payload["load_id"])
    with db.session() as s, s.begin():
        ds = s.get(Dataset, payload["dataset_id"])
        load = s.get(DatasetLoad, load_id)
        if ds is None or load is None:
            raise NotFound(_("数据集不存在。"))
        load.status = "running"
        token = load.token
        threshold = load.threshold
        columns = columns_of(ds.columns)
        mode = load.mode
        s.expunge(ds)
    settings = get_settings()
    work = load_dir(token)
    work.mkdir(parents=True, exist_ok=True)
    log = RejectLog(work / "rejects.csv")
    info = SourceInfo(kind=payload["source"]["kind"])
    staged = work / "staged.parquet"
    size = int(payload["source"].get("size") or 0)
    # A full replace needs no merge with the previous version: its rows go straight into the
    # version file and the row store while the source is read.
    direct = versions.DirectSink(ds, token, columns) if mode == "replace" else None
    try:
        counts = _stage(
            ctx,
            ds,
            columns,
            mode,
            payload["source"],
            info,
            log,
            staged,
            size,
            settings.datastore_batch_rows,
            direct,
        )
        ctx.progress(0.62, _("正在合并并检查主键唯一…"), force=True)
        built = versions.build_version(
            ctx, ds, columns, mode, staged, token, log, counts, threshold, direct
        )
    except BaseException as exc:
        if direct is not None:
            direct.cancel()
        if isinstance(exc, SourceError):
            log.close()
            _finish_failed(db, load_id, log, info, str(exc))
            raise Invalid(str(exc)) from exc
        if isinstance(exc, Invalid):
            log.close()
            _finish_failed(db, load_id, log, info, exc.detail)
        raise
    log.close()
    shutil.rmtree(work / "tmp", ignore_errors=True)
    staged.unlink(missing_ok=True)
    if payload["source"].get("upload_id") and not payload["source"].get("keep"):
        Path(payload["source"]["path"]).unlink(missing_ok=True)
    ctx.progress(0.97, _("正在发布…"), force=True)
    return versions.publish(ctx, ds, load_id, built, info, log)


def _stage(
    ctx: Any,
    ds: Dataset,
    columns: list[Column],
    mode: str,
    source: dict[str, Any],
    info: SourceInfo,
    log: RejectLog,
    staged: Path,
    size: int,
    batch_rows: int,
    direct: Any = None,
) -> dict[str, int]:
    plan = None
    sink = direct if direct is not None else _StagedFile(staged, columns)
    accepted = rejected_rows = 0
    try:
        for tb in _batches(source, ds, info, log, batch_rows):
            if plan is None:
                plan = make_plan(columns, tb.headers, ds.mapping or {}, mode=mode)
            checked = check_batch(columns, plan, tb, mode=mode)
            for entry in checked.rejects:
                log.add(*entry)
            rejected_rows += checked.rejected_rows
            log.rejected_rows += checked.rejected_rows
            sink.write(checked.batch)
            accepted += checked.batch.num_rows
            read = info.rows_read
            frac = 0.6 * min(1.0, (read * 120) / size) if size and info.kind == "csv" else 0.3
            ctx.progress(
                frac,
                _("已读取 {n} 行，拒绝 {r} 行").format(
                    n=f"{read:,}", r=f"{rejected_rows + log.source_rows:,}"
                ),
            )
    finally:
        sink.close()
    if log.unnumbered and info.kind == "csv" and plan is not None:
        log.renumber(_ragged_rows(Path(source["path"]), info.encoding, len(plan.headers)))
    if plan is None or info.rows_read + log.source_rows == 0:
        raise SourceError(
            _("文件只有表头，没有数据行。")
            if info.kind in ("csv", "xlsx", "parquet")
            else _("来源中没有数据。")
        )
    return {
        "read": info.rows_read + log.source_rows,
        "accepted": accepted,
        "rejected": rejected_rows + log.source_rows,
    }


class _StagedFile:
    """The checked rows of a merging load (append, upsert, delete), for DuckDB to merge with
    the previous version right after."""

    def __init__(self, path: Path, columns: list[Column]) -> None:
        self.path, self.columns = path, columns
        self.writer: pq.ParquetWriter | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if self.writer is None:
            # Read once by DuckDB right after: written raw (no compression,
            # dictionary or statistics), which is 4× faster to write than lz4.
            self.writer = pq.ParquetWriter(
                str(self.path),
                batch.schema,
                compression="none",
                use_dictionary=False,
                write_statistics=False,
            )
        if batch.num_rows:
            self.writer.write_batch(batch)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            return
        schema = pa.schema(
            [
                *[pa.field(c.name, c.arrow_type()) for c in self.columns],
                pa.field("_row", pa.int64()),
            ]
        )
        pq.write_table(schema.empty_table(), str(self.path))


def _finish_failed(
    db: Database, load_id: int, log: RejectLog, info: SourceInfo, error: str
) -> None:
    _set_load(
        db,
        load_id,
        status="failed",
        error=error,
        finished_at=utcnow(),
        rows_read=info.rows_read + log.source_rows,
        rows_rejected=log.rejected_rows,
        reject_sample=log.sample,
        reject_reasons=dict(log.reasons.most_common(20)),
        has_reject_file=log.entries > 0,
    )


def cleanup_load_job(db: Database, job: Any) -> None:
    """After a failed, cancelled or interrupted load: remove its partial files, mark it failed."""
    load_id = job.payload.get("load_id")
    with db.session() as s, s.begin():
        load = s.get(DatasetLoad, load_id)
        if load is None:
            return
        if load.status in ("queued", "running"):
            load.status = "failed" if job.error else "cancelled"
            load.error = load.error or job.error or _("已取消")
            load.finished_at = utcnow()
        ds_id, token = load.dataset_id, load.token
        version = s.scalars(select(DatasetVersion).where(DatasetVersion.token == token)).first()
        keep_version = version is not None and version.status in ("published", "superseded")
        if version is not None and not keep_version:
            version.status = "refused"
            version.refused_reason = version.refused_reason or load.error
        audit.record(
            s,
            SYSTEM,
            "datastore.cleanup_load",
            ("dataset", str(ds_id), ""),
            details={"load_id": load_id, "reason": load.error},
        )
    work = load_dir(token)
    for name in ("staged.parquet", "keys.parquet", "tmp"):
        p = work / name
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    if not keep_version:
        shutil.rmtree(version_dir(ds_id, token), ignore_errors=True)
        serving().drop(token)


@dataclass
class LoadView:
    """A load with its job (status and live progress)."""

    load: DatasetLoad
    job: Any


def get_load_view(session: Session, actor: Actor, load_id: int) -> LoadView:
    """A load and its job's progress, for the load page's live progress line."""
    load = get_load(session, actor, load_id)
    ds = dataset_of(session, actor, load.dataset_id)
    require(permissions.can_get_load_view(actor, ds), "datastore.get_load_view")
    job = None
    if load.job_id is not None:
        try:
            job = jobs.get_job(session, actor, load.job_id)
        except NotFound:
            job = None
    return LoadView(load, job)


def load_uploaded_file(
    session: Session,
    actor: Actor,
    dataset_id: int,
    filename: str,
    size: int,
    chunks: Iterator[bytes],
    *,
    mode: str = "replace",
) -> DatasetLoad:
    """Receive a file from a form (written to disk in chunks) and load it (runs as a job)."""
    from govshare.datastore.schemas import UploadCreate
    from govshare.datastore.service.uploads import create_upload, upload_chunk

    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_load_uploaded_file(actor, ds), "datastore.load_uploaded_file", target(ds)
    )
    _check_mode(ds, mode)
    up = create_upload(session, actor, ds.id, UploadCreate(filename=filename, size=size))
    offset = 0
    for chunk in chunks:
        upload_chunk(session, actor, up.id, offset, chunk)
        offset += len(chunk)
    if up.status != "complete":
        raise Invalid(_("文件不完整：收到 {n} / {size} 字节。").format(n=offset, size=size))
    load = load_dataset(session, actor, ds.id, up.id, mode=mode)
    audit.record(
        session,
        actor,
        "datastore.load_uploaded_file",
        ds,
        details={"load_id": load.id, "file": filename, "size": size},
    )
    return load
