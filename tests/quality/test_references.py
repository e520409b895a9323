"""The reference rule: a value must exist in another resource (an anti-join in the engine)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from govshare.core.errors import Invalid, NotFound
from govshare.quality import service
from govshare.quality.schemas import RuleCreate
from tests.builders import make_resource
from tests.datastore.helpers import load, make_dataset, write_rows

ENTITY_COLUMNS = [
    {"name": "统一社会信用代码", "type_code": "C", "is_key": True, "required": True},
    {"name": "名称", "type_code": "C"},
]
LICENCE_COLUMNS = [
    {"name": "许可证号", "type_code": "C", "is_key": True, "required": True},
    {"name": "统一社会信用代码", "type_code": "C"},
]
KNOWN = ["91371400MA3C000001", "91371400MA3C000002", "91371400MA3C000003"]


@pytest.fixture
def steward(actor):
    return actor("steward")


@pytest.fixture
def entity(db, session, steward, tmp_path):
    ds = make_dataset(session, steward, columns=ENTITY_COLUMNS, name="市场主体登记信息")
    rows = [[c, f"企业{i}"] for i, c in enumerate(KNOWN)]
    load(
        db, session, steward, ds, write_rows(tmp_path / "e.csv", ["统一社会信用代码", "名称"], rows)
    )
    return ds


@pytest.fixture
def licences(db, session, steward, tmp_path):
    ds = make_dataset(session, steward, columns=LICENCE_COLUMNS, name="食品经营许可")
    rows = [["L1", KNOWN[0]], ["L2", KNOWN[2]], ["L3", "91371400MA3C999999"], ["L4", ""]]
    load(
        db,
        session,
        steward,
        ds,
        write_rows(tmp_path / "l.csv", ["许可证号", "统一社会信用代码"], rows),
    )
    return ds


def _rule(entity, **params):
    return RuleCreate(
        kind="reference",
        items=["统一社会信用代码"],
        params={"resource_id": entity.resource_id, "item": "统一社会信用代码", **params},
    )


class TestReferenceRule:
    def test_values_missing_from_the_entity_resource_fail_with_samples(
        self, session, steward, entity, licences
    ):
        service.create_rule(session, steward, licences.id, _rule(entity))
        run = service.run_inspection(session, steward, licences.id)
        _run, findings, hidden = service.get_run(session, steward, run.id)
        (f,) = findings
        assert (f.failing, f.checked, f.passed) == (1, 3, False)
        assert [s["value"] for s in f.samples] == ["91371400MA3C999999"]
        assert f.samples[0]["key"] == "L3"
        assert run.status == "blocked" and not hidden

    def test_all_present_passes(self, db, session, steward, entity, tmp_path):
        ds = make_dataset(session, steward, columns=LICENCE_COLUMNS, name="食品经营许可")
        rows = [["L1", KNOWN[1]]]
        load(
            db,
            session,
            steward,
            ds,
            write_rows(tmp_path / "ok.csv", ["许可证号", "统一社会信用代码"], rows),
        )
        service.create_rule(session, steward, ds.id, _rule(entity))
        assert service.run_inspection(session, steward, ds.id).status == "passed"

    def test_a_resource_the_steward_cannot_see_looks_missing(self, session, steward, licences):
        hidden = make_resource(session, "市公安局", persona="other_admin", name="未发布的资源")
        for resource_id in (hidden.id, 987654):
            with pytest.raises(NotFound, match="不存在或您无权查看"):
                service.create_rule(
                    session,
                    steward,
                    licences.id,
                    RuleCreate(
                        kind="reference",
                        items=["统一社会信用代码"],
                        params={"resource_id": resource_id, "item": "统一社会信用代码"},
                    ),
                )

    def test_a_missing_referenced_item_is_named(self, session, steward, entity, licences):
        with pytest.raises(Invalid) as exc:
            service.create_rule(session, steward, licences.id, _rule(entity, item="注册号"))
        assert exc.value.errors[0].field == "params.item"
        assert "没有数据项「注册号」" in exc.value.errors[0].message

    def test_a_referenced_resource_without_a_version_is_refused(self, session, steward, licences):
        empty = make_dataset(session, steward, columns=ENTITY_COLUMNS, name="市场主体登记信息")
        with pytest.raises(Invalid, match="还没有已发布的版本"):
            service.create_rule(session, steward, licences.id, _rule(empty))

    def test_credit_code_items_suggest_the_entity_reference(
        self, session, steward, entity, licences
    ):
        suggested = [
            s for s in service.suggest_rules(session, steward, licences.id) if s.kind == "reference"
        ]
        assert [(s.items, s.params) for s in suggested] == [
            (
                ["统一社会信用代码"],
                {"resource_id": entity.resource_id, "item": "统一社会信用代码"},
            )
        ]
        own = service.suggest_rules(session, steward, entity.id)
        assert not [s for s in own if s.kind == "reference"]

    def test_reference_targets_are_the_visible_loaded_resources(
        self, session, steward, actor, entity, licences
    ):
        targets = service.list_reference_targets(session, steward, licences.id)
        assert {t.resource_id for t in targets} >= {entity.resource_id, licences.resource_id}
        mine = next(t for t in targets if t.resource_id == entity.resource_id)
        assert mine.items == ["统一社会信用代码", "名称"]


class TestReferencePagesAndApi:
    def test_steward_adds_a_reference_rule_from_the_form_and_sees_samples(
        self, login_as, session, steward, entity, licences
    ):
        client = login_as("steward")
        page = BeautifulSoup(client.get(f"/quality/datasets/{licences.id}").text, "html.parser")
        choice = f"{entity.resource_id}|统一社会信用代码"
        assert page.find("option", attrs={"value": choice}) is not None
        r = client.post(
            f"/quality/datasets/{licences.id}/rules",
            data={"kind": "reference", "items": "统一社会信用代码", "reference": choice},
            follow_redirects=False,
        )
        assert r.status_code == 303
        r = client.post(f"/quality/datasets/{licences.id}/run", follow_redirects=False)
        run = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
        assert "91371400MA3C999999" in run.find(id="findings").text

    def test_form_without_a_choice_names_the_field(self, login_as, session, steward, licences):
        client = login_as("steward")
        r = client.post(
            f"/quality/datasets/{licences.id}/rules",
            data={"kind": "reference", "items": "统一社会信用代码", "reference": ""},
        )
        assert r.status_code == 422
        assert "请选择引用的信息资源" in r.text
        assert not service.list_rules(session, steward, licences.id)

    def test_api_hidden_resource_is_404_and_targets_listed(
        self, login_as, session, steward, entity, licences
    ):
        client = login_as("steward")
        hidden = make_resource(session, "市公安局", persona="other_admin", name="未发布的资源")
        session.commit()
        r = client.post(
            f"/api/v1/quality/datasets/{licences.id}/rules",
            json={
                "kind": "reference",
                "items": ["统一社会信用代码"],
                "params": {"resource_id": hidden.id, "item": "统一社会信用代码"},
            },
        )
        assert r.status_code == 404
        assert "不存在或您无权查看" in r.json()["detail"]
        r = client.get(f"/api/v1/quality/datasets/{licences.id}/reference-targets")
        assert r.status_code == 200
        assert entity.resource_id in {t["resource_id"] for t in r.json()}
        assert (
            login_as("consumer")
            .get(f"/api/v1/quality/datasets/{licences.id}/reference-targets")
            .status_code
            == 403
        )
