"""Database: the declarative base, engines, and one transaction per request.

SQLite (WAL) in the data dir is the embedded default; PostgreSQL (psycopg 3) when
``GOVSHARE_DATABASE_URL`` says so. One Alembic chain serves both. Only this file creates engines.

Transactions: the request dependency ``core.web.get_session`` commits once when the route
returns and rolls back on any exception; services only ``flush()``. On SQLite every transaction
starts with ``BEGIN IMMEDIATE``: writers queue on SQLite's single write lock instead of failing
half-way with SQLITE_BUSY when a read snapshot goes stale (every request may write an audit entry).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from govshare.core.errors import DomainError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC (the only zone stored)."""
    return dt.datetime.now(dt.UTC)


def local_today() -> dt.date:
    """Today in the platform's time zone (``GOVSHARE_TIMEZONE``, Asia/Shanghai): the day users
    mean. The machine's own date is a day behind from 16:00 UTC on."""
    from zoneinfo import ZoneInfo

    from govshare.core.config import get_settings

    return utcnow().astimezone(ZoneInfo(get_settings().timezone)).date()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC, the same on every backend."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.db.utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    return on_connect


#: Execution option for a transaction that only reads (the data API's reads, whose audit entries
#: are group-committed): on SQLite it begins DEFERRED, so concurrent readers do not queue for the
#: write lock. Pass it first: ``session.connection(execution_options={READS_ONLY: True})``.
READS_ONLY = "govshare_reads_only"

#: ``session.info`` key of writes a read-only transaction put off (statement, parameters): the
#: owner of that transaction runs them after its commit with :func:`run_deferred_writes`.
DEFERRED_WRITES = "govshare_deferred_writes"


def defer_write(session: Session, statement: Any, params: dict[str, Any]) -> None:
    """Put off a small write until the session's read-only transaction has committed."""
    session.info.setdefault(DEFERRED_WRITES, []).append((statement, params))


def run_deferred_writes(session: Session) -> None:
    """Run the writes a read-only transaction put off, in a transaction of their own."""
    pending = session.info.pop(DEFERRED_WRITES, [])
    if not pending:
        return
    for statement, params in pending:
        session.execute(statement, params)
    session.commit()


def _sqlite_on_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(READS_ONLY):
        conn.exec_driver_sql("BEGIN DEFERRED")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the pragmas and transaction mode govshare relies on (on SQLite,
    ``synchronous`` as ``GOVSHARE_SQLITE_SYNCHRONOUS`` says)."""
    if url.startswith("sqlite"):
        from govshare.core.config import get_settings

        level = get_settings().sqlite_synchronous.upper()
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(level))
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


RefusalRecorder = Callable[["Database", Any, DomainError], None]


class Database:
    """An engine and its session factory; one per application (tests bind it to a connection)."""

    def __init__(self, bind: Engine | Connection, *, savepoints: bool = False) -> None:
        self.bind = bind
        options: dict[str, Any] = {"expire_on_commit": False, "autoflush": True}
        if savepoints:
            options["join_transaction_mode"] = "create_savepoint"
        self._factory = sessionmaker(bind=bind, **options)
        self.refusal_recorder: RefusalRecorder | None = None
        self._raw: Any = None
        self._raw_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    def session(self) -> Session:
        session: Session = self._factory()
        return session

    def read_one(self, sql: str) -> tuple[Any, ...] | None:
        """The first row of a small parameterless query, outside any session and transaction:
        one driver connection kept for such reads (autocommit, so each call sees the latest
        commit; the data API reads its access stamp this way on every call). On a bound
        connection (tests), that connection."""
        if isinstance(self.bind, Connection):
            row = self.bind.exec_driver_sql(sql).first()
            return None if row is None else tuple(row)
        with self._raw_lock:
            if self._raw is None:
                engine = self.bind
                cargs, cparams = engine.dialect.create_connect_args(engine.url)
                if engine.dialect.name == "sqlite":
                    cparams["check_same_thread"] = False
                raw = engine.dialect.connect(*cargs, **cparams)
                if engine.dialect.name == "sqlite":
                    raw.isolation_level = None
                else:
                    raw.autocommit = True
                self._raw = raw
            cur = self._raw.cursor()
            try:
                cur.execute(sql)
                found = cur.fetchone()
            except Exception:
                self._raw.close()
                self._raw = None
                raise
            finally:
                if self._raw is not None:
                    cur.close()
        return None if found is None else tuple(found)

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.session() as session:
            session.execute(text("SELECT 1"))

    def record_refusal(self, actor: Any, exc: DomainError) -> None:
        """Write the audit entry of a refused request in its own transaction."""
        if exc.action is None or self.refusal_recorder is None:
            return
        self.refusal_recorder(self, actor, exc)


def describe_target(target: object) -> tuple[str, str, str] | None:
    """(type, id, label) of an audit target: a model instance or such a tuple."""
    if target is None:
        return None
    if isinstance(target, tuple):
        kind, ident, label = (list(target) + ["", "", ""])[:3]
        return str(kind), str(ident), str(label)
    kind = getattr(target, "__tablename__", type(target).__name__.lower())
    ident = getattr(target, "id", "")
    label = ""
    for attr in ("audit_label", "name", "title", "code", "username"):
        value = getattr(target, attr, None)
        if value:
            label = str(value() if callable(value) else value)
            break
    return str(kind), "" if ident is None else str(ident), label
