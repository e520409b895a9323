"""Usage dashboards: what providers and consumers see of the data API's calls."""

from __future__ import annotations

from govshare.sharing import service
from tests.personas import actor_of
from tests.sharing.helpers import approve_county, ask


def _calls(client, session, world) -> int:  # type: ignore[no-untyped-def]
    done = approve_county(session, ask(session, world).id, daily_quota=50)
    session.commit()
    keys = [p[2] for p in world.in_county()[:3]]
    base = f"/api/v1/data/{world.code}"
    assert client.get(f"{base}/records/{keys[0]}", headers=world.headers).status_code == 200
    r = client.post(f"{base}/records/batch", headers=world.headers, json={"keys": keys})
    assert r.status_code == 200
    outside = world.outside()[0][2]
    assert client.get(f"{base}/records/{outside}", headers=world.headers).status_code == 404
    assert client.get(f"{base}?fields=血型", headers=world.headers).status_code == 422
    session.expire_all()
    return int(done.grant_id)


def test_provider_and_consumer_see_calls_records_and_refusals(client, session, world, bearer):
    grant_id = _calls(client, session, world)
    # The refusal of an ungranted item names no grant or resource in the trail (the data API
    # records it so): the consumer sees it against its system; the provider cannot place it.
    for persona, side, calls in (("other_admin", "provider", 3), ("consumer", "consumer", 4)):
        r = client.get(f"/api/v1/sharing/usage?side={side}", headers=bearer(persona))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["totals"]["calls"] == calls and body["totals"]["records"] == 4
        assert body["totals"]["refusals"] == calls - 2
        assert [s["label"] for s in body["by_system"]] == ["陵城区一网通办"]
        grant = next(g for g in body["by_grant"] if g["grant_id"] == grant_id)
        assert grant["calls"] == 3 and grant["purpose"] == "办理户籍业务时核验身份"
        assert grant["records"] == 4 and grant["refusals"] == 1
        assert grant["quota_left_today"] == 50 - 4  # the quota counts records, not calls
        assert sum(d["calls"] for d in body["by_day"]) == calls and len(body["by_day"]) == 30


def test_other_departments_see_none_of_it(client, session, world, bearer):
    _calls(client, session, world)
    for side in ("provider", "consumer"):
        r = client.get(f"/api/v1/sharing/usage?side={side}", headers=bearer("dept_admin"))
        assert r.status_code == 200 and r.json()["totals"]["calls"] == 0
        assert r.json()["by_grant"] == []
    # the consumer, looking as a provider, provides nothing
    mine = service.get_usage(session, actor_of(session, "consumer"), side="provider")
    assert mine.totals.calls == 0


def test_date_range_filters_and_bad_ranges_are_refused(client, session, world, bearer):
    _calls(client, session, world)
    headers = bearer("other_admin")
    old = "/api/v1/sharing/usage?side=provider&since=2026-01-01&until=2026-01-31"
    r = client.get(old, headers=headers)
    assert r.status_code == 200 and r.json()["totals"]["calls"] == 0
    assert len(r.json()["by_day"]) == 31
    r = client.get("/api/v1/sharing/usage?since=2026-02-01&until=2026-01-01", headers=headers)
    assert r.status_code == 422 and "开始日期不能晚于结束日期" in r.json()["detail"]
    r = client.get("/api/v1/sharing/usage?since=2024-01-01&until=2026-01-01", headers=headers)
    assert r.status_code == 422 and "最长" in r.json()["detail"]
    r = client.get("/api/v1/sharing/usage?side=everyone", headers=headers)
    assert r.status_code == 422
    r = client.get("/api/v1/sharing/usage?since=yesterday", headers=headers)
    assert r.status_code == 422


def test_overseers_see_everything(client, session, world):
    _calls(client, session, world)
    from govshare.clocks.service import today

    report = service.get_usage(
        session, actor_of(session, "auditor"), side="provider", until=today()
    )
    assert report.totals.calls == 4 and report.totals.refusals == 2
