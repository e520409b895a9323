"""Requests, decisions, grants and the data API through the service functions."""

from __future__ import annotations

import datetime as dt

import pytest

from govshare.core.errors import Conflict, Invalid, NotAuthorized, NotFound
from govshare.sharing import service
from govshare.sharing.schemas import Decision, Reason
from tests.personas import actor_of
from tests.sharing.helpers import approve_county, ask


def test_conditional_request_waits_on_a_ten_working_day_clock(session, world):
    req = ask(session, world)
    assert req.status == "pending"
    assert req.share_type == "conditional"
    assert req.due is not None and req.working_days_left is not None
    queue = service.list_review_queue(session, actor_of(session, "other_admin"))
    assert [r.id for r in queue] == [req.id]


def test_clock_counts_working_days_across_national_day(session, world):
    req = ask(session, world)
    now = dt.datetime(2026, 9, 29, 2, tzinfo=dt.UTC)  # Tuesday before 国庆
    from govshare.sharing.models import ShareRequest

    row = session.get(ShareRequest, req.id)
    row.submitted_at = now
    session.flush()
    got = service.get_request(session, actor_of(session, "consumer"), req.id, now=now)
    # 9/30 is one working day; 10/1–10/8 off (国庆 + 中秋 2026, 10/10 a make-up Saturday per
    # the calendar in force); the 10th working day lands well after a plain two weeks.
    assert got.due is not None and got.due > dt.date(2026, 10, 13)
    later = service.get_request(
        session,
        actor_of(session, "consumer"),
        req.id,
        now=dt.datetime.combine(got.due + dt.timedelta(days=1), dt.time(3), dt.UTC),
    )
    assert later.overdue


def test_approve_narrowed_creates_a_grant_with_masks(session, world):
    req = ask(session, world)
    done = approve_county(session, req.id)
    assert done.status == "approved" and done.grant_id
    grant = service.get_grant(session, actor_of(session, "consumer"), done.grant_id)
    assert grant.items == ["姓名", "公民身份号码", "户籍地址"]
    assert grant.masks["公民身份号码"] == "keep_ends"
    assert grant.row_filter[0].values == ["371403"]
    assert grant.active


def test_reviewer_cannot_loosen_a_default_mask_or_add_items(session, world):
    req = ask(session, world)
    admin = actor_of(session, "other_admin")
    with pytest.raises(Invalid, match="更严格"):
        service.approve_request(session, admin, req.id, Decision(masks={"姓名": "none"}))
    with pytest.raises(Invalid, match="未申请"):
        service.approve_request(session, admin, req.id, Decision(items=["姓名", "联系电话"]))


def test_refuse_needs_a_reason_and_ends_the_request(session, world):
    req = ask(session, world)
    admin = actor_of(session, "other_admin")
    done = service.refuse_request(session, admin, req.id, Reason(reason="用途与依据不符"))
    assert done.status == "refused" and done.reason == "用途与依据不符"
    with pytest.raises(Conflict):
        service.approve_request(session, admin, req.id, Decision())


def test_return_then_resubmit_restarts_the_clock(session, world):
    from govshare.sharing.schemas import RequestCreate

    req = ask(session, world)
    service.return_request(
        session, actor_of(session, "other_admin"), req.id, Reason(reason="请补充依据")
    )
    again = service.update_request(
        session,
        actor_of(session, "consumer"),
        req.id,
        RequestCreate(
            system_id=world.system_id,
            resource_id=world.resource.id,
            purpose="办理户籍业务时核验身份",
            legal_basis="《户口登记条例》",
            items=["姓名"],
        ),
    )
    assert again.status == "pending" and again.items == ["姓名"]


def test_unknown_items_are_refused_in_chinese(session, world):
    with pytest.raises(Invalid, match="没有这些信息项"):
        ask(session, world, items=["姓名", "血型"])


def test_second_open_request_for_the_same_resource_conflicts(session, world):
    ask(session, world)
    with pytest.raises(Conflict):
        ask(session, world)


def test_other_departments_reviewer_cannot_decide(session, world):
    req = ask(session, world)
    with pytest.raises(NotFound):  # another department's request is invisible
        service.approve_request(session, actor_of(session, "reviewer"), req.id, Decision())
    with pytest.raises(NotAuthorized):  # the applicant sees it but may not decide
        service.approve_request(session, actor_of(session, "consumer"), req.id, Decision())


def test_reminders_escalate_once_per_stage(session, world):
    req = ask(session, world)
    state = service.get_request(session, actor_of(session, "consumer"), req.id)
    assert state.due is not None
    late = dt.datetime.combine(state.due + dt.timedelta(days=30), dt.time(3), dt.UTC)
    from govshare.core.security import SYSTEM

    sent = service.send_deadline_reminders(session, SYSTEM, now=late)
    assert sent["supervise"] == 1 and sent["remind"] == 1
    again = service.send_deadline_reminders(session, SYSTEM, now=late)
    assert not any(again.values())


def test_grant_states_as_shown(session, world):
    from govshare.sharing.models import Grant

    done = approve_county(session, ask(session, world).id)
    consumer = actor_of(session, "consumer")
    assert service.get_grant(session, consumer, done.grant_id).state == "active"
    grant = session.get(Grant, done.grant_id)
    grant.valid_from = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    session.flush()
    assert service.get_grant(session, consumer, done.grant_id).state == "not_yet"
    grant.valid_from = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    grant.valid_until = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    session.flush()
    assert service.get_grant(session, consumer, done.grant_id).state == "expired"
    service.revoke_grant(
        session, actor_of(session, "other_admin"), done.grant_id, Reason(reason="停")
    )
    assert service.get_grant(session, consumer, done.grant_id).state == "revoked"


def test_review_limit_is_a_setting(session, world, settings, monkeypatch):
    from govshare.clocks import service as clocks

    req = ask(session, world)
    consumer = actor_of(session, "consumer")
    ten = service.get_request(session, consumer, req.id).due
    monkeypatch.setattr(settings, "sharing_review_days", 20)
    twenty = service.get_request(session, consumer, req.id).due
    assert ten is not None and twenty is not None and twenty > ten
    kinds = {k.code: k for k in clocks.list_case_kinds(session, consumer)}
    assert kinds["sharing.request"].ladder.limit_days == 20
