"""The open-data portal's use cases: releasing with the de-identification check, search, masked
previews and downloads, levels, applications, data requests and public users."""

from __future__ import annotations

import pytest

from govshare.core.errors import Conflict, Invalid, NotAuthorized, NotFound
from govshare.core.security import ANONYMOUS
from govshare.opendata import service
from govshare.opendata.schemas import (
    DataRequestAnswer,
    DataRequestCreate,
    Decision,
    LevelChangeCreate,
    ReleaseCreate,
)
from tests.opendata.audit_scenarios import APPLY
from tests.opendata.helpers import (
    open_resource,
    people_resource,
    public_user,
    service_cache_clear,
)
from tests.personas import department_id


def _body(parts) -> str:
    return b"".join(parts).decode("utf-8-sig")


class TestSearchPortal:
    def test_search_portal_by_chinese_phrase_finds_open_dataset(self, session):
        r = open_resource(session)
        result = service.search_portal(session, ANONYMOUS, q="空气质量")
        assert [i.resource.id for i in result.items] == [r.id]
        assert result.items[0].has_data and result.items[0].level == "open"

    def test_search_portal_unreleased_and_closed_resources_never_appear(self, session):
        hidden = open_resource(session, release=False, data=False)
        result = service.search_portal(session, ANONYMOUS, q="空气质量")
        assert hidden.id not in [i.resource.id for i in result.items]

    def test_search_portal_facets_count_the_whole_result(self, session):
        open_resource(session, data=False)
        open_resource(session, data=False)
        result = service.search_portal(session, ANONYMOUS, q="空气质量", size=1)
        assert result.total == 2 and len(result.items) == 1
        providers = result.facets["provider"]
        assert providers[0].label == "德州市统计局" and providers[0].count == 2

    def test_package_search_count_is_the_same_with_or_without_facets(self, session):
        open_resource(session, data=False)
        open_resource(session, data=False)
        open_resource(session, name="德州市公交线路", data=False)

        def count(**p):
            return service.ckan_action(session, ANONYMOUS, "package_search", p)["count"]

        facets = '["organization","groups","level"]'
        assert count(q="公交线路") == 1
        assert count(q="公交线路", **{"facet.field": facets}) == 1
        assert count(q="公交线路", start=5, **{"facet.field": facets}) == 1
        assert count(**{"facet.field": facets}) == count() == 3
        assert count(q="没有这样的数据", **{"facet.field": facets}) == 0

    def test_package_search_pages_are_the_same_when_the_best_few_are_narrowed_away(
        self, session, monkeypatch
    ):
        from govshare.catalog.service import portal

        cond = open_resource(session, level="conditional", data=False)
        opened = [open_resource(session, data=False) for _ in range(3)]
        hidden = open_resource(session, release=False, data=False)  # matches, never shown

        def names(**p):
            found = service.ckan_action(session, ANONYMOUS, "package_search", p)["results"]
            return [r["title"] for r in found]

        cases = [{"fq": "level:conditional", "rows": 1}, {"rows": 2}, {"rows": 2, "start": 2}, {}]
        full = [names(q="空气质量", **c) for c in cases]
        assert full[0] == [cond.name] and len(full[3]) == 4 and hidden.name not in full[3]
        assert set(full[1] + full[2]) == {cond.name, *(r.name for r in opened)}
        monkeypatch.setattr(portal, "BEST_FEW", 1)  # only a page's worth is looked at first
        monkeypatch.setattr(portal, "BEST_PAGES", 1)
        service_cache_clear()
        assert [names(q="空气质量", **c) for c in cases] == full

    def test_search_answered_from_the_index_equals_the_table_query(self, session):
        from govshare.catalog import service as catalog
        from govshare.opendata.service._common import released

        for n in range(3):
            open_resource(session, data=False, level="conditional" if n == 1 else "open")
        open_resource(session, name="德州市公交线路", data=False)
        open_resource(session, release=False, data=False)
        facets = ("domain", "provider", "county", "open_type", "format_class")
        for q, offset, limit in [("空气质量", 0, 2), ("空气质量", 2, 2), ("公交", 0, 10)]:

            def run(key, q=q, offset=offset, limit=limit):
                rows, total, counts, _t = catalog.search_open_resources(
                    session,
                    ANONYMOUS,
                    released(),
                    q=q,
                    offset=offset,
                    limit=limit,
                    facets=facets,
                    cache_key=key,
                )
                return [r.id for r in rows], total, counts

            on_table, on_index = run(None), run(("test", q))
            assert on_index == on_table and on_table[0]
        assert run(None)[1] == 1 and run(None)[2]["open_type"][0].count == 1

    def test_search_portal_bad_page_is_invalid(self, session):
        with pytest.raises(Invalid):
            service.search_portal(session, ANONYMOUS, page=0)


