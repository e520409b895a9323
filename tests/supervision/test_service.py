"""Supervision services: bad input refused whole with a clear message; reports with evidence;
reviews; reminders and escalation over time (time-machine); extensions; groups; evaluation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from sqlalchemy import func, select

from govshare.core.errors import Conflict, Invalid, NotAuthorized
from govshare.core.security import SYSTEM
from govshare.notify import service as notify
from govshare.supervision import service
from govshare.supervision.models import Attachment, Plan, ProgressReport, TaskEvent
from govshare.supervision.schemas import (
    ExtensionCreate,
    ExtensionDecision,
    GroupResolve,
    ReportCreate,
    ReportReview,
    UploadedFile,
)
from tests.personas import department_id
from tests.supervision.conftest import task_id

PDF = UploadedFile(
    filename="整改台账.pdf", content_type="application/pdf", data=b"%PDF-1.4 evidence"
)
UTC = dt.UTC


def at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 2, tzinfo=UTC)  # 10:00 in Dezhou


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


BAD_PLAN = """《测试工作方案》任务分解表
目标任务
时间节点
责任单位
具体任务内容
一、基础设施
（一）数据中心
1.提高承载能力
明年春天
市电政办
充分挖掘潜力。
2.迁移设备
2018年10月
市电政办、火星局
2018年10月底前完成。
"""


class TestImport:
    def test_preview_marks_every_problem_and_saves_nothing(self, session, actor):
        plans = count(session, Plan)
        preview = service.preview_import(
            session, actor("supervisor"), filename="bad.txt", data=BAD_PLAN.encode()
        )
        messages = [m for _w, m in preview.problems]
        assert "无法识别时间节点“明年春天”。" in messages
        assert "单位“火星局”不在单位树中。" in messages
        assert preview.tasks[1].milestones[0][0] == dt.date(2018, 10, 31)
        assert count(session, Plan) == plans

    def test_import_with_problems_is_refused_whole(self, session, actor):
        plans = count(session, Plan)
        with pytest.raises(Invalid) as err:
            service.import_plan(
                session, actor("supervisor"), filename="bad.txt", data=BAD_PLAN.encode()
            )
        assert "2 处问题" in err.value.detail
        assert {e.message for e in err.value.errors} >= {"单位“火星局”不在单位树中。"}
        assert count(session, Plan) == plans

    def test_gb18030_text_and_wrong_file_type(self, session, actor):
        good = BAD_PLAN.replace("明年春天", "2018年6月").replace("、火星局", "")
        preview = service.preview_import(
            session, actor("supervisor"), filename="plan.txt", data=good.encode("gb18030")
        )
        assert preview.problems == [] and preview.title == "测试工作方案"
        with pytest.raises(Invalid, match=r"\.xlsx 或 \.txt"):
            service.preview_import(session, actor("supervisor"), filename="plan.doc", data=b"x")

    def test_a_plan_without_dates_starts_on_dezhous_today(self, session, actor):
        standing = BAD_PLAN.split("2.迁移设备")[0].replace("明年春天", "长期")
        # 2026-03-31 17:00 UTC is already 1 April in Dezhou (the machine's date is a day behind)
        with time_machine.travel(dt.datetime(2026, 3, 31, 17, tzinfo=UTC), tick=False):
            plan = service.import_plan(
                session, actor("platform_admin"), filename="p.txt", data=standing.encode()
            )
        assert plan.starts_on == dt.date(2026, 4, 1)

    def test_a_steward_may_not_import(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.preview_import(session, actor("steward"), filename="p.txt", data=b"")


class TestExcel:
    def test_export_then_import_gives_the_same_plan(self, session, actor, plan_id):
        data = service.export_plan(session, actor("consumer"), plan_id)
        preview = service.preview_import(
            session, actor("supervisor"), filename="plan.xlsx", data=data
        )
        assert preview.problems == [] and len(preview.tasks) == 38
        original = service.get_plan_outline(session, actor("supervisor"), plan_id)
        before = [
            (t.number, t.title, t.time_node.replace("\n", ""))
            for p in original.parts
            for s in p.sections
            for t in s.tasks
        ]
        after = [(t.number, t.title, t.time_node) for t in preview.tasks]
        assert [(n, ti) for n, ti, _ in before] == [(n, ti) for n, ti, _ in after]
        assert preview.tasks[18].milestones == [
            (dt.date(2017, 12, 31), "both", "2017年年底前完成电子邮件、即时通讯与省里的统一"),
            (dt.date(2018, 12, 31), "both", "2018年年底前完成网络会议、视频会议的整合和应用"),
        ]

    def test_four_column_workbook_with_date_cells(self, session, actor):
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["目标任务", "时间节点", "责任单位", "具体任务内容"])
        ws.append(["一、试点"])
        ws.append(
            [
                "1.建设平台",
                dt.datetime(2027, 3, 31),
                "市统计局、各县市区政府",
                "2027年3月底前上线。",
            ]
        )
        ws.append(["2.报送数据", "2027年13月", "市统计局", "按月报送。"])
        buf = io.BytesIO()
        wb.save(buf)
        preview = service.preview_import(
            session, actor("supervisor"), filename="p.xlsx", data=buf.getvalue()
        )
        assert preview.tasks[0].milestones[0][:2] == (dt.date(2027, 3, 31), "both")
        assert preview.problems == [("第 4 行", "时间节点“2027年13月”中的日期不存在。")]


class TestReports:
    def test_unit_files_a_report_with_evidence(self, session, actor, plan_id):
        t15 = task_id(session, plan_id, 15)  # 市统计局 leads
        report = service.submit_report(
            session,
            actor("steward"),
            t15,
            ReportCreate(percent=40, narrative="已起草检查办法征求意见稿。"),
            [PDF],
        )
        meta, data = service.get_attachment(
            session,
            actor("supervisor"),
            session.scalar(select(Attachment.id).where(Attachment.report_id == report.id)),
        )
        assert data == PDF.data and meta.filename == "整改台账.pdf"
        detail = service.get_task(session, actor("consumer"), t15)
        assert detail.reports[0].percent == 40 and detail.events[-1].kind == "report"

    def test_report_for_a_task_the_unit_is_not_responsible_for(self, session, actor, plan_id):
        before = count(session, ProgressReport)
        with pytest.raises(NotAuthorized, match="不是该任务的责任单位"):
            service.submit_report(
                session,
                actor("steward"),
                task_id(session, plan_id, 1),
                ReportCreate(percent=10, narrative="越权报送"),
            )
        assert count(session, ProgressReport) == before

    def test_percent_outside_0_to_100(self):
        for bad in (-1, 101):
            with pytest.raises(ValueError, match="0 到 100"):
                ReportCreate(percent=bad, narrative="进度")

    @pytest.mark.parametrize(
        "file,message",
        [
            (UploadedFile(filename="tool.exe", data=b"MZ"), "不允许的文件类型"),
            (UploadedFile(filename="fake.pdf", data=b"MZ not a pdf"), "与扩展名不符"),
            (
                UploadedFile(filename="big.pdf", data=b"%PDF" + b"0" * (10 * 1024 * 1024)),
                "超过 10 MB",
            ),
        ],
    )
    def test_bad_evidence_is_refused_and_nothing_is_written(
        self, session, actor, plan_id, file, message
    ):
        before = (count(session, ProgressReport), count(session, Attachment))
        with pytest.raises(Invalid, match=message):
            service.submit_report(
                session,
                actor("steward"),
                task_id(session, plan_id, 15),
                ReportCreate(percent=50, narrative="附件有误"),
                [PDF, file],
            )
        assert (count(session, ProgressReport), count(session, Attachment)) == before

    def test_accepting_the_leads_100_percent_closes_the_task(self, session, actor, plan_id):
        t15 = task_id(session, plan_id, 15)
        r = service.submit_report(
            session, actor("steward"), t15, ReportCreate(percent=100, narrative="办法已出台。")
        )
        service.review_report(
            session, actor("supervisor"), r.id, ReportReview(decision="accept", rating=5)
        )
        task = service.get_task(session, actor("supervisor"), t15)
        assert task.status == "done" and task.percent == 100
        assert all(m.status == "done" for m in task.milestones)
        with pytest.raises(Conflict):
            service.review_report(
                session, actor("supervisor"), r.id, ReportReview(decision="accept")
            )

    def test_returning_needs_a_reason_and_tells_the_reporter(self, session, actor, plan_id):
        t15 = task_id(session, plan_id, 15)
        r = service.submit_report(
            session, actor("steward"), t15, ReportCreate(percent=30, narrative="进展")
        )
        with pytest.raises(Invalid, match="写明原因"):
            service.review_report(
                session, actor("supervisor"), r.id, ReportReview(decision="return")
            )
        service.review_report(
            session, actor("supervisor"), r.id, ReportReview(decision="return", note="缺少佐证材料")
        )
        notes, _c = notify.list_notifications(session, actor("steward"))
        assert notes[0].subject == "任务 15 的进度报送已被退回"

    def test_only_supervisors_review(self, session, actor, plan_id):
        r = service.submit_report(
            session,
            actor("steward"),
            task_id(session, plan_id, 15),
            ReportCreate(percent=30, narrative="进展"),
        )
        with pytest.raises(NotAuthorized):
            service.review_report(
                session, actor("platform_admin"), r.id, ReportReview(decision="accept")
            )


class TestReminders:
    def subjects(self, session, actor) -> list[str]:
        notes, _c = notify.list_notifications(session, actor("steward"), limit=500)
        return [n.subject for n in notes if "任务 15" in n.subject and "里程碑" in n.subject]

    def test_overdue_milestone_produces_remind_then_urge_then_supervise(
        self, session, actor, plan_id
    ):
        t15 = task_id(session, plan_id, 15)  # due 2018-06-30 (a Saturday)
        with time_machine.travel(at(2018, 6, 27), tick=False):
            service.run_reminders(session, SYSTEM)
            service.run_reminders(session, SYSTEM)  # idempotent: once per stage
        assert self.subjects(session, actor) == [
            "【提醒】任务 15「加强数据真实性、规范性、准确性管理」的里程碑将于 2018-06-30 到期，"
            "还有 2 个工作日。"
        ]
        with time_machine.travel(at(2018, 7, 2), tick=False):
            service.run_reminders(session, SYSTEM)
            assert service.get_task(session, actor("steward"), t15).status == "overdue"
        with time_machine.travel(at(2018, 7, 9), tick=False):
            service.run_reminders(session, SYSTEM)
        subjects = self.subjects(session, actor)
        assert subjects[0].startswith("【督办】") and "已逾期 6 个工作日" in subjects[0]
        assert subjects[1].startswith("【催办】") and "已逾期 1 个工作日" in subjects[1]
        kinds = session.scalars(
            select(TaskEvent.kind)
            .where(TaskEvent.task_id == t15, TaskEvent.kind.in_(("remind", "urge", "supervise")))
            .order_by(TaskEvent.at)
        ).all()
        assert kinds == ["remind", "urge", "supervise"]
        supervisor_notes, _c = notify.list_notifications(session, actor("supervisor"), limit=500)
        assert any(n.subject.startswith("【督办】任务 15") for n in supervisor_notes)

    def test_done_milestones_are_not_chased(self, session, actor, plan_id):
        t15 = task_id(session, plan_id, 15)
        r = service.submit_report(
            session,
            actor("steward"),
            t15,
            ReportCreate(percent=100, narrative="完成"),
            at=at(2018, 6, 20),
        )
        service.review_report(
            session, actor("supervisor"), r.id, ReportReview(decision="accept"), at=at(2018, 6, 21)
        )
        with time_machine.travel(at(2018, 7, 2), tick=False):
            service.run_reminders(session, SYSTEM)
        assert self.subjects(session, actor) == []

    def test_approved_extension_moves_the_due_date_and_restarts_the_ladder(
        self, session, actor, plan_id
    ):
        t15 = task_id(session, plan_id, 15)
        milestone = service.get_task(session, actor("steward"), t15).milestones[0]
        with time_machine.travel(at(2018, 7, 2), tick=False):
            service.run_reminders(session, SYSTEM)
            ext = service.request_extension(
                session,
                actor("steward"),
                milestone.id,
                ExtensionCreate(
                    requested_due=dt.date(2018, 7, 31), reason="等待省里的检查办法模板"
                ),
            )
            with pytest.raises(Conflict):
                service.request_extension(
                    session,
                    actor("steward"),
                    milestone.id,
                    ExtensionCreate(requested_due=dt.date(2018, 8, 31), reason="再延一次"),
                )
            service.decide_extension(
                session, actor("supervisor"), ext.id, ExtensionDecision(approve=True)
            )
            task = service.get_task(session, actor("steward"), t15)
            assert task.milestones[0].due == dt.date(2018, 7, 31) and task.status != "overdue"
        with time_machine.travel(at(2018, 7, 27), tick=False):
            report = service.run_reminders(session, SYSTEM)
        assert any(
            s.startswith("【提醒】") and "2018-07-31" in s for s in self.subjects(session, actor)
        )
        assert report.remind >= 1

    def test_extension_to_an_earlier_day_and_refusal_without_reason(self, session, actor, plan_id):
        m = service.get_task(session, actor("steward"), task_id(session, plan_id, 15)).milestones[0]
        with pytest.raises(Invalid, match="晚于当前截止日期"):
            service.request_extension(
                session,
                actor("steward"),
                m.id,
                ExtensionCreate(requested_due=dt.date(2018, 6, 1), reason="理由充分"),
            )
        ext = service.request_extension(
            session,
            actor("steward"),
            m.id,
            ExtensionCreate(requested_due=dt.date(2018, 9, 1), reason="理由充分"),
        )
        with pytest.raises(Invalid, match="写明原因"):
            service.decide_extension(
                session, actor("supervisor"), ext.id, ExtensionDecision(approve=False)
            )


class TestGroups:
    def test_supervisor_resolves_a_named_group(self, session, actor, plan_id):
        t2 = task_id(session, plan_id, 2)
        gongan = department_id(session, "市公安局")
        # Until resolved, any member of 市直有关部门 may report its share.
        service.submit_report(
            session, actor("steward"), t2, ReportCreate(percent=10, narrative="统计局部分")
        )
        service.set_group_units(
            session,
            actor("supervisor"),
            t2,
            GroupResolve(group_name="市直有关部门", department_ids=[gongan]),
        )
        detail = service.get_task(session, actor("supervisor"), t2)
        assert "市公安局" in [u.name for u in detail.units if u.via_group == "市直有关部门"]
        with pytest.raises(NotAuthorized):
            service.submit_report(
                session, actor("steward"), t2, ReportCreate(percent=20, narrative="统计局部分")
            )
        service.submit_report(
            session, actor("other_admin"), t2, ReportCreate(percent=20, narrative="公安局部分")
        )

    def test_units_outside_the_group_are_refused(self, session, actor, plan_id):
        with pytest.raises(Invalid, match="不属于"):
            service.set_group_units(
                session,
                actor("supervisor"),
                task_id(session, plan_id, 2),
                GroupResolve(
                    group_name="市直有关部门", department_ids=[department_id(session, "陵城区")]
                ),
            )


class TestEvaluation:
    def test_units_are_ranked_by_on_time_completion_reports_and_ratings(
        self, session, actor, plan_id
    ):
        t15 = task_id(session, plan_id, 15)
        for month, day in ((12, 20), (1, 22), (2, 22), (3, 22), (4, 20), (5, 21)):
            year = 2017 if month == 12 else 2018
            r = service.submit_report(
                session,
                actor("steward"),
                t15,
                ReportCreate(percent=min(100, 15 * month % 100 or 100), narrative="按月报送"),
                period=f"{year}-{month:02d}",
                at=at(year, month, day),
            )
            service.review_report(
                session,
                actor("supervisor"),
                r.id,
                ReportReview(decision="accept", rating=5),
                at=at(year, month, day + 1),
            )
        m = service.get_task(session, actor("supervisor"), t15).milestones[0]
        service.set_milestone_done(session, actor("supervisor"), m.id, done_on=dt.date(2018, 6, 28))
        ev = service.evaluate_units(
            session,
            actor("consumer"),
            plan_id,
            start=dt.date(2017, 11, 1),
            end=dt.date(2018, 6, 30),
            now=at(2018, 7, 15),
        )
        names = [u.name for u in ev.units]
        tongji = next(u for u in ev.units if u.name == "市统计局")
        dianzheng = next(u for u in ev.units if u.name == "市电政办")
        assert tongji.rank == 1 and tongji.milestones_on_time == tongji.milestones_due == 1
        assert dianzheng.score < tongji.score and names.index("市电政办") > 0

    def test_weights_change_the_score(self, session, actor, plan_id):
        from govshare.supervision.schemas import Weights

        ev = service.evaluate_units(
            session,
            actor("consumer"),
            plan_id,
            weights=Weights(on_time=1, timeliness=0, rating=0),
            now=at(2018, 7, 15),
        )
        assert all(u.score == (u.on_time_score or 0.0) for u in ev.units)

    def test_export_is_for_supervisors_and_auditors(self, session, actor, plan_id):
        with pytest.raises(NotAuthorized):
            service.export_evaluation(session, actor("steward"), plan_id)
        assert service.export_evaluation(session, actor("auditor"), plan_id)[:2] == b"PK"


class TestCadence:
    def test_quarterly_reports_name_the_quarter_and_count_per_quarter(
        self, session, actor, plan_id, settings, monkeypatch
    ):
        monkeypatch.setattr(settings, "supervision_report_cadence", "quarterly")
        t15 = task_id(session, plan_id, 15)
        report = service.submit_report(
            session,
            actor("steward"),
            t15,
            ReportCreate(percent=20, narrative="一季度"),
            at=at(2018, 2, 12),
        )
        assert report.period == "2018-03" and report.on_time
        ev = service.evaluate_units(
            session,
            actor("consumer"),
            plan_id,
            start=dt.date(2017, 11, 1),
            end=dt.date(2018, 6, 30),
            now=at(2018, 7, 15),
        )
        tongji = next(u for u in ev.units if u.name == "市统计局")
        # Tasks 15, 23 and 28 (市政府各部门, 市直各部门 expand to every department) × Q4, Q1, Q2;
        # monthly it would be 3 × 8.
        assert (tongji.reports_on_time, tongji.reports_expected) == (1, 9)
