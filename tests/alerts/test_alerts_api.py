"""The alerts API and public pages on both databases: input checks, tips (sanitised, escaped, rate-limited,
de-duplicated, sealed on close), the CAP message, the Atom feed and the public page before and after close."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.alerts.cap import parse_cap
from lifeguard.alerts.models import AlertRow, TipRow
from lifeguard.auth import service as auth
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.runtime import Runtime
from tests.alerts import test_alerts_fanout as fanout
from tests.alerts.test_alerts_fanout import alert_body, police
from tests.conftest import issue_key

World = tuple[Runtime, FixedClock, TestClient]
PHOTO = "https://cdn.example.cn/alerts/p1.jpg"
world = fanout.world  # the same fixture: a FixedClock runtime and a client


def _published(rt: Runtime, client: TestClient, alert_id: str = "2026-0042") -> None:
    answer = client.post("/v1/alerts", headers=police(rt), json=alert_body(alert_id))
    assert answer.status_code == 201, answer.text


def test_bad_input_is_refused_with_the_reason(world: World) -> None:
    rt, _clock, client = world
    headers = police(rt)
    bad_lat = alert_body()
    bad_lat["last_seen"] = {**bad_lat["last_seen"], "lat": 91}
    answer = client.post("/v1/alerts", headers=headers, json=bad_lat)
    assert answer.status_code == 400 and "latitude" in answer.json()["error"]["message"]

    unmet = client.post("/v1/alerts", headers=headers, json=alert_body(police_confirmed_risk=False))
    assert unmet.status_code == 400
    assert unmet.json()["error"]["code"] == "alert_criteria_not_met"

    naive = alert_body()
    naive["last_seen"] = {**naive["last_seen"], "at": "2026-11-23T14:05:00"}
    assert client.post("/v1/alerts", headers=headers, json=naive).status_code == 400
    assert client.post("/v1/alerts", headers=headers, json=alert_body("has space")).status_code == 422

    receive = {"Authorization": f"Bearer {issue_key(rt, 'map-app', scopes=['alerts:receive'])}"}
    bad_cells = client.put("/v1/alerts/coverage", headers=receive, json={"cells": ["not-a-cell"]})
    assert bad_cells.status_code == 400 and "H3" in bad_cells.json()["error"]["message"]
    # A receiving partner may not publish, and a police key may not set coverage.
    assert client.post("/v1/alerts", headers=receive, json=alert_body()).status_code == 403
    assert client.put("/v1/alerts/coverage", headers=headers, json={"cells": ["8731aa52bffffff"]}).status_code == 403


def test_unknown_alerts_are_404(world: World) -> None:
    rt, _clock, client = world
    assert client.post("/v1/alerts/nope/close", headers=police(rt), json={"outcome": "other"}).status_code == 404
    assert client.get("/alerts/nope").status_code == 404
    assert client.get("/cap/alerts/nope.xml").status_code == 404
    assert client.post("/alerts/nope/tips", json={"text": "saw him"}).status_code == 404


def test_public_cap_feed_and_page_before_and_after_close(world: World) -> None:
    rt, _clock, client = world
    _published(rt, client)
    cap = client.get("/cap/alerts/2026-0042.xml")
    assert cap.status_code == 200 and cap.headers["content-type"].startswith("application/cap+xml")
    assert parse_cap(cap.content).msg_type == "Alert"
    feed = client.get("/cap/feed.atom")
    assert feed.status_code == 200 and PHOTO in feed.text and "李小明" in feed.text
    page = client.get("/alerts/2026-0042")
    assert page.status_code == 200 and PHOTO in page.text and "郑州市二七广场" in page.text
    assert 'action="/alerts/2026-0042/tips?lang=zh"' in page.text  # the alert's first language, by default

    assert (
        client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"}).status_code
        == 200
    )
    assert parse_cap(client.get("/cap/alerts/2026-0042.xml").content).msg_type == "Cancel"
    feed = client.get("/cap/feed.atom").text
    assert PHOTO not in feed and "李小明" not in feed and "has ended" in feed
    page = client.get("/alerts/2026-0042?lang=en").text
    assert PHOTO not in page and "李小明" not in page and "has ended" in page and "<form" not in page


def test_tips_are_sanitised_escaped_deduplicated_and_sealed(world: World) -> None:
    rt, _clock, client = world
    _published(rt, client)
    raw = '<script>alert(1)</script>Saw a boy in red <b>near</b> gate 5 & "shop" <3 https://evil.example/x'
    sent = client.post("/alerts/2026-0042/tips", data={"text": raw})
    assert sent.status_code == 201, sent.text
    assert "<script>" not in sent.text and "alert(1)" not in sent.text
    assert "near</b>" not in sent.text
    assert "&amp; &#34;shop&#34; &lt;3" in sent.text or "&amp; &quot;shop&quot; &lt;3" in sent.text
    assert "hxxps[://]evil[.]example/x" in sent.text
    with unit_of_work(rt.sessions) as s:
        (tip,) = s.scalars(select(TipRow))
        assert tip.text.startswith("Saw a boy in red near gate 5") and "<" in tip.text  # plain text, not HTML
        assert tip.had_links and not tip.sealed

    again = client.post(
        "/alerts/2026-0042/tips", json={"text": "saw a boy in red NEAR gate 5 & shop <3 hxxps[://]evil[.]example/x"}
    )
    assert again.status_code in (200, 201)
    dup = client.post("/alerts/2026-0042/tips", json={"text": raw})
    assert dup.status_code == 200 and dup.json()["duplicate"] is True

    bad = client.post("/alerts/2026-0042/tips", json={"text": "at the gate", "lat": 91, "lon": 0})
    assert bad.status_code == 400

    assert (
        client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"}).status_code
        == 200
    )
    with unit_of_work(rt.sessions) as s:
        assert all(t.sealed for t in s.scalars(select(TipRow)))
    assert client.post("/alerts/2026-0042/tips", json={"text": "saw him again"}).status_code == 409


def test_a_flood_of_tips_from_one_client_is_rate_limited(world: World) -> None:
    rt, clock, client = world
    _published(rt, client)
    statuses = [
        client.post("/alerts/2026-0042/tips", json={"text": f"sighting number {i}"}).status_code for i in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    limited = client.post("/alerts/2026-0042/tips", json={"text": "one more"})
    assert limited.status_code == 429 and "try again" in limited.text
    clock.advance(timedelta(minutes=5))  # 12 an hour: one token back
    assert client.post("/alerts/2026-0042/tips", json={"text": "after a while"}).status_code == 201


def test_only_the_publishing_unit_may_close_its_alert(world: World) -> None:
    rt, _, client = world
    _published(rt, client)
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id="hf-police", name="Hefei police", now=fanout.START, kind="police_unit")
    other = {"Authorization": f"Bearer {issue_key(rt, 'hf-police', scopes=['alerts:publish'])}"}
    refused = client.post("/v1/alerts/2026-0042/close", headers=other, json={"outcome": "found_alive"})
    assert refused.status_code == 403, refused.text
    assert "another police unit" in refused.json()["error"]["message"]
    closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    with unit_of_work(rt.sessions) as s:
        row = s.scalar(select(AlertRow).where(AlertRow.public_id == "2026-0042"))
        assert row is not None and row.unit_id == "zz-police"
