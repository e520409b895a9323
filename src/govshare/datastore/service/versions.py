"""Versions: build a version's files and row store, gate and publish it atomically, keep as many
as the retention policy says, and read them (preview, profile, diff, download)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from cryptography.hazmat.primitives import hashes
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govshare.audit import service as audit
from govshare.core.config import get_settings
from govshare.core.db import Database, utcnow
from govshare.core.errors import Conflict, FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import SYSTEM, Actor, require
from govshare.datastore import permissions
from govshare.datastore.engines import duck
from govshare.datastore.engines.columns import Column
from govshare.datastore.engines.sources import SourceInfo
from govshare.datastore.models import Dataset, DatasetLoad, DatasetVersion
from govshare.datastore.schemas import DOWNLOAD_FORMATS, DiffPublic
from govshare.datastore.service._common import (
    columns_of,
    dataset_of,
    load_dir,
    serving,
    target,
    version_dir,
    version_file,
    version_of,
)
from govshare.datastore.service.filters import compile_duck

XLSX_MAX_ROWS = 1_048_575
ValueMask = Callable[[str | None], str | None]
PREVIEW_ROWS = 20


# --- publish gates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A built version waiting to be published, as a gate sees it."""

    dataset_id: int
    resource_id: int
    version_id: int
    number: int
    rows: int
    columns: list[dict[str, Any]]
    actor: Actor


Gate = Callable[[Session, Candidate], list[str]]
_gates: list[Gate] = []


def configure_gates(gates: Sequence[Gate]) -> None:
    """Set the publish gates (main.py's ``PUBLISH_GATES``); each returns reasons to refuse."""
    _gates[:] = list(gates)


# --- building --------------------------------------------------------------------------------


@dataclass
class Built:
    token: str
    path: Path
    rows: int
    read: int
    rejected: int
    diff: dict[str, int]
    profile: list[dict[str, Any]]
    preview: list[dict[str, Any]]
    sha256: str
    sm3: str
    size: int
    columns: list[Column] = field(default_factory=list)


def _digests(path: Path) -> tuple[str, str]:
    sha = hashlib.sha256()
    sm3 = hashes.Hash(hashes.SM3())
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            sha.update(block)
            sm3.update(block)
    return sha.hexdigest(), sm3.finalize().hex()


def _current_file(ds: Dataset, db: Database) -> Path | None:
    if ds.current_version_id is None:
        return None
    with db.session() as s:
        v = s.get(DatasetVersion, ds.current_version_id)
        return version_file(v) if v is not None and v.status == "published" else None


class DirectSink:
    """Where a replace load's checked batches go while it reads its source: straight into the
    version's Parquet file, a small file of keys and row numbers (for the duplicate check at the
    end) and the row-store build on its thread — so the rows are not staged, merged and read
    back, and the row store is built while the source is still being read
    (docs/decisions/0041-replace-loads-in-one-pass.md)."""

    def __init__(self, ds: Dataset, token: str, columns: list[Column]) -> None:
        out_dir = version_dir(ds.id, token)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / "data.parquet"
        self.keys_path = load_dir(token) / "keys.parquet"
        self.columns = columns
        self.keys = [c.name for c in columns if c.is_key]
        # DuckDB's own types (timestamps in µs), as the merge path writes them.
        self.schema = pa.schema(
            [
                pa.field(c.name, pa.timestamp("us") if c.type_code == "T" else c.arrow_type())
                for c in columns
            ]
        )
        self.rows = 0
        self.builder = _ServingBuild(token, None, columns, ds.index_columns or [])
        self.writer: pq.ParquetWriter | None = pq.ParquetWriter(
            str(self.path), self.schema, compression="zstd", compression_level=1
        )
        self.keys_writer: pq.ParquetWriter | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        n = len(self.columns)
        self.builder.feed(batch.select(list(range(n))))
        assert self.writer is not None
        self.writer.write_batch(
            pa.RecordBatch.from_arrays(
                [batch.column(i).cast(self.schema.field(i).type) for i in range(n)],
                schema=self.schema,
            )
        )
        if self.keys:
            part = batch.select([*self.keys, "_row"])
            if self.keys_writer is None:
                self.keys_writer = pq.ParquetWriter(
                    str(self.keys_path), part.schema, compression="none", use_dictionary=False
                )
            self.keys_writer.write_batch(part)
        self.rows += batch.num_rows

    def close(self) -> None:
        for w in (self.writer, self.keys_writer):
            if w is not None:
                w.close()
        self.writer = self.keys_writer = None

    def cancel(self) -> None:
        self.close()
        self.builder.cancel()
        self.keys_path.unlink(missing_ok=True)


