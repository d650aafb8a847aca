"""From the case page: a safe message goes out through the platform, an unsafe one is stopped with the reason;
a referral goes to the unit covering the person's district with the minimal package, nothing more."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.auth import service as auth
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.interventions.models import Referral
from lifeguard.partners.models import Partner
from lifeguard.runtime import Runtime
from tests import factories as f
from tests.conftest import add_user, issue_key, login
from tests.http_double import endpoint

WORDS = "我不想活了，今晚等爸妈睡了就从楼上跳下去"


def _setup(runtime: Runtime, client: TestClient, shop_url: str) -> int:
    key = issue_key(runtime, "shop-a")
    with unit_of_work(runtime.sessions) as s:
        shop = s.get(Partner, "shop-a")
        assert shop is not None
        shop.webhook_url, shop.webhook_secret = shop_url, signing.new_secret()
    event = f.message(WORDS, subject="girl", locale="zh-CN", location={"admin_code": "440305"})
    client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [event]})
    return int(client.get("/v1/cases", headers={"Authorization": f"Bearer {key}"}).json()["cases"][0]["id"])


def test_outreach_draft_send_and_block(client: TestClient, runtime: Runtime) -> None:
    with endpoint() as shop:
        case_id = _setup(runtime, client, shop.url)
        add_user(runtime, "alice", "interventionist")
        token = login(client, "alice")
        page = client.get(f"/cases/{case_id}").text
        assert "12356" in page  # the draft carries China's mental-health line for a person in Shenzhen
        assert 'id="replies"' in page  # replies for the shop's agent, in the person's language
        blocked = client.post(
            f"/cases/{case_id}/outreach", data={"text": "他自杀成功了，你别学他。", "csrf_token": token}
        )
        assert "not sent" in blocked.text and "safe-messaging" in blocked.text
        assert runtime.delivery.drain().delivered == 0
        text = "我一直在这里陪你。如果你愿意，可以随时拨打心理援助热线 12356，那里有人会听你说。"
        sent = client.post(f"/cases/{case_id}/outreach", data={"text": text, "csrf_token": token})
        assert sent.status_code == 200
        assert runtime.delivery.drain().delivered == 1
    message = shop.received[0].json
    assert message["type"] == "outreach.message" and message["text"] == text and message["subject"] == "girl"


def test_referral_from_the_case_page_goes_to_the_district(client: TestClient, runtime: Runtime) -> None:
    with endpoint() as shop, endpoint() as nanshan:
        case_id = _setup(runtime, client, shop.url)
        with unit_of_work(runtime.sessions) as s:
            auth.ensure_partner(
                s,
                partner_id="cn-gd-shenzhen-nanshan-police",
                name="Nanshan",
                now=runtime.clock.now(),
                kind="police_unit",
            )
            unit = s.get(Partner, "cn-gd-shenzhen-nanshan-police")
            assert unit is not None
            unit.webhook_url, unit.webhook_secret = nanshan.url, signing.new_secret()
        add_user(runtime, "alice", "interventionist")
        token = login(client, "alice")
        page = client.post(f"/cases/{case_id}/refer", data={"csrf_token": token})
        assert page.status_code == 200 and "Nanshan" in page.text
        assert runtime.delivery.drain().delivered == 1
    package = nanshan.received[0].json["package"]
    assert package["location"]["admin_code"] == "440305"
    assert WORDS not in str(package) and "跳下去" not in str(package)  # the unit gets where and why, not the chat
    assert not any(k in str(package) for k in ("rule:", "term:", "fusion:"))  # nor detector internals
    with unit_of_work(runtime.sessions) as s:
        referral = s.scalars(select(Referral)).one()
        assert referral.unit_id == "cn-gd-shenzhen-nanshan-police"
        assert [u["id"] for u in referral.fallbacks] == ["cn-gd-shenzhen-police", "cn-110"]


def test_no_location_is_a_clear_refusal(client: TestClient, runtime: Runtime) -> None:
    key = issue_key(runtime, "shop-a")
    client.post(
        "/v1/signals",
        headers={"Authorization": f"Bearer {key}"},
        json={"events": [f.message("I want to die", subject="nowhere")]},
    )
    case_id = client.get("/v1/cases", headers={"Authorization": f"Bearer {key}"}).json()["cases"][0]["id"]
    add_user(runtime, "alice", "interventionist")
    token = login(client, "alice")
    page = client.post(f"/cases/{case_id}/refer", data={"csrf_token": token})
    assert "no location is known" in page.text


def test_a_check_in_message_goes_out_when_one_is_due(client: TestClient, runtime: Runtime) -> None:
    from datetime import timedelta

    from lifeguard.cases import service as cases

    with endpoint() as shop:
        case_id = _setup(runtime, client, shop.url)
        add_user(runtime, "alice", "interventionist")
        token = login(client, "alice")
        with unit_of_work(runtime.sessions) as s:
            cases.change_status(
                s, case_id=case_id, status="resolved", outcome="dissuaded", actor="user:alice", now=runtime.clock.now()
            )
        early = client.post(
            f"/cases/{case_id}/outreach",
            data={"text": "你好，我是小李，想问问你最近怎么样。心理援助热线 12356。", "csrf_token": token},
        )
        assert "when a check-in is due" in early.text  # nothing due yet: a resolved case is not messaged
        with unit_of_work(runtime.sessions) as s:
            cases.change_status(s, case_id=case_id, status="open", actor="user:alice", now=runtime.clock.now())
            cases.change_status(
                s,
                case_id=case_id,
                status="resolved",
                outcome="dissuaded",
                actor="user:alice",
                now=runtime.clock.now() - timedelta(days=1, minutes=5),
            )
        page = client.get(f"/cases/{case_id}").text
        assert 'id="outreach-form"' in page and "day 1" in page
        sent = client.post(
            f"/cases/{case_id}/outreach",
            data={"text": "你好，我是小李，想问问你最近怎么样。心理援助热线 12356 随时可以打。", "csrf_token": token},
        )
        assert sent.status_code == 200 and "not sent" not in sent.text
        assert runtime.delivery.drain().delivered == 1
    assert shop.received[-1].json["type"] == "outreach.message"