class TestGetPortalHome:
    def test_get_portal_home_counts_released_datasets(self, session):
        r = open_resource(session)
        home = service.get_portal_home(session, ANONYMOUS)
        assert home.total == 1 and home.open_count == 1 and home.with_data == 1
        assert home.latest[0].resource.id == r.id

    def test_get_portal_home_in_a_new_process_reads_the_kept_summary(self, session, monkeypatch):
        from govshare.catalog import service as catalog
        from govshare.opendata.service._common import clear_cache

        open_resource(session)
        first = service.get_portal_home(session, ANONYMOUS)
        clear_cache()  # a new app process: nothing in memory

        def recount(*_a, **_k):
            raise AssertionError("the home page recounted an unchanged portal")

        monkeypatch.setattr(catalog, "search_open_resources", recount)
        again = service.get_portal_home(session, ANONYMOUS)
        assert again == first

    def test_get_portal_home_counts_again_when_the_portal_changes(self, session):
        open_resource(session)
        assert service.get_portal_home(session, ANONYMOUS).total == 1
        bus = open_resource(session, name="德州市公交线路")
        home = service.get_portal_home(session, ANONYMOUS)
        assert home.total == 2 and home.latest[0].resource.id == bus.id


class TestFlushPortalUsage:
    def test_calls_and_deadlines_count_from_the_platform_day(self, session):
        """01:00 in Beijing on 5 December is still 4 December by UTC: the day users mean is
        the 5th, for the usage counts and for an application's deadline."""
        import datetime as dt

        import time_machine
        from sqlalchemy import select

        from govshare.clocks import service as clocks
        from govshare.core.security import SYSTEM
        from govshare.opendata import ckan as shapes
        from govshare.opendata.models import ApiUsage

        r = open_resource(session)
        cond = people_resource(session, data=False)
        user = public_user(session)
        with time_machine.travel(dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC), tick=False):
            service.ckan_action(
                session,
                ANONYMOUS,
                "datastore_search",
                {"resource_id": shapes.resource_uuid(r.id, "csv"), "limit": 1},
            )
            service.flush_portal_usage(session, SYSTEM)
            app = service.apply_for_resource(session, ANONYMOUS, user, cond.id, APPLY)
            due = clocks.add_working_days(session, SYSTEM, dt.date(2026, 12, 5), 5).result
        assert set(session.scalars(select(ApiUsage.day))) == {dt.date(2026, 12, 5)}
        assert app.due_date == due

    def test_flush_portal_usage_adds_tallied_api_calls(self, session):
        from govshare.core.security import SYSTEM
        from govshare.opendata import ckan as shapes

        r = open_resource(session)
        for _ in range(3):
            service.ckan_action(
                session,
                ANONYMOUS,
                "datastore_search",
                {"resource_id": shapes.resource_uuid(r.id, "csv"), "limit": 1},
            )
        assert service.get_rankings(session, ANONYMOUS).api_calls == []
        done = service.flush_portal_usage(session, SYSTEM)
        assert done == {"calls": 3, "datasets": 1}
        ranked = service.get_rankings(session, ANONYMOUS).api_calls
        assert [i.resource.id for i in ranked] == [r.id]
        assert service.flush_portal_usage(session, SYSTEM) == {"calls": 0, "datasets": 0}

    def test_get_portal_usage_shows_flushed_calls_per_dataset_and_day(self, session, actor):
        from govshare.core.security import SYSTEM
        from govshare.opendata import ckan as shapes

        r = open_resource(session)
        uuid = shapes.resource_uuid(r.id, "csv")
        service.ckan_action(session, ANONYMOUS, "datastore_search", {"resource_id": uuid})
        before = service.get_portal_usage(session, actor("platform_admin"))
        assert before.pending_calls == 1 and before.api_calls == 0
        service.flush_portal_usage(session, SYSTEM)
        usage = service.get_portal_usage(session, actor("platform_admin"))
        assert usage.api_calls == 1 and usage.anonymous_calls[-1] == 1
        assert [(row.name, row.api_calls) for row in usage.rows] == [(r.name, 1)]
        with pytest.raises(NotAuthorized):
            service.get_portal_usage(session, actor("steward"))

    def test_flush_portal_usage_by_a_visitor_is_refused(self, session):
        with pytest.raises(NotAuthorized):
            service.flush_portal_usage(session, ANONYMOUS)