def build_version(
    ctx: Any,
    ds: Dataset,
    columns: list[Column],
    mode: str,
    staged: Path,
    token: str,
    log: Any,
    counts: dict[str, int],
    threshold: float,
    direct: DirectSink | None = None,
) -> Built:
    """Merge, check keys, measure, profile and index a load's rows as a version (not yet public)."""
    if direct is not None:
        return _build_direct(ctx, ds, columns, direct, token, log, counts, threshold)
    settings = get_settings()
    out_dir = version_dir(ds.id, token)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / "data.parquet"
    previous = _current_file(ds, ctx.db)
    builder: _ServingBuild | None = None
    with duck.writer_lock():
        con = duck.connect(settings.datastore_memory_limit, load_dir(token) / "tmp")
        try:
            fin = duck.finalize(con, staged, previous, columns, mode, out)
            _log_duplicates(log, fin.duplicate_rejects)
            log.rejected_rows += fin.duplicate_count
            rejected = _check_rejects(
                counts, fin.duplicate_count, threshold, mode in ("replace", "append")
            )
            # The row store is built from the finished file on a second thread while DuckDB
            # diffs and profiles it (both run in C without the GIL).
            builder = _ServingBuild(token, out, columns, ds.index_columns or [])
            measured = _measure(ctx, con, previous, out, columns, fin.rows)
        except BaseException:
            if builder is not None:
                builder.cancel()
            raise
        finally:
            con.close()
    assert builder is not None  # set when the block above did not raise
    return _built(ctx, builder, token, out, fin.rows, counts, rejected, measured, columns)


def _measure(
    ctx: Any, con: Any, previous: Path | None, out: Path, columns: list[Column], rows: int
) -> tuple[dict[str, int], list[dict[str, Any]], list[dict[str, Any]]]:
    """Diff counts against the previous version, profile, preview of a version file."""
    ctx.progress(0.66, _("正在比较与上一版本的差异…"), force=True)
    diff = (
        duck.diff_counts(con, previous, out, columns)
        if previous is not None
        else {"added": rows, "changed": 0, "removed": 0}
    )
    ctx.progress(0.68, _("正在生成数据概况…"), force=True)
    prof = duck.profile(con, out, columns) if rows else []
    return diff, prof, duck.head(con, out, PREVIEW_ROWS)


def _built(
    ctx: Any,
    builder: _ServingBuild,
    token: str,
    out: Path,
    rows: int,
    counts: dict[str, int],
    rejected: int,
    measured: tuple[dict[str, int], list[dict[str, Any]], list[dict[str, Any]]],
    columns: list[Column],
) -> Built:
    """Digest the version file and wait for its row store (cancelled if either fails)."""
    try:
        sha, sm3 = _digests(out)
        builder.wait(ctx, rows)
    except BaseException:
        builder.cancel()
        raise
    diff, prof, preview = measured
    return Built(
        token,
        out,
        rows,
        counts["read"],
        rejected,
        diff,
        prof,
        preview,
        sha,
        sm3,
        out.stat().st_size,
        columns,
    )


