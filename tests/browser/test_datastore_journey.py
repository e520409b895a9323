"""A steward of 市公安局 loads a person table from a GBK CSV with a few bad rows, reads the reject
report, loads the corrected file as the next version, downloads both versions and sees the
difference between them (the 1M-row figure is in bench/bench_datastore.py)."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from govshare.datastore.synthetic import person_header, person_rows


def _gbk_rows(n: int) -> list[list[str]]:
    rows = []
    for r in person_rows(n + 20, seed=99):
        try:
            ",".join(r).encode("gbk")
        except UnicodeEncodeError:
            continue
        rows.append(r)
    return rows[:n]


def _write(path, rows) -> None:
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(person_header())
        w.writerows(rows)


def _load(page, path) -> None:
    page.get_by_label("数据文件").set_input_files(str(path))
    page.get_by_label("加载方式").select_option("replace")
    page.get_by_role("button", name="开始加载").click()
    expect(page.locator("[data-load-status]")).to_have_attribute(
        "data-load-status", re.compile("succeeded|failed|refused"), timeout=60_000
    )


def _download_rows(page, url: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.evaluate(f"window.location.href = {url!r}")
    body = info.value.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_steward_loads_gbk_file_with_bad_rows_then_corrects_it(page_as, tmp_path):
    good = _gbk_rows(100)
    bad = [list(r) for r in good]
    bad[10][0] = "名" * 30  # too long for C(20)
    bad[20][3] = "1985年13月40日"  # no such date
    bad[30][2] = bad[5][2]  # duplicate key
    _write(tmp_path / "人口-有误.csv", bad)
    _write(tmp_path / "人口-已改正.csv", good)

    page = page_as("gongan.steward")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据集").click()
    page.get_by_role("link", name="人口基础信息").click()
    dataset_url = page.url

    _load(page, tmp_path / "人口-有误.csv")
    expect(page.locator("[data-load-status]")).to_have_attribute("data-load-status", "succeeded")
    report = page.get_by_role("table", name="拒绝清单")
    expect(report).to_contain_text("长度 30 超过 20 个字符")
    expect(report).to_contain_text("日期格式无法识别")
    expect(report).to_contain_text("主键重复：与第 7 行相同")
    with page.expect_download() as rejects:
        page.get_by_role("link", name="下载完整拒绝清单（CSV）").click()
    assert "1985年13月40日" in rejects.value.path().read_bytes().decode("utf-8-sig")

    page.goto(dataset_url)
    _load(page, tmp_path / "人口-已改正.csv")
    expect(page.locator("[data-load-status]")).to_have_attribute("data-load-status", "succeeded")

    page.goto(dataset_url)
    versions = page.locator("table").filter(has_text="版本").first
    numbers = [int(n) for n in re.findall(r"版本 (\d+)", versions.inner_text())]
    new, old = numbers[0], numbers[1]
    base = dataset_url.rstrip("/")
    first = _download_rows(page, f"{base}/versions/{old}/download?format=csv")
    second = _download_rows(page, f"{base}/versions/{new}/download?format=csv")
    assert (len(first) - 1, len(second) - 1) == (97, 100)
    assert {r[2] for r in second} - {r[2] for r in first} == {good[10][2], good[20][2], good[30][2]}

    page.goto(dataset_url)
    page.get_by_label("从版本").fill(str(old))
    page.get_by_label("到版本").fill(str(new))
    page.get_by_role("button", name="比较两个版本").click()
    expect(page.get_by_role("status")).to_contain_text("新增 3 行")
    expect(page.get_by_role("table", name="差异")).to_contain_text(good[20][2])
