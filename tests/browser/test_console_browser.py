"""A person at the console, in Debian's Chromium: log in, see the demo queue, open a case, add a note, and see
a new case arrive without reloading. Screenshots of the pages land in test-artifacts/."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from lifeguard.app import create_app
from lifeguard.auth import service as auth
from lifeguard.clock import ShiftedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.db.migrate import upgrade
from lifeguard.demo.loader import load
from lifeguard.detection.assessment import Detector
from lifeguard.oncall import service as oncall
from lifeguard.runtime import Runtime, build_runtime
from tests import factories as f
from tests.conftest import ON_CI, issue_key, make_settings
from tests.live_server import ReadyServer as _Server
from tests.live_server import free_port as _free_port

NOTE_BOX = "form[action$='/notes'] textarea[name=text]"  # the case page has other text boxes (the outreach draft)
CHROMIUM = os.environ.get("LIFEGUARD_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if ON_CI:
        raise RuntimeError(f"CI=true but {CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@dataclass
class Live:
    base: str
    key: str
    runtime: Runtime


@contextmanager
def _serve(tmp: Path, detector: Detector, **settings: object) -> Iterator[Live]:
    url = f"sqlite:///{tmp / 'lifeguard.db'}"
    upgrade(url)
    # The demo's most urgent stories are timed ("tonight", "when my parents are asleep"): they are P0 in the
    # evening of Shanghai and Delhi and rightly P1 at noon. The server runs at 15:00 UTC (23:00 in Shanghai,
    # 20:30 in Delhi) whenever the test runs, so what it shows does not depend on the hour of the run.
    rt = build_runtime(
        make_settings(url, workers="thread", **settings), detector=detector, clock=ShiftedClock.next_at(15)
    )
    with unit_of_work(rt.sessions) as s:
        load(s, now=rt.clock.now())
    rt.worker.drain()
    key = issue_key(rt, "live-shop")
    port = _free_port()
    server = _Server(uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(20), "server did not start"
    try:
        yield Live(f"http://127.0.0.1:{port}", key, rt)
    finally:
        server.should_exit = True
        thread.join(10)
        rt.close()


ALERT_KEY: list[str] = []  # the police unit's key for the live server, set by the fixture
ALERT = {
    "alert_id": "2026-0042",
    "category": "child",
    "person": {"name": "李小明", "age": 8, "sex": "male", "height_cm": 125, "clothing": "红色上衣，蓝色牛仔裤"},
    "last_seen": {"lat": 34.75, "lon": 113.66, "place": "郑州市二七广场", "at": "2026-11-23T14:05:00+08:00"},
    "contact": {"name": "郑州市公安局", "phone": "110"},
    "languages": ["zh-CN", "en-US", "hi-IN"],
    "police_confirmed_risk": True,
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, detector: Detector) -> Iterator[tuple[str, str]]:
    with _serve(tmp_path_factory.mktemp("browser"), detector) as server:
        with unit_of_work(server.runtime.sessions) as s:
            auth.ensure_partner(
                s, partner_id="zz-police", name="Zhengzhou police", now=server.runtime.clock.now(), kind="police_unit"
            )
        ALERT_KEY[:] = [issue_key(server.runtime, "zz-police", scopes=["alerts:publish"])]
        yield server.base, server.key


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
    page.fill(NOTE_BOX, "Talked with her for an hour; she agreed to call her sister.")
    page.click("form[action$='/notes'] button[type=submit]")
    expect(page.locator(".timeline .note-text").last).to_have_text(
        "Talked with her for an hour; she agreed to call her sister."
    )
    page.screenshot(path=str(artifacts_dir / "case.png"), full_page=True)


def _log_in(page: Page, base: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # Wait for the console behind the login, scripts included: acting before the redirect lands (the language
    # switch) or before the deferred console.js has attached its keys ("n") made these tests flaky under load.
    expect(page.locator("form[action='/logout']")).to_have_count(1)
    page.wait_for_load_state("load")


def test_take_next_escalation_outcome_and_role_denial(
    tmp_path: Path, detector: Detector, browser_page: Page, artifacts_dir: Path
) -> None:
    # A P0 must be acknowledged within 2 s here, so that a missed SLA is seen within the test. The demo data
    # brings a night team with the demo interventionist on call.
    with _serve(tmp_path, detector, sla_ack_seconds={0: 2, 1: 600, 2: 3600, 3: 86400}) as live:
        rt = live.runtime
        now = rt.clock.now()
        with unit_of_work(rt.sessions) as s:
            auth.add_user(
                s, username="liaison", password="lifeguard-liaison", role="police_liaison", now=now, actor="test"
            )
        escalated = threading.Event()
        rt.bus.subscribe(oncall.NOTIFICATIONS, lambda _t, _m: escalated.set())
        page = browser_page

        # An interventionist presses n: the most urgent case opens, taken by her.
        _log_in(page, live.base, "demo", "lifeguard-demo")
        expect(page.locator("h1")).to_contain_text("Open cases")
        first_row = page.locator("#queue-rows tr[data-href]").first.get_attribute("data-href")
        page.keyboard.press("n")
        expect(page).to_have_url(f"{live.base}{first_row}")
        expect(page.locator(".actions-col")).to_contain_text("You are working this case.")
        expect(page.locator("#claimer")).to_have_text("Demo Interventionist")

        # She writes a note and closes the case with an outcome.
        page.fill(NOTE_BOX, "Spoke with her until midnight; her mother is with her now.")
        page.click("form[action$='/notes'] button[type=submit]")
        expect(page.locator(".timeline .note-text").last).to_contain_text("her mother is with her now")
        page.select_option("select[name=status]", "resolved")
        page.click("#status-form button[type=submit]")
        expect(page.locator(".flash.error")).to_contain_text("needs an outcome")
        page.select_option("select[name=status]", "resolved")
        page.select_option("select[name=outcome]", "dissuaded")
        page.click("#status-form button[type=submit]")
        expect(page.locator("#case-status")).to_have_text("resolved · dissuaded")
        page.screenshot(path=str(artifacts_dir / "case-resolved.png"), full_page=True)

        # Nobody acknowledges the other P0 cases: the escalation pages the supervisor, and it shows on the case.
        assert escalated.wait(15), "no escalation step ran"
        _log_in(page, live.base, "demo", "lifeguard-demo")  # on call in the demo's night team
        page.goto(f"{live.base}/notifications")
        expect(page.locator("#pages li").first).to_contain_text("not acknowledged in time")
        page.locator("#pages li a").first.click()
        expect(page.locator("#escalation")).to_contain_text("paged")
        page.screenshot(path=str(artifacts_dir / "case-escalated.png"), full_page=True)

        # An auditor reads but cannot act; a police liaison sees no case not referred to their unit.
        _log_in(page, live.base, "auditor", "lifeguard-auditor")
        page.goto(f"{live.base}{first_row}")
        expect(page.locator(".actions-col")).to_contain_text("can read this case but not act")
        _log_in(page, live.base, "liaison", "lifeguard-liaison")
        expect(page.locator("#queue-rows")).to_contain_text("No open cases.")
        page.goto(f"{live.base}{first_row}")
        expect(page.locator("h1")).to_have_text("Not allowed")
        page.screenshot(path=str(artifacts_dir / "role-denied.png"))

        # The console in Chinese.
        _log_in(page, live.base, "demo", "lifeguard-demo")
        page.select_option("#language-form select", "zh")
        expect(page.locator("h1")).to_contain_text("待处理个案")
        page.screenshot(path=str(artifacts_dir / "queue-zh.png"), full_page=True)


def test_the_public_alert_page_on_a_phone(live: tuple[str, str], browser_page: Page, artifacts_dir: Path) -> None:
    """A stranger opens a shared alert on a phone, reads it, and sends a tip with markup in it."""
    base, _key = live
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    police = page.request.post(f"{base}/v1/alerts", headers={"Authorization": f"Bearer {ALERT_KEY[0]}"}, data=ALERT)
    assert police.ok, police.text()
    page.goto(f"{base}/alerts/{ALERT['alert_id']}")
    expect(page.locator("h1")).to_contain_text("李小明")
    expect(page.locator("a[href^='tel:']")).to_have_text("110")
    page.screenshot(path=str(artifacts_dir / "alert-phone.png"), full_page=True)
    page.fill("#tip-text", "<script>alert(1)</script> Saw a boy in a red top at the bus station, 15:20")
    page.click("button[type=submit]")
    expect(page.locator("[role=status] blockquote")).to_contain_text("Saw a boy in a red top")
    assert "<script>" not in page.content().split("<blockquote>")[1].split("</blockquote>")[0]

    # In Chinese (?lang=zh), with the phone's location added by the page's own script.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 34.7521, "longitude": 113.6649})
    page.goto(f"{base}/alerts/{ALERT['alert_id']}?lang=zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page.locator("h1")).to_have_text("寻人：李小明")
    expect(page.locator("label[for=tip-text]")).to_have_text("您在何时何地看到了什么？")
    page.screenshot(path=str(artifacts_dir / "alert-phone-zh.png"), full_page=True)
    page.fill("#tip-text", "在火车站看到一个穿红色上衣的男孩")
    page.click("button[data-locate]")
    expect(page.locator("[data-locate-status]")).to_have_text("已添加您的位置。")
    assert page.input_value("input[name=lat]") == "34.75210"
    page.click("button[type=submit]")
    expect(page.locator("section.flash[role=status]")).to_contain_text("谢谢。警方已收到您的线索：")
    expect(page.locator("section.flash blockquote")).to_have_text("在火车站看到一个穿红色上衣的男孩")
    page.screenshot(path=str(artifacts_dir / "tip-phone-zh.png"), full_page=True)

    # In Hindi, chosen by the browser's Accept-Language, with a photo.
    page.set_extra_http_headers({"Accept-Language": "hi-IN,hi;q=0.9"})
    page.goto(f"{base}/alerts/{ALERT['alert_id']}")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("h1")).to_have_text("लापता: 李小明")
    expect(page.locator("button[type=submit]")).to_have_text("सूचना पुलिस को भेजें")
    page.screenshot(path=str(artifacts_dir / "alert-phone-hi.png"), full_page=True)
    page.fill("#tip-text", "बस अड्डे पर लाल कपड़ों में एक लड़का देखा")
    page.set_input_files("#tip-photo", files=[{"name": "sighting.png", "mimeType": "image/png", "buffer": _png()}])
    page.click("button[type=submit]")
    expect(page.locator("section.flash[role=status]")).to_contain_text("धन्यवाद। पुलिस को आपकी सूचना मिल गई है:")
    expect(page.locator("section.flash[role=status]")).to_contain_text("आपकी फ़ोटो भी मिल गई है।")
    page.screenshot(path=str(artifacts_dir / "tip-phone-hi.png"), full_page=True)
    page.set_extra_http_headers({})


def _png(width: int = 48, height: int = 32) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = b"".join(b"\x00" + bytes(width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")
