"""The ``govshare`` command on a real database: migrate, demo, users, tokens, audit verify."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_SECRET


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "GOVSHARE_DATA_DIR": str(tmp_path),
        "GOVSHARE_SECRET_KEY": TEST_SECRET,
        "GOVSHARE_ARGON2_TIME_COST": "1",
        "GOVSHARE_ARGON2_MEMORY_KIB": "512",
        "GOVSHARE_LOG_LEVEL": "WARNING",
    }
    env.pop("GOVSHARE_DATABASE_URL", None)
    pg = os.environ.get("GOVSHARE_TEST_DATABASE_URL")
    if not pg:
        yield env
        return
    name = f"govshare_cli_{os.getpid()}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        env["GOVSHARE_DATABASE_URL"] = make_url(pg).set(database=name).render_as_string(False)
        yield env
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govshare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def db_url(env: dict[str, str]) -> str:
    return (
        env.get("GOVSHARE_DATABASE_URL") or f"sqlite:///{env['GOVSHARE_DATA_DIR']}/govshare.sqlite3"
    )


def test_cli_end_to_end_and_audit_verify_names_an_edited_row(cli_env):
    assert run(cli_env, "db", "upgrade").returncode == 0
    demo = run(cli_env, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "admin / Dezhou@2026" in demo.stdout
    assert run(cli_env, "demo", "--if-empty").returncode == 0
    assert run(cli_env, "demo").returncode == 1  # never over existing data

    made = run(
        cli_env,
        "user",
        "create",
        "cli.user",
        "--name",
        "命令行",
        "--department",
        "市电政办",
        "--role",
        "steward",
        "--password",
        "Abcdef123456",
    )
    assert made.returncode == 0 and "德州市电子政务办公室" in made.stdout
    token = run(cli_env, "token", "create", "--user", "cli.user", "--scope", "read")
    assert token.returncode == 0 and token.stdout.strip().splitlines()[-1].startswith("gs_")

    ok = run(cli_env, "audit", "verify")
    assert ok.returncode == 0 and "审计链完整" in ok.stdout

    engine = create_engine(db_url(cli_env))
    with engine.begin() as conn:
        victim = conn.execute(
            text(
                "SELECT id, seq FROM audit_entry WHERE action = "
                "'accounts.create_user' ORDER BY seq LIMIT 1 OFFSET 3"
            )
        ).one()
        conn.execute(
            text("UPDATE audit_entry SET target_label = '篡改' WHERE id = :id"), {"id": victim.id}
        )
    engine.dispose()
    bad = run(cli_env, "audit", "verify")
    assert bad.returncode == 1
    assert f"序号 {victim.seq} 记录 #{victim.id}" in bad.stdout and "内容被篡改" in bad.stdout


def test_cli_user_create_with_unknown_department_fails_cleanly(cli_env):
    run(cli_env, "db", "upgrade")
    r = run(
        cli_env,
        "user",
        "create",
        "x.user",
        "--name",
        "某",
        "--department",
        "火星局",
        "--password",
        "Abcdef123456",
    )
    assert r.returncode == 1 and "找不到唯一的单位" in r.stdout and "Traceback" not in r.stderr