class TestReleaseResource:
    def test_release_resource_with_unmasked_personal_items_is_refused(self, session, actor):
        r = people_resource(session, release=False, data=False)
        with pytest.raises(Invalid) as exc:
            service.release_resource(
                session, actor("steward"), ReleaseCreate(resource_id=r.id, masks={"姓名": "name"})
            )
        assert "联系电话" in exc.value.detail
        assert service.search_portal(session, ANONYMOUS, q="志愿者").total == 0

    def test_release_resource_closed_resource_is_conflict(self, session, actor):
        from tests.builders import make_resource

        r = make_resource(
            session,
            publish=True,
            open_type="closed",
            grading_level=1,
            grading_override_reason="涉及商业秘密，不予开放。",
        )
        with pytest.raises(Conflict):
            service.release_resource(session, actor("steward"), ReleaseCreate(resource_id=r.id))

    def test_release_resource_by_other_department_is_refused(self, session, actor):
        r = open_resource(session, release=False, data=False)
        with pytest.raises((NotAuthorized, NotFound)):
            service.release_resource(session, actor("other_admin"), ReleaseCreate(resource_id=r.id))


class TestPortalDataset:
    def test_get_portal_dataset_preview_is_masked(self, session):
        r = people_resource(session, level="conditional")
        user = public_user(session)
        app = service.apply_for_resource(session, ANONYMOUS, user, r.id, APPLY)
        from tests.personas import actor_of

        service.decide_application(
            session, actor_of(session, "reviewer"), app.id, Decision(approve=True)
        )
        page = service.get_portal_dataset(session, ANONYMOUS, r.id, visitor_id=user.id)
        assert page.may_read and page.rows
        assert page.rows[0]["姓名"] == "张**"
        assert page.rows[0]["联系电话"] == "138****0000"

    def test_download_dataset_csv_streams_rows(self, session):
        r = open_resource(session)
        name, media, body = service.download_dataset(session, ANONYMOUS, r.id, "csv")
        text = _body(body)
        assert (
            media.startswith("text/csv")
            and text.splitlines()[0] == "监测站点,监测日期,AQI,空气质量等级"
        )
        assert len(text.splitlines()) == 31

    def test_download_dataset_conditional_without_grant_is_refused(self, session):
        r = people_resource(session)
        with pytest.raises(NotAuthorized):
            service.download_dataset(session, ANONYMOUS, r.id, "csv")

    def test_download_dataset_masks_personal_items(self, session, actor):
        r = people_resource(session, level="conditional")
        user = public_user(session)
        app = service.apply_for_resource(session, ANONYMOUS, user, r.id, APPLY)
        service.decide_application(session, actor("reviewer"), app.id, Decision(approve=True))
        _n, _m, body = service.download_dataset(session, ANONYMOUS, r.id, "csv", visitor_id=user.id)
        text = _body(body)
        assert "13800000003" not in text and "138****0003" in text and "张小3" not in text

    def test_download_dataset_unknown_format_is_invalid(self, session):
        r = open_resource(session, data=False)
        with pytest.raises(Invalid):
            service.download_dataset(session, ANONYMOUS, r.id, "exe")


class TestLevels:
    def test_lowering_waits_for_platform_admin_then_applies(self, session, actor):
        r = open_resource(session, data=False)
        change = service.request_level_change(
            session, actor("steward"), r.id, LevelChangeCreate(to_level="closed", reason="数据有误")
        )
        assert change.status == "pending"
        assert service.search_portal(session, ANONYMOUS, q="空气质量").total == 1
        with pytest.raises(NotAuthorized):
            service.approve_level_change(session, actor("dept_admin"), change.id)
        service.approve_level_change(session, actor("platform_admin"), change.id, note="同意")
        assert service.search_portal(session, ANONYMOUS, q="空气质量").total == 0

    def test_raising_beyond_the_catalog_is_conflict(self, session, actor):
        r = people_resource(session, data=False)
        with pytest.raises(Conflict):
            service.request_level_change(
                session,
                actor("steward"),
                r.id,
                LevelChangeCreate(to_level="open", reason="扩大开放"),
            )

    def test_refusal_needs_a_reason(self, session, actor):
        r = open_resource(session, data=False)
        change = service.request_level_change(
            session,
            actor("steward"),
            r.id,
            LevelChangeCreate(to_level="conditional", reason="调整"),
        )
        with pytest.raises(Invalid):
            service.refuse_level_change(session, actor("platform_admin"), change.id, note=" ")


