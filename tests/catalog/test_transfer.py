"""Excel and CSV: the template, importing with a per-cell Chinese report, exporting."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from govshare.catalog import service
from govshare.catalog.models import Resource
from govshare.catalog.schemas import ResourceFilter
from govshare.core.errors import Invalid, NotAuthorized
from tests.builders import department_category, make_resource
from tests.personas import department_id

HEAD_RES = 1  # header row


def row(session, no, name, **over):
    cat = department_category(session, "市统计局")
    values = {
        "序号": no,
        "信息资源名称": name,
        "信息资源分类": f"{cat} 德州市统计局",
        "信息资源代码": None,
        "信息资源提供方": "市统计局",
        "信息资源摘要": f"{name}的摘要",
        "格式分类": "数据库",
        "格式类型": "达梦",
        "共享类型": "无条件共享",
        "共享条件": None,
        "共享方式": "共享平台-接口",
        "其他共享方式说明": None,
        "开放属性": "无条件开放",
        "开放条件": None,
        "更新周期": "每月",
        "数据分级": 1,
        "分级调整理由": None,
        "是否涉密": "否",
        "法律法规依据": None,
        "发布日期": None,
        "关联资源代码": None,
        "关键字": "统计；企业",
        "数据量（条）": 1200,
    }
    values.update(over)
    return list(values.values())


def item(no, name, type_code="C 字符型", **over):
    values = {
        "资源序号": no,
        "信息项名称": name,
        "数据类型": type_code,
        "数据长度": 50,
        "描述": None,
        "是否主键": "否",
        "是否必填": "否",
        "是否个人信息": "否",
        "敏感级别": 1,
        "权威来源部门": None,
    }
    values.update(over)
    return list(values.values())


def workbook(session, actor, resources, items, edit=None) -> bytes:
    template = service.get_template(session, actor("steward"))
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for r in resources:
        wb["信息资源"].append(r)
    for i in items:
        wb["信息项"].append(i)
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def do_import(session, actor, content, filename="目录.xlsx", **kw):
    return service.import_resources(
        session,
        actor("steward"),
        filename=filename,
        content=content,
        department_id=department_id(session, "市统计局"),
        **kw,
    )


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Resource))


def cells(exc) -> dict[str, str]:
    """Cell → its messages, joined (one cell can be wrong in several ways)."""
    out: dict[str, str] = {}
    for e in exc.value.errors:
        out[e.field] = (out.get(e.field, "") + " " + e.message).strip()
    return out


class TestTemplate:
    def test_template_has_instructions_columns_and_drop_downs(self, session, actor):
        wb = openpyxl.load_workbook(io.BytesIO(service.get_template(session, actor("consumer"))))
        assert wb.sheetnames == ["填报说明", "信息资源", "信息项", "代码表"]
        heads = [c.value for c in wb["信息资源"][1]]
        assert heads[:3] == ["序号*", "信息资源名称*", "信息资源分类*"]
        assert "共享类型*" in heads and "法律法规依据" in heads
        validations = {
            str(dv.sqref).split(":")[0]: dv.formula1
            for dv in wb["信息资源"].data_validations.dataValidation
        }
        assert "代码表" in validations["I2"]  # 共享类型 is a drop-down
        listed = {c.value for r in wb["代码表"].iter_rows() for c in r if c.value}
        assert {"无条件共享", "有条件共享", "不予共享", "每月"} <= listed
        assert "信息资源代码" in str([c.value for c in wb["填报说明"]["A"]])


class TestImport:
    def test_import_valid_file_creates_drafts_with_items(self, session, actor):
        content = workbook(
            session,
            actor,
            [row(session, 1, "工业企业名录"), row(session, 2, "建筑企业名录")],
            [
                item(1, "统一社会信用代码", **{"是否主键": "是"}),
                item(1, "企业名称"),
                item(2, "资质等级"),
            ],
        )
        report = do_import(session, actor, content)
        assert report.imported == 2 and not report.errors
        first = service.get_resource(session, actor("steward"), report.imported_ids[0])
        assert first.status == "draft" and [i.name for i in first.data_items] == [
            "统一社会信用代码",
            "企业名称",
        ]
        assert first.data_items[0].is_key and first.keywords == ["统计", "企业"]

    def test_bad_rows_are_reported_per_cell_and_nothing_is_saved(self, session, actor):
        prefix = department_category(session, "市统计局")
        make_resource(session, code=f"{prefix}/000007", name="已有资源")
        before = count(session)
        content = workbook(
            session,
            actor,
            [
                row(session, 1, "好的资源"),
                row(session, 2, "代码重复", **{"信息资源代码": f"{prefix}/000007"}),
                row(session, 3, "代码错误", **{"信息资源代码": "ABC"}),
                row(session, 4, "外单位", **{"信息资源提供方": "不存在的局"}),
                row(session, 5, "涉密资源", **{"是否涉密": "是"}),
                row(session, 6, "日期文本", **{"发布日期": "2024年3月1日"}),
                row(session, 7, "有条件", **{"共享类型": "有条件共享"}),
            ],
            [item(n, "编号") for n in range(1, 8)] + [item(2, "无类型", type_code=None)],
        )
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, content)
        errs = cells(exc)
        assert "已被使用" in errs["信息资源!D3"]
        assert "格式" in errs["信息资源!D4"]
        assert "不是平台上的单位" in errs["信息资源!E5"]
        assert "涉密" in errs["信息资源!R6"]
        assert "是文本，不是日期" in errs["信息资源!T7"]
        assert "共享条件" in errs["信息资源!J8"] and "依据" in errs["信息资源!S8"]
        assert errs["信息项!C9"] == "信息项“无类型”缺少数据类型。"
        assert "未导入任何资源" in exc.value.detail
        assert count(session) == before  # nothing partially saved
        report = exc.value.extra["report"]
        assert report["valid_rows"] == 1 and report["rows"] == 7

    def test_valid_rows_only_when_asked(self, session, actor):
        content = workbook(
            session,
            actor,
            [row(session, 1, "好的资源"), row(session, 2, "涉密资源", **{"是否涉密": "是"})],
            [item(1, "编号"), item(2, "编号")],
        )
        report = do_import(session, actor, content, mode="valid_rows")
        assert report.imported == 1 and len(report.errors) == 1
        assert report.errors[0].row == 3 and report.errors[0].header == "是否涉密"

    def test_dry_run_saves_nothing(self, session, actor):
        content = workbook(session, actor, [row(session, 1, "好的资源")], [item(1, "编号")])
        before = count(session)
        report = do_import(session, actor, content, dry_run=True)
        assert report.valid_rows == 1 and report.imported == 0 and count(session) == before

    def test_duplicate_names_within_the_file(self, session, actor):
        content = workbook(
            session,
            actor,
            [row(session, 1, "企业名录"), row(session, 2, "企业 名录。")],
            [item(1, "编号"), item(2, "编号")],
        )
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, content)
        assert "第 2 行" in cells(exc)["信息资源!B3"]

    def test_wrong_headers_are_refused(self, session, actor):
        def rename(wb):
            wb["信息资源"]["C1"] = "分类"

        content = workbook(session, actor, [row(session, 1, "x")], [], rename)
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, content)
        assert "应为“信息资源分类”，实为“分类”" in cells(exc)["信息资源!C1"]

    def test_merged_cells_are_named(self, session, actor):
        def merge(wb):
            wb["信息资源"].merge_cells("F2:F3")

        content = workbook(
            session,
            actor,
            [row(session, 1, "甲"), row(session, 2, "乙", **{"信息资源摘要": None})],
            [item(1, "编号"), item(2, "编号")],
            merge,
        )
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, content)
        assert "F2:F3 是合并单元格" in cells(exc)["信息资源!F2"]
        assert "F2:F3" in cells(exc)["信息资源!F3"]

    def test_formulas_are_named(self, session, actor):
        def formula(wb):
            wb["信息资源"]["W2"] = "=100*12"

        content = workbook(session, actor, [row(session, 1, "甲")], [item(1, "编号")], formula)
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, content)
        assert "公式 =100*12" in cells(exc)["信息资源!W2"]

    def test_real_dates_and_iso_text_are_accepted(self, session, actor):
        content = workbook(
            session,
            actor,
            [
                row(session, 1, "甲", **{"发布日期": dt.date(2024, 3, 1)}),
                row(session, 2, "乙", **{"发布日期": "2024-03-02"}),
            ],
            [item(1, "编号"), item(2, "编号")],
        )
        report = do_import(session, actor, content)
        dates = {
            service.get_resource(session, actor("steward"), i).publish_date
            for i in report.imported_ids
        }
        assert dates == {dt.date(2024, 3, 1), dt.date(2024, 3, 2)}

    def test_file_over_the_limit_is_413(self, session, actor):
        big = b"0" * (21 * 1024 * 1024)
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, big)
        assert exc.value.status == 413 and "超过 20 MB" in exc.value.detail

    def test_not_a_workbook(self, session, actor):
        with pytest.raises(Invalid) as exc:
            do_import(session, actor, b"not a zip")
        assert "不是有效的 .xlsx" in exc.value.detail
        with pytest.raises(Invalid):
            do_import(session, actor, b"x", filename="目录.xls")

    def test_gbk_and_utf8_csv(self, session, actor):
        from govshare.catalog.excel import RESOURCE_COLUMNS, header_of

        head = ",".join(header_of(c) for c in RESOURCE_COLUMNS) + ",信息项"
        cat = department_category(session, "市统计局")
        line = (
            f"1,能源消费统计,{cat},,市统计局,重点用能单位能源消费,数据库,达梦,无条件共享,,"
            "共享平台-接口,,无条件开放,,每年,1,,否,,,,,0,单位名称:C:200；能源消费量:N"
        )
        text = head + "\n" + line + "\n"
        report = do_import(session, actor, text.encode("gbk"), filename="目录.csv")
        assert report.imported == 1 and report.encoding == "gbk"
        r = service.get_resource(session, actor("steward"), report.imported_ids[0])
        assert [(i.name, i.type_code) for i in r.data_items] == [
            ("单位名称", "C"),
            ("能源消费量", "N"),
        ]
        line2 = line.replace("能源消费统计", "能源价格统计")
        report = do_import(
            session, actor, (head + "\n" + line2).encode("utf-8-sig"), filename="a.csv"
        )
        assert report.imported == 1 and report.encoding == "utf-8-sig"

    def test_other_departments_catalog_is_refused(self, session, actor):
        with pytest.raises(NotAuthorized):
            service.import_resources(
                session,
                actor("steward"),
                filename="x.xlsx",
                content=b"",
                department_id=department_id(session, "市公安局"),
            )


class TestExport:
    def test_export_round_trips_through_import(self, session, actor):
        make_resource(session, name="出口资源", publish=True)
        content = service.export_resources(session, actor("consumer"), ResourceFilter(q="出口资源"))
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        rows = book.get_sheet_by_name("信息资源").to_python()
        assert rows[0][1] == "信息资源名称*" and rows[1][1] == "出口资源"
        items = book.get_sheet_by_name("信息项").to_python()
        assert [r[1] for r in items[1:]] == ["统一社会信用代码", "单位名称", "登记日期"]
        # The exported file is a valid import (renamed, without its code).
        wb = openpyxl.load_workbook(io.BytesIO(content))
        wb["信息资源"]["B2"], wb["信息资源"]["D2"] = "出口资源（二）", None
        out = io.BytesIO()
        wb.save(out)
        assert do_import(session, actor, out.getvalue()).imported == 1


def test_dcat_catalog_is_dated_by_the_platform_day():
    import datetime as dt

    import time_machine

    from govshare.catalog.exchange import dcat_catalog

    with time_machine.travel(dt.datetime(2026, 12, 4, 17, 0, tzinfo=dt.UTC), tick=False):
        doc = dcat_catalog([], "https://data.example", "德州市政务信息资源目录", "德州市大数据局")
    found = (
        doc
        if "dct:modified" in doc
        else next(n for n in doc.get("@graph", []) if "dct:modified" in n)
    )
    assert found["dct:modified"]["@value"] == "2026-12-05"