def _check_rejects(
    counts: dict[str, int], duplicates: int, threshold: float, need_rows: bool
) -> int:
    """All rejected rows of the load; Invalid past the threshold or when no row is left."""
    rejected = counts["rejected"] + duplicates
    read = counts["read"]
    if read and rejected / read > threshold:
        raise Invalid(
            _(
                "被拒绝的行 {n} 行，占 {share:.2%}，超过阈值 {limit:.2%}："
                "版本未生成，请下载拒绝清单修正后重新加载。"
            ).format(n=rejected, share=rejected / read, limit=threshold)
        )
    if need_rows and counts["accepted"] - duplicates <= 0:
        raise Invalid(_("没有可加载的数据行。"))
    return rejected


def _log_duplicates(log: Any, rejects: list[tuple[int, int | None, str, str]]) -> None:
    for row, first, items, value in rejects:
        reason = (
            _("主键重复：与第 {first} 行相同").format(first=log.number(first))
            if first is not None
            else _("主键已存在于当前版本（追加模式不能覆盖）")
        )
        log.add(row, items, value, reason)


def _build_direct(
    ctx: Any,
    ds: Dataset,
    columns: list[Column],
    sink: DirectSink,
    token: str,
    log: Any,
    counts: dict[str, int],
    threshold: float,
) -> Built:
    """A replace load whose rows are already in the version file and the row store: reject
    duplicate keys (removing them from both), then diff and profile while the store indexes."""
    settings = get_settings()
    out = sink.path
    previous = _current_file(ds, ctx.db)
    keys = [c for c in columns if c.is_key]
    try:
        with duck.writer_lock():
            con = duck.connect(settings.datastore_memory_limit, load_dir(token) / "tmp")
            try:
                dups = (
                    duck.duplicates(con, sink.keys_path, keys)
                    if keys and sink.rows
                    else duck.Duplicates([], 0, [])
                )
                _log_duplicates(log, dups.rejects)
                log.rejected_rows += dups.count
                rejected = _check_rejects(counts, dups.count, threshold, True)
                if dups.count:
                    duck.drop_rows(con, out, columns)
                sink.builder.finish([p + 1 for p in dups.positions])
                rows = sink.rows - dups.count
                measured = _measure(ctx, con, previous, out, columns, rows)
            finally:
                con.close()
    except BaseException:
        sink.builder.cancel()
        raise
    sink.keys_path.unlink(missing_ok=True)
    return _built(ctx, sink.builder, token, out, rows, counts, rejected, measured, columns)


class _ServingBuild:
    """Builds a version's row store on a thread; ``wait`` reports its progress and lets the job
    be cancelled, ``cancel`` stops it between batches and removes what it wrote.

    Its rows come from the finished version file (``path``) or, in replace loads, from ``feed``
    while the load is still reading its source; then ``finish`` says which rows to leave out
    (duplicate keys found at the end) before the indexes are built."""

    def __init__(
        self, token: str, path: Path | None, columns: list[Column], index: list[str]
    ) -> None:
        self.token, self.path, self.columns, self.index = token, path, columns, index
        self.done = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=4)  # bounds the memory held
        self.thread = threading.Thread(target=self._run, name=f"serving-{token}", daemon=True)
        self.thread.start()

    def _items(self) -> Iterator[Any]:
        if self.path is not None:
            yield from pq.ParquetFile(str(self.path)).iter_batches(batch_size=131072)
            yield _Finish([])
            return
        while not self.stop.is_set():
            try:
                yield self.queue.get(timeout=0.2)
            except queue.Empty:
                continue

    def _run(self) -> None:
        writer = None
        try:
            writer = serving().writer(self.token, self.columns, self.index)
            for item in self._items():
                if self.stop.is_set():
                    raise _Stopped()
                if isinstance(item, _Finish):
                    if item.rows:
                        writer.delete(item.rows)
                    writer.finish()
                    return
                writer.write(item)
                self.done += item.num_rows
            raise _Stopped()
        except BaseException as exc:
            if writer is not None:
                writer.abort()
            self.error = exc

    def _put(self, item: Any) -> None:
        while True:
            if self.error is not None:
                raise self.error
            if not self.thread.is_alive():
                raise _Stopped()
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def feed(self, batch: pa.RecordBatch) -> None:
        """Hand a batch of the version's rows (in order) to the build."""
        self._put(batch)

    def finish(self, drop: Sequence[int] = ()) -> None:
        """No more rows: leave out rows ``drop`` (1-based positions), then build the indexes."""
        self._put(_Finish(list(drop)))

    def wait(self, ctx: Any, total: int) -> None:
        while self.thread.is_alive():
            ctx.progress(
                0.7 + 0.26 * self.done / max(total, 1),
                _("正在建立查询索引：{n} / {t} 行").format(n=f"{self.done:,}", t=f"{total:,}"),
            )
            self.thread.join(0.5)
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        self.stop.set()
        self.thread.join()
        serving().drop(self.token)


