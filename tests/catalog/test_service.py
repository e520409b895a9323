"""Catalog services: filing, the guide's rules, codes, visibility, review, versions, search."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import pytest
from sqlalchemy import func, select, text

from govshare.audit.models import AuditEntry
from govshare.catalog import service
from govshare.catalog.models import DataItem, Resource
from govshare.catalog.schemas import (
    CategoryCreate,
    DataItemIn,
    ResourceFilter,
    RetireRequest,
    ReturnDecision,
    ReviewDecision,
)
from govshare.core.errors import Conflict, Invalid, NotAuthorized, NotFound
from tests.builders import department_category, make_resource, resource_data
from tests.personas import department_id


def fields(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


class TestCreateResource:
    def test_create_resource_by_steward_is_a_draft_with_a_generated_code(self, session, actor):
        r = make_resource(session)
        prefix = department_category(session, "市统计局")
        assert r.status == "draft" and r.version == 1
        assert r.code == f"{prefix}/000001"
        assert (r.lei, r.xiang, r.mu, r.ximu, r.seq) == ("3", "07", prefix[3:6], "", 1)
        assert r.category_class == "departmental" and r.provider_name == "德州市统计局"
        assert r.provider_code and [i.name for i in r.data_items][:2] == [
            "统一社会信用代码",
            "单位名称",
        ]

    def test_create_resource_numbers_codes_in_sequence(self, session):
        make_resource(session)
        second = make_resource(session, name="建筑业企业名录")
        assert second.code.endswith("/000002")

    def test_create_resource_with_given_code_keeps_it(self, session):
        prefix = department_category(session, "市统计局")
        r = make_resource(session, code=f"{prefix}/000042")
        assert r.code == f"{prefix}/000042" and r.seq == 42

    def test_create_resource_duplicate_code_is_conflict(self, session):
        prefix = department_category(session, "市统计局")
        make_resource(session, code=f"{prefix}/000042")
        with pytest.raises(Conflict) as exc:
            make_resource(session, name="另一个", code=f"{prefix}/000042")
        assert "已被使用" in fields(exc)["code"]

    @pytest.mark.parametrize(
        "code",
        ["307001-000001", "907001/000001", "30701/000001", "307001/1", "307001/000000"],
    )
    def test_create_resource_malformed_code_is_invalid(self, session, code):
        with pytest.raises(Invalid) as exc:
            make_resource(session, code=code, category_code="")
        assert "code" in fields(exc)

    def test_create_resource_code_outside_chosen_category_is_invalid(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(session, code="101001/000001")
        assert "不一致" in fields(exc)["code"]

    def test_create_resource_duplicate_name_after_normalising_is_conflict(self, session):
        make_resource(session, name="规模以上工业企业名录")
        with pytest.raises(Conflict) as exc:
            make_resource(session, name=" 规模以上 工业企业名录。")
        assert "同名" in fields(exc)["name"]

    def test_same_name_in_another_department_is_allowed(self, session):
        make_resource(session, name="行政处罚信息")
        other = make_resource(session, "市公安局", persona="platform_admin", name="行政处罚信息")
        assert other.provider_name == "德州市公安局"

    def test_create_resource_for_another_department_is_refused_and_recorded(self, session, actor):
        data = resource_data(session, "市公安局")
        with pytest.raises(NotAuthorized):
            service.create_resource(session, actor("steward"), data)

    def test_create_resource_unknown_provider_is_invalid(self, session, actor):
        data = resource_data(session, provider_department_id=999_999)
        with pytest.raises((Invalid, NotAuthorized)):
            service.create_resource(session, actor("platform_admin"), data)
        data = resource_data(session, provider_department_id=999_999)
        with pytest.raises(Invalid) as exc:
            service.create_resource(session, actor("platform_admin"), data)
        assert fields(exc)["provider_department_id"] == "信息资源提供方不存在。"

    def test_secret_resource_is_refused(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(session, secret=True)
        assert "涉密" in fields(exc)["secret"]

    @pytest.mark.parametrize("value", ["", "   "])
    def test_empty_abstract_is_refused(self, session, value):
        with pytest.raises(Exception) as exc:
            resource_data(session, abstract=value)
        assert "不能为空" in str(exc.value)

    def test_conditional_sharing_needs_conditions_and_legal_basis(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(
                session,
                share_type="conditional",
                grading_level=3,
                open_type="closed",
            )
        errs = fields(exc)
        assert "共享条件" in errs["share_conditions"] and "依据" in errs["legal_basis"]

    def test_none_sharing_needs_legal_basis(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(
                session,
                share_type="none",
                open_type="closed",
                grading_level=4,
                grading_override_reason="涉及国家安全",
            )
        assert "legal_basis" in fields(exc)

    def test_file_resource_cannot_be_shared_as_an_interface(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(session, format_class="file", format_type="pdf", data_items=[])
        assert "文件" in fields(exc)["share_method"]

    def test_grading_override_needs_a_reason(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(session, grading_level=3, share_type="unconditional", open_type="closed")
        assert "理由" in fields(exc)["grading_override_reason"]
        r = make_resource(
            session,
            grading_level=3,
            share_type="unconditional",
            open_type="closed",
            grading_override_reason="已脱敏汇总，经市电政办同意",
        )
        assert r.grading_override_reason.startswith("已脱敏")

    def test_personal_items_cannot_be_opened_unconditionally(self, session):
        items = [DataItemIn(name="公民身份号码", type_code="C", personal=True, is_key=True)]
        with pytest.raises(Invalid) as exc:
            make_resource(session, data_items=items)
        assert "个人信息" in fields(exc)["open_type"]

    def test_grading_below_item_sensitivity_is_invalid(self, session):
        items = [DataItemIn(name="联系电话", type_code="C", sensitivity_level=3)]
        with pytest.raises(Invalid) as exc:
            make_resource(session, data_items=items)
        assert "敏感级别" in fields(exc)["grading_level"]

    def test_database_resource_without_items_is_invalid(self, session):
        with pytest.raises(Invalid) as exc:
            make_resource(session, data_items=[])
        assert "信息项" in fields(exc)["data_items"]

    def test_item_without_type_is_invalid(self, session):
        with pytest.raises(Exception) as exc:
            resource_data(session, data_items=[{"name": "姓名"}])
        assert "type_code" in str(exc.value)

    def test_unknown_authoritative_provider_is_invalid(self, session):
        items = [DataItemIn(name="单位名称", type_code="C", authoritative_provider_id=999_999)]
        with pytest.raises(Invalid) as exc:
            make_resource(session, data_items=items)
        assert "data_items.0.authoritative_provider_id" in fields(exc)


class TestVisibility:
    def test_get_resource_draft_of_another_department_is_not_found(self, session, actor):
        r = make_resource(session)
        with pytest.raises(NotFound):
            service.get_resource(session, actor("consumer"), r.id)
        assert service.get_resource(session, actor("reviewer"), r.id).id == r.id
        assert service.get_resource(session, actor("platform_admin"), r.id).id == r.id

    def test_published_resource_is_visible_to_every_logged_in_actor(self, session, actor):
        r = make_resource(session, publish=True)
        assert service.get_resource(session, actor("consumer"), r.id).status == "published"
        with pytest.raises(NotAuthorized):
            service.get_resource(session, actor("public"), r.id)

    def test_get_resource_by_code(self, session, actor):
        r = make_resource(session, publish=True)
        assert service.get_resource_by_code(session, actor("consumer"), r.code.lower()).id == r.id
        with pytest.raises(NotFound):
            service.get_resource_by_code(session, actor("consumer"), "101001/999999")

    def test_list_resources_pages_with_a_cursor(self, session, actor):
        for i in range(3):
            make_resource(session, name=f"名录{i}", publish=True)
        page1, cur = service.list_resources(session, actor("consumer"), limit=2)
        page2, cur2 = service.list_resources(session, actor("consumer"), cursor=cur, limit=2)
        names = [r.name for r in page1 + page2]
        assert {"名录0", "名录1", "名录2"} <= set(names) and len(page1) == 2


class TestLifecycle:
    def test_submit_return_fix_resubmit_publish(self, session, actor):
        r = make_resource(session)
        r = service.submit_resource(session, actor("steward"), r.id)
        assert r.status == "submitted"
        with pytest.raises(Conflict):
            service.update_resource(session, actor("steward"), r.id, resource_data(session))
        r = service.return_resource(
            session, actor("platform_admin"), r.id, ReturnDecision(comment="摘要请写明统计口径")
        )
        assert r.status == "returned"
        reviews = service.list_reviews(session, actor("steward"), r.id)
        assert reviews[0].comment == "摘要请写明统计口径" and reviews[0].decision == "returned"
        fixed = resource_data(
            session, abstract="规模以上工业企业（年主营收入 2000 万元及以上）名录。"
        )
        r = service.update_resource(session, actor("steward"), r.id, fixed)
        assert r.status == "draft"
        service.submit_resource(session, actor("steward"), r.id)
        r = service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())
        assert r.status == "published" and r.publish_date is not None and r.version == 1

    def test_publish_by_department_reviewer_is_refused(self, session, actor):
        r = make_resource(session)
        service.submit_resource(session, actor("steward"), r.id)
        with pytest.raises(NotAuthorized):
            service.publish_resource(session, actor("reviewer"), r.id, ReviewDecision())

    def test_publish_draft_is_conflict(self, session, actor):
        r = make_resource(session)
        with pytest.raises(Conflict):
            service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())

    def test_revision_keeps_published_version_until_reviewed(self, session, actor):
        r = make_resource(session, publish=True)
        changed = resource_data(
            session,
            abstract="新的摘要",
            data_items=[
                DataItemIn(
                    name="统一社会信用代码", type_code="C", length=18, is_key=True, required=True
                ),
                DataItemIn(name="单位名称", type_code="C", length=300, required=True),
                DataItemIn(name="行业代码", type_code="C", length=4),
            ],
        )
        item_ids = {i.name: i.id for i in r.data_items}
        r2 = service.update_resource(session, actor("steward"), r.id, changed)
        assert r2.status == "published" and r2.abstract != "新的摘要"
        assert r2.pending_version == 2 and r2.pending_status == "draft"
        seen = service.get_resource(session, actor("consumer"), r.id)
        assert seen.pending_version is None and seen.abstract == r.abstract
        service.submit_resource(session, actor("steward"), r.id)
        r3 = service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())
        assert r3.version == 2 and r3.abstract == "新的摘要"
        after = {i.name: i.id for i in r3.data_items}
        assert after["单位名称"] == item_ids["单位名称"]  # item ids survive revisions
        assert "登记日期" not in after and "行业代码" in after
        versions = service.list_versions(session, actor("consumer"), r.id)
        assert [(v.version, v.status) for v in versions] == [(2, "published"), (1, "superseded")]
        diff = service.diff_versions(session, actor("consumer"), r.id, 1, 2)
        assert {f.field for f in diff.fields} == {"abstract"}
        changes = {i.name: i.change for i in diff.items}
        assert changes == {"单位名称": "changed", "行业代码": "added", "登记日期": "removed"}

    def test_revision_cannot_change_code(self, session, actor):
        r = make_resource(session, publish=True)
        prefix = department_category(session, "市统计局")
        with pytest.raises(Invalid):
            service.update_resource(
                session, actor("steward"), r.id, resource_data(session, code=f"{prefix}/000009")
            )

    def test_retire_resource(self, session, actor):
        r = make_resource(session, publish=True)
        r = service.retire_resource(
            session, actor("platform_admin"), r.id, RetireRequest(reason="系统已整合")
        )
        assert r.status == "retired"
        assert service.get_resource(session, actor("consumer"), r.id).status == "retired"
        with pytest.raises(NotAuthorized):
            service.update_resource(session, actor("steward"), r.id, resource_data(session))

    def test_delete_draft(self, session, actor):
        r = make_resource(session)
        service.delete_resource(session, actor("steward"), r.id)
        assert session.get(Resource, r.id) is None
        assert (
            session.scalar(
                select(func.count()).select_from(DataItem).where(DataItem.resource_id == r.id)
            )
            == 0
        )

    def test_every_transition_is_audited(self, session, actor):
        r = make_resource(session)
        service.submit_resource(session, actor("steward"), r.id)
        service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(r.id)))
        )
        assert {
            "catalog.create_resource",
            "catalog.submit_resource",
            "catalog.publish_resource",
        } <= actions

    def test_review_queue_lists_submissions_with_due_dates(self, session, actor):
        r = make_resource(session)
        service.submit_resource(session, actor("steward"), r.id)
        queue = service.list_review_queue(session, actor("platform_admin"))
        entry = next(q for q in queue if q.resource_id == r.id)
        assert entry.first_filing and entry.due_date and not entry.overdue

    def test_review_due_dates_follow_the_clocks_calendar(self, session, actor):
        """Ten working days after Wednesday 30 September 2026 on the platform calendar (National
        Day 1–7 October off, Saturday 10 October worked) fall on 20 October, not on 14 October
        as weekends alone would give; a day the admin adds to the calendar moves it again."""
        from govshare.catalog.models import ResourceVersion
        from govshare.clocks import service as clocks
        from govshare.clocks.schemas import CalendarDayCreate

        admin = actor("platform_admin")
        r = make_resource(session)
        service.submit_resource(session, actor("steward"), r.id)
        version = session.scalar(
            select(ResourceVersion).where(
                ResourceVersion.resource_id == r.id, ResourceVersion.status == "submitted"
            )
        )
        version.submitted_at = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in Dezhou
        session.flush()
        if not clocks.get_calendar(session, admin).is_known(dt.date(2026, 10, 1)):
            clocks.import_calendar_year(session, admin, 2026)

        def due() -> dt.date | None:
            queue = service.list_review_queue(session, admin)
            return next(q for q in queue if q.resource_id == r.id).due_date

        assert due() == dt.date(2026, 10, 20)
        clocks.add_calendar_day(
            session,
            admin,
            CalendarDayCreate(day=dt.date(2026, 10, 19), kind="holiday", name="调休"),
        )
        assert due() == dt.date(2026, 10, 21)


class TestCategories:
    def test_create_category_under_a_xiang(self, session, actor):
        cats = {c.full_code: c for c in service.list_categories(session, actor("consumer"))}
        assert cats["1"].name == "基础信息资源目录" and cats["101"].name == "国家人口基础信息资源"
        created = service.create_category(
            session,
            actor("platform_admin"),
            CategoryCreate(parent_id=cats["105"].id, code="009", name="测试证照"),
        )
        assert created.full_code == "105009" and created.level == 3

    def test_create_category_bad_code_is_invalid(self, session, actor):
        cats = {c.full_code: c for c in service.list_categories(session, actor("consumer"))}
        with pytest.raises(Invalid):
            service.create_category(
                session,
                actor("platform_admin"),
                CategoryCreate(parent_id=cats["105"].id, code="9", name="x"),
            )


class TestSearch:
    def test_search_finds_a_chinese_phrase_in_names_abstracts_and_items(self, session, actor):
        a = make_resource(session, name="规模以上工业企业名录", publish=True)
        b = make_resource(
            session,
            name="建筑业企业资质信息",
            abstract="建筑业企业资质，包括规模以上工业企业的资质。",
            publish=True,
        )
        c = make_resource(
            session,
            name="能源消费统计",
            abstract="重点用能单位能源消费。",
            data_items=[DataItemIn(name="工业企业编号", type_code="C")],
            publish=True,
        )
        res = service.search_resources(session, actor("consumer"), ResourceFilter(q="工业企业"))
        ids = [i.id for i in res.items]
        assert set(ids) == {a.id, b.id, c.id} and res.total == 3
        assert ids[0] == a.id  # a name match ranks first

    def test_browsing_without_a_phrase_counts_every_resource_a_reviewer_sees(self, session, actor):
        made = [make_resource(session, name=f"登记信息{n}", publish=n % 2 == 0) for n in range(3)]
        res = service.search_resources(session, actor("platform_admin"), ResourceFilter())
        assert res.total >= len(made) > 1  # not the 1 of a FROM-less count(*)
        assert res.total == len(res.items) or res.next_cursor

    def test_search_drafts_only_for_their_department(self, session, actor):
        r = make_resource(session, name="统计调查单位名录")
        mine = service.search_resources(session, actor("steward"), ResourceFilter(q="调查单位"))
        theirs = service.search_resources(session, actor("consumer"), ResourceFilter(q="调查单位"))
        assert [i.id for i in mine.items] == [r.id] and theirs.total == 0

    def test_search_facets_count_the_result_set(self, session, actor):
        make_resource(session, name="甲企业名录", publish=True)
        make_resource(
            session,
            name="乙企业名录",
            publish=True,
            grading_level=2,
            open_type="conditional",
            open_conditions="申请后开放",
        )
        res = service.search_resources(session, actor("consumer"), ResourceFilter(q="企业名录"))
        facets = {k: {v.value: v.count for v in vals} for k, vals in res.facets.items()}
        assert facets["open_type"] == {"open": 1, "conditional": 1}
        assert facets["grading_level"] == {"1": 1, "2": 1}
        narrowed = service.search_resources(
            session, actor("consumer"), ResourceFilter(q="企业名录", open_type="conditional")
        )
        assert [i.name for i in narrowed.items] == ["乙企业名录"]

    def test_facet_counts_are_cached_per_generation_and_never_stale(
        self, session, actor, monkeypatch
    ):
        """A repeated view is served from the cache; a publish, a retirement or a new draft
        changes the generation in its own transaction, so the next view counts again and shows
        it. Another department's reader never gets the provider's cached draft counts."""
        from govshare.catalog.service import searching

        searching.facet_cache.clear()
        counted = []
        real = searching._combination_count
        monkeypatch.setattr(
            searching,
            "_combination_count",
            lambda *args: counted.append(1) or real(*args),
        )

        def statuses(persona: str) -> dict[str, int]:
            res = service.search_resources(session, actor(persona), ResourceFilter(q="企业名录"))
            return {v.value: v.count for v in res.facets["status"]}

        a = make_resource(session, name="甲企业名录", publish=True)
        assert statuses("consumer") == {"published": 1}
        assert statuses("consumer") == {"published": 1} and len(counted) == 1
        make_resource(session, name="乙企业名录", publish=True)
        assert statuses("consumer") == {"published": 2} and len(counted) == 2
        service.retire_resource(
            session, actor("platform_admin"), a.id, RetireRequest(reason="停用")
        )
        assert statuses("consumer") == {"published": 1, "retired": 1}
        make_resource(session, name="丙企业名录")  # a draft of 市统计局
        assert statuses("steward") == {"published": 1, "retired": 1, "draft": 1}
        assert statuses("consumer") == {"published": 1, "retired": 1}
        browse = service.search_resources(session, actor("consumer"), ResourceFilter())
        again = service.search_resources(session, actor("consumer"), ResourceFilter())
        assert browse.facets == again.facets and browse.facets["status"]

    def test_a_phrases_facets_from_combinations_equal_the_full_count_through_every_write(
        self, session, actor
    ):
        """The phrase's facets counted per combination (index + catalog_resource_facet, kept by
        triggers) equal the GROUP BY over the matching visible resources: for readers inside
        and outside the provider, with and without a facet filter, after inserts, a published
        filing, a facet change, a provider rename and a deletion."""
        from govshare.catalog import search
        from govshare.catalog.service import searching
        from govshare.catalog.service.resources import filtered

        def both(persona: str, f: ResourceFilter) -> tuple[object, object]:
            who = actor(persona)
            tokens = search.query_tokens(f.q)
            base, _rank = search.matching(session, filtered(who, f), tokens)  # type: ignore[arg-type]
            session.flush()
            combined = searching._combination_count(session, who, f, tokens)
            counted = searching._count(session, base)
            return combined, counted

        def check() -> None:
            for persona in ("consumer", "steward", "platform_admin"):
                for f in (
                    ResourceFilter(q="企业名录"),
                    ResourceFilter(q="企业名录", update_cycle="每年"),
                    ResourceFilter(q="企业名录", status="draft"),
                ):
                    combined, counted = both(persona, f)
                    assert combined == counted, (persona, f)

        a = make_resource(session, name="甲企业名录", publish=True)
        draft = make_resource(session, name="乙企业名录")  # a draft of 市统计局
        make_resource(session, name="丙企业名录", update_cycle="每年", publish=True)
        check()
        assert both("consumer", ResourceFilter(q="企业名录"))[0][0]["status"] == [("published", 2)]
        assert dict(both("steward", ResourceFilter(q="企业名录"))[0][0]["status"]) == {
            "published": 2,
            "draft": 1,
        }
        session.get(Resource, a.id).update_cycle = "每年"
        session.flush()
        check()
        session.execute(
            text("UPDATE catalog_resource SET provider_name = '改名局' WHERE id = :id"),
            {"id": a.id},
        )
        check()
        renamed = resource_data(session, name="乙单位目录", abstract="全市单位的目录，按月更新。")
        service.update_resource(session, actor("steward"), draft.id, renamed)
        check()
        assert dict(both("steward", ResourceFilter(q="企业名录"))[0][0]["status"]) == {
            "published": 2
        }
        service.update_resource(session, actor("steward"), draft.id, resource_data(session))
        service.delete_resource(session, actor("steward"), draft.id)
        check()

    def test_search_ranks_name_then_provider_or_keywords_then_items_newest_first(
        self, session, actor
    ):
        """The same order on SQLite and PostgreSQL: every word in the name first, then in
        the name, provider or keywords, then anywhere; newest first inside each; pages
        continue across the tiers without repeats or gaps, with or without a filter."""
        plain = "按月更新。"
        old_name = make_resource(session, name="工业企业名录", abstract=plain, publish=True)
        in_items = make_resource(
            session,
            name="能源消费统计",
            abstract=plain,
            data_items=[DataItemIn(name="工业企业编号", type_code="C")],
            publish=True,
        )
        in_keywords = make_resource(
            session, name="产值汇总", abstract=plain, keywords=["工业企业"], publish=True
        )
        new_name = make_resource(session, name="规模以上工业企业", abstract=plain, publish=True)
        expected = [new_name.id, old_name.id, in_keywords.id, in_items.id]
        for f in (
            ResourceFilter(q="工业企业"),
            ResourceFilter(q="工业企业", share_type="unconditional"),
        ):
            res = service.search_resources(session, actor("consumer"), f)
            assert [i.id for i in res.items] == expected and res.total == 4
            paged, cursor = [], None
            while True:
                page = service.search_resources(
                    session, actor("consumer"), f, cursor=cursor, limit=1, with_facets=False
                )
                paged += [i.id for i in page.items]
                cursor = page.next_cursor
                if not cursor:
                    break
            assert paged == expected

    def test_search_total_leaves_the_planner_as_it_found_it(self, session, actor):
        """PostgreSQL counts a phrase's matches through the GIN index; the setting that asks
        for it must not slow the rest of the request's transaction."""
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("a PostgreSQL planner setting")
        make_resource(session, publish=True)
        res = service.search_resources(session, actor("consumer"), ResourceFilter(q="工业企业"))
        assert res.total == 1
        assert session.scalar(text("SELECT current_setting('enable_seqscan')")) == "on"

    def test_browse_facets_are_exact_right_after_every_write(self, session, actor):
        """Without a phrase the counts come from the table the triggers keep: after a filing,
        a publish, a retirement and a deletion the next view already shows them, for every
        reader and filter, equal to counting the resources themselves."""
        from govshare.catalog.service import searching
        from govshare.catalog.service.resources import filtered

        def check() -> None:
            for persona in ("consumer", "steward", "platform_admin"):
                for f in (ResourceFilter(), ResourceFilter(share_type="unconditional")):
                    shown = service.search_resources(session, actor(persona), f).facets
                    assert shown == searching._facets(session, filtered(actor(persona), f))

        a = make_resource(session, name="甲企业名录", publish=True)
        check()
        draft = make_resource(session, name="乙企业名录")
        check()
        service.retire_resource(
            session, actor("platform_admin"), a.id, RetireRequest(reason="停用")
        )
        check()
        service.delete_resource(session, actor("steward"), draft.id)
        check()
        statuses = service.search_resources(session, actor("platform_admin"), ResourceFilter())
        assert {v.value for v in statuses.facets["status"]} >= {"retired"}

    def test_every_write_changes_the_catalog_generation(self, session, actor):
        from govshare.catalog import search

        seen = [search.generation(session)]
        r = make_resource(session)
        seen.append(search.generation(session))
        service.submit_resource(session, actor("steward"), r.id)
        service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())
        seen.append(search.generation(session))
        service.retire_resource(
            session, actor("platform_admin"), r.id, RetireRequest(reason="停用")
        )
        seen.append(search.generation(session))
        assert len(set(seen)) == len(seen)

    def test_search_index_follows_revisions_in_the_same_transaction(self, session, actor):
        r = make_resource(session, publish=True)
        service.update_resource(
            session,
            actor("steward"),
            r.id,
            resource_data(session, name="工业企业基本单位名录", abstract="基本单位名录。"),
        )
        service.submit_resource(session, actor("steward"), r.id)
        service.publish_resource(session, actor("platform_admin"), r.id, ReviewDecision())
        hit = service.search_resources(session, actor("consumer"), ResourceFilter(q="基本单位"))
        assert [i.id for i in hit.items] == [r.id]
        old = service.search_resources(session, actor("consumer"), ResourceFilter(q="规模以上"))
        assert old.total == 0

    def test_search_one_character_finds_names(self, session, actor):
        r = make_resource(session, name="税收收入统计", publish=True)
        res = service.search_resources(session, actor("consumer"), ResourceFilter(q="税"))
        assert r.id in [i.id for i in res.items]

    def test_search_without_words_lists_newest_first(self, session, actor):
        a = make_resource(session, name="甲名录", publish=True)
        b = make_resource(session, name="乙名录", publish=True)
        res = service.search_resources(
            session,
            actor("consumer"),
            ResourceFilter(provider_department_id=department_id(session, "市统计局")),
        )
        assert [i.id for i in res.items][:2] == [b.id, a.id]

    def test_search_punctuation_only_finds_nothing(self, session, actor):
        make_resource(session, publish=True)
        assert (
            service.search_resources(session, actor("consumer"), ResourceFilter(q="，。")).total
            == 0
        )


