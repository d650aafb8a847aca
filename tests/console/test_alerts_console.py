"""The police officer's console for missing-person alerts, on both databases: publishing with the criteria checked,
bad input, one unit's alerts closed to another, the tip queue (order, groups, folded copies, escaping, triage on
the record), closing with a Cancel to every partner reached, and the monthly figures."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.alerts import store
from lifeguard.alerts.criteria import default_criteria
from lifeguard.alerts.models import AlertRow, TipRow
from lifeguard.alerts.photos import check_photo
from lifeguard.alerts.tips import TipSubmission
from lifeguard.audit.models import AuditRecord
from lifeguard.auth import service as auth
from lifeguard.auth.models import User
from lifeguard.clock import FixedClock
from lifeguard.console import alerts_views, i18n
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import signing
from lifeguard.runtime import Runtime
from tests.alerts import test_alerts_fanout as fanout
from tests.alerts.test_alerts_fanout import CENTRE, FAR, NEAR, START, cap_from, partner_app
from tests.alerts.test_photos_and_acks import png
from tests.conftest import add_user, login
from tests.http_double import endpoint

World = tuple[Runtime, FixedClock, TestClient]
world = fanout.world  # a FixedClock runtime (START) and a client
UNIT, OTHER_UNIT = "zz-police", "hf-police"


def liaison(rt: Runtime, username: str, unit: str | None = UNIT) -> None:
    add_user(rt, username, "police_liaison")
    with unit_of_work(rt.sessions) as s:
        if unit is not None:
            auth.ensure_partner(s, partner_id=unit, name=f"{unit} command", now=START, kind="police_unit")
        s.scalars(select(User).where(User.username == username)).one().unit = unit


def publish_form(alert_id: str = "ZZ-2026-0042", **changes: str | None) -> dict[str, str]:
    values: dict[str, str | None] = {
        "alert_id": alert_id,
        "category": "child",
        "name": "李小明",
        "age": "8",
        "sex": "male",
        "height_cm": "125",
        "clothing": "红色上衣，蓝色牛仔裤",
        "distinguishing_marks": "左脸颊有一颗痣\nwears glasses",
        "last_seen_place": "郑州市二七广场",
        "last_seen_lat": str(CENTRE[0]),
        "last_seen_lon": str(CENTRE[1]),
        "last_seen_at": "2026-11-23T14:05",
        "last_seen_tz": "Asia/Shanghai",
        "contact_name": "郑州市公安局",
        "contact_phone": "110",
        "languages": "zh-CN, en-US",
        "police_confirmed_risk": "on",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def publish(client: TestClient, token: str, alert_id: str = "ZZ-2026-0042", **changes: str | None) -> Any:
    return client.post(
        "/console/alerts/new",
        data={**publish_form(alert_id, **changes), "csrf_token": token},
        follow_redirects=False,
    )


def alert_ids(rt: Runtime) -> list[str]:
    with unit_of_work(rt.sessions) as s:
        return list(s.scalars(select(AlertRow.public_id).order_by(AlertRow.id)))


def audit_actions(rt: Runtime, actor: str) -> list[str]:
    with unit_of_work(rt.sessions) as s:
        return list(s.scalars(select(AuditRecord.action).where(AuditRecord.actor == actor).order_by(AuditRecord.seq)))


def test_the_form_shows_each_categorys_criteria_and_refuses_an_alert_that_meets_none(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    form = client.get("/console/alerts/new")
    assert form.status_code == 200
    for sentence in (
        "a child alert is for a person under 18",
        "an elderly alert is for a person with dementia or aged 65 or over",
        "a vulnerable adult has an impairment or is at risk to life",
        "the public needs a photo or a description to look for",
    ):
        assert sentence in form.text
    assert 'value="zz-police command"' in form.text  # the contact unit is prefilled from the officer's unit

    unmet = publish(client, token, police_confirmed_risk=None, age="19")
    assert unmet.status_code == 400
    box = unmet.text.split('id="unmet"', 1)[1].split("</div>", 1)[0]
    assert "a child alert is for a person under 18" in box
    assert "the police must confirm that the child is at risk" in box
    assert "the public needs a photo" not in box  # met: clothing and height describe him
    assert 'value="李小明"' in unmet.text and 'value="19"' in unmet.text  # what was typed is kept
    assert alert_ids(rt) == []

    # The same person under another category: the form says what that category lacks.
    elderly = publish(client, token, category="elderly_dementia")
    assert elderly.status_code == 400
    assert "an elderly alert is for a person with dementia or aged 65 or over" in elderly.text
    assert alert_ids(rt) == []


def test_an_alert_that_meets_the_criteria_is_published_fanned_out_and_audited(world: World) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as inside:
        partner_app(rt, client, "map-app", inside.url, secret, CENTRE)
        liaison(rt, "li")
        token = login(client, "li")
        published = publish(client, token)
        assert published.status_code == 303, published.text
        assert published.headers["location"] == "/console/alerts/ZZ-2026-0042"
        assert rt.delivery.drain().delivered == 1
        cap = cap_from(inside, secret, clock)
        assert cap["msg_type"] == "Alert" and "李小明" in cap["cap_xml"]
        assert "2026-11-23T14:05:00+08:00" in cap["cap_xml"]  # the time zone the officer gave

    with unit_of_work(rt.sessions) as s:
        row = store.get_row(s, "ZZ-2026-0042")
        assert (row.unit_id, row.created_by, row.status) == (UNIT, "user:li", "published")
        assert row.content["person"]["distinguishing_marks"] == ["左脸颊有一颗痣", "wears glasses"]
        assert row.content["web_url"] == "https://testserver/alerts/ZZ-2026-0042"
    assert "alert.published" in audit_actions(rt, "user:li")

    page = client.get("/console/alerts/ZZ-2026-0042")
    assert page.status_code == 200 and "Alert published." in page.text
    messages = page.text.split('id="messages"', 1)[1].split("</table>", 1)[0]
    assert 'data-msg-type="Alert"' in messages and "50 km" in messages and "map-app: delivered" in messages
    listing = client.get("/console/alerts").text
    row_html = listing.split('data-alert-id="ZZ-2026-0042"', 1)[1].split("</tr>", 1)[0]
    assert "50 km" in row_html and "0 / 1" in row_html  # no tips; one partner sent, none acknowledged yet


def test_bad_input_is_shown_as_a_clear_error_and_nothing_is_published(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    cases = [
        ({"last_seen_lat": "91"}, "latitude 91.0 is out of range [-90, 90]"),
        ({"last_seen_lon": "181.5"}, "longitude 181.5 is out of range [-180, 180]"),
        ({"last_seen_lon": "east"}, "longitude must be a number in degrees"),
        ({"last_seen_lat": "nan"}, "latitude must be a finite number"),
        ({"last_seen_at": "2026-11-24T09:00"}, "the last-seen time is in the future"),
        ({"last_seen_tz": "Mars/Olympus"}, "time zone &#39;Mars/Olympus&#39; is not known"),
        ({"age": "eight"}, "age must be a whole number"),
        ({"age": "150"}, "age 150 is out of range 0..130"),
        ({"name": " "}, "the name is required"),
        ({"alert_id": "has space"}, "must be 1-64 characters"),
        ({"languages": "chinese!"}, "is not a language tag"),
    ]
    for change, message in cases:
        answer = publish(client, token, **change)
        assert answer.status_code == 400, (change, answer.status_code)
        error = answer.text.split('id="form-error">', 1)[1].split("</div>", 1)[0]
        assert message in error, (change, error)
    assert alert_ids(rt) == []

    assert publish(client, token).status_code == 303
    again = publish(client, token)  # the same case number twice
    assert again.status_code == 409 and "exists already" in again.text
    assert alert_ids(rt) == ["ZZ-2026-0042"]


def test_a_liaison_without_a_unit_publishes_and_sees_nothing(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    assert publish(client, token).status_code == 303
    liaison(rt, "nobody", unit=None)
    token = login(client, "nobody")
    assert "You are not assigned to a police unit" in client.get("/console/alerts/new").text
    assert publish(client, token, "ZZ-2026-0043").status_code == 403
    listing = client.get("/console/alerts").text
    assert "You are not assigned to a police unit" in listing and "ZZ-2026-0042" not in listing
    assert client.get("/console/alerts/ZZ-2026-0042").status_code == 403
    assert 'data-month="2026-11"' not in client.get("/console/alerts/stats").text
    assert alert_ids(rt) == ["ZZ-2026-0042"]


def test_another_units_liaison_is_refused_and_readers_read_without_tips(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    assert publish(client, token).status_code == 303
    tip_id = add_tip(rt, "ZZ-2026-0042", "Saw him at the bus station", at=START, where=CENTRE)

    liaison(rt, "hf", unit=OTHER_UNIT)
    token = login(client, "hf")
    assert client.get("/console/alerts/ZZ-2026-0042").status_code == 403
    assert client.get("/console/alerts/ZZ-2026-0042/close?outcome=found_alive").status_code == 403
    closing = client.post("/console/alerts/ZZ-2026-0042/close", data={"outcome": "found_alive", "csrf_token": token})
    assert closing.status_code == 403 and "another police unit" in closing.text
    triage = client.post(
        f"/console/alerts/ZZ-2026-0042/tips/{tip_id}/triage", data={"verdict": "useful", "csrf_token": token}
    )
    assert triage.status_code == 403
    assert "ZZ-2026-0042" not in client.get("/console/alerts").text
    assert 'data-month="2026-11"' not in client.get("/console/alerts/stats").text

    add_user(rt, "sup", "supervisor")
    token = login(client, "sup")
    assert "ZZ-2026-0042" in client.get("/console/alerts").text
    page = client.get("/console/alerts/ZZ-2026-0042")
    assert page.status_code == 200 and "李小明" in page.text
    assert "Saw him at the bus station" not in page.text and 'id="tips-hidden"' in page.text
    assert 'id="close-form"' not in page.text
    assert (
        client.post("/console/alerts/ZZ-2026-0042/close", data={"outcome": "other", "csrf_token": token}).status_code
        == 403
    )

    with unit_of_work(rt.sessions) as s:
        assert s.scalar(select(AlertRow.status)) == "published"
        assert s.scalar(select(TipRow.triage)) == "new"
        assert s.scalar(select(AuditRecord.seq).where(AuditRecord.action == "alert.tips_viewed")) is None


def add_tip(
    rt: Runtime,
    public_id: str,
    text: str,
    *,
    at: datetime,
    where: tuple[float, float] | None,
    source: str = "",
    received: datetime | None = None,
) -> int:
    """Through the store, as the public page does: cleaned, checked, de-duplicated."""
    with unit_of_work(rt.sessions) as s:
        tip, duplicate = store.add_tip(
            s,
            public_id=public_id,
            submission=TipSubmission(
                alert_id=public_id,
                source_id=source or f"src-{text[:12]}",
                text=text,
                received_at=received or START,
                lat=where[0] if where else None,
                lon=where[1] if where else None,
                seen_at=at,
            ),
        )
        assert not duplicate
        return tip.id


def _rank_order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="tip [^"]*" id="tip-(\d+)"', html)]


def test_the_tip_queue_ranks_groups_folds_copies_and_escapes(world: World) -> None:
    rt, clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    assert publish(client, token).status_code == 303
    clock.advance(timedelta(hours=5))
    now = clock.now()
    near_bus = (CENTRE[0] + 0.01, CENTRE[1])  # about 1.1 km from the last-seen place
    near_road = (CENTRE[0] + 0.02, CENTRE[1] + 0.005)  # 1.2 km further on: the same group
    far_old = add_tip(
        rt,
        "ZZ-2026-0042",
        "&lt;script&gt;alert(1)&lt;/script&gt; a boy crying by the river",  # plain text with markup in it
        at=now - timedelta(hours=4),
        where=NEAR,
        received=now - timedelta(hours=4),
    )
    recent_near = add_tip(
        rt,
        "ZZ-2026-0042",
        "Saw a boy in a red top at the bus station",
        at=now - timedelta(minutes=10),
        where=near_bus,
        received=now,
    )
    same_group = add_tip(
        rt,
        "ZZ-2026-0042",
        "Boy in red walking north on Jiefang Road",
        at=now - timedelta(minutes=40),
        where=near_road,
        received=now,
    )
    no_place = add_tip(
        rt, "ZZ-2026-0042", "He was on the 8:15 train, I think", at=now - timedelta(hours=1), where=None, received=now
    )
    with unit_of_work(rt.sessions) as s:
        alert_pk = s.scalar(select(AlertRow.id))
        # A copy the store marked, and one that came in unmarked: both fold under the original.
        marked = TipRow(
            alert_id=alert_pk,
            text="saw a boy in a red top at the bus station!",
            had_links=False,
            lat=near_bus[0],
            lon=near_bus[1],
            seen_at=now - timedelta(minutes=9),
            received_at=now,
            source_hash="other-1",
            duplicate_of=recent_near,
            sealed=False,
        )
        unmarked = TipRow(
            alert_id=alert_pk,
            text="Saw a boy in a RED top at the bus station",
            had_links=False,
            lat=near_bus[0],
            lon=near_bus[1],
            seen_at=now - timedelta(minutes=8),
            received_at=now + timedelta(seconds=1),
            source_hash="other-2",
            sealed=False,
        )
        s.add_all([marked, unmarked])
        s.flush()
        copies = [marked.id, unmarked.id]
        stored = s.get(TipRow, far_old)
        assert stored is not None and stored.text.startswith("<script>alert(1)</script>")

    page = client.get("/console/alerts/ZZ-2026-0042")
    assert page.status_code == 200
    html = page.text
    order = _rank_order(html)
    assert order.index(recent_near) < order.index(far_old)  # newest sighting near the last-seen place first
    assert order[0] == recent_near and set(order) == {recent_near, same_group, far_old, no_place}
    ranks = {int(t): int(r) for t, r in re.findall(r'id="tip-(\d+)" data-rank="(\d+)"', html)}
    assert ranks[recent_near] == 1 and ranks[far_old] > ranks[no_place]

    first_group = html.split('id="cluster-1"', 1)[1].split('id="cluster-2"', 1)[0]
    assert 'data-size="2"' in html.split('id="cluster-1"', 1)[1][:40]
    assert f'id="tip-{recent_near}"' in first_group and f'id="tip-{same_group}"' in first_group
    assert "2 more sent the same" in first_group
    for copy in copies:
        assert f'data-tip-id="{copy}"' in first_group
    assert "4 new / 4" in html and "+ 2 duplicates folded" in html

    assert "&lt;script&gt;alert(1)&lt;/script&gt; a boy crying by the river" in html
    assert "<script>alert(1)" not in html

    with unit_of_work(rt.sessions) as s:
        viewed = s.scalars(select(AuditRecord).where(AuditRecord.action == "alert.tips_viewed")).one()
        assert (viewed.actor, viewed.object_id, viewed.data["tips"]) == ("user:li", "ZZ-2026-0042", 4)


def test_triage_is_recorded_and_the_filter_shows_what_is_left(world: World) -> None:
    rt, clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    assert publish(client, token).status_code == 303
    useful = add_tip(rt, "ZZ-2026-0042", "Saw him at the bus station", at=START, where=CENTRE)
    idle = add_tip(rt, "ZZ-2026-0042", "A boy like him was in the park", at=START, where=FAR)
    with unit_of_work(rt.sessions) as s:
        # Two copies: one the store marked, one only the same words tell (both fold under the first).
        copies = [
            TipRow(
                alert_id=s.scalar(select(AlertRow.id)),
                text=text,
                had_links=False,
                lat=CENTRE[0],
                lon=CENTRE[1],
                seen_at=START,
                received_at=START,
                source_hash=f"copy-{i}",
                duplicate_of=duplicate_of,
                sealed=False,
            )
            for i, (text, duplicate_of) in enumerate(
                [("saw him at the bus station", useful), ("Saw him at the bus station!", None)]
            )
        ]
        s.add_all(copies)
        s.flush()
        copy_ids = [c.id for c in copies]

    clock.advance(timedelta(minutes=3))
    answer = client.post(
        f"/console/alerts/ZZ-2026-0042/tips/{useful}/triage",
        data={"verdict": "useful", "tips": "new", "csrf_token": token},
        follow_redirects=False,
    )
    assert (
        answer.status_code == 303
        and answer.headers["location"] == f"/console/alerts/ZZ-2026-0042?tips=new#tip-{useful}"
    )
    with unit_of_work(rt.sessions) as s:
        for tip_id in (useful, *copy_ids):  # the copies folded under it go with it
            tip = s.get(TipRow, tip_id)
            assert tip is not None and (tip.triage, tip.triaged_by, tip.triaged_at) == (
                "useful",
                "user:li",
                clock.now(),
            )
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "alert.tip_triaged")).one()
        assert record.actor == "user:li" and record.object_id == "ZZ-2026-0042"
        assert record.data == {"tip": useful, "before": "new", "after": "useful", "copies": copy_ids}

    left = client.get("/console/alerts/ZZ-2026-0042?tips=new").text
    assert _rank_order(left) == [idle] and "1 new / 2" in left
    everything = client.get("/console/alerts/ZZ-2026-0042").text
    assert set(_rank_order(everything)) == {useful, idle} and "triaged by user:li" in everything

    refused = client.post(
        f"/console/alerts/ZZ-2026-0042/tips/{idle}/triage", data={"verdict": "maybe", "csrf_token": token}
    )
    assert refused.status_code == 200 and "useful or not useful" in refused.text  # back on the alert, told why
    forged = client.post(
        f"/console/alerts/ZZ-2026-0042/tips/{idle}/triage", data={"verdict": "useful", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert (
        client.post(
            "/console/alerts/ZZ-2026-0042/tips/999999/triage", data={"verdict": "useful", "csrf_token": token}
        ).status_code
        == 404
    )


def test_closing_sends_the_cancel_to_every_partner_that_got_the_alert_and_seals_the_tips(world: World) -> None:
    rt, clock, client = world
    secret = signing.new_secret()
    with endpoint() as inside, endpoint() as near, endpoint() as far:
        partner_app(rt, client, "map-app", inside.url, secret, CENTRE)
        partner_app(rt, client, "bike-app", near.url, secret, NEAR)
        partner_app(rt, client, "far-app", far.url, secret, FAR)
        liaison(rt, "li")
        token = login(client, "li")
        assert publish(client, token).status_code == 303
        tip = add_tip(rt, "ZZ-2026-0042", "Saw him at the bus station", at=START, where=CENTRE)
        clock.advance(timedelta(hours=1, seconds=1))
        assert rt.scheduler.tick() == 1  # widened to 100 km: the bike app now has it too
        assert rt.delivery.drain().delivered == 3

        confirm = client.get("/console/alerts/ZZ-2026-0042/close?outcome=found_alive")
        assert confirm.status_code == 200
        assert 'id="cancel-to">bike-app, map-app<' in confirm.text and "found alive" in confirm.text
        with unit_of_work(rt.sessions) as s:
            assert s.scalar(select(AlertRow.status)) == "updated"  # asking is not closing

        closed = client.post(
            "/console/alerts/ZZ-2026-0042/close",
            data={"outcome": "found_alive", "csrf_token": token},
            follow_redirects=False,
        )
        assert closed.status_code == 303 and closed.headers["location"] == "/console/alerts/ZZ-2026-0042"
        assert rt.delivery.drain().delivered == 2
        for ep in (inside, near):
            assert cap_from(ep, secret, clock)["msg_type"] == "Cancel"
        assert not far.received

    page = client.get("/console/alerts/ZZ-2026-0042").text
    assert 'id="cancel-partners">bike-app, map-app<' in page and "found alive" in page
    assert 'id="close-form"' not in page and "/triage" not in page  # sealed: nothing to press
    with unit_of_work(rt.sessions) as s:
        row = store.get_row(s, "ZZ-2026-0042")
        assert (row.status, row.outcome) == ("closed", "found_alive")
        assert all(t.sealed for t in s.scalars(select(TipRow)))
    assert "alert.closed" in audit_actions(rt, "user:li")
    assert client.post("/alerts/ZZ-2026-0042/tips", json={"text": "saw him again"}).status_code == 409
    sealed = client.post(
        f"/console/alerts/ZZ-2026-0042/tips/{tip}/triage", data={"verdict": "useful", "csrf_token": token}
    )
    assert sealed.status_code == 200 and "sealed" in sealed.text
    twice = client.post("/console/alerts/ZZ-2026-0042/close", data={"outcome": "other", "csrf_token": token})
    assert twice.status_code == 200 and "cannot go from closed to closed" in twice.text
    assert client.get("/console/alerts/ZZ-2026-0042/close?outcome=other").status_code == 409
    assert client.get("/console/alerts/ZZ-2026-0042").status_code == 200


def test_monthly_statistics_tell_found_alive_from_found_deceased(world: World) -> None:
    rt, clock, client = world
    liaison(rt, "li")
    liaison(rt, "hf", unit=OTHER_UNIT)

    def at(when: datetime, user: str, action: str, **data: str) -> None:
        clock.advance(when - clock.now())
        token = login(client, user)
        if action == "publish":
            assert (
                publish(
                    client,
                    token,
                    data["alert_id"],
                    last_seen_at=(when - timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
                    last_seen_tz="UTC",
                ).status_code
                == 303
            )
        else:
            closed = client.post(
                f"/console/alerts/{data['alert_id']}/close",
                data={"outcome": data["outcome"], "csrf_token": token},
                follow_redirects=False,
            )
            assert closed.status_code == 303

    nov = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    at(nov, "li", "publish", alert_id="A-alive")
    at(nov + timedelta(hours=1), "li", "publish", alert_id="B-deceased")
    at(nov + timedelta(hours=2), "li", "publish", alert_id="C-open")
    at(nov + timedelta(hours=3), "hf", "publish", alert_id="H-other-unit")
    at(nov + timedelta(hours=4), "li", "close", alert_id="A-alive", outcome="found_alive")  # 4 h after publishing
    at(nov + timedelta(hours=9), "li", "close", alert_id="B-deceased", outcome="found_deceased")  # 8 h
    late = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 1 December 02:00 in Beijing
    at(late, "li", "publish", alert_id="D-other")
    at(late + timedelta(hours=1), "li", "close", alert_id="D-other", outcome="other")

    login(client, "li")
    listing = client.get("/console/alerts").text  # open alerts first, then the newest; only the unit's
    assert re.findall(r'data-alert-id="([^"]+)"', listing) == ["C-open", "D-other", "B-deceased", "A-alive"]
    page = client.get("/console/alerts/stats").text
    november = page.split('<tr data-month="2026-11">', 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'<td class="(\w+)">([^<]*)</td>', november))
    assert cells == {
        "published": "4",  # A, B, C and D: the other unit's alert is not the liaison's
        "found_alive": "1",
        "found_deceased": "1",
        "closed_other": "1",
        "still_open": "1",
        "median": "6 h 00 min",  # the median of 4 h and 8 h; D was withdrawn, not found
    }
    assert 'id="stats-chart"' in page and '<g class="bar" data-month="2026-11">' in page
    assert "<script" not in page.split("<main>", 1)[1]

    csv = client.get("/console/alerts/stats.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == [
        "month,published,found_alive,found_deceased,closed_other,still_open,median_time_to_found_seconds",
        "2026-11,4,1,1,1,1,21600",
    ]
    beijing = client.get("/console/alerts/stats.csv?tz=Asia/Shanghai").text.splitlines()
    assert beijing[1:] == ["2026-11,3,1,1,0,1,21600", "2026-12,1,0,0,1,0,"]
    assert client.get("/console/alerts/stats?tz=Nowhere/Else").status_code == 400

    add_user(rt, "aud", "auditor")
    login(client, "aud")
    every_unit = client.get("/console/alerts/stats.csv").text.splitlines()
    assert every_unit[1] == "2026-11,5,1,1,1,2,21600"


def test_every_string_of_the_alert_pages_is_translated_to_chinese_and_hindi() -> None:
    pages = sorted((Path(alerts_views.__file__).parent / "templates").glob("alerts_*.html"))
    assert len(pages) == 5
    found = (re.findall(r"""_\((["'])(.+?)\1\)""", page.read_text(encoding="utf-8")) for page in pages)
    wanted = {message for matches in found for _quote, message in matches}
    wanted |= set(alerts_views.CATEGORY_LABELS.values())
    wanted |= {rule.reason for rules in default_criteria().rules.values() for rule in rules if rule.reason}
    wanted |= {"Alert published.", "Alert closed. The Cancel goes to every partner that received it."}
    wanted |= {"found alive", "found deceased", "closed other", "still open", "useful", "not useful", "new"}
    assert len(wanted) > 100
    for language in ("zh", "hi"):
        missing = sorted(wanted - set(i18n.catalogue(language)))
        assert not missing, f"{language}: {missing}"


def test_the_alert_pages_speak_the_officers_language(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    with unit_of_work(rt.sessions) as s:
        s.scalars(select(User).where(User.username == "li")).one().locale = "zh"
    token = login(client, "li")
    unmet = publish(client, token, police_confirmed_risk=None)
    assert "未发布：不符合该类别的发布条件。" in unmet.text and "警方须确认该儿童处于危险中" in unmet.text
    assert publish(client, token).status_code == 303
    listing = client.get("/console/alerts").text
    assert "寻人警报" in listing and "儿童" in listing and "已发布" in listing


def test_a_tips_photo_and_place_are_shown_to_the_unit_only_and_every_look_is_recorded(world: World) -> None:
    rt, _clock, client = world
    liaison(rt, "li")
    token = login(client, "li")
    assert publish(client, token).status_code == 303
    assert publish(client, token, "ZZ-2026-0043").status_code == 303
    photo = png(64, 48)
    with unit_of_work(rt.sessions) as s:
        tip, _ = store.add_tip(
            s,
            public_id="ZZ-2026-0042",
            submission=TipSubmission(
                alert_id="ZZ-2026-0042",
                source_id="witness-1",
                text="Boy in a red top boarding the number 2 bus",
                received_at=START,
                place_text="<b>Bus stop</b> outside Dennis department store",
                seen_at=START,
            ),
            photo=(check_photo(photo), photo),
        )
        with_photo = tip.id
    without_photo = add_tip(rt, "ZZ-2026-0042", "He was on the 8:15 train", at=START, where=None)

    page = client.get("/console/alerts/ZZ-2026-0042").text
    url = f"/console/alerts/ZZ-2026-0042/tips/{with_photo}/photo"
    assert f'<img src="{url}"' in page and page.count("/photo") == 2  # one tip has a photo: its link and image
    assert "Place given: Bus stop outside Dennis department store" in page  # cleaned to text when it came in

    got = client.get(url)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/png" and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("inline")
    with unit_of_work(rt.sessions) as s:
        looked = s.scalars(select(AuditRecord).where(AuditRecord.action == "alert.tip_photo_viewed")).one()
        assert (looked.actor, looked.object_id, looked.data) == ("user:li", "ZZ-2026-0042", {"tip": with_photo})
    assert client.get(f"/console/alerts/ZZ-2026-0042/tips/{without_photo}/photo").status_code == 404
    assert client.get(f"/console/alerts/ZZ-2026-0043/tips/{with_photo}/photo").status_code == 404  # not its tip

    liaison(rt, "hf", unit=OTHER_UNIT)
    login(client, "hf")
    assert client.get(url).status_code == 403
    add_user(rt, "sup", "supervisor")
    login(client, "sup")
    assert client.get(url).status_code == 403
    with unit_of_work(rt.sessions) as s:
        assert len(s.scalars(select(AuditRecord).where(AuditRecord.action == "alert.tip_photo_viewed")).all()) == 1
