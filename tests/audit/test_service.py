"""The audit trail: recording in the caller's transaction, the keyed chain, reading, export."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from govshare.audit import service
from govshare.audit.models import AuditEntry, AuditHead
from govshare.audit.schemas import AuditFilter
from govshare.core.errors import NotAuthorized, NotFound
from govshare.core.security import SYSTEM


def _seed(session: Session, n: int = 5) -> list[AuditEntry]:
    return [
        service.record(
            session, SYSTEM, "test.do_thing", ("thing", str(i), f"第{i}件"), after={"i": i}
        )
        for i in range(n)
    ]


class TestRecord:
    def test_record_chains_each_entry_to_the_previous_one(self, session):
        entries = _seed(session, 3)
        assert entries[1].prev_digest == entries[0].digest
        assert entries[2].prev_digest == entries[1].digest
        head = session.get(AuditHead, 1)
        assert head.seq == entries[2].seq and head.digest == entries[2].digest

    def test_record_stores_actor_department_and_request(self, session, actor):
        consumer = actor("consumer")
        entry = service.record(session, consumer, "test.read", ("x", "1", "y"))
        assert entry.actor_user_id == consumer.user_id
        assert entry.department_name == "陵城区人民政府"


class TestVerifyAuditChain:
    def test_verify_audit_chain_of_an_untouched_trail_is_ok(self, session, actor):
        _seed(session)
        result = service.verify_audit_chain(session, actor("auditor"))
        assert result.ok and result.checked >= 5

    def test_verify_names_an_entry_edited_in_the_database(self, session, actor):
        victim = _seed(session)[2]
        session.flush()
        session.execute(
            text("UPDATE audit_entry SET actor_name = '伪造' WHERE id = :id"), {"id": victim.id}
        )
        session.expire_all()
        result = service.verify_audit_chain(session, actor("auditor"))
        assert [(f.kind, f.seq) for f in result.findings] == [("altered", victim.seq)]

    def test_verify_names_a_deleted_entry(self, session, actor):
        victim = _seed(session)[1]
        session.flush()
        seq = victim.seq
        session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": victim.id})
        session.expire_all()
        result = service.verify_audit_chain(session, actor("auditor"))
        assert [(f.kind, f.seq) for f in result.findings] == [("deleted", seq)]

    def test_verify_names_an_entry_inserted_by_hand(self, session, actor):
        last = _seed(session)[-1]
        session.flush()
        session.execute(
            text(
                "INSERT INTO audit_entry (seq, occurred_at, actor_kind, actor_name,"
                " department_name, action, outcome, target_type, target_id, target_label, reason,"
                " client_ip, request_id, prev_digest, digest) VALUES (:seq, :t, 'user', '伪造',"
                " '', 'x.y', 'success', '', '', '', '', '', '', :prev, :digest)"
            ),
            {
                "seq": last.seq + 1,
                "t": last.occurred_at.replace(tzinfo=None),
                "prev": last.digest,
                "digest": "f" * 64,
            },
        )
        session.expire_all()
        result = service.verify_audit_chain(session, actor("auditor"))
        assert [(f.kind, f.seq) for f in result.findings] == [("inserted", last.seq + 1)]
        # The platform keeps recording past the stray row, and only the stray row is named.
        service.record(session, SYSTEM, "test.after")
        again = service.verify_audit_chain(session, actor("auditor"))
        assert [(f.kind, f.seq) for f in again.findings] == [("inserted", last.seq + 1)]

    def test_verify_names_entries_cut_from_the_end(self, session, actor):
        entries = _seed(session)
        session.flush()
        cut = entries[-2].seq
        session.execute(text("DELETE FROM audit_entry WHERE seq >= :s"), {"s": cut})
        session.expire_all()
        result = service.verify_audit_chain(session, actor("auditor"))
        assert [f.kind for f in result.findings] == ["deleted"]
        assert result.findings[0].seq == cut

    def test_a_recomputed_plain_sm3_digest_does_not_pass(self, session, actor):
        """Without the key an attacker cannot re-seal an edited entry."""
        from govshare.audit.chain import canonical
        from govshare.core.security import sm3_hex

        victim = _seed(session)[0]
        session.flush()
        victim.actor_name = "伪造"
        forged = sm3_hex(victim.prev_digest + "\n" + canonical(victim))
        session.execute(
            text("UPDATE audit_entry SET actor_name='伪造', digest=:d WHERE id=:id"),
            {"d": forged, "id": victim.id},
        )
        session.expire_all()
        kinds = [f.kind for f in service.verify_audit_chain(session, actor("auditor")).findings]
        assert "altered" in kinds

    def test_verify_by_consumer_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.verify_audit_chain(session, actor("consumer"))


class TestListAuditEntries:
    def test_dept_admin_sees_only_own_department(self, session, actor):
        service.record(session, actor("dept_admin"), "test.mine")
        service.record(session, actor("other_admin"), "test.theirs")
        rows, _ = service.list_audit_entries(
            session, actor("dept_admin"), filters=AuditFilter(action="test.")
        )
        assert {r.action for r in rows} == {"test.mine"}

    def test_filter_by_prefix_outcome_and_paging(self, session, actor):
        _seed(session, 7)
        first, cursor = service.list_audit_entries(
            session, actor("auditor"), filters=AuditFilter(action="test."), limit=5
        )
        second, end = service.list_audit_entries(
            session, actor("auditor"), filters=AuditFilter(action="test."), cursor=cursor, limit=5
        )
        assert len(first) == 5 and len(second) == 2 and end is None
        assert first[0].seq > first[-1].seq > second[0].seq

    def test_get_audit_entry_hidden_from_dept_admin_is_not_found(self, session, actor):
        entry = service.record(session, actor("other_admin"), "test.theirs")
        with pytest.raises(NotFound):
            service.get_audit_entry(session, actor("dept_admin"), entry.id)

    def test_consumer_cannot_list(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.list_audit_entries(session, actor("consumer"))


class TestExportAuditEntries:
    def test_csv_export_has_bom_header_rows_and_is_itself_audited(self, session, actor):
        _seed(session, 3)
        body = b"".join(
            service.export_audit_entries(
                session, actor("auditor"), filters=AuditFilter(action="test."), fmt="csv"
            )
        )
        lines = body.decode("utf-8-sig").strip().splitlines()
        assert lines[0].startswith("序号,时间") and len(lines) == 4
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last.action == "audit.export_audit_entries" and last.details["rows"] == 3

    def test_unfiltered_export_records_how_many_rows_left(self, session, actor):
        _seed(session, 3)
        before = session.scalar(select(func.count()).select_from(AuditEntry))
        lines = b"".join(service.export_audit_entries(session, actor("auditor"))).splitlines()
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last.details["rows"] == before > 1  # not the 1 of a FROM-less count(*)
        assert len(lines) - 1 >= before

    def test_xlsx_export_opens_with_the_same_rows(self, session, actor):
        import io

        from openpyxl import load_workbook

        _seed(session, 2)
        body = b"".join(
            service.export_audit_entries(
                session, actor("auditor"), filters=AuditFilter(action="test."), fmt="xlsx"
            )
        )
        ws = load_workbook(io.BytesIO(body)).active
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "序号" and len(rows) == 3 and rows[1][4] == "test.do_thing"

    def test_export_by_dept_admin_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.export_audit_entries(session, actor("dept_admin"))