class TestReports:
    def test_statistics_per_department_and_county(self, session, actor):
        make_resource(session, publish=True)
        make_resource(session, name="草稿资源")
        make_resource(session, "陵城区", persona="platform_admin", name="陵城资源", publish=True)
        stats = service.get_statistics(session, actor("supervisor"))
        tongji = next(d for d in stats.departments if d.name == "德州市统计局")
        assert (tongji.filed, tongji.published, tongji.draft) == (2, 1, 1)
        assert tongji.unconditional == 2 and tongji.open_ratio == 1.0 and tongji.data_items == 6
        lingcheng = next(c for c in stats.counties if c.name == "陵城区")
        assert lingcheng.published == 1
        city = next(c for c in stats.counties if c.name == "市本级")
        assert city.filed >= 2
        assert any(d.filed == 0 for d in stats.departments)  # units that have filed nothing show

    def test_dcat_export_is_rdf_with_datasets(self, session, actor):
        import rdflib

        r = make_resource(session, publish=True, keywords=["企业"])
        make_resource(session, name="未发布")
        doc = service.export_dcat(session, actor("consumer"))
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
            warnings.simplefilter("ignore", DeprecationWarning)
            graph = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
        dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
        dct = rdflib.Namespace("http://purl.org/dc/terms/")
        datasets = list(graph.subjects(rdflib.RDF.type, dcat.Dataset))
        assert len(datasets) == 1
        assert str(graph.value(datasets[0], dct.identifier)) == r.code
        assert "MONTHLY" in str(graph.value(datasets[0], dct.accrualPeriodicity))
        assert len(list(graph.subjects(rdflib.RDF.type, dcat.Catalog))) == 1

    def test_province_form_xml_and_json(self, session, actor):
        from xml.etree import ElementTree

        r = make_resource(session, publish=True)
        records = service.export_province(session, actor("platform_admin"), fmt="json")
        rec = next(x for x in records if x["信息资源代码"] == r.code)
        assert rec["共享类型"] == "无条件共享" and rec["信息资源提供方"] == "德州市统计局"
        assert rec["信息项"][0]["数据类型"] == "C（字符型）"
        xml = service.export_province(session, actor("platform_admin"), fmt="xml")
        root = ElementTree.fromstring(xml)
        assert root.tag == "政务信息资源目录" and root.find("信息资源/信息资源代码").text == r.code
        with pytest.raises(NotAuthorized):
            service.export_province(session, actor("consumer"))


