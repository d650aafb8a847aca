"""A police officer at the console, in Debian's Chromium: logs in, publishes a missing-person alert (first with a
criterion unmet), sees it go out, triages a tip from the public and closes the alert as found alive. Screenshots
land in test-artifacts/."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import h3
import pytest
from sqlalchemy import select

from lifeguard.alerts import store
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.detection.assessment import Detector
from lifeguard.partners.models import Partner
from tests.alerts.test_photos_and_acks import png
from tests.browser.test_console_browser import CHROMIUM, _log_in, _serve
from tests.http_double import endpoint

pytestmark = pytest.mark.browser

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402 - after the module's skip check

CENTRE = (34.7466, 113.6253)  # Zhengzhou, Erqi Square


@pytest.fixture
def officer_page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def test_an_officer_publishes_triages_a_tip_and_closes_the_alert(
    tmp_path: Path, detector: Detector, officer_page: Page, artifacts_dir: Path
) -> None:
    with _serve(tmp_path, detector) as live, endpoint() as app_endpoint:
        rt = live.runtime
        now = rt.clock.now()
        with unit_of_work(rt.sessions) as s:
            auth.ensure_partner(s, partner_id="zz-police", name="Zhengzhou police", now=now, kind="police_unit")
            auth.ensure_partner(s, partner_id="map-app", name="Map app", now=now, kind="app")
            partner = s.get(Partner, "map-app")
            assert partner is not None
            partner.webhook_url, partner.webhook_secret = app_endpoint.url, signing.new_secret()
            store.set_coverage(s, partner_id="map-app", cells=[h3.latlng_to_cell(*CENTRE, 7)], now=now)
            auth.add_user(
                s, username="officer", password="lifeguard-officer", role="police_liaison", now=now, actor="test"
            )
            s.scalars(select(User).where(User.username == "officer")).one().unit = "zz-police"
        page = officer_page

        _log_in(page, live.base, "officer", "lifeguard-officer")
        page.click("#nav-alerts")
        expect(page.locator("h1")).to_contain_text("Missing-person alerts")
        page.click("#new-alert")
        expect(page.locator("#criteria")).to_contain_text("a child alert is for a person under 18")
        form = page.locator("#publish-form")
        form.locator("input[name=alert_id]").fill("ZZ-2026-0042")
        form.locator("input[name=name]").fill("李小明")
        form.locator("input[name=age]").fill("8")
        form.locator("select[name=sex]").select_option("male")
        form.locator("textarea[name=clothing]").fill("红色上衣，蓝色牛仔裤")
        form.locator("input[name=last_seen_place]").fill("郑州市二七广场")
        form.locator("input[name=last_seen_lat]").fill(str(CENTRE[0]))
        form.locator("input[name=last_seen_lon]").fill(str(CENTRE[1]))
        form.locator("input[name=contact_phone]").fill("110")
        form.locator("button[type=submit]").click()

        # The risk is not confirmed yet: nothing goes out, the form says why and keeps what was typed.
        expect(page.locator("#unmet")).to_contain_text("the police must confirm that the child is at risk")
        expect(page.locator("input[name=name]")).to_have_value("李小明")
        page.screenshot(path=str(artifacts_dir / "alert-criteria-unmet.png"), full_page=True)
        page.check("input[name=police_confirmed_risk]")
        page.locator("#publish-form button[type=submit]").click()

        expect(page.locator("h1")).to_contain_text("ZZ-2026-0042")
        expect(page.locator("#alert-status")).to_have_text("published")
        expect(page.locator("#messages")).to_contain_text("Map app")
        expect(page.locator("#tips")).to_contain_text("No tips yet.")

        # A member of the public sends a tip with markup in it and a photo; the officer sees the words as text,
        # looks at the photo and marks the tip useful.
        tip = page.request.post(
            f"{live.base}/alerts/ZZ-2026-0042/tips",
            data={
                "text": "&lt;img src=x onerror=alert(1)&gt; Saw a boy in a red top at the bus station",
                "lat": CENTRE[0] + 0.01,
                "lon": CENTRE[1],
                "place": "the bus stop on the square's north side",
                "photo_base64": base64.b64encode(png(96, 64)).decode(),
            },
        )
        assert tip.status == 201, tip.text()
        page.reload()
        queued = page.locator("#tips li.tip").first
        expect(queued.locator(".tip-text")).to_have_text(
            "<img src=x onerror=alert(1)> Saw a boy in a red top at the bus station"
        )
        expect(page.locator("#tips img[src=x]")).to_have_count(0)
        expect(queued.locator(".tip-place")).to_contain_text("the bus stop on the square's north side")
        photo = queued.locator(".tip-photo img")
        expect(photo).to_be_visible()
        # Decoded by the browser: served to the officer with its type, not refused by the page's CSP.
        page.wait_for_function("img => img.complete && img.naturalWidth === 96", arg=photo.element_handle())
        queued.locator("button.useful").click()
        expect(page.locator("#tips li.tip").first.locator(".tag")).to_have_text("useful")
        expect(page.locator("#tips li.tip").first).to_contain_text("triaged by user:officer")
        page.screenshot(path=str(artifacts_dir / "alert-tip-queue.png"), full_page=True)

        # Found: the officer closes the alert, confirms, and sees who got the Cancel.
        page.select_option("#close-form select[name=outcome]", "found_alive")
        page.click("#close-form button[type=submit]")
        expect(page.locator("#cancel-to")).to_have_text("Map app")
        page.screenshot(path=str(artifacts_dir / "alert-close-confirm.png"), full_page=True)
        page.click("#close-confirm button[type=submit]")
        expect(page.locator("#alert-status")).to_have_text("closed · found alive")
        expect(page.locator("#cancel-partners")).to_have_text("Map app")
        expect(page.locator("#close-form")).to_have_count(0)
        page.screenshot(path=str(artifacts_dir / "alert-closed.png"), full_page=True)

        rt.delivery.drain()  # waits for the worker's pass in flight, then sends anything still due
        assert [r.json["msg_type"] for r in sorted(app_endpoint.received, key=lambda r: r.json["sequence"])] == [
            "Alert",
            "Cancel",
        ]

        page.goto(f"{live.base}/console/alerts/stats")
        expect(page.locator("#stats-table tbody tr").first.locator(".found_alive")).to_have_text("1")
        expect(page.locator("#stats-chart rect.found_alive")).to_have_count(1)
        page.screenshot(path=str(artifacts_dir / "alert-stats.png"), full_page=True)
