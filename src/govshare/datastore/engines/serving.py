"""The row store of current versions: lookups by key, filtered pages, counts — never DuckDB.

One store per version (a ``ref``): a SQLite file under the data dir (embedded default) or a
PostgreSQL table (production). Columns are ``c0…cN`` in the version's column order plus
``_row`` (the row's position in the version, the cursor of pages); a unique index covers the key
items and plain indexes the steward's filter items. A store is built completely before its
version is published and never changed afterwards, so readers need no locks
(docs/decisions/0031-row-store-layout.md, 0032-atomic-publish.md).
"""

from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from govshare.datastore.engines.columns import Column
from govshare.datastore.engines.sources import sequence


class QueryTimeout(Exception):
    """A row-store query ran past its time limit (the argument: the limit in ms)."""


def _storable(arr: pa.Array) -> pa.Array:
    t = arr.type
    if pa.types.is_timestamp(t) and t.unit != "s":
        # whole seconds, as the filters bind them (not "08:00:00.000000")
        arr = pc.cast(arr, pa.timestamp("s"), safe=False)
    if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
        return pc.cast(arr, pa.string())  # ISO: 2020-01-31, 2020-01-31 08:00:00 (strftime is slow)
    if pa.types.is_decimal(t):
        return pc.cast(arr, pa.float64())
    if pa.types.is_boolean(t):
        return pc.cast(arr, pa.int8())
    return arr


def _delete_statements(table: str, rows: Sequence[int], chunk: int = 1000) -> list[str]:
    return [
        f"DELETE FROM {table} WHERE _row IN ({', '.join(str(int(r)) for r in rows[i : i + chunk])})"
        for i in range(0, len(rows), chunk)
    ]