@dataclass
class _Finish:
    rows: list[int]


class _Stopped(Exception):
    """The row-store build was told to stop (the load failed or was cancelled)."""


def publish(
    ctx: Any, ds: Dataset, load_id: int, built: Built, info: SourceInfo, log: Any
) -> dict[str, Any]:
    """Record the version, run the gates, and make it current in one transaction."""
    db: Database = ctx.db
    actor: Actor = ctx.actor
    with db.session() as s, s.begin():
        dataset = s.get(Dataset, ds.id, with_for_update=True)
        load = s.get(DatasetLoad, load_id)
        assert dataset is not None and load is not None
        number = (
            s.scalar(
                select(func.max(DatasetVersion.number)).where(DatasetVersion.dataset_id == ds.id)
            )
            or 0
        ) + 1
        version = DatasetVersion(
            dataset_id=ds.id,
            number=number,
            status="candidate",
            load_id=load_id,
            mode=load.mode,
            source={**load.source, "encoding": info.encoding, **info.details},
            token=built.token,
            rows=built.rows,
            inserted=built.diff["added"],
            updated=built.diff["changed"],
            deleted=built.diff["removed"],
            rejected=built.rejected,
            size_bytes=built.size,
            sha256=built.sha256,
            sm3=built.sm3,
            columns=list(dataset.columns),
            preview=built.preview,
            profile=built.profile,
            serving_ref=built.token,
            created_by_id=actor.user_id,
            created_by_name=actor.display_name or actor.username or "",
        )
        s.add(version)
        s.flush()
        load.rows_read = built.read
        load.rows_accepted = built.rows if load.mode == "replace" else built.read - built.rejected
        load.rows_rejected = built.rejected
        load.reject_sample = log.sample
        load.reject_reasons = dict(log.reasons.most_common(20))
        load.has_reject_file = log.entries > 0
        load.version_id = version.id
        load.finished_at = utcnow()
        candidate = Candidate(
            ds.id, dataset.resource_id, version.id, number, built.rows, list(dataset.columns), actor
        )
        results = [
            {"gate": getattr(g, "__name__", "gate"), "problems": g(s, candidate)} for g in _gates
        ]
        version.gate_results = results
        problems = [p for r in results for p in r["problems"]]
        if problems:
            version.status = "refused"
            version.refused_reason = "；".join(problems)[:2000]
            load.status = "refused"
            load.error = _("发布被检查拦截：{reasons}").format(reasons=version.refused_reason)
            audit.record(
                s,
                actor,
                "datastore.publish_version",
                version,
                outcome="denied",
                reason=load.error,
                details={"dataset_id": ds.id, "number": number},
            )
            refused = load.error
        else:
            refused = ""
            previous = (
                s.get(DatasetVersion, dataset.current_version_id)
                if dataset.current_version_id
                else None
            )
            now = utcnow()
            if previous is not None:
                previous.status = "superseded"
                previous.superseded_at = now
            version.status = "published"
            version.published_at = now
            dataset.current_version_id = version.id
            load.status = "succeeded"
            audit.record(
                s,
                actor,
                "datastore.publish_version",
                version,
                after={
                    "number": number,
                    "rows": built.rows,
                    "sha256": built.sha256,
                    "sm3": built.sm3,
                },
                details={"dataset_id": ds.id, "load_id": load_id, **built.diff},
            )
    if refused:
        raise Conflict(refused)
    _retain(db, ds.id)
    return {"version": number, "rows": built.rows, **built.diff, "rejected": built.rejected}


