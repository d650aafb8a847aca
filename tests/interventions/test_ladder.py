"""Order holds and police referrals against real loopback endpoints: signed deliveries, answers checked against
who was asked, fallback when nobody acknowledges, hand-over to another city, outcomes, follow-ups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.app import create_app
from lifeguard.auth import service as auth
from lifeguard.cases import service as cases
from lifeguard.cases.models import Case
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import service as outbox
from lifeguard.delivery import signing
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.assessment import Detector
from lifeguard.errors import Conflict
from lifeguard.interventions import follow_ups
from lifeguard.interventions import service as ladder
from lifeguard.interventions.models import FollowUp, OrderHold, Referral
from lifeguard.oncall.models import Notification
from lifeguard.partners.models import Partner
from lifeguard.runtime import Runtime, build_runtime
from tests import factories as f
from tests.conftest import issue_key, make_settings
from tests.http_double import Endpoint, endpoint

START = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
PACKAGE = {"case_ref": "LG-1", "location": {"admin_code": "440305"}, "risk": "attempt", "why": "plans to jump tonight"}


@pytest.fixture
def world(db_url: str, detector: Detector) -> Iterator[tuple[Runtime, FixedClock, TestClient]]:
    clock = FixedClock(START)
    rt = build_runtime(make_settings(db_url, referral_ack_seconds=600), detector=detector, clock=clock)
    with TestClient(create_app(runtime=rt)) as client:
        yield rt, clock, client
    rt.close()


def _unit(rt: Runtime, unit_id: str, url: str, secret: str) -> str:
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id=unit_id, name=f"{unit_id} police", now=START, kind="police_unit")
        partner = s.get(Partner, unit_id)
        assert partner is not None
        partner.webhook_url, partner.webhook_secret = url, secret
    return issue_key(rt, unit_id, scopes=["referrals:respond"])


def _case_with_order(rt: Runtime, client: TestClient, shop_url: str, secret: str) -> tuple[int, str]:
    key = issue_key(rt, "shop-a", scopes=["signals:write", "orders:respond"])
    with unit_of_work(rt.sessions) as s:
        shop = s.get(Partner, "shop-a")
        assert shop is not None
        shop.webhook_url, shop.webhook_secret = shop_url, secret
    at = rt.clock.now().isoformat()  # START under the fixed clock; now for the console test's real one
    events = [
        f.message("我不想活了，活着太累了", subject="girl", occurred_at=at),
        f.order([f.item("百草枯 500ml", quantity=2)], subject="girl", order_id="o-77", occurred_at=at),
    ]
    assert (
        client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": events}).json()[
            "accepted"
        ]
        == 2
    )
    with unit_of_work(rt.sessions) as s:
        return s.scalars(select(Case.id).where(Case.subject == "girl")).one(), key


def _verify(ep: Endpoint, secret: str, index: int = -1) -> dict:
    got = ep.received[index]
    signing.verify(
        secret,
        msg_id=got.headers["webhook-id"],
        timestamp=got.headers["webhook-timestamp"],
        signature_header=got.headers["webhook-signature"],
        body=got.body,
        now=int(START.timestamp()),
    )
    return got.json


def test_order_hold_is_asked_signed_and_answered_once(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as shop:
        case_id, key = _case_with_order(rt, client, shop.url, secret)
        with unit_of_work(rt.sessions) as s:
            (hold,) = ladder.request_holds(s, case_id=case_id, actor="user:alice", now=clock.now())
            hold_id = hold.id
        with unit_of_work(rt.sessions) as s, pytest.raises(Conflict, match="already"):
            ladder.request_holds(s, case_id=case_id, actor="user:alice", now=clock.now())
        assert rt.delivery.drain().delivered == 1
        asked = _verify(shop, secret)
    assert asked == {
        "type": "order.hold_requested",
        "hold_id": hold_id,
        "order_id": "o-77",
        "subject": "girl",
        "case_ref": f"LG-{case_id}",
        "reason": "safety",
    }  # nothing about words, level or reasons
    answer = client.post(
        f"/v1/holds/{hold_id}/answer", headers={"Authorization": f"Bearer {key}"}, json={"status": "intercepted"}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "intercepted"
    again = client.post(
        f"/v1/holds/{hold_id}/answer", headers={"Authorization": f"Bearer {key}"}, json={"status": "intercepted"}
    )
    assert again.status_code == 200  # a retried answer is no second effect
    changed = client.post(
        f"/v1/holds/{hold_id}/answer", headers={"Authorization": f"Bearer {key}"}, json={"status": "refused"}
    )
    assert changed.status_code == 409
    other = issue_key(rt, "shop-b", scopes=["orders:respond"])
    forged = client.post(
        f"/v1/holds/{hold_id}/answer", headers={"Authorization": f"Bearer {other}"}, json={"status": "refused"}
    )
    assert forged.status_code == 403
    bad = client.post(
        f"/v1/holds/{hold_id}/answer", headers={"Authorization": f"Bearer {key}"}, json={"status": "maybe"}
    )
    assert bad.status_code == 422
    with unit_of_work(rt.sessions) as s:
        assert s.get(OrderHold, hold_id).status == "intercepted"  # type: ignore[union-attr]


def test_referral_acknowledged_handed_over_and_closed(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    sz_secret, hf_secret = signing.new_secret(), signing.new_secret()
    with endpoint() as shop, endpoint() as shenzhen, endpoint() as hefei:
        case_id, _ = _case_with_order(rt, client, shop.url, signing.new_secret())
        sz_key = _unit(rt, "cn-440300-psb", shenzhen.url, sz_secret)
        hf_key = _unit(rt, "cn-340100-psb", hefei.url, hf_secret)
        target = ladder.UnitTarget(
            id="cn-440300-psb",
            name="Shenzhen internet police",
            channel="webhook",
            target=shenzhen.url,
            secret=sz_secret,
        )
        with unit_of_work(rt.sessions) as s:
            referral = ladder.refer(
                s,
                case_id=case_id,
                units=[target],
                package=PACKAGE,
                actor="user:li",
                now=clock.now(),
                ack_within=timedelta(minutes=10),
            )
            referral_id = referral.id
        rt.delivery.drain()
        sent = _verify(shenzhen, sz_secret)
        assert sent["package"] == PACKAGE and sent["referral_id"] == referral_id
        with unit_of_work(rt.sessions) as s:
            case = s.get(Case, case_id)
            assert case is not None and case.status == "referred" and case.referred_unit == "cn-440300-psb"

        wrong = client.post(f"/v1/referrals/{referral_id}/ack", headers={"Authorization": f"Bearer {hf_key}"})
        assert wrong.status_code == 403  # a forged acknowledgement from another unit
        assert (
            client.post(f"/v1/referrals/{referral_id}/ack", headers={"Authorization": f"Bearer {sz_key}"}).json()[
                "status"
            ]
            == "acknowledged"
        )
        handed = client.post(
            f"/v1/referrals/{referral_id}/handover",
            headers={"Authorization": f"Bearer {sz_key}"},
            json={"to_unit": "cn-340100-psb"},
        )
        assert handed.status_code == 200
        onward_id = handed.json()["id"]
        rt.delivery.drain()
        assert _verify(hefei, hf_secret)["package"] == PACKAGE
        done = client.post(
            f"/v1/referrals/{onward_id}/outcome",
            headers={"Authorization": f"Bearer {hf_key}"},
            json={"outcome": "found_safe", "note": "Found at home two hours before the time he planned."},
        )
        assert done.status_code == 200 and done.json()["status"] == "closed"
        late = client.post(
            f"/v1/referrals/{referral_id}/outcome",
            headers={"Authorization": f"Bearer {sz_key}"},
            json={"outcome": "not_found"},
        )
        assert late.status_code == 409
    with unit_of_work(rt.sessions) as s:
        chain = s.scalars(select(Referral).order_by(Referral.id)).all()
        assert [(r.unit_id, r.status) for r in chain] == [("cn-440300-psb", "handed_over"), ("cn-340100-psb", "closed")]
        assert chain[0].handed_to_id == chain[1].id and chain[1].previous_id == chain[0].id
        case = s.get(Case, case_id)
        assert case is not None and case.referred_unit == "cn-340100-psb"


def test_no_acknowledgement_goes_down_the_fallback_chain(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    with endpoint() as shop, endpoint() as district, endpoint() as city:
        case_id, _ = _case_with_order(rt, client, shop.url, signing.new_secret())
        with unit_of_work(rt.sessions) as s:
            auth.add_user(s, username="li", password="correct horse battery", role="supervisor", now=START, actor="t")
        units = [
            ladder.UnitTarget(id="nanshan", name="Nanshan district", channel="webhook", target=district.url),
            ladder.UnitTarget(id="shenzhen", name="Shenzhen city", channel="webhook", target=city.url),
        ]
        with unit_of_work(rt.sessions) as s:
            ladder.refer(
                s,
                case_id=case_id,
                units=units,
                package=PACKAGE,
                actor="user:li",
                now=clock.now(),
                ack_within=timedelta(minutes=10),
            )
        rt.delivery.drain()
        clock.advance(timedelta(minutes=11))
        assert rt.scheduler.tick() >= 1  # the referral's timer (and the case's own SLA check, a P1 here)
        rt.delivery.drain()
        assert len(city.received) == 1
    with unit_of_work(rt.sessions) as s:
        chain = s.scalars(select(Referral).order_by(Referral.id)).all()
        assert [(r.unit_id, r.status) for r in chain] == [("nanshan", "unanswered"), ("shenzhen", "sent")]
        assert "did not acknowledge" in s.scalars(select(Notification.text)).one()


def test_a_referral_for_a_closed_case_is_refused(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    with endpoint() as shop:
        case_id, _ = _case_with_order(rt, client, shop.url, signing.new_secret())
    with unit_of_work(rt.sessions) as s:
        cases.change_status(s, case_id=case_id, status="resolved", outcome="safe", actor="user:a", now=clock.now())
    unit = ladder.UnitTarget(id="u", name="U", channel="phone", target="110")
    with unit_of_work(rt.sessions) as s, pytest.raises(Conflict, match="open case"):
        ladder.refer(
            s,
            case_id=case_id,
            units=[unit],
            package=PACKAGE,
            actor="user:a",
            now=clock.now(),
            ack_within=timedelta(minutes=5),
        )


def test_follow_ups_on_resolve_and_cancelled_by_a_new_crisis(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    rt, clock, client = world
    with endpoint() as shop:
        case_id, key = _case_with_order(rt, client, shop.url, signing.new_secret())
    with unit_of_work(rt.sessions) as s:
        cases.change_status(s, case_id=case_id, status="resolved", outcome="dissuaded", actor="user:a", now=clock.now())
        assert [fu.day for fu in follow_ups.for_case(s, case_id)] == [1, 3, 7, 30, 90]
    clock.advance(timedelta(days=3, hours=1))
    with unit_of_work(rt.sessions) as s:
        due = follow_ups.due(s, now=clock.now())
        assert [fu.day for fu in due] == [1, 3]
        follow_ups.complete(s, follow_up_id=due[0].id, actor="user:a", now=clock.now())
    body = {"events": [f.message("我还是不想活了，今晚就去跳楼", subject="girl", occurred_at=clock.now().isoformat())]}
    assert client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json=body).json()["accepted"] == 1
    with unit_of_work(rt.sessions) as s:
        assert s.get(Case, case_id).status == "open"  # type: ignore[union-attr]
        statuses = {fu.day: fu.status for fu in s.scalars(select(FollowUp))}
    assert statuses == {1: "done", 3: "cancelled", 7: "cancelled", 30: "cancelled", 90: "cancelled"}


def test_a_day_of_partner_downtime_loses_nothing(world: tuple[Runtime, FixedClock, TestClient]) -> None:
    """Every delivery ends delivered on recovery or escalated to a human; none is pending forever or lost."""
    rt, clock, client = world
    with endpoint(statuses=[503] * 10_000) as down:
        with unit_of_work(rt.sessions) as s:
            auth.ensure_partner(s, partner_id="shop-a", name="Shop", now=START)
            for i in range(20):
                outbox.enqueue(
                    s, channel="webhook", target=down.url, payload={"n": i}, idempotency_key=f"k{i}", now=clock.now()
                )
        for _ in range(24 * 12):  # every 5 minutes for 24 hours
            clock.advance(timedelta(minutes=5))
            rt.delivery.pass_once()
        down.statuses.clear()  # the partner is back
        clock.advance(timedelta(hours=1))
        rt.delivery.drain()
    with unit_of_work(rt.sessions) as s:
        states = [m.status for m in s.scalars(select(OutboxMessage))]
    assert len(states) == 20 and set(states) <= {"delivered", "escalated"}


def test_a_platform_may_hold_orders_automatically_at_p0(db_url: str, detector: Detector) -> None:
    clock = FixedClock(START)
    rt = build_runtime(make_settings(db_url, auto_hold_orders_at=0), detector=detector, clock=clock)
    try:
        with TestClient(create_app(runtime=rt)) as client, endpoint() as shop:
            case_id, key = _case_with_order(rt, client, shop.url, signing.new_secret())
            with unit_of_work(rt.sessions) as s:
                assert s.scalars(select(OrderHold)).all() == []  # P1 so far: a person decides
            tonight = f.message("等爸妈睡了我就喝下去", subject="girl", occurred_at=START.isoformat(), locale="zh-CN")
            client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [tonight]})
            with unit_of_work(rt.sessions) as s:
                assert s.get(Case, case_id).priority == 0  # type: ignore[union-attr]
                hold = s.scalars(select(OrderHold)).one()
                assert hold.order_id == "o-77" and hold.requested_by == "policy:auto_hold_orders"
            assert rt.delivery.drain().delivered == 1
    finally:
        rt.close()
