"""Browser journeys: a live server on a free port with the demo loaded, Debian's chromium.

Run with ``pytest -m browser`` (``make test`` does). Each persona logs in once; its storage state
is reused by later tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

CHROMIUM = os.environ.get("GOVSHARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "Dezhou@2026"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """Mail the live server sent, caught by a local SMTP server (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[object] = []
        self.port = _free_port()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[str]:
    data = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "GOVSHARE_SMTP_HOST": "127.0.0.1",
        "GOVSHARE_SMTP_PORT": str(mailbox.port),
        "GOVSHARE_DATA_DIR": str(data),
        "GOVSHARE_LOG_LEVEL": "WARNING",
        "GOVSHARE_ARGON2_TIME_COST": "1",
        "GOVSHARE_ARGON2_MEMORY_KIB": "1024",
    }
    env.pop("GOVSHARE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "govshare.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        log.close()
        pytest.fail("live server did not start: " + (data / "server.log").read_text()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run scripts/ensure-packages.sh (make test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def storage_states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {}


@pytest.fixture
def page_as(
    browser, live_server, storage_states, tmp_path_factory
) -> Iterator[Callable[[str], object]]:  # type: ignore[no-untyped-def]
    """A logged-in page for a demo user (username); logs in once per user per session."""
    contexts = []

    def open_page(username: str) -> object:
        state = storage_states.get(username)
        ctx = browser.new_context(
            base_url=live_server,
            locale="zh-CN",
            storage_state=str(state) if state else None,
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(ctx)
        page = ctx.new_page()
        if state is None:
            page.goto("/login")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{live_server}/")
            path = tmp_path_factory.mktemp("state") / f"{username}.json"
            ctx.storage_state(path=str(path))
            storage_states[username] = path
        else:
            page.goto("/")  # a reused login opens on the home page too, whatever ran before
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()
