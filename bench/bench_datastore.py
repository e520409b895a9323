"""Datastore: loading, memory, downloading and previewing, each beside a same-run baseline.

1. Load of a 1,000,000-row × 12-column person CSV (full type checking, the version's Parquet
   file, profile, the row store and the publish) vs DuckDB's bare ``read_csv`` of the same file
   (``count(*)``, the issue's baseline; the full materialising read is reported too). Two
   floors beside it, against the same ``count(*)``: DuckDB alone writing the file as Parquet (one
   of the load's outputs, with none of its checks) and the product's SQLite row store built alone
   from the version file (bulk ingest and key index) — what any load with these outputs costs.
2. Peak RSS of a 10,000,000-row load, measured in a subprocess, vs the peak RSS of DuckDB's
   bare ``read_csv`` of the same file in a subprocess. Target ≤ 1.5 GB.
3. CSV download of the 1M-row version (UTF-8 with BOM, streamed) vs DuckDB ``COPY … TO csv``.
4. Preview of a version vs DuckDB reading the first 20 rows of its Parquet file.

Synthetic people are deterministic: valid GB 11643 ID numbers (``core.identifiers``), Dezhou
county codes, Faker zh_CN names with a fixed seed. The 10M file is derived from the 1M one in
DuckDB (the ID numbers' sequence digits shifted per copy, check digits recomputed).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Result, scratch_env

CACHE = Path(tempfile.gettempdir()) / "govshare-bench-data"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def people_file(rows: int = 1_000_000) -> Path:
    from govshare.datastore import synthetic

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"people-{rows}-seed2026.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        synthetic.write_csv(tmp, synthetic.person_header(), synthetic.person_rows(rows))
        tmp.replace(path)
    return path


def ten_million(base: Path) -> Path:
    """10 copies of the 1M table with unique, valid ID numbers (sequence digits + 4 × copy)."""
    import duckdb

    from govshare.datastore import synthetic

    path = CACHE / "people-10000000-derived.csv"
    if path.exists():
        return path
    nb = (
        'substr("公民身份号码", 1, 14) || lpad((CAST(substr("公民身份号码", 15, 2) AS INT)'
        " + 4 * c)::VARCHAR, 2, '0') || substr(\"公民身份号码\", 17, 1)"
    )
    weighted = " + ".join(
        f"CAST(substr(nb, {i + 1}, 1) AS INT) * {w}" for i, w in enumerate(WEIGHTS)
    )
    cols = [
        "nb || substr('10X98765432', ((" + weighted + ') % 11) + 1, 1) AS "公民身份号码"'
        if h == "公民身份号码"
        else f'"{h}"'
        for h in synthetic.person_header()
    ]
    con = duckdb.connect()
    con.execute("SET memory_limit='2GB'")
    con.execute(
        f"COPY (SELECT {', '.join(cols)} FROM (SELECT *, {nb} AS nb FROM "
        f"read_csv('{base}', all_varchar=true), range(10) t(c)) ) "
        f"TO '{path}.tmp' (HEADER, DELIMITER ',')"
    )
    con.close()
    os.replace(f"{path}.tmp", path)
    return path


def _setup() -> tuple[object, int]:
    from alembic import command

    from govshare.accounts import demo
    from govshare.catalog.demo import seed_categories
    from govshare.cli import alembic_config
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.core.security import SYSTEM
    from govshare.datastore import demo as datastore_demo
    from govshare.datastore import service, synthetic
    from govshare.main import configure

    settings = get_settings()
    configure(settings)
    command.upgrade(alembic_config(), "head")  # type: ignore[arg-type]
    db = Database(make_engine(settings.resolved_database_url))
    with db.session() as s, s.begin():
        units = demo.seed_departments(s)
        categories = seed_categories(s)
        dept = units["市公安局"]
        resource = datastore_demo.publish_resource(
            s, "人口基本信息", dept.id, categories[dept.id], synthetic.PERSON_COLUMNS, "基准测试"
        )
        ds = service.create_dataset_for_resource(s, SYSTEM, resource.id)
        return db, ds.id


def _load(db: object, dataset_id: int, path: Path) -> float:
    from govshare.core.security import SYSTEM
    from govshare.datastore import service
    from govshare.jobs.worker import Worker
    from govshare.main import JOB_KINDS

    started = time.perf_counter()
    with db.session() as s, s.begin():  # type: ignore[attr-defined]
        service.load_file(s, SYSTEM, dataset_id, path)
    done = Worker(db, JOB_KINDS, lease_seconds=3600).run_pending()  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    assert done and done[0][1] == "succeeded", done
    return elapsed


def _duck_read(path: Path, materialise: bool) -> float:
    import duckdb

    con = duckdb.connect()
    started = time.perf_counter()
    if materialise:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    else:
        con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def _duck_to_parquet(path: Path) -> float:
    """Seconds for DuckDB alone to write the CSV as a zstd Parquet file (the version file's
    format): no type checks, no row store, no profile."""
    import duckdb

    out = Path(tempfile.mkdtemp()) / "floor.parquet"
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{path}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)"
    )
    elapsed = time.perf_counter() - started
    con.close()
    out.unlink()
    return elapsed


def _row_store_alone(db: object, dataset_id: int) -> float:
    """Seconds for the product's SQLite row store alone to be built from the current version's
    Parquet file (ADBC bulk ingest, then the key index), as a load builds it."""
    import pyarrow.parquet as pq

    from govshare.core.security import SYSTEM
    from govshare.datastore import service
    from govshare.datastore.models import Dataset
    from govshare.datastore.service._common import columns_of, serving, version_file

    with db.session() as s, s.begin():  # type: ignore[attr-defined]
        path = version_file(service.get_version(s, SYSTEM, dataset_id, None))
        ds = s.get(Dataset, dataset_id)
        columns, index = columns_of(ds.columns), list(ds.index_columns or [])
    store = serving()
    started = time.perf_counter()
    writer = store.writer("bench-floor", columns, index)
    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=131072):
        writer.write(batch)
    writer.finish()
    elapsed = time.perf_counter() - started
    store.drop("bench-floor")
    return elapsed


RSS_CHILD = """
import json, sys, time
from pathlib import Path
mode, path = sys.argv[1], Path(sys.argv[2])
if mode == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar=false")
    con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()