def _retain(db: Database, dataset_id: int) -> int:
    """Drop row stores of versions superseded before the previous one; delete files past the
    dataset's retention count. Returns the number of versions whose files were removed."""
    removed = 0
    with db.session() as s, s.begin():
        ds = s.get(Dataset, dataset_id)
        if ds is None:
            return 0
        kept = s.scalars(
            select(DatasetVersion)
            .where(
                DatasetVersion.dataset_id == dataset_id,
                DatasetVersion.status.in_(("published", "superseded")),
            )
            .order_by(DatasetVersion.number.desc())
        ).all()
        stores: list[str] = []
        files: list[Path] = []
        for i, v in enumerate(kept):
            # The previous version keeps its row store a while: a reader that resolved it just
            # before the publish can still finish (docs/decisions/0032-atomic-publish.md).
            if i >= 2 and not v.serving_dropped:
                v.serving_dropped = True
                stores.append(v.serving_ref)
            if i >= ds.retention_versions and v.status != "published":
                v.status = "removed"
                files.append(version_dir(v.dataset_id, v.token))
                removed += 1
        if removed:
            audit.record(s, SYSTEM, "datastore.apply_retention", ds, details={"removed": removed})
    for ref in stores:
        serving().drop(ref)
    for path in files:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def apply_retention(session: Session, actor: Actor, dataset_id: int) -> int:
    """Apply the dataset's retention policy now (it also runs after every publish)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_apply_retention(actor, ds), "datastore.apply_retention", target(ds))
    kept = session.scalars(
        select(DatasetVersion)
        .where(
            DatasetVersion.dataset_id == ds.id,
            DatasetVersion.status.in_(("published", "superseded")),
        )
        .order_by(DatasetVersion.number.desc())
    ).all()
    removed = 0
    for i, v in enumerate(kept):
        if i >= ds.retention_versions and v.status != "published":
            v.status = "removed"
            if not v.serving_dropped:
                v.serving_dropped = True
                serving().drop(v.serving_ref)
            shutil.rmtree(version_dir(v.dataset_id, v.token), ignore_errors=True)
            removed += 1
    session.flush()
    audit.record(session, actor, "datastore.apply_retention", ds, details={"removed": removed})
    return removed


# --- reading versions ------------------------------------------------------------------------


def list_versions(session: Session, actor: Actor, dataset_id: int) -> Sequence[DatasetVersion]:
    """A dataset's versions, newest first (refused and removed ones included, marked)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_list_versions(actor, ds), "datastore.list_versions")
    return session.scalars(
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == ds.id)
        .order_by(DatasetVersion.number.desc())
        .execution_options(populate_existing=True)
    ).all()


