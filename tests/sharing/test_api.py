"""The data API over HTTP: what a consumer system gets, and the security matrix over every
data endpoint (items, rows, masks, revocation, expiry, other department's token, pending and
refused requests, invisible resources)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from govshare.accounts.models import ApiToken
from govshare.accounts.service import revoke_token
from govshare.audit.models import AuditEntry
from govshare.sharing import service
from govshare.sharing.models import Grant, SystemToken
from govshare.sharing.schemas import Reason
from tests.personas import actor_of
from tests.sharing.helpers import (
    ASKED,
    COUNTY,
    World,
    approve_county,
    ask,
    system_with_token,
)

Call = Callable[[Any, World, dict[str, str], str], Any]


def _rows(client, world, headers, key):
    return client.get(f"/api/v1/data/{world.code}", headers=headers)


def _lookup(client, world, headers, key):
    return client.get(f"/api/v1/data/{world.code}/records/{key}", headers=headers)


def _batch(client, world, headers, key):
    return client.post(
        f"/api/v1/data/{world.code}/records/batch", headers=headers, json={"keys": [key]}
    )


def _verify(client, world, headers, key):
    person = next(p for p in world.people if p[2] == key)
    return client.post(
        f"/api/v1/data/{world.code}/verify",
        headers=headers,
        json={"key": key, "fields": {"姓名": person[0]}},
    )


ENDPOINTS: dict[str, Call] = {
    "rows": _rows,
    "lookup": _lookup,
    "batch": _batch,
    "verify": _verify,
}


def _granted(session, world) -> int:
    req = ask(session, world)
    done = approve_county(session, req.id)
    session.commit()
    return int(done.grant_id)


def test_lookup_batch_and_verify_give_exactly_what_the_grant_allows(client, session, world):
    _granted(session, world)
    mine = world.in_county()[0]
    r = client.get(f"/api/v1/data/{world.code}/records/{mine[2]}", headers=world.headers)
    assert r.status_code == 200, r.text
    record = r.json()["record"]
    assert set(record) == {"姓名", "公民身份号码", "户籍地址"}
    assert record["公民身份号码"] == mine[2][:6] + "********" + mine[2][-4:]
    assert record["姓名"].startswith(mine[0][0]) and "*" in record["姓名"]  # personal: masked
    keys = [p[2] for p in world.in_county()[:3]] + [world.outside()[0][2]]
    r = client.post(
        f"/api/v1/data/{world.code}/records/batch", headers=world.headers, json={"keys": keys}
    )
    assert r.status_code == 200
    assert len(r.json()["records"]) == 3 and r.json()["missing"] == [world.outside()[0][2]]
    r = client.post(
        f"/api/v1/data/{world.code}/verify",
        headers=world.headers,
        json={"key": mine[2], "fields": {"姓名": mine[0], "户籍地址": "不对的地址"}},
    )
    assert r.json() == {
        "resource_code": world.code,
        "grant_id": r.json()["grant_id"],
        "exists": True,
        "fields": {"姓名": True, "户籍地址": False},
    }


def test_rows_stay_inside_the_county_and_page_with_a_cursor(client, session, world):
    _granted(session, world)
    r = client.get(f"/api/v1/data/{world.code}?limit=5", headers=world.headers)
    body = r.json()
    assert r.status_code == 200 and len(body["rows"]) == 5 and body["next_cursor"]
    ids = {p[2][:6] + "********" + p[2][-4:] for p in world.in_county()}
    assert all(row["公民身份号码"] in ids for row in body["rows"])
    r2 = client.get(
        f"/api/v1/data/{world.code}?limit=5&cursor={body['next_cursor']}", headers=world.headers
    )
    assert r2.status_code == 200 and r2.json()["rows"] != body["rows"]


def test_every_data_call_is_in_the_audit_trail(client, session, world):
    grant_id = _granted(session, world)
    mine = world.in_county()[0]

    def count() -> int:
        return session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action.like("sharing.%"), AuditEntry.target_id == str(grant_id))
        )

    before = count()
    for call in ENDPOINTS.values():
        assert call(client, world, world.headers, mine[2]).status_code == 200
    session.expire_all()
    assert count() == before + 4


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_revocation_stops_the_very_next_call(client, session, world, endpoint):
    grant_id = _granted(session, world)
    key = world.in_county()[0][2]
    assert ENDPOINTS[endpoint](client, world, world.headers, key).status_code == 200
    service.revoke_grant(
        session, actor_of(session, "other_admin"), grant_id, Reason(reason="停止合作")
    )
    session.commit()
    r = ENDPOINTS[endpoint](client, world, world.headers, key)
    assert r.status_code == 403 and "授权" in r.json()["detail"]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_expired_grant_gives_nothing(client, session, world, endpoint):
    grant_id = _granted(session, world)
    key = world.in_county()[0][2]
    assert ENDPOINTS[endpoint](client, world, world.headers, key).status_code == 200
    session.get(Grant, grant_id).valid_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.commit()
    r = ENDPOINTS[endpoint](client, world, world.headers, world.in_county()[0][2])
    assert r.status_code == 403


def _token_id(session, world) -> int:
    return int(
        session.scalar(select(SystemToken.token_id).where(SystemToken.system_id == world.system_id))
    )


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_a_revoked_token_stops_the_very_next_call(client, session, world, endpoint):
    _granted(session, world)
    key = world.in_county()[0][2]
    for _ in range(2):
        assert ENDPOINTS[endpoint](client, world, world.headers, key).status_code == 200
    revoke_token(session, actor_of(session, "consumer"), _token_id(session, world))
    session.commit()
    r = ENDPOINTS[endpoint](client, world, world.headers, key)
    assert r.status_code == 401 and "吊销" in r.json()["detail"]


def test_a_narrowed_grant_applies_from_the_very_next_lookup(client, session, world):
    grant_id = _granted(session, world)
    key = world.in_county()[0][2]
    assert set(_lookup(client, world, world.headers, key).json()["record"]) == set(ASKED)
    grant = session.get(Grant, grant_id)
    grant.items = ["姓名"]
    grant.masks = {"姓名": "suppress"}
    session.commit()
    assert _lookup(client, world, world.headers, key).json()["record"] == {"姓名": None}


def test_lookups_stop_when_the_grant_or_the_token_runs_out_without_any_write(
    client, session, world
):
    grant_id = _granted(session, world)
    key = world.in_county()[0][2]
    assert _lookup(client, world, world.headers, key).status_code == 200
    token = session.get(ApiToken, _token_id(session, world))
    grant = session.get(Grant, grant_id)
    first = min(token.expires_at, grant.valid_until)
    with time_machine.travel(first + dt.timedelta(seconds=1)):
        r = _lookup(client, world, world.headers, key)
    expected = 401 if token.expires_at <= grant.valid_until else 403
    assert r.status_code == expected, r.text


def test_every_lookup_is_recorded_with_the_grant_purpose_and_items(client, session, world):
    grant_id = _granted(session, world)
    key = world.in_county()[0][2]
    for _ in range(3):
        assert _lookup(client, world, world.headers, key).status_code == 200
    session.expire_all()
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "sharing.lookup_record", AuditEntry.target_id == str(grant_id)
        )
    ).all()
    assert len(entries) == 3
    assert {e.outcome for e in entries} == {"success"}
    assert entries[-1].details == {
        "system": world.system_id,
        "grant": grant_id,
        "resource": world.code,
        "purpose": "办理户籍业务时核验身份",
        "items": ASKED,
        "rows": 1,
    }


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_pending_and_refused_requests_give_nothing(client, session, world, endpoint):
    req = ask(session, world)
    session.commit()
    key = world.in_county()[0][2]
    assert ENDPOINTS[endpoint](client, world, world.headers, key).status_code == 403
    service.refuse_request(
        session, actor_of(session, "other_admin"), req.id, Reason(reason="依据不足")
    )
    session.commit()
    assert ENDPOINTS[endpoint](client, world, world.headers, key).status_code == 403


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_another_departments_token_never_works_for_this_grant(client, session, world, endpoint):
    _granted(session, world)
    _other, headers = system_with_token(session, "dept_admin", "统计分析系统")
    session.commit()
    r = ENDPOINTS[endpoint](client, world, headers, world.in_county()[0][2])
    assert r.status_code == 403


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_an_unbound_token_is_refused(client, session, world, endpoint, bearer):
    _granted(session, world)
    headers = bearer("consumer", ("read",))
    session.commit()
    r = ENDPOINTS[endpoint](client, world, headers, world.in_county()[0][2])
    assert r.status_code == 403 and "未绑定" in r.json()["detail"]


@pytest.mark.parametrize("endpoint", ["lookup", "batch", "verify"])
def test_rows_outside_the_filter_are_not_found(client, session, world, endpoint):
    _granted(session, world)
    outside = world.outside()[0]
    r = ENDPOINTS[endpoint](client, world, world.headers, outside[2])
    if endpoint == "lookup":
        assert r.status_code == 404
    elif endpoint == "batch":
        assert r.json()["records"] == [] and r.json()["missing"] == [outside[2]]
    else:
        assert r.json()["exists"] is False and r.json()["fields"] == {"姓名": False}


def test_items_outside_the_grant_are_refused(client, session, world):
    _granted(session, world)
    h = world.headers
    r = client.get(f"/api/v1/data/{world.code}?fields=姓名,联系电话", headers=h)
    assert r.status_code == 422 and "未获授权的信息项" in r.json()["detail"]
    r = client.get(f"/api/v1/data/{world.code}?filter=性别=男", headers=h)
    assert r.status_code == 422 and "未获授权" in r.json()["detail"]
    r = client.get(f"/api/v1/data/{world.code}?filter=公民身份号码=1", headers=h)
    assert r.status_code == 422 and "脱敏" in r.json()["detail"]
    key = world.in_county()[0][2]
    r = client.post(
        f"/api/v1/data/{world.code}/verify",
        headers=h,
        json={"key": key, "fields": {"联系电话": "13800000000"}},
    )
    assert r.status_code == 422


def test_invisible_or_unknown_resource_answers_404(client, session, world):
    _granted(session, world)
    r = client.get("/api/v1/data/NO-SUCH/000001", headers=world.headers)
    assert r.status_code == 404 and r.json()["detail"] == "信息资源不存在。"


def test_bad_input_is_a_clear_problem_and_counted(client, session, world):
    _granted(session, world)
    h = world.headers
    r = client.get(f"/api/v1/data/{world.code}?cursor=@@@", headers=h)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem")
    r = client.post(
        f"/api/v1/data/{world.code}/records/batch",
        headers=h,
        json={"keys": [str(i) for i in range(1001)]},
    )
    assert r.status_code == 422 and "1000" in r.json()["detail"]
    session.expire_all()
    refused = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "sharing.lookup_records", AuditEntry.outcome == "invalid")
    )
    assert refused >= 1


def test_quota_exceeded_is_429_with_retry_after(client, session, world):
    grant_id = _granted(session, world)
    session.get(Grant, grant_id).daily_quota = 2
    session.commit()
    key = world.in_county()[0][2]
    for _ in range(2):
        assert _lookup(client, world, world.headers, key).status_code == 200
    r = _lookup(client, world, world.headers, key)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "配额" in r.json()["detail"]


def test_the_daily_quota_counts_records_returned_and_verifications(client, session, world):
    grant_id = _granted(session, world)
    session.get(Grant, grant_id).daily_quota = 5
    session.commit()
    keys = [p[2] for p in world.in_county()[:3]]
    r = _batch(client, world, world.headers, keys[0])
    assert r.status_code == 200
    r = client.post(
        f"/api/v1/data/{world.code}/records/batch", headers=world.headers, json={"keys": keys}
    )
    assert r.status_code == 200 and len(r.json()["records"]) == 3  # 1 + 3 of 5 used
    assert _verify(client, world, world.headers, keys[0]).status_code == 200  # 5 of 5
    for call in (_lookup, _batch, _verify, _rows):
        r = call(client, world, world.headers, keys[1])
        assert r.status_code == 429, (call.__name__, r.text)
        assert "配额" in r.json()["detail"]


def test_a_call_may_use_the_quota_up_but_not_start_past_it(client, session, world):
    grant_id = _granted(session, world)
    session.get(Grant, grant_id).daily_quota = 3
    session.commit()
    key = world.in_county()[0][2]
    assert _lookup(client, world, world.headers, key).status_code == 200
    r = _rows(client, world, world.headers, "")
    assert r.status_code == 200 and len(r.json()["rows"]) > 2  # room left: the whole page runs
    assert _lookup(client, world, world.headers, key).status_code == 429


def test_request_and_review_over_the_api(client, session, world, login_as):
    c = login_as("consumer")
    r = c.post(
        "/api/v1/sharing/requests",
        json={
            "system_id": world.system_id,
            "resource_id": world.resource.id,
            "purpose": "核验身份",
            "items": ["姓名", "公民身份号码"],
        },
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["status_label"] == "待审核"
    c.cookies.clear()
    c2 = login_as("other_admin")
    r = c2.post(
        f"/api/v1/sharing/requests/{rid}/approve",
        json={"row_filter": [{"item": "户籍地区划", "values": [COUNTY]}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    r = c2.post(f"/api/v1/sharing/requests/{rid}/refuse", json={"reason": "x"})
    assert r.status_code == 409


def test_openapi_documents_the_data_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/data/{resource_code}",
        "/api/v1/data/{resource_code}/records/{key}",
        "/api/v1/data/{resource_code}/records/batch",
        "/api/v1/data/{resource_code}/verify",
    ):
        assert path in paths, sorted(paths)


def test_concurrent_first_lookups_of_a_caller_share_one_resolution():
    """All connections of one caller missing the cache at once (start, or an aged-out entry)
    resolve once; a refusal reaches every waiter and the next call resolves anew."""
    import asyncio
    import threading

    from govshare.core.errors import NotFound
    from govshare.sharing.api import FastLookup
    from govshare.sharing.service import hotpath

    calls: list[int] = []
    release = threading.Event()
    resolved = object()

    def resolve() -> Any:
        calls.append(1)
        release.wait(5)
        return resolved

    def refuse() -> Any:
        calls.append(1)
        release.wait(5)
        raise NotFound("资源不存在。")

    fast = FastLookup(lambda *a: None)  # type: ignore[arg-type, return-value]

    async def many(work: Callable[[], Any]) -> list[Any]:
        waiting = [fast._resolve_once(("who", "code", "s1"), work) for _ in range(8)]
        tasks = [asyncio.ensure_future(w) for w in waiting]
        await asyncio.sleep(0.05)
        release.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    hotpath.clear_entries()
    try:
        assert asyncio.run(many(resolve)) == [resolved] * 8
        assert len(calls) == 1
        assert hotpath._entries[("who", "code")] is resolved
        release.clear()
        answers = asyncio.run(many(refuse))
        assert len(calls) == 2
        assert all(isinstance(a, NotFound) for a in answers)
        assert fast._resolving == {}
    finally:
        hotpath.clear_entries()
