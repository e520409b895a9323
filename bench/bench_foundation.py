"""Foundation: the cost of the audit chain per write, and of token checks per API call.

1. Audit append: one committed transaction per entry (as requests do), HMAC-SM3 chaining under the
   head lock, against a plain INSERT of the same columns into an unchained copy of the table.
2. ``GET /api/v1/me`` with a bearer token (token digest lookup, roles, actor) against a bare
   FastAPI route answering a constant, both in-process over httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from bench.common import Result, rate, scratch_env


def _audit(n: int = 1500) -> Result:
    from alembic import command
    from sqlalchemy import text

    from govshare.cli import alembic_config
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.main import configure

    settings = get_settings()
    configure(settings)
    command.upgrade(alembic_config(), "head")  # type: ignore[arg-type]
    db = Database(make_engine(settings.resolved_database_url))
    from govshare.audit import service as audit
    from govshare.core.security import SYSTEM

    with db.session() as s, s.begin():
        s.execute(text("CREATE TABLE plain_entry AS SELECT * FROM audit_entry WHERE 0"))

    def chained() -> None:
        with db.session() as s, s.begin():
            audit.record(s, SYSTEM, "bench.write", ("thing", "1", "基准"), after={"k": 1})

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    counter = iter(range(10**9))

    insert_plain = text(
        "INSERT INTO plain_entry (seq, occurred_at, actor_kind, actor_name, department_name,"
        " action, outcome, target_type, target_id, target_label, reason, client_ip, request_id,"
        " after, prev_digest, digest) VALUES (:seq, :t, 'system', '系统', '', 'bench.write',"
        " 'success', 'thing', '1', '基准', '', '', '', :after, '', '')"
    )

    def plain() -> None:
        with db.session() as s, s.begin():
            s.execute(insert_plain, {"seq": next(counter), "t": now, "after": '{"k": 1}'})

    rate(chained, 100)
    rate(plain, 100)
    figure, baseline = rate(chained, n), rate(plain, n)
    return Result(
        "audit append, committed, SQLite",
        figure,
        baseline,
        "writes/s",
        "lock + insert + head update + HMAC-SM3, vs one plain insert",
    )


def _api(n: int = 1500) -> Result:
    import httpx2 as httpx
    from fastapi import FastAPI

    from govshare.accounts import demo
    from govshare.accounts.schemas import TokenCreate
    from govshare.accounts.service import create_token
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.core.security import SYSTEM
    from govshare.main import create_app

    settings = get_settings()
    db = Database(make_engine(settings.resolved_database_url))
    with db.session() as s, s.begin():
        units = demo.seed_departments(s)
        demo.seed_users(s, units, "Bench-Pass-2026")
        token = create_token(s, SYSTEM, TokenCreate(name="bench"), owner_username="admin").token
    app = create_app(settings, db=db)
    hello = FastAPI()

    @hello.get("/hello")
    def say() -> dict[str, str]:
        return {"hello": "world"}

    async def measure(target: object, path: str, headers: dict[str, str]) -> float:
        transport = httpx.ASGITransport(app=target)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(100):
                await client.get(path, headers=headers)
            started = time.perf_counter()
            for _ in range(n):
                r = await client.get(path, headers=headers)
                assert r.status_code == 200
            return n / (time.perf_counter() - started)

    figure = asyncio.run(measure(app, "/api/v1/me", {"Authorization": f"Bearer {token}"}))
    baseline = asyncio.run(measure(hello, "/hello", {}))
    return Result(
        "GET /api/v1/me with bearer token, in-process",
        figure,
        baseline,
        "req/s",
        "middleware + session + token and roles lookup, vs a bare route",
    )


def _group(n: int = 4000, concurrency: int = 32) -> Result:
    import threading

    from govshare.audit import service as audit
    from govshare.audit.group import GroupRecorder
    from govshare.core.config import get_settings
    from govshare.core.db import Database, make_engine
    from govshare.core.security import SYSTEM

    db = Database(make_engine(get_settings().resolved_database_url))

    def each_alone() -> None:
        for i in range(n // concurrency):
            with db.session() as s, s.begin():
                audit.record(s, SYSTEM, "bench.read", ("row", str(i), ""))

    started = time.perf_counter()
    threads = [threading.Thread(target=each_alone) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    baseline = n / (time.perf_counter() - started)

    recorder = GroupRecorder(db, max_batch=500)

    async def reader(k: int) -> None:
        for i in range(n // concurrency):
            await recorder.record(SYSTEM, "bench.read", ("row", str(k * n + i), ""))

    async def all_readers() -> None:
        await asyncio.gather(*(reader(k) for k in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(all_readers())
    figure = n / (time.perf_counter() - started)
    recorder.stop()
    return Result(
        f"audit of reads, {concurrency} concurrent readers, SQLite",
        figure,
        baseline,
        "entries/s",
        "group commit (one write per batch) vs one transaction per read",
    )


def run() -> list[Result]:
    scratch_env()
    return [_audit(), _group(), _api()]
