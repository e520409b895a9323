"""Sharing, end to end in the browser, on the legal clock.

陵城区's consumer asks for 市公安局's population resource (name, ID number, address) on Monday
28 September 2026; 市公安局's reviewer narrows it to 陵城区, masks the ID number and approves on
day 3; the consumer's system calls lookup, batch and verification and gets exactly what the grant
allows; revocation stops it on the next call; a second request left unanswered shows as overdue
after 10 working days across 国庆 (due Friday 16 October, overdue Monday 19 October; a count of
calendar days or of weekdays alone would be wrong).

The server runs under time-machine (restarted for each day) on its own copy of the demo.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.browser.conftest import DEMO_PASSWORD, _free_port

TRAVEL = (
    "import sys, time_machine; time_machine.travel(sys.argv.pop(1), tick=True).start(); "
    "from govshare.cli import app; app()"
)
COUNTY = "371403"


class Server:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = {
            **os.environ,
            "GOVSHARE_DATA_DIR": str(data),
            "GOVSHARE_LOG_LEVEL": "WARNING",
            "GOVSHARE_ARGON2_TIME_COST": "1",
            "GOVSHARE_ARGON2_MEMORY_KIB": "1024",
        }
        self.env.pop("GOVSHARE_DATABASE_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self, when: str) -> str:
        self.stop()
        port = _free_port()
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", TRAVEL, when, "serve", "--port", str(port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self.base
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail("time-travelling server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("sharing-live")
    s = Server(data)
    cli = [sys.executable, "-m", "govshare.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=s.env, check=True, capture_output=True)  # noqa: S603
    subprocess.run([*cli, "demo"], env=s.env, check=True, capture_output=True)  # noqa: S603
    yield s
    s.stop()


def _login(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        base_url=base, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = ctx.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return ctx, page


def _resource(server: Server, name: str) -> tuple[int, str]:
    con = sqlite3.connect(server.data / "govshare.sqlite3")
    rid, code = con.execute(
        "SELECT id, code FROM catalog_resource WHERE name = ?", (name,)
    ).fetchone()
    return int(rid), str(code)


def _apply(page, server: Server, resource: str, items: list[str], purpose: str) -> None:  # type: ignore[no-untyped-def]
    rid, _code = _resource(server, resource)
    page.goto("/sharing/requests/new")
    page.get_by_label("信息资源").select_option(str(rid))
    page.get_by_role("button", name="选择").click()
    for item in items:
        page.get_by_role("checkbox", name=item).check()
    if not items:
        page.locator("input[name='items[]']").first.check()
    page.get_by_label("用途").fill(purpose)
    page.get_by_label("依据", exact=True).fill("《山东省政务信息资源共享管理办法》")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("申请已提交").wait_for()


def _people(server: Server) -> tuple[list[str], list[str], dict[str, str]]:
    """ID numbers in and outside 陵城区, and one person's name (from the row store)."""
    for f in (server.data / "datastore" / "serving").glob("*.sqlite3"):
        con = sqlite3.connect(f)
        if len(con.execute("SELECT * FROM t LIMIT 1").description) == 13:
            inside = [r[0] for r in con.execute(f"SELECT c2 FROM t WHERE c5 = '{COUNTY}'")]
            outside = [r[0] for r in con.execute(f"SELECT c2 FROM t WHERE c5 <> '{COUNTY}'")]
            name, address = con.execute(
                "SELECT c0, c6 FROM t WHERE c2 = ?", (inside[0],)
            ).fetchone()
            return inside, outside, {"姓名": name, "户籍地址": address}
    raise AssertionError("population row store not found")