class TestDemo:
    def test_demo_filings_cover_the_catalog_and_pass_every_rule(self, session, settings):
        from govshare.catalog import demo
        from govshare.catalog.models import Category
        from govshare.catalog.rules import rule_errors
        from govshare.catalog.schemas import ResourceCreate

        own = {
            c.department_id: c.full_code
            for c in session.scalars(select(Category).where(Category.department_id.isnot(None)))
        }
        filings = [ResourceCreate.model_validate(f) for f in demo.demo_filings(session, own)]
        assert len(filings) >= 300
        prefixes = {f.category_code[:3] for f in filings}
        assert {"101", "102", "103", "104", "105"} <= prefixes  # every base catalog
        assert len({p for p in prefixes if p.startswith("2")}) >= 10  # thematic catalogs
        assert all(not rule_errors(f, settings) for f in filings)
        population = next(f for f in filings if f.name == "人口基础信息")
        items = {i.name: i for i in population.data_items}
        assert items["公民身份号码"].is_key and items["公民身份号码"].personal
        assert {"姓名", "性别", "出生日期", "户籍地址", "联系电话"} <= set(items)
        assert population.provider_department_id == department_id(session, "市公安局")
        entity = next(f for f in filings if f.name == "市场主体登记信息")
        assert entity.data_items[0].name == "统一社会信用代码" and entity.data_items[0].is_key
