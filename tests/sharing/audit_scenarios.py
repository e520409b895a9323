"""Audit scenarios of sharing: each write (and the verification read), run once, must leave its
audit entry."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govshare.accounts.service.auth import resolve_actor
from govshare.core.db import Database
from govshare.core.security import SYSTEM
from govshare.datastore import service as ds_service
from govshare.sharing import service
from govshare.sharing.models import ShareRequest
from govshare.sharing.schemas import Reason, RequestCreate, SystemCreate
from tests.datastore.helpers import people_csv, run_jobs
from tests.sharing.helpers import COUNTY, World, approve_county, ask, population, system_with_token

A = Callable[[str], Any]


def _world(s: Any, loaded: bool = False) -> World:
    resource = population(s, f"人口基础信息{dt.datetime.now().timestamp()}")
    people: list[list[Any]] = []
    if loaded:
        from govshare.datastore.synthetic import person_rows

        ds = ds_service.create_dataset_for_resource(s, SYSTEM, resource.id)
        path = people_csv(Path(tempfile.mkdtemp(prefix="gs-audit-")) / "p.csv", 40)
        ds_service.load_file(s, SYSTEM, ds.id, path)
        s.flush()
        run_jobs(Database(s.connection(), savepoints=True))
        s.expire_all()
        people = [list(p) for p in person_rows(40)]
    system_id, headers = system_with_token(s)
    return World(resource, system_id, headers, people)


def _decided(s: Any, a: A, how: str) -> None:
    w = _world(s)
    req = ask(s, w)
    if how == "approve":
        approve_county(s, req.id)
    elif how == "refuse":
        service.refuse_request(s, a("other_admin"), req.id, Reason(reason="依据不足"))
    elif how == "return":
        service.return_request(s, a("other_admin"), req.id, Reason(reason="请补充"))
    elif how == "update":
        service.return_request(s, a("other_admin"), req.id, Reason(reason="请补充"))
        service.update_request(
            s,
            a("consumer"),
            req.id,
            RequestCreate(
                system_id=w.system_id, resource_id=w.resource.id, purpose="核验", items=["姓名"]
            ),
        )
    elif how == "revoke":
        done = approve_county(s, req.id)
        service.revoke_grant(s, a("other_admin"), done.grant_id, Reason(reason="停用"))


def _verify(s: Any, a: A) -> None:
    from govshare.sharing.service.data import clear_caches

    clear_caches()
    w = _world(s, loaded=True)
    approve_county(s, ask(s, w).id)
    caller = resolve_actor(s, session_token=None, authorization=w.headers["Authorization"])
    person = next(p for p in w.people if p[5] == COUNTY)
    service.verify_record(s, caller, w.code, person[2], {"姓名": person[0]})


def _reminders(s: Any, a: A) -> None:
    w = _world(s)
    req = ask(s, w)
    s.get(ShareRequest, req.id).submitted_at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    s.flush()
    service.send_deadline_reminders(s, SYSTEM, now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))


def _objected(s: Any, a: A, arbitrate: bool) -> None:
    from govshare.sharing.schemas import Arbitration, Objection

    req = ask(s, _world(s))
    service.refuse_request(s, a("other_admin"), req.id, Reason(reason="依据不足"))
    service.object_to_refusal(s, a("consumer"), req.id, Objection(reason="应予共享"))
    if arbitrate:
        service.arbitrate_objection(
            s, a("platform_admin"), req.id, Arbitration(outcome="uphold", note="维持")
        )


def _renewal(s: Any, a: A, how: str) -> None:
    from govshare.sharing.models import Grant
    from govshare.sharing.schemas import RenewalCreate, RenewalDecision

    done = approve_county(s, ask(s, _world(s)).id)
    grant = s.get(Grant, done.grant_id)
    grant.valid_until = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    s.flush()
    if how == "notice":
        service.send_expiry_notices(s, SYSTEM)
        return
    renewal = service.apply_renewal(s, a("consumer"), grant.id, RenewalCreate(purpose="续用"))
    if how == "approve":
        service.approve_renewal(s, a("other_admin"), renewal.id, RenewalDecision())
    elif how == "refuse":
        service.refuse_renewal(s, a("other_admin"), renewal.id, Reason(reason="停用"))


SCENARIOS: dict[str, Callable[[Any, A], None]] = {
    "sharing.object_to_refusal": lambda s, a: _objected(s, a, False),
    "sharing.arbitrate_objection": lambda s, a: _objected(s, a, True),
    "sharing.apply_renewal": lambda s, a: _renewal(s, a, "apply"),
    "sharing.approve_renewal": lambda s, a: _renewal(s, a, "approve"),
    "sharing.refuse_renewal": lambda s, a: _renewal(s, a, "refuse"),
    "sharing.send_expiry_notices": lambda s, a: _renewal(s, a, "notice"),
    "sharing.register_system": lambda s, a: service.register_system(
        s, a("consumer"), SystemCreate(name="审计测试系统", purpose="测试")
    ),
    "sharing.submit_request": lambda s, a: ask(s, _world(s)),
    "sharing.approve_request": lambda s, a: _decided(s, a, "approve"),
    "sharing.refuse_request": lambda s, a: _decided(s, a, "refuse"),
    "sharing.return_request": lambda s, a: _decided(s, a, "return"),
    "sharing.update_request": lambda s, a: _decided(s, a, "update"),
    "sharing.revoke_grant": lambda s, a: _decided(s, a, "revoke"),
    "sharing.verify_record": _verify,
    "sharing.send_deadline_reminders": _reminders,
}
