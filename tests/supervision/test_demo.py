"""`govshare demo` loads the city's plan twice — original dates (archived) and shifted to now —
with living progress; `govshare clocks tick` is idempotent over it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import TEST_SECRET


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govshare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_loads_both_plans_with_living_escalation(tmp_path: Path):
    env = {
        **os.environ,
        "GOVSHARE_DATA_DIR": str(tmp_path),
        "GOVSHARE_SECRET_KEY": TEST_SECRET,
        "GOVSHARE_ARGON2_TIME_COST": "1",
        "GOVSHARE_ARGON2_MEMORY_KIB": "512",
        "GOVSHARE_LOG_LEVEL": "WARNING",
    }
    env.pop("GOVSHARE_DATABASE_URL", None)
    assert run(env, "db", "upgrade").returncode == 0
    demo = run(env, "demo")
    assert demo.returncode == 0, demo.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'govshare.sqlite3'}")
    with engine.connect() as conn:
        plans = conn.execute(
            text(
                "SELECT p.archived, count(t.id) FROM supervision_plan p "
                "JOIN supervision_task t ON t.plan_id = p.id GROUP BY p.id ORDER BY p.id"
            )
        ).all()
        assert [tuple(p) for p in plans] == [(1, 38), (0, 38)]
        # A milestone of the living copy was reminded days ago and urged today.
        both = conn.execute(
            text(
                "SELECT count(*) FROM supervision_event a JOIN supervision_event b "
                "ON a.milestone_id = b.milestone_id AND a.kind = 'remind' AND b.kind = 'urge' "
                "AND a.at < b.at"
            )
        ).scalar()
        assert both >= 1
        assert conn.execute(text("SELECT count(*) FROM supervision_report")).scalar() > 100
        assert conn.execute(text("SELECT count(*) FROM supervision_attachment")).scalar() > 10
        assert (
            conn.execute(
                text("SELECT count(*) FROM supervision_extension WHERE status = 'pending'")
            ).scalar()
            == 1
        )
        before = conn.execute(text("SELECT count(*) FROM notify_notification")).scalar()
    tick = run(env, "clocks", "tick")
    assert tick.returncode == 0 and "supervision.reminders" in tick.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notify_notification")).scalar() == before
    engine.dispose()
