"""Test set-up: one migrated database per worker, one rolled-back transaction per test.

SQLite by default; PostgreSQL when GOVSHARE_TEST_DATABASE_URL names a server (each xdist worker
gets a database of its own there). The department tree and the personas are seeded once, through
the real services; every test then runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from govshare.core.config import Settings, get_settings
from govshare.core.db import Database, make_engine
from govshare.core.security import Actor
from tests.personas import PASSWORD, actor_of, seed_personas

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("govshare-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> Iterator[str]:
    pg = os.environ.get("GOVSHARE_TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{data_dir / 'test.sqlite3'}"
        return
    name = f"govshare_test_{re.sub(r'[^a-z0-9]', '', _worker().lower())}_{os.getpid()}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str) -> Iterator[Settings]:
    env = {
        "GOVSHARE_ENV": "test",
        "GOVSHARE_DATA_DIR": str(data_dir),
        "GOVSHARE_DATABASE_URL": database_url,
        "GOVSHARE_SECRET_KEY": TEST_SECRET,
        "GOVSHARE_ARGON2_TIME_COST": "1",
        "GOVSHARE_ARGON2_MEMORY_KIB": "512",
        "GOVSHARE_LOG_LEVEL": "WARNING",
        "GOVSHARE_JOBS_WORKER": "false",  # tests run jobs in their own transaction
        "GOVSHARE_GC_FREEZE": "false",  # many apps start in one process: keep garbage collectable
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    settings = get_settings()
    from govshare.main import configure

    configure(settings)
    yield settings
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    from alembic import command

    from govshare.cli import alembic_config

    command.upgrade(alembic_config(settings.resolved_database_url), "head")  # type: ignore[arg-type]
    engine = make_engine(settings.resolved_database_url)
    with engine.connect() as conn, conn.begin():
        session = Session(bind=conn)
        from govshare.accounts.demo import seed_departments

        seed_departments(session)
        seed_personas(session)
        from govshare.catalog.demo import seed_categories

        seed_categories(session)
        session.flush()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Database:
    from govshare.audit.service import record_refusal

    database = Database(connection, savepoints=True)
    database.refusal_recorder = record_refusal
    return database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    s = db.session()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def actor(session: Session) -> Callable[[str], Actor]:
    return lambda name: actor_of(session, name)


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    from govshare.main import create_app

    return create_app(settings, db=db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """Fetch a page so the CSRF cookie is set; return the token the forms carry."""
    page = client.get(path)
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def login_as(client: TestClient, session: Session) -> Callable[[str], TestClient]:
    """Log the client in as a persona through the real login form."""
    from tests.personas import PERSONAS

    def login(name: str) -> TestClient:
        if name == "public":
            return client
        token = csrf_of(client)
        r = client.post(
            "/login",
            data={
                "csrftoken": token,
                "username": PERSONAS[name].username,
                "password": PASSWORD,
                "next": "/",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        client.headers["x-csrftoken"] = client.cookies.get("govshare_csrf") or token
        return client

    return login


@pytest.fixture
def bearer(session: Session) -> Callable[..., dict[str, str]]:
    """Authorization headers with a fresh API token of a persona."""
    from govshare.accounts.schemas import TokenCreate
    from govshare.accounts.service import create_token

    def make(name: str, scopes: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
        created = create_token(
            session, actor_of(session, name), TokenCreate(name="test", scopes=list(scopes))
        )
        session.flush()
        return {"Authorization": f"Bearer {created.token}"}

    return make