class TestApplications:
    def test_apply_for_resource_has_a_working_day_deadline_and_reaches_the_provider(
        self, session, actor
    ):
        r = people_resource(session, data=False)
        app = service.apply_for_resource(session, ANONYMOUS, public_user(session), r.id, APPLY)
        assert app.status == "submitted" and app.handoff_ref == f"opendata:{app.id}"
        assert app.due_date.weekday() < 5
        mine = service.list_applications(session, actor("reviewer"))
        assert [a.id for a in mine] == [app.id]
        assert service.list_applications(session, actor("other_admin")) == []

    def test_listed_applications_carry_the_dataset_name_and_turn_overdue(self, session, actor):
        import datetime as dt

        from govshare.opendata.models import Application

        r = people_resource(session, data=False)
        app = service.apply_for_resource(session, ANONYMOUS, public_user(session), r.id, APPLY)
        [listed] = service.list_applications(session, actor("reviewer"), status="submitted")
        assert listed.resource_name == r.name and not listed.overdue
        row = session.get(Application, app.id)
        row.due_date = dt.date(2026, 1, 5)
        session.flush()
        [listed] = service.list_applications(session, actor("reviewer"), status="submitted")
        assert listed.overdue
        service.decide_application(session, actor("reviewer"), app.id, Decision(approve=True))
        assert service.list_applications(session, actor("reviewer"), status="submitted") == []
        [done] = service.list_applications(session, actor("reviewer"))
        assert not done.overdue

    def test_apply_for_open_resource_is_conflict(self, session):
        r = open_resource(session, data=False)
        with pytest.raises(Conflict):
            service.apply_for_resource(session, ANONYMOUS, public_user(session), r.id, APPLY)

    def test_apply_unverified_user_is_refused(self, session):
        r = people_resource(session, data=False)
        with pytest.raises(NotAuthorized):
            service.apply_for_resource(
                session, ANONYMOUS, public_user(session, verified=False), r.id, APPLY
            )

    def test_decide_application_by_other_department_is_refused(self, session, actor):
        r = people_resource(session, data=False)
        app = service.apply_for_resource(session, ANONYMOUS, public_user(session), r.id, APPLY)
        with pytest.raises(NotAuthorized):
            service.decide_application(
                session, actor("other_admin"), app.id, Decision(approve=True)
            )


class TestDataRequests:
    def test_request_is_routed_answered_and_linked(self, session, actor):
        req = service.submit_data_request(
            session,
            ANONYMOUS,
            DataRequestCreate(
                title="<script>alert(1)</script>充电桩",
                description="希望开放全市公共充电桩的位置。",
                requester_name="王小明",
            ),
        )
        assert service.get_data_request(session, ANONYMOUS, req.id).requester_name == "王**"
        service.assign_data_request(
            session, actor("platform_admin"), req.id, department_id(session, "市统计局")
        )
        r = open_resource(session, data=False)
        with pytest.raises(NotAuthorized):
            service.answer_data_request(
                session, actor("other_admin"), req.id, DataRequestAnswer(answer="已开放")
            )
        service.answer_data_request(
            session,
            actor("steward"),
            req.id,
            DataRequestAnswer(answer="已开放。", resource_id=r.id),
        )
        shown = service.get_data_request(session, ANONYMOUS, req.id)
        assert shown.status == "answered" and shown.resource_id == r.id
        assert shown.title.startswith("<script>")  # kept as text; pages escape it

    def test_submit_data_request_with_control_characters_is_invalid(self, session):
        from govshare.core.validation import parse

        with pytest.raises(Invalid):
            parse(
                DataRequestCreate,
                {
                    "title": "数据\x00",
                    "description": "一二三四五六七八九十",
                    "requester_name": "王",
                },
            )


class TestPublicUsers:
    def test_register_without_smtp_is_conflict(self, session, settings, monkeypatch):
        from govshare.opendata.schemas import PublicUserCreate

        monkeypatch.setattr(settings, "smtp_host", None)
        with pytest.raises(Conflict):
            service.register_public_user(
                session,
                ANONYMOUS,
                PublicUserCreate(email="a@example.com", name="甲", password="Open-Data-2026"),
            )

    def test_register_twice_is_conflict(self, session):
        public_user(session)
        with pytest.raises(Conflict):
            public_user(session)

    def test_wrong_password_is_refused(self, session):
        from govshare.core.errors import NotAuthenticated

        user = public_user(session)
        with pytest.raises(NotAuthenticated):
            service.log_in_public_user(
                session, ANONYMOUS, email=user.email, password="wrong-password"
            )

    def test_verification_link_works_once(self, session):
        with pytest.raises(Invalid):
            service.verify_public_email(session, ANONYMOUS, "ov_not-a-token")