class ServingStore:
    """What the datastore needs of a row store (SQLite files or PostgreSQL tables)."""

    def writer(self, ref: str, columns: list[Column], index: Sequence[str]) -> Any:
        raise NotImplementedError

    def drop(self, ref: str) -> None:
        raise NotImplementedError

    def exists(self, ref: str) -> bool:
        raise NotImplementedError

    def query(
        self, ref: str, sql: str, params: dict[str, Any], timeout_ms: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Run ``SELECT … FROM {t} …`` (``{t}`` is the version's table) with ``:name`` params;
        QueryTimeout when it runs past ``timeout_ms``."""
        raise NotImplementedError

    @property
    def dialect(self) -> str:
        raise NotImplementedError


# --- SQLite: one immutable file per version --------------------------------------------------


class SqliteWriter:
    """Builds a version's SQLite file: Arrow batches go in through the ADBC SQLite driver's bulk
    ingest (C, no Python object per value), then the indexes (docs/decisions/0040-row-store-bulk-
    ingest.md). The file is written under a temporary name and renamed when complete."""

    def __init__(self, path: Path, columns: list[Column], index: Sequence[str]) -> None:
        self.final = path
        self.tmp = path.with_suffix(".building")
        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        if self.tmp.exists():
            self.tmp.unlink()
        self.columns = columns
        self.index = index
        setup = sqlite3.connect(str(self.tmp), isolation_level=None)
        try:
            setup.execute("PRAGMA page_size=8192")
            cols = ", ".join(
                f"c{i} {c.sql_type().replace('DOUBLE PRECISION', 'REAL')}"
                for i, c in enumerate(columns)
            )
            setup.execute(f"CREATE TABLE t (_row INTEGER PRIMARY KEY, {cols})")
        finally:
            setup.close()
        self.con = adbc_sqlite.connect(str(self.tmp), autocommit=True)
        self.cur = self.con.cursor()
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "cache_size=-100000",
            "temp_store=MEMORY",
            "threads=2",
        ):
            self.cur.execute(f"PRAGMA {pragma}")
            self.cur.fetchall()
        self.names = ["_row"] + [f"c{i}" for i in range(len(columns))]
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if not n:
            return
        arrays = [sequence(self.rows + 1, n)]
        arrays += [_storable(batch.column(i)) for i in range(len(self.columns))]
        self.cur.adbc_ingest(
            "t", pa.RecordBatch.from_arrays(arrays, names=self.names), mode="append"
        )
        self.rows += n

    def delete(self, rows: Sequence[int]) -> None:
        """Remove rows by ``_row`` before ``finish`` (keys the load rejected as duplicates)."""
        for sql in _delete_statements("t", rows):
            self.cur.execute(sql)

    def finish(self) -> None:
        keys = [f"c{i}" for i, c in enumerate(self.columns) if c.is_key]
        statements = []
        if keys:
            statements.append(f"CREATE UNIQUE INDEX ix_key ON t ({', '.join(keys)})")
        for i, c in enumerate(self.columns):
            if c.name in self.index and not c.is_key:
                statements.append(f"CREATE INDEX ix_c{i} ON t (c{i})")
        statements.append("ANALYZE")
        for sql in statements:
            self.cur.execute(sql)
        self.cur.close()
        self.con.close()
        with self.tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(self.tmp, self.final)

    def abort(self) -> None:
        try:
            self.cur.close()
            self.con.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class SqliteStore(ServingStore):
    """One read-only, immutable SQLite file per version; connections cached per thread."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._local = threading.local()

    @property
    def dialect(self) -> str:
        return "sqlite"

    def path(self, ref: str) -> Path:
        return self.root / f"{ref}.sqlite3"

    def writer(self, ref: str, columns: list[Column], index: Sequence[str]) -> SqliteWriter:
        return SqliteWriter(self.path(ref), columns, index)

    def exists(self, ref: str) -> bool:
        return self.path(ref).exists()

    def drop(self, ref: str) -> None:
        cache = self._cache()
        con = cache.pop(ref, None)
        if con is not None:
            con.close()
        self.path(ref).unlink(missing_ok=True)
        self.path(ref).with_suffix(".building").unlink(missing_ok=True)

    def _cache(self) -> OrderedDict[str, sqlite3.Connection]:
        cache = getattr(self._local, "cons", None)
        if cache is None:
            cache = self._local.cons = OrderedDict()
        return cache

    def _con(self, ref: str) -> sqlite3.Connection:
        cache = self._cache()
        con = cache.get(ref)
        if con is None:
            path = self.path(ref)
            if not path.exists():
                raise FileNotFoundError(ref)
            con = sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
            cache[ref] = con
            while len(cache) > 64:
                cache.popitem(last=False)[1].close()
        else:
            cache.move_to_end(ref)
        return con

    def query(
        self, ref: str, sql: str, params: dict[str, Any], timeout_ms: int | None = None
    ) -> list[tuple[Any, ...]]:
        con = self._con(ref)
        if timeout_ms:
            deadline = time.monotonic() + timeout_ms / 1000
            con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            return con.execute(sql.replace("{t}", "t"), params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc):
                raise QueryTimeout(timeout_ms or 0) from exc
            raise
        finally:
            if timeout_ms:
                con.set_progress_handler(None, 0)

    def close(self) -> None:
        for con in self._cache().values():
            con.close()
        self._cache().clear()


# --- PostgreSQL: one table per version -------------------------------------------------------


class PostgresWriter:
    def __init__(
        self, store: PostgresStore, ref: str, columns: list[Column], index: Sequence[str]
    ) -> None:
        self.store = store
        self.table = store.table(ref)
        self.columns = columns
        self.index = index
        self.raw = store.engine.raw_connection()
        cur = self.raw.cursor()
        cols = ", ".join(f"c{i} {c.sql_type()}" for i, c in enumerate(columns))
        cur.execute(f'DROP TABLE IF EXISTS "{self.table}"')
        cur.execute(f'CREATE UNLOGGED TABLE "{self.table}" (_row BIGINT PRIMARY KEY, {cols})')
        self.rows = 0
        names = ", ".join(["_row"] + [f"c{i}" for i in range(len(columns))])
        self.copy_sql = f'COPY "{self.table}" ({names}) FROM STDIN (FORMAT csv)'

    def write(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        arrays = [sequence(self.rows + 1, n)]
        arrays += [_storable(batch.column(i)) for i in range(len(self.columns))]
        table = pa.Table.from_arrays(arrays, names=[f"x{i}" for i in range(len(arrays))])
        buf = io.BytesIO()
        pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False))
        with self.raw.cursor() as cur, cur.copy(self.copy_sql) as copy:  # type: ignore[attr-defined]
            copy.write(buf.getvalue())
        self.rows += n

    def delete(self, rows: Sequence[int]) -> None:
        """Remove rows by ``_row`` before ``finish`` (keys the load rejected as duplicates)."""
        cur = self.raw.cursor()
        for sql in _delete_statements(f'"{self.table}"', rows):
            cur.execute(sql)
        cur.close()

    def finish(self) -> None:
        cur = self.raw.cursor()
        keys = [f"c{i}" for i, c in enumerate(self.columns) if c.is_key]
        if keys:
            cur.execute(f'CREATE UNIQUE INDEX ON "{self.table}" ({", ".join(keys)})')
        for i, c in enumerate(self.columns):
            if c.name in self.index and not c.is_key:
                cur.execute(f'CREATE INDEX ON "{self.table}" (c{i})')
        cur.execute(f'ALTER TABLE "{self.table}" SET LOGGED')
        cur.execute(f'ANALYZE "{self.table}"')
        self.raw.commit()
        self.raw.close()

    def abort(self) -> None:
        self.raw.rollback()
        self.raw.close()
        self.store.drop_table(self.table)


class PostgresStore(ServingStore):
    """Version tables ``ds_<ref>`` in a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        from govshare.core.db import make_engine

        self.engine = make_engine(url)

    @property
    def dialect(self) -> str:
        return "postgresql"

    @staticmethod
    def table(ref: str) -> str:
        return f"ds_{ref}"

    def writer(self, ref: str, columns: list[Column], index: Sequence[str]) -> PostgresWriter:
        return PostgresWriter(self, ref, columns, index)

    def exists(self, ref: str) -> bool:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return bool(
                conn.execute(text("SELECT to_regclass(:t)"), {"t": self.table(ref)}).scalar()
            )

    def drop_table(self, table: str) -> None:
        from sqlalchemy import text

        with self.engine.begin() as conn:
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))

    def drop(self, ref: str) -> None:
        self.drop_table(self.table(ref))

    def query(
        self, ref: str, sql: str, params: dict[str, Any], timeout_ms: int | None = None
    ) -> list[tuple[Any, ...]]:
        from sqlalchemy import text
        from sqlalchemy.exc import OperationalError

        with self.engine.connect() as conn, conn.begin():
            if timeout_ms:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            try:
                rows = conn.execute(text(sql.replace("{t}", f'"{self.table(ref)}"')), params)
                return [tuple(r) for r in rows]
            except OperationalError as exc:
                if "statement timeout" in str(exc):
                    raise QueryTimeout(timeout_ms or 0) from exc
                raise

    def close(self) -> None:
        self.engine.dispose()


_stores: dict[str, ServingStore] = {}
_lock = threading.Lock()


def store_for(url: str | None, root: Path) -> ServingStore:
    """The process-wide store for a URL (None: SQLite files under ``root``)."""
    key = url or f"sqlite-files:{root}"
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = PostgresStore(url) if url else SqliteStore(root)
            _stores[key] = store
        return store
