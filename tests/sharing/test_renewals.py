"""Expiry announcements and renewal (re-certification) of grants."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from govshare.core.errors import Conflict, NotAuthorized
from govshare.core.security import SYSTEM
from govshare.notify.models import Notification
from govshare.sharing import service
from govshare.sharing.models import Grant
from govshare.sharing.schemas import Reason, RenewalCreate, RenewalDecision
from tests.personas import actor_of
from tests.sharing.helpers import approve_county, ask

NOW = dt.datetime.now(dt.UTC)


def _grant(session, world, days_left: int = 10) -> Grant:  # type: ignore[no-untyped-def]
    done = approve_county(session, ask(session, world).id)
    grant = session.get(Grant, done.grant_id)
    grant.valid_until = NOW + dt.timedelta(days=days_left)
    session.flush()
    return grant


def _apply(session, grant_id, purpose="继续用于户籍业务核验", **kw):  # type: ignore[no-untyped-def]
    return service.apply_renewal(
        session,
        actor_of(session, "consumer"),
        grant_id,
        RenewalCreate(purpose=purpose, days=180),
        **kw,
    )


def test_expiring_grants_are_announced_once_to_both_sides(session, world):
    grant = _grant(session, world, days_left=10)
    assert service.send_expiry_notices(session, SYSTEM) == {"announced": 1}
    subjects = list(session.scalars(select(Notification.subject)))
    assert sum("将于" in s and "到期" in s for s in subjects) >= 2  # consumer and provider
    assert service.send_expiry_notices(session, SYSTEM) == {"announced": 0}
    shown = service.get_grant(session, actor_of(session, "consumer"), grant.id)
    assert shown.expiring


def test_grants_far_from_expiry_are_not_announced(session, world, settings, monkeypatch):
    _grant(session, world, days_left=100)
    assert service.send_expiry_notices(session, SYSTEM) == {"announced": 0}
    monkeypatch.setattr(settings, "sharing_expiry_notice_days", 120)
    assert service.send_expiry_notices(session, SYSTEM) == {"announced": 1}


def test_renewal_approved_runs_on_from_the_old_end(session, world):
    grant = _grant(session, world, days_left=10)
    old_end = grant.valid_until
    renewal = _apply(session, grant.id)
    assert renewal.status == "pending" and renewal.status_label == "待审核"
    done = service.approve_renewal(
        session, actor_of(session, "other_admin"), renewal.id, RenewalDecision(days=90)
    )
    assert done.status == "approved"
    session.refresh(grant)
    assert grant.valid_until - old_end == dt.timedelta(days=90)
    assert grant.purpose == "继续用于户籍业务核验"
    listed = service.list_grants(session, actor_of(session, "consumer"))
    assert next(g for g in listed if g.id == grant.id).renewal_status == "approved"
    # the new end is announced again when it comes near
    later = grant.valid_until - dt.timedelta(days=5)
    assert service.send_expiry_notices(session, SYSTEM, now=later) == {"announced": 1}


def test_provider_lets_it_lapse_with_a_reason(session, world):
    grant = _grant(session, world)
    renewal = _apply(session, grant.id)
    done = service.refuse_renewal(
        session, actor_of(session, "other_admin"), renewal.id, Reason(reason="业务已停止")
    )
    assert done.status == "lapsed" and done.note == "业务已停止"
    session.refresh(grant)
    assert grant.valid_until == done.grant_valid_until  # ends as it was
    with pytest.raises(Conflict, match="已处理"):
        service.approve_renewal(
            session, actor_of(session, "other_admin"), renewal.id, RenewalDecision()
        )


class TestBadInput:
    def test_renewal_before_the_window_conflicts(self, session, world):
        grant = _grant(session, world, days_left=200)
        with pytest.raises(Conflict, match="到期前 30 天内"):
            _apply(session, grant.id)

    def test_second_pending_renewal_conflicts(self, session, world):
        grant = _grant(session, world)
        _apply(session, grant.id)
        with pytest.raises(Conflict, match="待审核的续期申请"):
            _apply(session, grant.id)

    def test_revoked_or_expired_grant_cannot_be_renewed(self, session, world):
        grant = _grant(session, world)
        grant.valid_until = NOW - dt.timedelta(days=1)
        session.flush()
        with pytest.raises(Conflict, match="重新提出共享申请"):
            _apply(session, grant.id)

    def test_purpose_must_be_restated(self):
        with pytest.raises(ValidationError):
            RenewalCreate(purpose="  ", days=30)

    def test_only_the_provider_decides_and_only_the_holder_applies(self, session, world):
        grant = _grant(session, world)
        with pytest.raises(NotAuthorized):
            service.apply_renewal(
                session, actor_of(session, "other_admin"), grant.id, RenewalCreate(purpose="x")
            )
        renewal = _apply(session, grant.id)
        with pytest.raises(NotAuthorized):
            service.approve_renewal(
                session, actor_of(session, "consumer"), renewal.id, RenewalDecision()
            )
