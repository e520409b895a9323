"""Data quality end to end: a 市公安局 steward loads a person table with planted errors and the
gate blocks the version naming each failing rule with samples; the fixed file passes; the
department's inspection report downloads as PDF and Excel; the scoreboard ranks departments; a
consumer's objection is answered and fixed in a new version (the demo added the suggested rules
and one scheduled inspection of every demo dataset)."""

from __future__ import annotations

import csv
import datetime as dt
import re

from playwright.sync_api import expect

from govshare.core.identifiers import id_check_char
from govshare.datastore.synthetic import person_header, person_rows


def _write(path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(person_header())
        w.writerows(rows)


def _load(page, path) -> str:
    page.get_by_label("数据文件").set_input_files(str(path))
    page.get_by_label("加载方式").select_option("replace")
    page.get_by_role("button", name="开始加载").click()
    status = page.locator("[data-load-status]")
    expect(status).to_have_attribute(
        "data-load-status", re.compile("succeeded|failed|refused"), timeout=60_000
    )
    return str(status.get_attribute("data-load-status"))


def test_gate_report_scoreboard_and_objection(page_as, tmp_path):
    good = [list(r) for r in person_rows(1500, seed=7)]
    bad = [list(r) for r in good]
    body = bad[3][2][:17]
    bad[3][2] = body + ("0" if id_check_char(body) != "0" else "1")  # wrong check digit
    bad[5][1] = "女" if bad[5][1] == "男" else "男"  # gender disagrees with the ID
    _write(tmp_path / "人口-有误.csv", bad)
    _write(tmp_path / "人口-已改正.csv", good)

    steward = page_as("gongan.steward")
    steward.goto("/data")
    steward.get_by_role("link", name="人口基础信息").click()
    dataset_url = steward.url
    dataset_id = int(dataset_url.rstrip("/").rsplit("/", 1)[1])

    # 1. the gate blocks the version and names each failing rule with samples
    assert _load(steward, tmp_path / "人口-有误.csv") == "refused"
    alert = steward.get_by_role("alert").last
    expect(alert).to_contain_text("公民身份号码：公民身份号码（GB 11643）")
    expect(alert).to_contain_text(bad[3][2])
    expect(alert).to_contain_text("性别与身份证号一致")
    steward.goto(f"/quality/datasets/{dataset_id}")
    steward.locator("#runs a").first.click()
    expect(steward.locator("#run-status")).to_have_text("未通过")
    expect(steward.locator("#findings")).to_contain_text(bad[3][2])

    # 2. the fixed file passes and becomes the current version
    steward.goto(dataset_url)
    assert _load(steward, tmp_path / "人口-已改正.csv") == "succeeded"

    # 3. the department's inspection report (the demo's scheduled inspection) as PDF and Excel
    steward.goto("/quality/reports")
    expect(steward.locator("#report-runs")).to_contain_text("人口基础信息")
    with steward.expect_download() as pdf:
        steward.locator("#download-pdf").click()
    assert pdf.value.path().read_bytes()[:4] == b"%PDF"
    with steward.expect_download() as xlsx:
        steward.locator("#download-xlsx").click()
    assert xlsx.value.path().read_bytes()[:2] == b"PK"

    # 4. the scoreboard ranks the departments
    supervisor = page_as("duban.supervisor")
    supervisor.goto("/quality")
    board = supervisor.locator("#scoreboard")
    expect(board).to_contain_text("德州市公安局")
    expect(board).to_contain_text("德州市市场监督管理局")
    assert supervisor.locator("#scoreboard tbody tr").first.locator("td").first.inner_text() == "1"

    # 5. a consumer's objection is answered and fixed in a new version
    consumer = page_as("lingcheng.consumer")
    consumer.goto(f"/quality/datasets/{dataset_id}")
    form = consumer.locator("#objection-form")
    form.get_by_label("数据项").select_option("姓名")
    form.get_by_label("哪一行（主键）").fill(good[0][2])
    form.get_by_label("有误的值").fill(good[0][0])
    form.get_by_label("说明").fill("户籍登记的姓名与此不符")
    form.get_by_role("button", name="提出数据异议").click()
    expect(consumer.locator("#objection-status")).to_have_text("待答复")
    objection_url = consumer.url

    steward.goto(objection_url)
    steward.get_by_label("答复").fill("已核实，下一版更正")
    steward.get_by_role("button", name="确认有误，将在新版本更正").click()
    expect(steward.locator("#objection-status")).to_have_text("已确认待更正")
    fixed = [list(r) for r in good]
    fixed[0][0] = "更正后"
    _write(tmp_path / "人口-更正姓名.csv", fixed)
    steward.goto(dataset_url)
    assert _load(steward, tmp_path / "人口-更正姓名.csv") == "succeeded"

    consumer.goto(objection_url)
    expect(consumer.locator("#objection-status")).to_have_text("已在新版本更正")
    assert dt.date.today().year >= 2026
