"""Code tables a steward uploads: versions, per-cell error reports, and value-set rules on them."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook
from sqlalchemy import func, select

from govshare.core.errors import Invalid, NotAuthorized
from govshare.quality import service
from govshare.quality.models import QualityCodeTable, QualityCodeTableVersion
from govshare.quality.schemas import RuleCreate
from tests.datastore.helpers import load, make_dataset, write_rows

COLUMNS = [
    {"name": "许可证号", "type_code": "C", "is_key": True, "required": True},
    {"name": "许可类别", "type_code": "C"},
]
GOOD = (
    "代码,名称,生效日期,失效日期\n"
    "JY1,食品销售,2020-01-01,\n"
    "JY2,餐饮服务,2020-01-01,\n"
    "JY3,单位食堂,2018-01-01,2021-12-31\n"
)


@pytest.fixture
def steward(actor):
    return actor("steward")


@pytest.fixture
def licences(db, session, steward, tmp_path):
    ds = make_dataset(session, steward, columns=COLUMNS, name="食品经营许可")
    rows = [["L1", "JY1"], ["L2", "JY3"], ["L3", "JY9"], ["L4", ""], ["L5", "XX"]]
    load(db, session, steward, ds, write_rows(tmp_path / "l.csv", ["许可证号", "许可类别"], rows))
    return ds


def _upload(session, actor, content, *, name="食品经营许可类别", filename="t.csv"):
    return service.upload_code_table(
        session, actor, name=name, description="", filename=filename, content=content
    )


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


class TestUpload:
    def test_each_upload_is_a_new_immutable_version(self, session, steward):
        table, v1, _ = _upload(session, steward, GOOD.encode())
        assert (v1.number, v1.row_count, v1.encoding) == (1, 3, "utf-8")
        assert v1.rows[2] == {
            "code": "JY3",
            "name": "单位食堂",
            "valid_from": "2018-01-01",
            "valid_to": "2021-12-31",
        }
        table2, v2, versions = _upload(session, steward, "代码,名称\nJY1,食品销售\n".encode())
        assert table2.id == table.id and v2.number == 2 and table2.latest_version == 2
        assert [v.number for v in versions] == [2, 1]
        _t, old, _vs = service.get_code_table(session, steward, table.id, 1)
        assert old.row_count == 3 and [r["code"] for r in old.rows] == ["JY1", "JY2", "JY3"]
        assert v2.created_by_name

    def test_gbk_csv_is_detected(self, session, steward):
        _t, v, _ = _upload(session, steward, GOOD.encode("gbk"))
        assert v.encoding in ("gbk", "gb18030")
        assert v.rows[0]["name"] == "食品销售"

    def test_xlsx(self, session, steward):
        wb = Workbook()
        ws = wb.active
        ws.append(["代码", "名称"])
        ws.append([101, "甲"])
        ws.append(["102", "乙"])
        buf = io.BytesIO()
        wb.save(buf)
        _t, v, _ = _upload(session, steward, buf.getvalue(), filename="t.xlsx")
        assert [r["code"] for r in v.rows] == ["101", "102"]

    def test_bad_gbk_file_names_every_cell_and_saves_nothing(self, session, steward):
        bad = (
            "代码,名称,生效日期,失效日期\n"
            "A1,甲,2020-01-01,\n"
            ",乙,,\n"
            "A1,丙,,\n"
            "A4,丁,2020-13-45,\n"
            "A5,戊,2022-01-01,2021-01-01\n"
        ).encode("gbk")
        with pytest.raises(Invalid) as exc:
            _upload(session, steward, bad)
        report = {e.field: e.message for e in exc.value.errors}
        assert report == {
            "第 3 行·代码": "代码为空。",
            "第 4 行·代码": "代码「A1」与第 2 行重复。",
            "第 5 行·生效日期": "日期「2020-13-45」无法识别，请写成 2024-01-31。",
            "第 6 行·失效日期": "失效日期早于生效日期。",
        }
        assert "未保存任何内容" in exc.value.detail
        assert _count(session, QualityCodeTable) == 0
        assert _count(session, QualityCodeTableVersion) == 0

    def test_missing_header_is_named(self, session, steward):
        with pytest.raises(Invalid, match="缺少表头：名称"):
            _upload(session, steward, "代码,说明\nA,b\n".encode())
        with pytest.raises(Invalid, match="请上传 .csv 或 .xlsx"):
            _upload(session, steward, b"x", filename="t.txt")

    def test_a_consumer_may_not_upload(self, session, actor):
        with pytest.raises(NotAuthorized):
            _upload(session, actor("consumer"), GOOD.encode())


class TestRuleOnUploadedTable:
    def test_the_run_finds_values_not_in_the_table_and_names_the_version(
        self, session, steward, licences
    ):
        table, _v, _ = _upload(session, steward, GOOD.encode())
        service.create_rule(
            session,
            steward,
            licences.id,
            RuleCreate(kind="value_set", items=["许可类别"], params={"code_table": table.id}),
        )
        run = service.run_inspection(session, steward, licences.id)
        _run, (f,), _hidden = service.get_run(session, steward, run.id)
        assert (f.failing, f.checked, f.passed) == (2, 4, False)
        assert sorted(s["value"] for s in f.samples) == ["JY9", "XX"]
        assert "「食品经营许可类别」第 1 版" in f.detail
        # a new version adds JY9: the latest is checked, a pinned rule keeps version 1
        _upload(session, steward, (GOOD + "JY9,其他,,\n").encode())
        service.create_rule(
            session,
            steward,
            licences.id,
            RuleCreate(
                kind="value_set",
                items=["许可类别"],
                params={"code_table": table.id, "code_table_version": 1},
            ),
        )
        run = service.run_inspection(session, steward, licences.id)
        _run, (latest, pinned), _h = service.get_run(session, steward, run.id)
        assert latest.failing == 1 and "第 2 版" in latest.detail
        assert pinned.failing == 2 and "第 1 版" in pinned.detail

    def test_a_missing_table_or_version_is_refused(self, session, steward, licences):
        table, _v, _ = _upload(session, steward, GOOD.encode())
        for params in ({"code_table": 98765}, {"code_table": table.id, "code_table_version": 7}):
            with pytest.raises(Invalid) as exc:
                service.create_rule(
                    session,
                    steward,
                    licences.id,
                    RuleCreate(kind="value_set", items=["许可类别"], params=params),
                )
            assert exc.value.errors[0].field == "params.code_table"
        assert not service.list_rules(session, steward, licences.id)


class TestPagesAndApi:
    def test_upload_page_shows_the_error_report_then_the_table(self, login_as, session):
        client = login_as("steward")
        r = client.post(
            "/quality/code-tables",
            data={"name": "类别"},
            files={"file": ("t.csv", "代码,名称\n,甲\n".encode("gbk"), "text/csv")},
        )
        assert r.status_code == 422
        report = BeautifulSoup(r.text, "html.parser").find(id="upload-errors").text
        assert "第 2 行·代码" in report and "代码为空" in report
        r = client.post(
            "/quality/code-tables",
            data={"name": "类别", "description": "许可类别"},
            files={"file": ("t.csv", GOOD.encode("gbk"), "text/csv")},
            follow_redirects=False,
        )
        assert r.status_code == 303
        page = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
        assert "单位食堂" in page.find(id="code-rows").text
        listing = client.get("/quality/code-tables").text
        assert "类别" in listing and "第 1 版" in listing

    def test_a_consumer_sees_tables_but_no_upload_form(self, login_as, session, steward):
        table, _v, _ = _upload(session, steward, GOOD.encode())
        session.commit()
        client = login_as("consumer")
        page = BeautifulSoup(client.get("/quality/code-tables").text, "html.parser")
        assert page.find("a", href=f"/quality/code-tables/{table.id}") is not None
        assert page.find("input", attrs={"type": "file"}) is None
        assert "餐饮服务" in client.get(f"/quality/code-tables/{table.id}").text
        link = login_as("steward").get("/quality/datasets").text
        assert 'href="/quality/code-tables"' in link

    def test_rule_form_offers_uploaded_tables(self, login_as, session, steward, licences):
        table, _v, _ = _upload(session, steward, GOOD.encode())
        session.commit()
        client = login_as("steward")
        page = BeautifulSoup(client.get(f"/quality/datasets/{licences.id}").text, "html.parser")
        assert page.find("option", attrs={"value": f"table:{table.id}"}) is not None
        r = client.post(
            f"/quality/datasets/{licences.id}/rules",
            data={"kind": "value_set", "items": "许可类别", "code_list": f"table:{table.id}"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        (rule,) = service.list_rules(session, steward, licences.id)
        assert rule.params == {"code_table": table.id}

    def test_api_upload_list_get(self, login_as):
        client = login_as("steward")
        r = client.post(
            "/api/v1/quality/code-tables",
            data={"name": "类别"},
            files={"file": ("t.csv", GOOD.encode(), "text/csv")},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["version"]["number"] == 1 and len(body["rows"]) == 3
        r = client.post(
            "/api/v1/quality/code-tables",
            data={"name": "类别"},
            files={"file": ("t.csv", "代码\nA\n".encode(), "text/csv")},
        )
        assert r.status_code == 422 and "缺少表头：名称" in r.json()["detail"]
        assert [t["name"] for t in client.get("/api/v1/quality/code-tables").json()] == ["类别"]
        got = client.get(f"/api/v1/quality/code-tables/{body['id']}?version=1").json()
        assert got["rows"][0] == {
            "code": "JY1",
            "name": "食品销售",
            "valid_from": "2020-01-01",
            "valid_to": None,
        }
        assert client.get(f"/api/v1/quality/code-tables/{body['id']}?version=5").status_code == 404
        consumer = login_as("consumer")
        r = consumer.post(
            "/api/v1/quality/code-tables",
            data={"name": "x"},
            files={"file": ("t.csv", GOOD.encode(), "text/csv")},
        )
        assert r.status_code == 403
