"""Sharing: the data API's single-record lookup through the full path, and batch lookup.

Setup: a scratch data dir with the demo (陵城区's system holds a grant on 人口基础信息 of
市公安局: three items, 陵城区 rows only, ID number masked); an API token of lingcheng.consumer
bound to that system; the grant's rate and quota raised so the benchmark is not throttled.

Figures, each beside a same-run baseline, one uvicorn worker per server (started in turn as
subprocesses with the same settings), 32 keep-alive connections from ``bench.loadgen``:
1. lookup req/s (token check, grant, row filter, masking, audit entry) vs a bare FastAPI
   hello-world (target ≥ 40 %);
2. lookup p99 latency vs the hello-world's (target ≤ 25 ms), after a second's warm-up, and again
   over the first seconds of a freshly started server (every connection's first call at once);
3. lookup req/s vs Datasette's row JSON endpoint on the same table (the version's row-store
   file; target ≥ 4×). Datasette is installed in its own venv under ``bench/.envs/`` (git-ignored,
   never a project dependency); skipped when it cannot be installed;
4. batch lookup of 1,000 keys, median ms, vs the bare SQLite ``IN`` query (target ≤ 100 ms).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import Result, scratch_env
from bench.loadgen import get, run_load

ROOT = Path(__file__).resolve().parents[1]
ENVS = ROOT / "bench" / ".envs"
SECONDS = float(os.environ.get("BENCH_SHARING_SECONDS", "5"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)  # noqa: S310
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


class Server:
    """A server subprocess, stopped by its own pid."""

    def __init__(self, args: list[str], port: int, probe: str) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.port = port
        _wait(port, probe)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _uvicorn(target: str, port: int, factory: bool = False) -> list[str]:
    args = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--workers", "1"]
    args += ["--log-level", "warning", "--no-access-log"]
    return args + (["--factory"] if factory else [])


def _setup() -> dict[str, Any]:
    env = scratch_env()
    os.environ.update({"GOVSHARE_ARGON2_TIME_COST": "1", "GOVSHARE_ARGON2_MEMORY_KIB": "512"})
    cli = [sys.executable, "-m", "govshare.cli"]
    subprocess.run([*cli, "db", "upgrade"], check=True, capture_output=True)  # noqa: S603
    subprocess.run([*cli, "demo"], check=True, capture_output=True)  # noqa: S603

    from sqlalchemy import select

    from govshare.accounts import service as accounts
    from govshare.accounts.schemas import TokenCreate
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.core.security import SYSTEM
    from govshare.main import create_app
    from govshare.sharing import service as sharing
    from govshare.sharing.demo import _actor
    from govshare.sharing.models import Grant

    settings = get_settings()
    db = Database(make_engine(settings.resolved_database_url))
    create_app(settings, db=db)  # configures keys (audit chain, SM4) as a server does
    with db.session() as s, s.begin():
        consumer = _actor(s, "陵城区", "consumer")
        assert consumer is not None
        token = accounts.create_token(s, consumer, TokenCreate(name="bench", scopes=["read"]))
        system = sharing.list_systems(s, consumer)[0]
        sharing.bind_system_token(s, consumer, system.id, token.id)
        grant = s.scalars(select(Grant)).first()
        assert grant is not None
        grant.rate_limit = 1_000_000
        grant.daily_quota = 1_000_000_000
        code = sharing.get_grant(s, SYSTEM, grant.id).resource_code
    files = sorted((env / "datastore" / "serving").glob("*.sqlite3"))
    for serving in files:  # the population version has 12 columns; its c5 is the county code
        con = sqlite3.connect(serving)
        width = len(con.execute("SELECT * FROM t LIMIT 1").description)
        if width == 13:
            break
    ids = [r[0] for r in con.execute("SELECT c2 FROM t WHERE c5 = '371403'")]
    rowids = [r[0] for r in con.execute("SELECT _row FROM t WHERE c5 = '371403'")]
    return {
        "token": token.token,
        "code": code,
        "ids": ids,
        "rowids": rowids,
        "serving": serving,
        "con": con,
    }


def _datasette(serving: Path) -> Path | None:
    exe = ENVS / "datasette" / "bin" / "datasette"
    if exe.exists():
        return exe
    try:
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "venv", str(ENVS / "datasette")], check=True, capture_output=True
        )
        subprocess.run(  # noqa: S603
            [str(ENVS / "datasette" / "bin" / "pip"), "install", "-q", "datasette"],
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError:
        return None
    return exe if exe.exists() else None


def run() -> list[Result]:
    ctx = _setup()
    auth = {"Authorization": f"Bearer {ctx['token']}"}
    ids: list[str] = ctx["ids"]
    code = ctx["code"]
    results: list[Result] = []

    def lookup(i: int) -> bytes:
        return get(f"/api/v1/data/{code}/records/{ids[i % len(ids)]}", auth)

    port = _port()
    with Server(_uvicorn("govshare.main:create_app", port, factory=True), port, "/healthz"):
        check = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/api/v1/data/{code}/records/{ids[0]}", headers=auth
        )
        body = json.loads(urllib.request.urlopen(check).read())  # noqa: S310
        assert "*" in body["record"]["公民身份号码"], body
        hotpath_cold = run_load("127.0.0.1", port, lookup, seconds=SECONDS, warmup=0)
        ours = run_load("127.0.0.1", port, lookup, seconds=SECONDS)
        assert ours.errors == 0, f"{ours.errors} errors"
        batch_ms = []
        keys = (ids * (1000 // len(ids) + 1))[:1000]
        payload = json.dumps({"keys": keys}).encode()
        for _ in range(15):
            req = urllib.request.Request(  # noqa: S310
                f"http://127.0.0.1:{port}/api/v1/data/{code}/records/batch",
                data=payload,
                headers={**auth, "Content-Type": "application/json"},
            )
            started = time.perf_counter()
            answer = json.loads(urllib.request.urlopen(req).read())  # noqa: S310
            batch_ms.append((time.perf_counter() - started) * 1000)
            assert answer["records"], answer
    port = _port()
    with Server(_uvicorn("bench.hello_app:app", port), port, "/hello"):
        hello_cold = run_load("127.0.0.1", port, lambda i: get("/hello"), seconds=SECONDS, warmup=0)
        hello = run_load("127.0.0.1", port, lambda i: get("/hello"), seconds=SECONDS)
    results.append(
        Result(
            "data API lookup vs FastAPI hello-world (1 worker, 32 conns)",
            ours.rate,
            hello.rate,
            "req/s",
            "≥ 0.40×",
        )
    )
    results.append(
        Result(
            "data API lookup p99 vs hello-world p99",
            ours.pct(0.99),
            hello.pct(0.99),
            "ms",
            "≤ 25 ms",
            higher_is_better=False,
        )
    )
    results.append(
        Result(
            "lookup p99 from a cold start (no warm-up) vs hello-world's",
            hotpath_cold.pct(0.99),
            hello_cold.pct(0.99),
            "ms",
            "≤ 25 ms",
            higher_is_better=False,
        )
    )
    exe = _datasette(ctx["serving"])
    if exe is not None:
        port = _port()
        rowids = ctx["rowids"]
        args = [str(exe), "serve", str(ctx["serving"]), "--port", str(port)]
        name = ctx["serving"].stem
        with Server(args, port, f"/{name}.json"):
            ds = run_load(
                "127.0.0.1",
                port,
                lambda i: get(f"/{name}/t/{rowids[i % len(rowids)]}.json"),
                seconds=SECONDS,
            )
        results.append(
            Result("data API lookup vs Datasette row JSON", ours.rate, ds.rate, "req/s", "≥ 4×")
        )
    con: sqlite3.Connection = ctx["con"]
    bare = []
    for _ in range(15):
        started = time.perf_counter()
        marks = ",".join("?" * len(keys))
        con.execute(f"SELECT c0, c2, c6 FROM t WHERE c2 IN ({marks})", keys).fetchall()  # noqa: S608
        bare.append((time.perf_counter() - started) * 1000)
    results.append(
        Result(
            "batch lookup of 1,000 keys (median) vs bare SQLite IN query",
            statistics.median(batch_ms),
            statistics.median(bare),
            "ms",
            "≤ 100 ms",
            higher_is_better=False,
        )
    )
    return results
