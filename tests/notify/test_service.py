"""notify: recipients resolved, the outbox written in the caller's transaction and delivered after
commit (SMTP via a local aiosmtpd server, webhooks signed with HMAC-SM3), retries with back-off."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from govshare.core.db import utcnow
from govshare.core.errors import NotAuthorized, NotFound
from govshare.core.security import SYSTEM
from govshare.notify import delivery, service
from govshare.notify.models import Notification, OutboxMessage
from govshare.notify.schemas import Recipients, WebhookCreate
from tests.personas import department_id


def _send(session, actor, **kw):
    return service.send(
        session,
        actor,
        recipients=Recipients(
            department_ids=[department_id(session, "市统计局")], roles=["steward"]
        ),
        subject="【提醒】任务 15 的里程碑将于 2026-12-01 到期",
        body="请及时报送进度。",
        link="/supervision/tasks/1",
        kind="supervision.remind",
        **kw,
    )


class TestSend:
    def test_department_with_role_reaches_only_those_users(self, session, actor):
        result = _send(session, actor("supervisor"))
        steward = actor("steward")
        assert (
            steward.user_id in result.user_ids
            and actor("dept_admin").user_id not in result.user_ids
        )
        assert service.unread_count(session, steward) == 1

    def test_unit_group_reaches_every_member_unit(self, session, actor):
        result = service.send(
            session, SYSTEM, recipients=Recipients(groups=["各县市区政府"]), subject="通知"
        )
        assert actor("consumer").user_id in result.user_ids  # 陵城区

    def test_without_smtp_no_email_is_queued(self, session, actor):
        assert _send(session, actor("supervisor")).emails == 0

    def test_anonymous_may_not_send(self, session):
        from govshare.core.security import ANONYMOUS

        with pytest.raises(NotAuthorized):
            service.send(session, ANONYMOUS, recipients=Recipients(), subject="x")


class TestOutbox:
    def test_rolled_back_request_sends_nothing(self, db, actor, smtp, session):
        steward = actor("steward")
        other = db.session()
        other.begin_nested()
        _send(other, actor("supervisor"))
        assert other.scalar(select(func.count()).select_from(OutboxMessage)) >= 0
        other.rollback()
        other.close()
        report = service.deliver_outbox(session, SYSTEM)
        assert report.sent == 0 and smtp.messages == []
        assert service.unread_count(session, steward) == 0

    def test_email_is_delivered_through_smtp_after_commit(self, session, actor, smtp):
        from sqlalchemy import update

        from govshare.accounts.models import User

        session.execute(
            update(User)
            .where(User.id == actor("steward").user_id)
            .values(email="tongji@example.gov.cn")
        )
        result = _send(session, actor("supervisor"))
        assert result.emails == 1
        report = service.deliver_outbox(session, SYSTEM)
        assert report.sent == 1
        mail = smtp.messages[0]
        assert mail["To"] == "tongji@example.gov.cn" and "任务 15" in str(mail["Subject"])
        assert "/supervision/tasks/1" in mail.get_content()  # type: ignore[attr-defined]

    def test_webhook_is_signed_with_hmac_sm3(self, session, actor, webhook_receiver):
        created = service.create_webhook(
            session,
            actor("platform_admin"),
            WebhookCreate(name="督查系统", url=webhook_receiver.url, kinds=["supervision.*"]),
        )
        _send(session, actor("supervisor"))
        assert service.deliver_outbox(session, SYSTEM).sent == 1
        headers, body = webhook_receiver.requests[0]
        expected = delivery.signature(created.secret, headers["X-Govshare-Timestamp"], body)
        assert headers["X-Govshare-Signature"] == expected
        assert headers["X-Govshare-Event"] == "supervision.remind" and "任务 15".encode() in body

    def test_webhook_for_other_kinds_is_not_called(self, session, actor, webhook_receiver):
        service.create_webhook(
            session,
            actor("platform_admin"),
            WebhookCreate(name="共享", url=webhook_receiver.url, kinds=["sharing.*"]),
        )
        assert _send(session, actor("supervisor")).webhooks == 0

    def test_failures_back_off_then_give_up(
        self, session, actor, webhook_receiver, settings, monkeypatch
    ):
        monkeypatch.setattr(settings, "notify_max_attempts", 3)
        webhook_receiver.status = 500
        service.create_webhook(
            session, actor("platform_admin"), WebhookCreate(name="坏", url=webhook_receiver.url)
        )
        _send(session, actor("supervisor"))
        now = utcnow()
        assert service.deliver_outbox(session, SYSTEM, now=now).failed == 1
        assert service.deliver_outbox(session, SYSTEM, now=now).failed == 0  # waits 30 s
        assert (
            service.deliver_outbox(session, SYSTEM, now=now + dt.timedelta(seconds=31)).failed == 1
        )
        last = service.deliver_outbox(session, SYSTEM, now=now + dt.timedelta(seconds=95))
        assert last.given_up == 1
        msg = session.scalars(select(OutboxMessage)).one()
        assert msg.status == "dead" and msg.attempts == 3 and msg.last_error == "HTTP 500"
        attempts = service.list_deliveries(session, actor("platform_admin"), msg.id)
        assert [a.status_code for a in attempts] == [500, 500, 500]
        webhook_receiver.status = 200
        service.retry_message(session, actor("platform_admin"), msg.id)
        assert service.deliver_outbox(session, SYSTEM).sent == 1


class TestBell:
    def test_mark_read_and_all_read(self, session, actor):
        supervisor, steward = actor("supervisor"), actor("steward")
        _send(session, supervisor)
        _send(session, supervisor)
        rows, _c = service.list_notifications(session, steward)
        service.mark_read(session, steward, rows[0].id)
        assert service.unread_count(session, steward) == 1
        assert service.mark_all_read(session, steward) == 1
        assert service.unread_count(session, steward) == 0

    def test_someone_elses_notification_is_not_found(self, session, actor):
        _send(session, actor("supervisor"))
        note = session.scalars(select(Notification)).first()
        with pytest.raises(NotFound):
            service.mark_read(session, actor("dept_admin"), note.id)
