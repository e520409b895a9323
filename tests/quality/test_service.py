"""Rules, the one-pass run, the publish gate, issues, objections, scores and reports."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from govshare.core.errors import Conflict, Invalid, NotAuthorized
from govshare.quality import service
from govshare.quality.models import QualityIssue, QualityRun
from govshare.quality.schemas import IssueFix, ObjectionAnswer, ObjectionCreate, RuleCreate
from govshare.quality.service._common import local_today
from tests.quality.helpers import gated, load_people, person_dataset, plant


@pytest.fixture
def steward(actor):
    return actor("steward")


@pytest.fixture
def ds(session, steward):
    return person_dataset(session, steward)


class TestRules:
    def test_suggestions_follow_item_names_and_types(self, session, steward):
        ds = person_dataset(session, steward, suite=False)
        kinds = {(s.kind, tuple(s.items)) for s in service.suggest_rules(session, steward, ds.id)}
        assert ("citizen_id", ("公民身份号码",)) in kinds
        assert ("id_gender", ("公民身份号码", "性别")) in kinds
        assert ("id_birth", ("公民身份号码", "出生日期")) in kinds
        assert ("unique", ("公民身份号码",)) in kinds
        assert ("mobile", ("联系电话",)) in kinds
        assert ("value_set", ("性别",)) in kinds

    def test_accepted_suggestions_are_not_suggested_again(self, session, steward, ds):
        left = {(s.kind, tuple(s.items)) for s in service.suggest_rules(session, steward, ds.id)}
        assert ("citizen_id", ("公民身份号码",)) not in left

    @pytest.mark.parametrize(
        "rule,field,words",
        [
            (RuleCreate(kind="not_null", items=["不存在的项"]), "items", "没有数据项"),
            (
                RuleCreate(kind="pattern", items=["姓名"], params={"regex": "([a-z"}),
                "params.regex",
                "正则表达式有误",
            ),
            (
                RuleCreate(kind="pattern", items=["姓名"], params={"regex": r"(a)\1"}),
                "params.regex",
                "反向引用",
            ),
            (
                RuleCreate(
                    kind="custom",
                    params={"sql": "1 = (SELECT count(*) FROM other)"},
                    items=["姓名"],
                ),
                "params.sql",
                "不能查询其他表",
            ),
            (
                RuleCreate(kind="custom", items=["姓名"], params={"sql": "read_csv('x') IS NULL"}),
                "params.sql",
                "read_csv",
            ),
            (
                RuleCreate(kind="custom", items=["姓名"], params={"sql": "姓名 = 1; DROP TABLE x"}),
                "params.sql",
                "修改数据",
            ),
            (RuleCreate(kind="id_gender", items=["公民身份号码"]), "items", "两个数据项"),
            (
                RuleCreate(kind="range", items=["出生日期"], params={"min": "不是日期"}),
                "params",
                "不符",
            ),
        ],
    )
    def test_bad_rules_are_refused_with_a_chinese_message(
        self, session, steward, ds, rule, field, words
    ):
        before = len(service.list_rules(session, steward, ds.id))
        with pytest.raises(Invalid) as err:
            service.create_rule(session, steward, ds.id, rule)
        assert err.value.errors[0].field == field
        assert words in err.value.errors[0].message
        assert len(service.list_rules(session, steward, ds.id)) == before

    def test_custom_expression_on_the_rows_is_accepted(self, session, steward, ds):
        rule = service.create_rule(
            session,
            steward,
            ds.id,
            RuleCreate(
                kind="custom", items=["家庭人口数"], params={"sql": "家庭人口数 BETWEEN 1 AND 20"}
            ),
        )
        assert rule.dimension == "consistency"

    def test_update_and_delete(self, session, steward, ds):
        from govshare.quality.schemas import RuleUpdate

        rule = service.list_rules(session, steward, ds.id)[0]
        service.update_rule(
            session, steward, rule.id, RuleUpdate(severity="warning", tolerance=0.01)
        )
        assert (rule.severity, rule.tolerance) == ("warning", 0.01)
        service.delete_rule(session, steward, rule.id)
        assert rule.id not in {r.id for r in service.list_rules(session, steward, ds.id)}


class TestGate:
    def test_planted_errors_block_the_version_naming_rules_and_samples(
        self, db, session, steward, ds, tmp_path
    ):
        with gated():
            rec = load_people(db, session, steward, ds, tmp_path / "bad.csv", edit=plant)
        assert rec.status == "refused"
        assert "公民身份号码：公民身份号码（GB 11643）" in rec.error
        assert "性别与身份证号一致" in rec.error and "出生日期与身份证号一致" in rec.error
        assert "户籍地区划" in rec.error
        run = session.scalars(select(QualityRun).where(QualityRun.dataset_id == ds.id)).one()
        assert (run.trigger, run.status, run.rows) == ("gate", "blocked", 60)
        _run, findings, hidden = service.get_run(session, steward, run.id)
        by = {f.rule_name: f for f in findings}
        cid = by["公民身份号码：公民身份号码（GB 11643）"]
        assert cid.failing == 1 and not cid.passed
        assert "15 位旧身份证号码" in cid.detail
        assert len(cid.samples) == 1 and cid.samples[0]["key"].startswith("371")
        assert by["户籍地区划：值域或代码表"].samples[0]["value"] == "999999"
        assert (
            by["联系电话：手机号码"].failing == 1 and by["联系电话：手机号码"].severity == "warning"
        )
        assert by["公民身份号码：唯一"].passed
        assert not hidden
        # the version was refused: no issues are opened for data that was never published
        assert not service.list_issues(session, steward)

    def test_fixed_file_passes_and_becomes_current(self, db, session, steward, ds, tmp_path):
        with gated():
            rec = load_people(db, session, steward, ds, tmp_path / "good.csv")
        assert rec.status == "succeeded", rec.error
        run = service.list_runs(session, steward, ds.id)[0]
        assert (run.status, run.failed_rules, run.score) == ("passed", 0, 100.0)

    def test_warning_failures_publish_but_open_issues(self, db, session, steward, ds, tmp_path):
        def phones(rows):
            rows[0][7] = "888"
            return rows

        with gated():
            rec = load_people(db, session, steward, ds, tmp_path / "w.csv", edit=phones)
        assert rec.status == "succeeded"
        issues = service.list_issues(session, steward)
        assert [i.rule_name for i in issues] == ["联系电话：手机号码"]
        assert issues[0].deadline > local_today()

    def test_tolerated_share_passes(self, db, session, steward, ds, tmp_path):
        from govshare.quality.schemas import RuleUpdate

        rule = next(r for r in service.list_rules(session, steward, ds.id) if r.kind == "id_gender")
        service.update_rule(session, steward, rule.id, RuleUpdate(tolerance=0.05))

        def one(rows):
            rows[2][1] = "女" if rows[2][1] == "男" else "男"
            return rows

        with gated():
            rec = load_people(db, session, steward, ds, tmp_path / "t.csv", edit=one)
        assert rec.status == "succeeded", rec.error


class TestInspection:
    @pytest.fixture
    def published(self, db, session, steward, ds, tmp_path):
        rec = load_people(db, session, steward, ds, tmp_path / "p.csv")
        assert rec.status == "succeeded"
        session.refresh(ds)
        return ds

    def test_run_on_a_dataset_without_rules_or_versions(self, session, steward):
        bare = person_dataset(session, steward, suite=False)
        with pytest.raises(Invalid, match="还没有启用的质量规则"):
            service.run_inspection(session, steward, bare.id)
        service.create_rule(session, steward, bare.id, RuleCreate(kind="not_null", items=["姓名"]))
        with pytest.raises(Invalid, match="还没有已发布的版本"):
            service.run_inspection(session, steward, bare.id)

    def test_issue_fixed_is_verified_by_the_next_run(
        self, db, session, steward, published, tmp_path
    ):
        service.create_rule(
            session,
            steward,
            published.id,
            RuleCreate(kind="value_set", items=["民族"], params={"values": ["汉族"]}),
        )
        run = service.run_inspection(session, steward, published.id)
        assert run.status == "blocked"
        issue = service.list_issues(session, steward)[0]
        assert issue.status == "open" and issue.failing > 0
        service.mark_issue_fixed(session, steward, issue.id, IssueFix(note="已核对民族"))
        with pytest.raises(Conflict):
            service.mark_issue_fixed(session, steward, issue.id, IssueFix(note="again"))
        service.run_inspection(session, steward, published.id)
        assert issue.status == "open" and "复查未通过" in issue.note  # still failing
        rule = service.list_rules(session, steward, published.id)[-1]
        from govshare.quality.schemas import RuleUpdate

        service.update_rule(session, steward, rule.id, RuleUpdate(params={"code_list": "ethnic"}))
        service.mark_issue_fixed(session, steward, issue.id, IssueFix(note="按 GB 3304"))
        service.run_inspection(session, steward, published.id)
        assert issue.status == "resolved"

    @pytest.fixture
    def issue(self, session, steward, published):
        service.create_rule(
            session,
            steward,
            published.id,
            RuleCreate(kind="length", items=["姓名"], params={"max": 1}),
        )
        service.run_inspection(session, steward, published.id)
        return session.scalars(select(QualityIssue)).one()

    def test_overdue_issues_escalate(self, session, actor, issue):
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
        assert service.escalate_overdue_issues(session, actor("platform_admin"), later) == 1
        assert issue.status == "escalated"

    def test_rectification_climbs_the_clocks_ladder_once_per_stage(self, session, actor, issue):
        from govshare.notify.models import Notification

        admin = actor("platform_admin")

        def kinds():
            rows = session.scalars(
                select(Notification.kind).where(Notification.kind.like("quality.%"))
            ).all()
            return sorted(set(rows) - {"quality.issue"})

        on_due = dt.datetime.combine(issue.deadline, dt.time(3), dt.UTC)
        assert service.escalate_overdue_issues(session, admin, on_due) == 0
        assert issue.status == "open" and kinds() == ["quality.remind"]
        after = on_due + dt.timedelta(days=2)
        service.escalate_overdue_issues(session, admin, after)
        assert issue.status == "open" and "quality.urge" in kinds()  # 催办, not escalated yet
        later = on_due + dt.timedelta(days=60)
        assert service.escalate_overdue_issues(session, admin, later) == 1
        assert issue.status == "escalated"
        assert kinds() == ["quality.notify", "quality.remind", "quality.supervise", "quality.urge"]
        count = session.scalar(select(func.count()).select_from(Notification))
        assert service.escalate_overdue_issues(session, admin, later) == 0
        assert session.scalar(select(func.count()).select_from(Notification)) == count

    def test_scheduled_pass_inspects_due_datasets_once(self, session, actor, published):
        system = actor("platform_admin")
        first = service.run_due_inspections(session, system)
        assert first["inspected"] >= 1
        assert service.run_due_inspections(session, system)["inspected"] == 0
        runs = service.list_runs(session, system, published.id)
        assert runs[0].trigger == "schedule"

    def test_the_scheduler_tick_runs_the_inspections_pass(self, session, steward, published):
        from govshare import schedule

        inspections = dict(schedule.passes())["quality.inspections"]
        first = inspections(session, None)
        assert first["inspected"] >= 1 and first["escalated"] == 0
        assert inspections(session, None)["inspected"] == 0
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
        assert inspections(session, later)["inspected"] >= 1

    def test_scoreboard_and_report(self, session, steward, actor, published):
        service.run_inspection(session, steward, published.id)
        board = service.get_scoreboard(session, steward)
        assert board.departments[0].rank == 1
        assert any(d.department_name == published.provider_name for d in board.departments)
        assert board.areas and board.areas[0].area_name
        today = local_today()
        report = service.get_report(session, steward, published.department_id, today, today)
        assert report.runs and report.runs[0].dataset_name == published.name
        data, _r = service.export_report(
            session, steward, published.department_id, today, today, "xlsx"
        )
        assert data[:2] == b"PK"
        pdf, _r = service.export_report(
            session,
            steward,
            published.department_id,
            today,
            today,
            "pdf",
            html="<p>数据质量检查报告</p>",
        )
        assert pdf[:4] == b"%PDF"
        with pytest.raises(Invalid):
            service.get_report(
                session, steward, published.department_id, today, today - dt.timedelta(days=1)
            )
        supervisor_view = service.get_report(
            session, actor("supervisor"), published.department_id, today, today
        )
        assert supervisor_view.samples_hidden

    def test_objection_answered_and_fixed_in_a_new_version(
        self, db, session, steward, actor, published, tmp_path
    ):
        consumer = actor("consumer")
        o = service.file_objection(
            session,
            consumer,
            published.id,
            ObjectionCreate(item="姓名", row_key="x", value="张三", description="姓名有误"),
        )
        assert o.status == "open" and o.deadline > local_today()
        with pytest.raises(NotAuthorized):
            service.answer_objection(
                session, consumer, o.id, ObjectionAnswer(accept=True, answer="好")
            )
        service.answer_objection(
            session, steward, o.id, ObjectionAnswer(accept=True, answer="确认，下一版更正")
        )
        assert o.status == "confirmed"
        with gated():
            rec = load_people(db, session, steward, published, tmp_path / "v2.csv", n=61)
        assert rec.status == "succeeded", rec.error
        session.refresh(o)
        assert (o.status, o.fixed_version) == ("fixed", 2)
        assert o in service.list_objections(session, consumer)

    def test_unanswered_objection_escalates_once(self, session, actor, published):
        o = service.file_objection(
            session,
            actor("consumer"),
            published.id,
            ObjectionCreate(item="姓名", description="姓名有误"),
        )
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        admin = actor("platform_admin")
        assert service.escalate_overdue_issues(session, admin, later) == 1
        assert o.escalated_at is not None and o.status == "open"
        assert service.escalate_overdue_issues(session, admin, later) == 0

    def test_objection_on_unknown_item(self, session, actor, published):
        with pytest.raises(Invalid):
            service.file_objection(
                session,
                actor("consumer"),
                published.id,
                ObjectionCreate(item="没有", description="x"),
            )
