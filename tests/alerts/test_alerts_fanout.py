"""Alerts wired end to end on both databases: publish over HTTP, CAP fan-out through the signed outbox to real
loopback partner endpoints, widening by the durable timer, Cancel on close, acknowledgements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import h3
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lifeguard.alerts.cap import parse_cap, validate_cap
from lifeguard.alerts.models import AlertDelivery
from lifeguard.app import create_app
from lifeguard.auth import service as auth
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.assessment import Detector
from lifeguard.partners.models import Partner
from lifeguard.runtime import Runtime, build_runtime
from tests.conftest import issue_key, make_settings
from tests.http_double import Endpoint, endpoint

START = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
CENTRE = (34.7466, 113.6253)  # Zhengzhou, Erqi Square
NEAR = (CENTRE[0] + 0.68, CENTRE[1])  # about 76 km north: outside 50 km, inside 100 km
FAR = (39.9042, 116.4074)  # Beijing, about 620 km away: outside every step


@pytest.fixture
def world(db_url: str, detector: Detector) -> Iterator[tuple[Runtime, FixedClock, TestClient]]:
    clock = FixedClock(START)
    rt = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    with TestClient(create_app(runtime=rt)) as client:
        yield rt, clock, client
    rt.close()


def police(rt: Runtime) -> dict[str, str]:
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id="zz-police", name="Zhengzhou police", now=START, kind="police_unit")
    return {"Authorization": f"Bearer {issue_key(rt, 'zz-police', scopes=['alerts:publish'])}"}


def partner_app(rt: Runtime, client: TestClient, name: str, url: str, secret: str, at: tuple[float, float]) -> str:
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id=name, name=name, now=START, kind="app")
        partner = s.get(Partner, name)
        assert partner is not None
        partner.webhook_url, partner.webhook_secret = url, secret
    key = issue_key(rt, name, scopes=["alerts:receive"])
    cell = h3.latlng_to_cell(at[0], at[1], 7)
    answer = client.put("/v1/alerts/coverage", headers={"Authorization": f"Bearer {key}"}, json={"cells": [cell]})
    assert answer.status_code == 200, answer.text
    return key


def alert_body(alert_id: str = "2026-0042", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "alert_id": alert_id,
        "category": "child",
        "person": {
            "name": "李小明",
            "age": 8,
            "sex": "male",
            "height_cm": 125,
            "clothing": "红色上衣，蓝色牛仔裤",
            "photos": [
                {
                    "uri": "https://cdn.example.cn/alerts/p1.jpg",
                    "mime_type": "image/jpeg",
                    "size_bytes": 120001,
                    "sha1_hex": "0" * 39 + "1",
                }
            ],
        },
        "last_seen": {"lat": CENTRE[0], "lon": CENTRE[1], "place": "郑州市二七广场", "at": "2026-11-23T14:05:00+08:00"},
        "contact": {"name": "郑州市公安局", "phone": "110"},
        "police_confirmed_risk": True,
    }
    body.update(changes)
    return body


def cap_from(ep: Endpoint, secret: str, clock: FixedClock, index: int = -1) -> dict[str, Any]:
    got = ep.received[index]
    signing.verify(
        secret,
        msg_id=got.headers["webhook-id"],
        timestamp=got.headers["webhook-timestamp"],
        signature_header=got.headers["webhook-signature"],
        body=got.body,
        now=int(clock.now().timestamp()),
    )
    payload: dict[str, Any] = got.json
    validate_cap(payload["cap_xml"].encode())
    return payload


def test_publish_widen_close_reach_the_right_partners(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as inside, endpoint() as near, endpoint() as far:
        partner_app(rt, client, "map-app", inside.url, secret, CENTRE)
        partner_app(rt, client, "bike-app", near.url, secret, NEAR)
        partner_app(rt, client, "far-app", far.url, secret, FAR)

        published = client.post("/v1/alerts", headers=police(rt), json=alert_body())
        assert published.status_code == 201, published.text
        assert published.json()["partners"] == ["map-app"]
        assert published.json()["radius_km"] == 50
        assert rt.delivery.drain().delivered == 1
        first = cap_from(inside, secret, clock)
        assert first["msg_type"] == "Alert"
        parsed = parse_cap(first["cap_xml"].encode())
        assert parsed.identifier == "lifeguard.alerts.2026-0042.1"
        assert not near.received and not far.received

        # Publishing the same alert id again is refused and sends nothing.
        assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 409

        # Nothing is due before the hour; after it, the timer widens to 100 km.
        assert rt.scheduler.tick() == 0
        clock.advance(timedelta(hours=1, seconds=1))
        assert rt.scheduler.tick() == 1
        assert rt.delivery.drain().delivered == 2
        update = cap_from(near, secret, clock)
        assert update["msg_type"] == "Update" and update["sequence"] == 2
        assert "113.6253 100" in update["cap_xml"]
        assert cap_from(inside, secret, clock)["msg_type"] == "Update"  # already reached: gets the Update too
        assert not far.received
        assert rt.scheduler.tick() == 0  # the next step (2 h) is scheduled, not due

        closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
        assert closed.status_code == 200, closed.text
        assert closed.json()["cancelled_partners"] == ["bike-app", "map-app"]
        assert rt.delivery.drain().delivered == 2
        for ep in (inside, near):
            cancel = cap_from(ep, secret, clock)
            assert cancel["msg_type"] == "Cancel"
            assert "李小明" not in cancel["cap_xml"]  # a Cancel says nothing about the person
        assert not far.received

        # A closed alert does not widen any more, and cannot be closed twice.
        clock.advance(timedelta(hours=2))
        rt.scheduler.tick()
        assert rt.delivery.drain().delivered == 0
        again = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "other"})
        assert again.status_code == 409


def test_fan_out_is_one_delivery_per_partner_and_message(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    with endpoint() as inside:
        partner_app(rt, client, "map-app", inside.url, signing.new_secret(), CENTRE)
        assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
        clock.advance(timedelta(hours=5))  # the scheduler was down: one Update at the widest step
        assert rt.scheduler.tick() == 1
        assert rt.scheduler.tick() == 0  # all steps done: no timer left
        with unit_of_work(rt.sessions) as s:
            assert s.scalar(select(func.count()).select_from(AlertDelivery)) == 2
            assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 2
        rt.delivery.drain()
        # Deliveries go out in parallel; partners order CAP messages by their references (here: sequence).
        got = sorted((r.json for r in inside.received), key=lambda p: p["sequence"])
        assert [p["msg_type"] for p in got] == ["Alert", "Update"]
        assert "113.6253 500" in got[-1]["cap_xml"]


def test_acknowledgements_count_once_and_stale_ones_are_refused(
    world: tuple[Runtime, FixedClock, TestClient],
) -> None:
    rt, clock, client = world
    with endpoint() as inside:
        key = partner_app(rt, client, "map-app", inside.url, signing.new_secret(), CENTRE)
        auth_header = {"Authorization": f"Bearer {key}"}
        assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
        clock.advance(timedelta(hours=1))
        rt.scheduler.tick()
        first, second = "lifeguard.alerts.2026-0042.1", "lifeguard.alerts.2026-0042.2"

        ok = client.post(f"/v1/alerts/messages/{second}/ack", headers=auth_header, json={"reached": 1200})
        assert ok.status_code == 200 and ok.json()["result"] == "accepted"
        same = client.post(f"/v1/alerts/messages/{second}/ack", headers=auth_header, json={"reached": 1200})
        assert same.status_code == 200 and same.json()["result"] == "duplicate"
        stale = client.post(f"/v1/alerts/messages/{first}/ack", headers=auth_header, json={})
        assert stale.status_code == 409
        assert stale.json()["error"]["code"] == "stale_acknowledgement"
        unknown = client.post("/v1/alerts/messages/nope.1/ack", headers=auth_header, json={})
        assert unknown.status_code == 404

        # A partner that was never sent the message cannot acknowledge it.
        other = issue_key(rt, "other-app", scopes=["alerts:receive"])
        refused = client.post(
            f"/v1/alerts/messages/{second}/ack", headers={"Authorization": f"Bearer {other}"}, json={}
        )
        assert refused.status_code == 404
        with unit_of_work(rt.sessions) as s:
            reached = s.scalars(select(AlertDelivery.reached).where(AlertDelivery.acknowledged_at.is_not(None)))
            assert list(reached) == [1200]
