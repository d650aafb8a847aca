"""The ladder in the console: ask to hold orders, a police liaison answers in the portal, check-ins are tasks."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.auth.models import User
from lifeguard.cases import service as cases
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.interventions import service as ladder
from lifeguard.interventions.models import OrderHold, Referral
from lifeguard.runtime import Runtime
from tests.conftest import add_user, login
from tests.http_double import endpoint
from tests.interventions.test_ladder import PACKAGE, _case_with_order


def test_hold_then_liaison_portal_then_check_in(client: TestClient, runtime: Runtime) -> None:
    with endpoint() as shop:
        case_id, _ = _case_with_order(runtime, client, shop.url, signing.new_secret())
        add_user(runtime, "alice", "interventionist")
        token = login(client, "alice")
        page = client.post(f"/cases/{case_id}/holds", data={"csrf_token": token})
        assert page.status_code == 200 and "o-77" in page.text
        again = client.post(f"/cases/{case_id}/holds", data={"csrf_token": token})
        assert "already" in again.text  # told on the case page, not a crash
        with unit_of_work(runtime.sessions) as s:
            assert s.scalars(select(OrderHold.status)).all() == ["requested"]
            unit = ladder.UnitTarget(id="cn-440300-psb", name="Shenzhen police", channel="phone", target="110")
            ladder.refer(
                s,
                case_id=case_id,
                units=[unit],
                package=PACKAGE,
                actor="user:alice",
                now=runtime.clock.now(),
                ack_within=timedelta(minutes=10),
            )
    add_user(runtime, "officer", "police_liaison")
    with unit_of_work(runtime.sessions) as s:
        s.scalars(select(User).where(User.username == "officer")).one().unit = "cn-440300-psb"
    token = login(client, "officer")
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Acknowledge" in page.text
    with unit_of_work(runtime.sessions) as s:
        referral_id = s.scalars(select(Referral.id)).one()
    client.post(f"/cases/{case_id}/referrals/{referral_id}/ack", data={"csrf_token": token})
    notice = client.get(f"/cases/{case_id}").text
    assert 'id="notice"' in notice and "Shenzhen police" in notice  # the data-shared notice, drafted for review
    done = client.post(
        f"/cases/{case_id}/referrals/{referral_id}/outcome",
        data={"outcome": "found_safe", "note": "At home with her mother.", "csrf_token": token},
    )
    assert done.status_code == 200 and "found safe" in done.text
    with unit_of_work(runtime.sessions) as s:
        assert s.get(Referral, referral_id).status == "closed"  # type: ignore[union-attr]
        cases.change_status(
            s,
            case_id=case_id,
            status="resolved",
            outcome="rescued",
            actor="user:alice",
            now=runtime.clock.now() - timedelta(days=2),
        )
    token = login(client, "alice")
    queue = client.get("/queue").text
    assert "Check-ins due" in queue and f"/cases/{case_id}" in queue