else:
    from bench.common import scratch_env
    scratch_env()
    from bench.bench_datastore import _setup, _load
    db, ds = _setup()
    _load(db, ds, path)
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report its
# parent's peak (the bench process after the 1M load) instead of its own.
hwm = next(x for x in open("/proc/self/status") if x.startswith("VmHWM:"))
print("RSS_KB=" + hwm.split()[1])
"""


def _peak_rss(mode: str, path: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    found = re.findall(r"RSS_KB=(\d+)", out.stdout)
    if not found:
        raise RuntimeError(f"no RSS read-out from the {mode} child: {out.stdout[-500:]!r}")
    return int(found[-1]) / 1024


def run() -> list[Result]:
    scratch_env()
    base = people_file()
    db, ds = _setup()
    load_s = _load(db, ds, base)
    count_s = _duck_read(base, materialise=False)
    full_s = _duck_read(base, materialise=True)
    n = 1_000_000
    results = [
        Result(
            "load 1M × 12 CSV: checks + Parquet + profile + row store (SQLite) + publish",
            n / load_s,
            n / count_s,
            "rows/s",
            "≥ 25% of DuckDB read_csv (count)",
        ),
        Result(
            "  same load vs DuckDB read_csv materialising every column",
            n / load_s,
            n / full_s,
            "rows/s",
            "(context)",
        ),
        Result(
            "  floor: DuckDB alone writing the CSV as Parquet (no checks) vs read_csv (count)",
            n / _duck_to_parquet(base),
            n / count_s,
            "rows/s",
            "(context: one output alone)",
        ),
        Result(
            "  floor: the SQLite row store alone (ingest + key index) vs read_csv (count)",
            n / _row_store_alone(db, ds),
            n / count_s,
            "rows/s",
            "(context: one output alone)",
        ),
    ]
    results.append(_download(db, ds))
    results.append(_preview(db, ds))
    big = ten_million(base)
    rss = _peak_rss("load", big)
    duck_rss = _peak_rss("duckdb", big)
    results.append(
        Result(
            "peak RSS of a 10M-row load (subprocess)",
            rss,
            duck_rss,
            "MB",
            "≤ 1,536 MB",
            higher_is_better=False,
        )
    )
    return results


def _download(db: object, dataset_id: int) -> Result:
    import duckdb

    from govshare.core.security import SYSTEM
    from govshare.datastore import service
    from govshare.datastore.service._common import version_file

    with db.session() as s, s.begin():  # type: ignore[attr-defined]
        started = time.perf_counter()
        _n, _m, stream = service.download_version(s, SYSTEM, dataset_id, None, fmt="csv")
        size = sum(len(chunk) for chunk in stream)
        figure = 1_000_000 / (time.perf_counter() - started)
        path = version_file(service.get_version(s, SYSTEM, dataset_id, None))
    out = Path(tempfile.mkdtemp()) / "x.csv"
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"COPY (SELECT * FROM read_parquet('{path}')) TO '{out}' (HEADER)")
    baseline = 1_000_000 / (time.perf_counter() - started)
    con.close()
    assert size > 100_000_000
    return Result(
        "CSV download of 1M rows (streamed, BOM)", figure, baseline, "rows/s", "≥ 500,000 rows/s"
    )


def _preview(db: object, dataset_id: int, n: int = 200) -> Result:
    import duckdb

    from govshare.core.security import SYSTEM
    from govshare.datastore import service
    from govshare.datastore.service._common import version_file

    with db.session() as s, s.begin():  # type: ignore[attr-defined]
        path = version_file(service.get_version(s, SYSTEM, dataset_id, None))
    started = time.perf_counter()
    for _ in range(n):
        with db.session() as s, s.begin():  # type: ignore[attr-defined]
            service.preview_version(s, SYSTEM, dataset_id, None)
    figure = (time.perf_counter() - started) / n * 1000
    started = time.perf_counter()
    for _ in range(n):
        con = duckdb.connect()
        con.execute(f"SELECT * FROM read_parquet('{path}') LIMIT 20").fetchall()
        con.close()
    baseline = (time.perf_counter() - started) / n * 1000
    return Result(
        "preview of a version (incl. its audit entry), per call",
        figure,
        baseline,
        "ms",
        "≤ 50 ms",
        higher_is_better=False,
    )
