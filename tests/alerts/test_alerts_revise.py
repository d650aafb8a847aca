"""Revising and refreshing an alert on both databases: new facts as a CAP Update to everyone reached plus the
partners covering the (moved) circle, only by the publishing unit, only while open; the refresh timer renews the
message before it expires at partners; references chain every earlier message."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.alerts import store
from lifeguard.alerts.cap import parse_cap
from lifeguard.alerts.models import CapMessageRow
from lifeguard.audit.models import AuditRecord
from lifeguard.auth import service as auth
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.runtime import Runtime
from lifeguard.scheduling.models import Timer
from tests.alerts import test_alerts_fanout as fanout
from tests.alerts.test_alerts_fanout import CENTRE, FAR, alert_body, cap_from, partner_app, police
from tests.conftest import issue_key
from tests.http_double import endpoint

World = tuple[Runtime, FixedClock, TestClient]
world = fanout.world
SIGHTING = {"lat": FAR[0], "lon": FAR[1], "place": "北京西站", "at": "2026-11-23T15:30:00+08:00"}


def _publish(rt: Runtime, client: TestClient) -> None:
    answer = client.post("/v1/alerts", headers=police(rt), json=alert_body())
    assert answer.status_code == 201, answer.text


def _identifiers(rt: Runtime) -> list[str]:
    with unit_of_work(rt.sessions) as s:
        return list(s.scalars(select(CapMessageRow.identifier).order_by(CapMessageRow.sequence)))


def test_a_confirmed_sighting_moves_the_circle_and_reaches_old_and_new_partners(world: World) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as zhengzhou, endpoint() as beijing:
        partner_app(rt, client, "zz-map", zhengzhou.url, secret, CENTRE)
        partner_app(rt, client, "bj-bikes", beijing.url, secret, FAR)
        _publish(rt, client)
        assert rt.delivery.drain().delivered == 1  # Zhengzhou only (deliveries of one pass arrive in any order)
        clock.advance(timedelta(minutes=40))
        revised = client.post(
            "/v1/alerts/2026-0042/revise",
            headers=police(rt),
            json={
                "last_seen": SIGHTING,
                "person": {"clothing": "黑色外套", "distinguishing_marks": ["左手腕有胎记"]},
                "note": "Confirmed sighting at Beijing West station",
            },
        )
        assert revised.status_code == 200, revised.text
        answer = revised.json()
        assert answer["identifier"] == "lifeguard.alerts.2026-0042.2" and answer["sequence"] == 2
        assert answer["radius_km"] == 50  # an open alert never shrinks; the circle moves with the place
        assert answer["partners"] == ["bj-bikes", "zz-map"]  # reached before + covering the new circle
        rt.delivery.drain()
        update = cap_from(beijing, secret, clock)
        assert update["msg_type"] == "Update"
        parsed = parse_cap(update["cap_xml"].encode())
        assert parsed.note == "Confirmed sighting at Beijing West station"
        assert [r.identifier for r in parsed.references] == ["lifeguard.alerts.2026-0042.1"]
        (info, *_) = parsed.infos
        assert "黑色外套" in (info.description or "") and "北京西站" in (info.description or "")
        assert info.areas[0].circles[0].lat == round(FAR[0], 4)
        assert cap_from(zhengzhou, secret, clock)["sequence"] == 2

        # The page shows the new facts; the widening continues from the new place.
        page = client.get("/alerts/2026-0042?lang=zh")
        assert "黑色外套" in page.text and "北京西站" in page.text
        clock.advance(timedelta(minutes=21))
        assert rt.scheduler.tick() == 1
        rt.delivery.drain()
        widened = parse_cap(cap_from(beijing, secret, clock)["cap_xml"].encode())
        assert widened.infos[0].areas[0].circles[0].radius_km == 100
        assert [r.identifier for r in widened.references] == _identifiers(rt)[:2]
        with unit_of_work(rt.sessions) as s:
            record = s.scalars(select(AuditRecord).where(AuditRecord.action == "alert.revised")).one()
            assert record.actor == "partner:zz-police"
            assert record.data["changed"] == ["clothing", "distinguishing_marks", "last_seen"]


def test_revise_is_for_the_publishing_unit_and_only_while_open(world: World) -> None:
    rt, _clock, client = world
    _publish(rt, client)
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id="hf-police", name="Hefei police", now=fanout.START, kind="police_unit")
    other = {"Authorization": f"Bearer {issue_key(rt, 'hf-police', scopes=['alerts:publish'])}"}
    body = {"person": {"clothing": "黑色外套"}}
    refused = client.post("/v1/alerts/2026-0042/revise", headers=other, json=body)
    assert refused.status_code == 403 and "another police unit" in refused.json()["error"]["message"]
    assert client.post("/v1/alerts/2026-0042/refresh", headers=other).status_code == 403
    receive = {"Authorization": f"Bearer {issue_key(rt, 'map-app', scopes=['alerts:receive'])}"}
    assert client.post("/v1/alerts/2026-0042/revise", headers=receive, json=body).status_code == 403

    nothing = client.post("/v1/alerts/2026-0042/revise", headers=police(rt), json={"person": {"name": "李小明"}})
    assert nothing.status_code == 400 and "nothing to revise" in nothing.json()["error"]["message"]
    bad = client.post("/v1/alerts/2026-0042/revise", headers=police(rt), json={"last_seen": {**SIGHTING, "lat": -91}})
    assert bad.status_code == 400 and "latitude" in bad.json()["error"]["message"]
    assert client.post("/v1/alerts/nope/revise", headers=police(rt), json=body).status_code == 404
    unknown_field = client.post("/v1/alerts/2026-0042/revise", headers=police(rt), json={"category": "child"})
    assert unknown_field.status_code == 422

    assert client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "other"}).status_code == 200
    late = client.post("/v1/alerts/2026-0042/revise", headers=police(rt), json=body)
    assert late.status_code == 409 and late.json()["error"]["code"] == "invalid_alert_transition"
    assert client.post("/v1/alerts/2026-0042/refresh", headers=police(rt)).status_code == 409
    assert [i.rsplit(".", 1)[1] for i in _identifiers(rt)] == ["1", "2"]  # the Alert and the Cancel, nothing else


def test_the_refresh_timer_renews_an_open_alert_before_it_expires(world: World) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as inside:
        partner_app(rt, client, "zz-map", inside.url, secret, CENTRE)
        _publish(rt, client)
        assert rt.delivery.drain().delivered == 1
        clock.advance(timedelta(hours=5))  # every widening step at once: one Update at 500 km
        assert rt.scheduler.tick() == 1
        rt.delivery.drain()
        last = cap_from(inside, secret, clock, index=-1)
        expires = parse_cap(last["cap_xml"].encode()).infos[0].expires
        assert expires == clock.now() + timedelta(hours=24)

        # The publication's own refresh timer (due 22 h after it) finds a later message and does nothing.
        clock.advance(timedelta(hours=17, minutes=1))
        assert rt.scheduler.tick() == 1
        assert rt.delivery.drain().delivered == 0
        # Two hours before the Update expires, its timer restates it.
        clock.advance(timedelta(hours=5))
        assert rt.scheduler.tick() == 1
        assert rt.delivery.drain().delivered == 1
        refreshed = parse_cap(cap_from(inside, secret, clock)["cap_xml"].encode())
        assert refreshed.msg_type == "Update" and refreshed.identifier == "lifeguard.alerts.2026-0042.3"
        assert refreshed.note == store.REFRESH_NOTE
        assert refreshed.infos[0].expires == clock.now() + timedelta(hours=24)
        assert refreshed.infos[0].areas[0].circles[0].radius_km == 500
        assert [r.identifier for r in refreshed.references] == _identifiers(rt)[:2]
        with unit_of_work(rt.sessions) as s:
            pending = s.scalars(select(Timer).where(Timer.kind == store.REFRESH_TIMER, Timer.fired_at.is_(None)))
            assert [t.due_at for t in pending] == [clock.now() + timedelta(hours=22)]

        # A unit may refresh at once; a closed alert's timer does nothing.
        now = client.post("/v1/alerts/2026-0042/refresh", headers=police(rt))
        assert now.status_code == 200 and now.json()["identifier"] == "lifeguard.alerts.2026-0042.4"
        assert now.json()["partners"] == ["zz-map"]
        closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
        assert closed.status_code == 200
        clock.advance(timedelta(days=2))
        rt.scheduler.tick()
        assert _identifiers(rt)[-1] == "lifeguard.alerts.2026-0042.5"  # the Cancel is the last message