def get_version(
    session: Session, actor: Actor, dataset_id: int, number: int | None = None
) -> DatasetVersion:
    """One version by number (None: the current one)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_get_version(actor, ds), "datastore.get_version")
    return version_of(session, ds, number)


def preview_version(
    session: Session,
    actor: Actor,
    dataset_id: int,
    number: int | None = None,
    *,
    authorized_by: str | None = None,
) -> tuple[list[str], list[dict[str, Any]], DatasetVersion]:
    """The first rows of a version (stored at load time: no scan)."""
    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_preview_version(actor, ds, authorized_by),
        "datastore.preview_version",
        target(ds),
    )
    v = version_of(session, ds, number)
    audit.record(
        session,
        actor,
        "datastore.preview_version",
        ds,
        details={"version": v.number, "authorized_by": authorized_by},
    )
    return [c["name"] for c in v.columns], list(v.preview or []), v


def get_profile(
    session: Session,
    actor: Actor,
    dataset_id: int,
    number: int | None = None,
    *,
    authorized_by: str | None = None,
) -> list[dict[str, Any]]:
    """Per column: nulls, distinct values, min, max, most frequent values (stored at load)."""
    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_get_profile(actor, ds, authorized_by), "datastore.get_profile", target(ds)
    )
    v = version_of(session, ds, number)
    audit.record(
        session,
        actor,
        "datastore.get_profile",
        ds,
        details={"version": v.number, "authorized_by": authorized_by},
    )
    return list(v.profile or [])


def diff_versions(
    session: Session,
    actor: Actor,
    dataset_id: int,
    from_number: int,
    to_number: int,
    *,
    limit: int = 100,
    kinds: Sequence[str] = ("added", "changed", "removed"),
    authorized_by: str | None = None,
) -> DiffPublic:
    """Rows added, changed and removed between two versions (by key), with a sample."""
    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_diff_versions(actor, ds, authorized_by),
        "datastore.diff_versions",
        target(ds),
    )
    a = version_of(session, ds, from_number)
    b = version_of(session, ds, to_number)
    columns = _common_columns(a, b)
    con = duck.connect(get_settings().datastore_memory_limit)
    try:
        counts = duck.diff_counts(con, version_file(a), version_file(b), columns)
        rows = duck.diff_rows(
            con, version_file(a), version_file(b), columns, limit=limit, kinds=kinds
        )
    finally:
        con.close()
    audit.record(
        session,
        actor,
        "datastore.diff_versions",
        ds,
        details={"from": a.number, "to": b.number, "authorized_by": authorized_by},
    )
    return DiffPublic(from_version=a.number, to_version=b.number, rows=rows, **counts)


def _common_columns(a: DatasetVersion, b: DatasetVersion) -> list[Column]:
    bnames = {c["name"] for c in b.columns}
    return [c for c in columns_of(a.columns) if c.name in bnames]


def download_version(
    session: Session,
    actor: Actor,
    dataset_id: int,
    number: int | None = None,
    *,
    fmt: str = "csv",
    filter_text: str | None = None,
    columns: Sequence[str] | None = None,
    authorized_by: str | None = None,
    value_masks: Mapping[str, ValueMask] | None = None,
) -> tuple[str, str, Iterator[bytes]]:
    """Stream a version (filtered) as CSV with BOM, XLSX, JSON or Parquet: (name, type, bytes).

    ``value_masks`` (column → function of the text value) de-identify columns on the way out:
    the caller (sharing, open data) decided which masks apply; masked columns become text."""
    ds = dataset_of(session, actor, dataset_id)
    require(
        permissions.can_download_version(actor, ds, authorized_by),
        "datastore.download_version",
        target(ds),
    )
    if fmt not in DOWNLOAD_FORMATS:
        raise Invalid(
            _("不支持的下载格式。"), errors=[FieldError("format", _("不支持的下载格式。"))]
        )
    v = version_of(session, ds, number)
    cols = columns_of(v.columns)
    names = _select_columns(cols, columns)
    where, params = compile_duck(cols, filter_text)
    path = version_file(v)
    if fmt == "xlsx":
        total = duck.count_rows(path, where, params) if where else v.rows
        if total > XLSX_MAX_ROWS:
            msg = _(
                "共 {n} 行，超过 Excel 的上限 1,048,576 行：请下载 CSV 或 Parquet，或加筛选条件"
                "缩小范围。"
            ).format(n=f"{total:,}")
            raise Invalid(msg, errors=[FieldError("format", msg)])
    audit.record(
        session,
        actor,
        "datastore.download_version",
        ds,
        details={
            "version": v.number,
            "format": fmt,
            "filter": filter_text or "",
            "authorized_by": authorized_by,
            "masked": sorted(value_masks or {}),
        },
    )
    base = f"{ds.code.replace('/', '-')}-v{v.number}"
    batches = duck.stream(
        path, names, where=where, params=params, memory_limit=get_settings().datastore_memory_limit
    )
    masks = {k: f for k, f in (value_masks or {}).items() if k in names}
    if masks:
        batches = _masked(batches, masks)
    if fmt == "csv":
        return f"{base}.csv", "text/csv; charset=utf-8", _csv(names, batches)
    if fmt == "json":
        return f"{base}.json", "application/json", _json(batches)
    if fmt == "xlsx":
        return (
            f"{base}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _xlsx(names, batches, ds.name),
        )
    if not where and columns is None and not masks:
        return f"{base}.parquet", "application/vnd.apache.parquet", _file(path)
    return f"{base}.parquet", "application/vnd.apache.parquet", _parquet(batches)


def _select_columns(cols: list[Column], wanted: Sequence[str] | None) -> list[str]:
    names = [c.name for c in cols]
    if not wanted:
        return names
    unknown = [w for w in wanted if w not in names]
    if unknown:
        msg = _("没有这些信息项：{names}").format(names="、".join(unknown))
        raise Invalid(msg, errors=[FieldError("fields", msg)])
    return list(wanted)


def _masked(
    batches: Iterator[pa.RecordBatch], masks: Mapping[str, ValueMask]
) -> Iterator[pa.RecordBatch]:
    """The batches with each masked column replaced by its masked text."""
    for batch in batches:
        arrays = []
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            fn = masks.get(name)
            if fn is None:
                arrays.append(column)
                continue
            values = [None if x is None else fn(str(x)) for x in column.to_pylist()]
            arrays.append(pa.array(values, type=pa.string()))
        yield pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _csv(names: list[str], batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    header = io.StringIO()
    import csv

    csv.writer(header).writerow(names)
    yield ("\ufeff" + header.getvalue()).encode()
    opts = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in batches:
        buf = io.BytesIO()
        pcsv.write_csv(batch, buf, opts)
        yield buf.getvalue()


def _json(batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    yield b"["
    first = True
    for batch in batches:
        parts = [json.dumps(r, ensure_ascii=False, default=str) for r in batch.to_pylist()]
        if parts:
            yield (("" if first else ",") + ",\n".join(parts)).encode()
            first = False
    yield b"]\n"


def _xlsx(names: list[str], batches: Iterator[pa.RecordBatch], title: str) -> Iterator[bytes]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31] or "data")
    ws.append(names)
    for batch in batches:
        for row in batch.to_pylist():
            ws.append([_cell(v) for v in row.values()])
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
        tmp.seek(0)
        while chunk := tmp.read(1 << 16):
            yield chunk


def _cell(v: Any) -> Any:
    import decimal

    return float(v) if isinstance(v, decimal.Decimal) else v


def _file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(1 << 16):
            yield block


def _parquet(batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    fd, name = tempfile.mkstemp(suffix=".parquet")
    os.close(fd)
    try:
        writer: pq.ParquetWriter | None = None
        for batch in batches:
            if writer is None:
                writer = pq.ParquetWriter(name, batch.schema, compression="zstd")
            writer.write_batch(batch)
        if writer is not None:
            writer.close()
        yield from _file(Path(name))
    finally:
        os.unlink(name)


@dataclass
class VersionPage:
    """Everything the version page shows."""

    dataset: Dataset
    version: DatasetVersion
    columns: list[str]
    preview: list[dict[str, Any]]
    profile: list[dict[str, Any]]
    can_read: bool


def get_version_page(session: Session, actor: Actor, dataset_id: int, number: int) -> VersionPage:
    """A version with its preview and profile (when the actor may read the data)."""
    ds = dataset_of(session, actor, dataset_id)
    require(permissions.can_get_version_page(actor, ds), "datastore.get_version_page")
    v = version_of(session, ds, number)
    can_read = permissions.can_preview_version(actor, ds)
    cols = [c["name"] for c in v.columns]
    rows: list[dict[str, Any]] = []
    profile: list[dict[str, Any]] = []
    if can_read:
        cols, rows, _v = preview_version(session, actor, ds.id, v.number)
        profile = list(v.profile or [])
    return VersionPage(ds, v, cols, rows, profile, can_read)