def test_request_review_grant_calls_revocation_and_overdue(browser, server):  # type: ignore[no-untyped-def]
    # Day 0, Monday 28 September 2026: two requests from 陵城区.
    base = server.start("2026-09-28 09:00 +0800")
    ctx, page = _login(browser, base, "lingcheng.consumer")
    _apply(page, server, "人口基础信息", ["姓名", "公民身份号码", "户籍地址"], "核验申请人身份")
    assert "剩余 10 个工作日" in page.content()
    population_path = "/sharing/" + page.url.split("/sharing/", 1)[1]
    _apply(page, server, "户籍登记信息", [], "核验户籍")
    ctx.close()

    # Day 3, Thursday 1 October is a holiday: the reviewer works on Wednesday 30 September,
    # the third calendar day (2 working days in).
    base = server.start("2026-09-30 10:00 +0800")
    ctx, page = _login(browser, base, "gongan.reviewer")
    page.goto("/sharing/review")
    assert "人口基础信息" in page.content() and "户籍登记信息" in page.content()
    page.goto(population_path)
    page.get_by_label("脱敏方式：公民身份号码").select_option("keep_ends")
    page.get_by_label("行范围：信息项").select_option("户籍地区划")
    page.get_by_label("行范围：取值（逗号分隔）").fill(COUNTY)
    page.get_by_role("button", name="批准").click()
    page.get_by_text("已批准，授权已生效").wait_for()
    ctx.close()

    # The consumer makes a read-only token and binds it to the 陵城区 system.
    ctx, page = _login(browser, base, "lingcheng.consumer")
    page.goto("/accounts/tokens")
    page.get_by_label("用途").fill("一网通办调用")
    page.get_by_label("读取（GET 请求）").check()
    page.get_by_role("button", name="创建令牌").click()
    token = page.locator("#new-token").inner_text().strip()
    page.goto("/sharing/systems")
    page.get_by_role("button", name="绑定").first.click()
    page.get_by_text("令牌已绑定").wait_for()
    ctx.close()

    inside, outside, person = _people(server)
    auth = {"Authorization": f"Bearer {token}"}
    _rid, code = _resource(server, "人口基础信息")
    api = f"{base}/api/v1/data/{code}"
    one = httpx.get(f"{api}/records/{inside[0]}", headers=auth)
    assert one.status_code == 200, one.text
    record = one.json()["record"]
    assert set(record) == {"姓名", "公民身份号码", "户籍地址"}
    assert record["公民身份号码"] == inside[0][:6] + "********" + inside[0][-4:]
    assert httpx.get(f"{api}/records/{outside[0]}", headers=auth).status_code == 404
    batch = httpx.post(
        f"{api}/records/batch", headers=auth, json={"keys": [inside[0], inside[1], outside[0]]}
    ).json()
    assert len(batch["records"]) == 2 and batch["missing"] == [outside[0]]
    check = httpx.post(
        f"{api}/verify",
        headers=auth,
        json={"key": inside[0], "fields": {"姓名": person["姓名"], "户籍地址": "别处"}},
    ).json()
    assert check["exists"] is True and check["fields"] == {"姓名": True, "户籍地址": False}
    refused = httpx.get(f"{api}?fields=联系电话", headers=auth)
    assert refused.status_code == 422

    # The reviewer revokes; the very next call is refused.
    ctx, page = _login(browser, base, "gongan.reviewer")
    page.goto("/sharing/grants")
    row = page.locator("tr", has_text="陵城区一网通办平台").filter(has_text="人口基础信息").first
    row.get_by_placeholder("吊销理由").fill("合作调整")
    row.get_by_role("button", name="吊销").click()
    page.get_by_text("授权已吊销").wait_for()
    ctx.close()
    after = httpx.get(f"{api}/records/{inside[0]}", headers=auth)
    assert after.status_code == 403 and "授权" in after.json()["detail"]

    # Friday 16 October is the 10th working day (国庆 off, Saturday 10 October worked): due.
    base = server.start("2026-10-16 10:00 +0800")
    ctx, page = _login(browser, base, "gongan.reviewer")
    page.goto("/sharing/review")
    row = page.locator("tr", has_text="户籍登记信息")
    assert "2026-10-16" in row.inner_text() and "已超期" not in row.inner_text()
    ctx.close()
    base = server.start("2026-10-19 10:00 +0800")
    ctx, page = _login(browser, base, "gongan.reviewer")
    page.goto("/sharing/review")
    row = page.locator("tr", has_text="户籍登记信息")
    assert "已超期" in row.inner_text()
    ctx.close()
