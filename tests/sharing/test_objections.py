"""Objections to refusals and 市电政办's arbitration, through the service functions."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from govshare.core.errors import Conflict, Invalid, NotAuthorized, NotFound
from govshare.core.security import SYSTEM
from govshare.notify.models import Notification
from govshare.sharing import service
from govshare.sharing.models import Grant, ShareRequest
from govshare.sharing.schemas import Arbitration, Objection, Reason
from tests.personas import actor_of
from tests.sharing.helpers import COUNTY, ask


def _refused(session, world):  # type: ignore[no-untyped-def]
    req = ask(session, world)
    return service.refuse_request(
        session, actor_of(session, "other_admin"), req.id, Reason(reason="用途与依据不符")
    )


def _object(session, req_id, reason="依据《政务数据共享条例》应予共享", **kw):  # type: ignore[no-untyped-def]
    return service.object_to_refusal(
        session, actor_of(session, "consumer"), req_id, Objection(reason=reason), **kw
    )


def _subjects(session):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Notification.subject)))


def test_objection_puts_a_refusal_before_the_office_on_a_clock(session, world):
    refused = _refused(session, world)
    assert refused.status == "refused"
    shown = service.get_request(session, actor_of(session, "consumer"), refused.id)
    assert shown.objection_until is not None and shown.objection_until > dt.date.today()
    got = _object(session, refused.id)
    assert got.status == "objected" and got.status_label == "异议待仲裁"
    assert got.objection.startswith("依据") and got.arbitration_due is not None
    assert any("待市电政办仲裁" in s for s in _subjects(session))
    queue = service.list_arbitration_queue(session, actor_of(session, "platform_admin"))
    assert [r.id for r in queue] == [refused.id]


def test_uphold_keeps_the_refusal_and_tells_the_consumer(session, world):
    req = _refused(session, world)
    _object(session, req.id)
    got = service.arbitrate_objection(
        session,
        actor_of(session, "platform_admin"),
        req.id,
        Arbitration(outcome="uphold", note="提供部门依据充分"),
    )
    assert got.status == "refused" and got.arbitration == "upheld"
    assert got.arbitration_label == "维持不予共享" and got.grant_id is None
    assert any("维持不予共享" in s for s in _subjects(session))
    assert service.list_arbitration_queue(session, actor_of(session, "platform_admin")) == []


def test_ordered_grant_takes_the_reviewers_narrowing(session, world):
    from govshare.sharing.schemas import RowScope

    req = _refused(session, world)
    _object(session, req.id)
    got = service.arbitrate_objection(
        session,
        actor_of(session, "platform_admin"),
        req.id,
        Arbitration(
            outcome="grant",
            note="属于履职所需，责令共享",
            items=["姓名", "公民身份号码"],
            row_filter=[RowScope(item="户籍地区划", values=[COUNTY])],
            masks={"公民身份号码": "keep_ends"},  # type: ignore[dict-item]
        ),
    )
    assert got.status == "approved" and got.arbitration == "granted" and got.grant_id
    grant = session.get(Grant, got.grant_id)
    assert grant.items == ["姓名", "公民身份号码"] and grant.masks["公民身份号码"] == "keep_ends"
    with pytest.raises(Invalid, match="更严格"):
        req2 = _refused_again(session, world)
        service.arbitrate_objection(
            session,
            actor_of(session, "platform_admin"),
            req2,
            Arbitration(outcome="grant", note="责令", masks={"姓名": "none"}),  # type: ignore[dict-item]
        )


def _refused_again(session, world) -> int:  # type: ignore[no-untyped-def]
    from tests.sharing.helpers import system_with_token

    other, _h = system_with_token(session, name="陵城区第二系统")
    req = ask(session, world, system_id=other)
    service.refuse_request(session, actor_of(session, "other_admin"), req.id, Reason(reason="否"))
    _object(session, req.id)
    return int(req.id)


class TestBadInput:
    def test_objection_on_a_pending_request_conflicts(self, session, world):
        req = ask(session, world)
        with pytest.raises(Conflict, match="只能对不予共享"):
            _object(session, req.id)

    def test_objection_twice_conflicts(self, session, world):
        req = _refused(session, world)
        _object(session, req.id)
        with pytest.raises(Conflict, match="不能重复"):
            _object(session, req.id)

    def test_objection_after_an_upheld_ruling_conflicts(self, session, world):
        req = _refused(session, world)
        _object(session, req.id)
        service.arbitrate_objection(
            session,
            actor_of(session, "platform_admin"),
            req.id,
            Arbitration(outcome="uphold", note="维持"),
        )
        with pytest.raises(Conflict, match="不能重复"):
            _object(session, req.id)

    def test_objection_after_the_period_conflicts_and_changes_nothing(self, session, world):
        req = _refused(session, world)
        late = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
        with pytest.raises(Conflict, match="异议期已于"):
            _object(session, req.id, now=late)
        assert session.get(ShareRequest, req.id).status == "refused"

    def test_objection_period_is_a_setting(self, session, world, settings, monkeypatch):
        req = _refused(session, world)
        monkeypatch.setattr(settings, "sharing_objection_days", 60)
        late = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
        assert _object(session, req.id, now=late).status == "objected"

    def test_empty_reason_is_refused(self):
        with pytest.raises(ValidationError):
            Objection(reason="   ")
        with pytest.raises(ValidationError):
            Arbitration(outcome="uphold", note="")

    def test_arbitrating_without_an_objection_conflicts(self, session, world):
        req = _refused(session, world)
        with pytest.raises(Conflict, match="没有待仲裁"):
            service.arbitrate_objection(
                session,
                actor_of(session, "platform_admin"),
                req.id,
                Arbitration(outcome="uphold", note="维持"),
            )

    def test_only_the_office_arbitrates(self, session, world):
        req = _refused(session, world)
        _object(session, req.id)
        for persona in ("other_admin", "consumer", "auditor"):
            with pytest.raises(NotAuthorized):
                service.arbitrate_objection(
                    session,
                    actor_of(session, persona),
                    req.id,
                    Arbitration(outcome="uphold", note="x"),
                )

    def test_other_departments_cannot_object(self, session, world):
        req = _refused(session, world)
        with pytest.raises(NotFound):
            service.object_to_refusal(
                session, actor_of(session, "reviewer"), req.id, Objection(reason="x")
            )
        with pytest.raises(NotAuthorized):  # the provider sees it but may not object
            service.object_to_refusal(
                session, actor_of(session, "other_admin"), req.id, Objection(reason="x")
            )


def test_arbitration_reminders_go_to_the_office_once(session, world):
    req = _refused(session, world)
    got = _object(session, req.id)
    late = dt.datetime.combine(got.arbitration_due + dt.timedelta(days=30), dt.time(3), dt.UTC)
    sent = service.send_deadline_reminders(session, SYSTEM, now=late)
    assert sent["remind"] == 1 and sent["supervise"] == 1
    assert any("异议超期未仲裁" in s for s in _subjects(session))
    assert not any(service.send_deadline_reminders(session, SYSTEM, now=late).values())
    shown = service.get_request(session, actor_of(session, "platform_admin"), req.id, now=late)
    assert shown.arbitration_overdue


def test_arbitration_limit_is_a_setting(session, world, settings, monkeypatch):
    req = _refused(session, world)
    short = _object(session, req.id).arbitration_due
    monkeypatch.setattr(settings, "sharing_arbitration_days", 40)
    longer = service.get_request(session, actor_of(session, "consumer"), req.id).arbitration_due
    assert short is not None and longer is not None and longer > short
