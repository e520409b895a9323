"""`govshare demo` leaves a 陵城区 consumer system with one approved, narrowed and masked grant
on the population resource and one request waiting for review; `clocks tick` runs the sharing
pass."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import TEST_SECRET
from tests.supervision.test_demo import run


def test_demo_sharing(tmp_path: Path):
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
        statuses = conn.execute(text("SELECT status FROM sharing_request ORDER BY id")).scalars()
        assert list(statuses) == ["approved", "pending"]
        masks, rows = conn.execute(text("SELECT masks, row_filter FROM sharing_grant")).one()
        assert json.loads(masks)["公民身份号码"] == "keep_ends"
        assert json.loads(rows) == [{"item": "户籍地区划", "values": ["371403"]}]
    engine.dispose()
    tick = run(env, "clocks", "tick")
    assert tick.returncode == 0 and "sharing.reminders" in tick.stdout
