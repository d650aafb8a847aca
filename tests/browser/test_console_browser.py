"""A person at the console, in Debian's Chromium: log in, see the demo queue, open a case, add a note, and see
a new case arrive without reloading. Screenshots of the pages land in test-artifacts/."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from lifeguard.app import create_app
from lifeguard.db.engine import unit_of_work
from lifeguard.db.migrate import upgrade
from lifeguard.demo.loader import load
from lifeguard.detection.assessment import Detector
from lifeguard.runtime import build_runtime
from tests import factories as f
from tests.conftest import ON_CI, issue_key, make_settings

CHROMIUM = os.environ.get("LIFEGUARD_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if ON_CI:
        raise RuntimeError(f"CI=true but {CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


class _Server(uvicorn.Server):
    """uvicorn that says when it is listening, so the test waits on an event, not a sleep."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, detector: Detector) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'lifeguard.db'}"
    upgrade(url)
    rt = build_runtime(make_settings(url, workers="thread"), detector=detector)
    with unit_of_work(rt.sessions) as s:
        load(s, now=rt.clock.now())
    rt.worker.drain()
    key = issue_key(rt, "live-shop")
    port = _free_port()
    server = _Server(uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(20), "server did not start"
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(10)
    rt.close()


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def test_login_queue_case_note_and_live_update(live: tuple[str, str], browser_page: Page, artifacts_dir: Path) -> None:
    base, key = live
    page = browser_page
    page.goto(f"{base}/queue")
    expect(page).to_have_url(f"{base}/login?next=/queue")
    page.screenshot(path=str(artifacts_dir / "login.png"))
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "lifeguard-demo")
    page.click("button[type=submit]")

    expect(page.locator("h1")).to_contain_text("Open cases")
    rows = page.locator("#queue-rows tr[data-href]")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 6
    expect(rows.first.locator(".badge")).to_have_text("P0")
    page.screenshot(path=str(artifacts_dir / "queue.png"), full_page=True)

    # Live: a new attempt-level signal arrives while the queue is open; its row appears without a reload.
    response = page.request.post(
        f"{base}/v1/signals",
        headers={"Authorization": f"Bearer {key}"},
        data={"events": [f.message("I already took all the pills. goodbye everyone", subject="live-subject-1")]},
    )
    assert response.ok, response.text()
    expect(page.locator("#queue-rows", has_text="live-subject-1")).to_be_visible(timeout=5_000)

    # Keyboard: j selects the first row, Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator(".case-head h1")).to_contain_text("Case #")
    expect(page.locator("mark").first).to_be_visible()
    page.fill("textarea[name=text]", "Talked with her for an hour; she agreed to call her sister.")
    page.click("form[action$='/notes'] button[type=submit]")
    expect(page.locator(".timeline .note-text").last).to_have_text(
        "Talked with her for an hour; she agreed to call her sister."
    )
    page.screenshot(path=str(artifacts_dir / "case.png"), full_page=True)
