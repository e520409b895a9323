"""Alembic environment: one migration chain for SQLite and PostgreSQL.

The URL comes from the ``alembic.ini`` main option set by ``govshare db upgrade`` (or from
settings). SQLite runs in batch mode so that ALTERs work there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from govshare.core.config import get_settings
from govshare.core.db import make_engine
from govshare.models import UNMANAGED_PREFIXES, Base  # every module's models, one metadata

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave out tables and indexes the migrations create with backend-specific DDL."""
    if type_ in ("table", "index") and name:
        return not name.startswith(UNMANAGED_PREFIXES)
    return True


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = (
        make_engine(url, poolclass=pool.NullPool) if url.startswith("sqlite") else make_engine(url)
    )
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
