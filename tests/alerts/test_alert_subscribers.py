"""People who opt in to alert e-mails near a place, on both databases, through a real SMTP conversation:
double opt-in, one e-mail per message of each step in the person's language, nothing for the unconfirmed, the
unsubscribed or those outside, a Cancel that says only that the alert ended, encryption at rest, retention."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from lifeguard.alerts import store, subscribers
from lifeguard.alerts.models import AlertSubscriber, AlertSubscriberMail, CapMessageRow
from lifeguard.app import create_app
from lifeguard.audit.models import AuditRecord
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.assessment import Detector
from lifeguard.privacy.retention import RetentionPolicy
from lifeguard.privacy.retention import run as run_retention
from lifeguard.runtime import Runtime, build_runtime
from tests.alerts.test_alerts_fanout import CENTRE, FAR, NEAR, START, alert_body, police
from tests.conftest import make_settings
from tests.delivery.test_smtp import smtp_server

MailWorld = tuple[Runtime, FixedClock, TestClient, list[bytes]]
HOME = (CENTRE[0] + 0.1, CENTRE[1] + 0.1)  # about 14 km from the last known place: inside 50 km


@pytest.fixture
def mail_world(db_url: str, detector: Detector) -> Iterator[MailWorld]:
    clock = FixedClock(START)
    with smtp_server() as (port, received):
        rt = build_runtime(
            make_settings(db_url, smtp_host="127.0.0.1", smtp_port=port, smtp_from="alerts@lifeguard.test"),
            detector=detector,
            clock=clock,
        )
        with TestClient(create_app(runtime=rt)) as client:
            yield rt, clock, client, received
        rt.close()


def _mails(received: list[bytes]) -> list[EmailMessage]:
    return [email.message_from_bytes(raw, policy=email.policy.default) for raw in received]  # type: ignore[misc]


def _to(received: list[bytes], address: str) -> list[EmailMessage]:
    return [m for m in _mails(received) if m["To"] == address]


def _body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def sign_up(client: TestClient, address: str, at: tuple[float, float], language: str = "en") -> None:
    answer = client.post(
        "/alert-subscriptions", json={"email": address, "lat": at[0], "lon": at[1], "language": language}
    )
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"status": "confirmation_sent"}


def confirm(rt: Runtime, client: TestClient, received: list[bytes], address: str) -> None:
    rt.delivery.drain()
    (mail,) = _to(received, address)
    link = re.search(r"https://testserver(/alert-subscriptions/confirm/[^\s?]+)\?lang=(\w+)", _body(mail))
    assert link, _body(mail)
    page = client.get(f"{link.group(1)}?lang={link.group(2)}")  # a page with a button: scanners do not confirm
    assert page.status_code == 200 and "<form" in page.text
    done = client.post(f"{link.group(1)}?lang={link.group(2)}")
    assert done.status_code == 200, done.text


def test_sign_up_confirm_and_one_mail_per_step_in_the_persons_language(mail_world: MailWorld) -> None:
    rt, clock, client, received = mail_world
    sign_up(client, "wang@example.cn", HOME, "zh")
    sign_up(client, "asha@example.in", NEAR, "hi")  # outside 50 km, inside 100 km
    sign_up(client, "far@example.org", FAR, "en")
    sign_up(client, "late@example.org", HOME, "en")  # never confirms
    confirm(rt, client, received, "wang@example.cn")
    confirm(rt, client, received, "asha@example.in")
    confirm(rt, client, received, "far@example.org")
    (invitation,) = _to(received, "wang@example.cn")
    assert invitation["Subject"] == "请确认订阅预警邮件" and invitation["Content-Language"] == "zh"
    received.clear()

    assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
    rt.delivery.drain()
    (first,) = _mails(received)
    assert first["To"] == "wang@example.cn"
    body = _body(first)
    assert first["Subject"].startswith("儿童失踪：李小明")
    assert "李小明" in body and "https://testserver/alerts/2026-0042?lang=zh" in body
    unsubscribe = re.search(r"https://testserver(/alert-subscriptions/unsubscribe/\S+)\?lang=zh", body)
    assert unsubscribe and first["List-Unsubscribe"].startswith("<https://testserver/alert-subscriptions/")
    assert "<" not in body.replace(first["List-Unsubscribe"], "")  # plain text: no markup
    received.clear()

    # The hour's widening reaches Asha (in Hindi) and tells Wang once more; nobody else.
    clock.advance(timedelta(hours=1, seconds=1))
    assert rt.scheduler.tick() == 1
    rt.delivery.drain()
    assert sorted(m["To"] for m in _mails(received)) == ["asha@example.in", "wang@example.cn"]
    (hindi,) = _to(received, "asha@example.in")
    assert "लापता बच्चा" in hindi["Subject"] and "100 किमी" in _body(hindi)
    # The alert is issued in zh and en: the page link has no Hindi version to point to, the frame is in Hindi.
    assert "अलर्ट पेज (फ़ोटो, नक्शा, सूचना): https://testserver/alerts/2026-0042\n" in _body(hindi)
    received.clear()

    # The same step fanned out again sends nothing twice (idempotent per message and subscriber).
    with unit_of_work(rt.sessions) as s:
        row = store.get_row(s, "2026-0042")
        message = store.messages_of(s, row)[-1]
        again = subscribers.mail_step(
            s,
            content=store.content_from_json(row.content),
            message=message,
            subscriber_ids=subscribers.mailed_before(s, row),
            kind="widened",
            now=clock.now(),
        )
        assert again == 0
        assert s.scalar(select(func.count()).select_from(AlertSubscriberMail)) == 3

    # Wang unsubscribes with the link (no login); the Cancel then reaches only Asha, and says nothing of the child.
    assert client.get(unsubscribe.group(1) + "?lang=zh").status_code == 200
    gone = client.post(unsubscribe.group(1) + "?lang=zh")
    assert gone.status_code == 200 and "已被删除" in gone.text
    assert client.post(unsubscribe.group(1)).status_code == 200  # a second click answers the same
    closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
    assert closed.status_code == 200
    rt.delivery.drain()
    (cancel,) = _mails(received)
    assert cancel["To"] == "asha@example.in"
    assert "समाप्त" in cancel["Subject"]
    assert "李小明" not in _body(cancel) and "李小明" not in cancel["Subject"] and "红色" not in _body(cancel)
    with unit_of_work(rt.sessions) as s:
        assert s.scalar(select(func.count()).select_from(AlertSubscriber)) == 3  # Wang's row is gone


def test_a_mail_queued_before_an_unsubscribe_is_not_sent(mail_world: MailWorld) -> None:
    rt, _clock, client, received = mail_world
    sign_up(client, "wang@example.cn", HOME, "en")
    confirm(rt, client, received, "wang@example.cn")
    received.clear()
    assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
    with unit_of_work(rt.sessions) as s:
        (row,) = s.scalars(select(AlertSubscriber))
        token = row.token
        queued = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "email"))
    assert queued == 2  # the confirmation (sent) and the alert (queued)
    assert client.post(f"/alert-subscriptions/unsubscribe/{token}").status_code == 200
    rt.delivery.drain()
    assert received == []


def test_personal_data_is_encrypted_rounded_and_never_logged(
    mail_world: MailWorld, caplog: pytest.LogCaptureFixture
) -> None:
    rt, _clock, client, received = mail_world
    caplog.set_level(logging.DEBUG)
    sign_up(client, "Wang.Wei@Example.CN", (34.812345, 113.712345), "zh")
    confirm(rt, client, received, "Wang.Wei@example.cn")
    assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
    rt.delivery.drain()
    with unit_of_work(rt.sessions) as s:
        raw = s.execute(text("SELECT email, email_hash, location FROM alert_subscribers")).one()
        assert "Wang" not in raw.email and "example" not in raw.email and raw.email.startswith("enc1:")
        assert "34.8" not in raw.location and raw.location.startswith("enc1:")
        row = s.scalars(select(AlertSubscriber)).one()
        assert row.location == "34.812,113.712"  # rounded to about 100 m before it was stored
        assert row.email == "Wang.Wei@example.cn"
        targets = s.scalars(select(OutboxMessage.target)).all()
        assert all(t.startswith("alert-subscriber:") for t in targets)  # the outbox names people by reference
        audit = " ".join(str(r.data) for r in s.scalars(select(AuditRecord)))
        assert "Wang" not in audit and "example.cn" not in audit and "34.81" not in audit
    logged = caplog.text
    assert "Wang" not in logged and "example.cn" not in logged and "34.812" not in logged


def test_bad_sign_ups_are_refused_with_the_reason(mail_world: MailWorld) -> None:
    _rt, clock, client, _received = mail_world
    bad_lat = client.post("/alert-subscriptions", json={"email": "a@example.org", "lat": 91, "lon": 0})
    assert bad_lat.status_code == 400 and "latitude" in bad_lat.json()["error"]["message"]
    bad_lon = client.post("/alert-subscriptions", json={"email": "a@example.org", "lat": 0, "lon": -181})
    assert bad_lon.status_code == 400 and "longitude" in bad_lon.json()["error"]["message"]
    not_email = client.post("/alert-subscriptions", json={"email": "nobody", "lat": 0, "lon": 0})
    assert not_email.status_code == 400 and "e-mail" in not_email.json()["error"]["message"]
    language = client.post(
        "/alert-subscriptions", json={"email": "a@example.org", "lat": 0, "lon": 0, "language": "fr"}
    )
    assert language.status_code == 400
    missing = client.post("/alert-subscriptions", json={"email": "a@example.org"})
    assert missing.status_code == 400 and missing.json()["error"]["details"]
    # Five tries from one network, then the sign-up limit (10 an hour) answers until a token is back.
    limited = client.post("/alert-subscriptions", json={"email": "a@example.org", "lat": 1, "lon": 1})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "360"
    clock.advance(timedelta(minutes=6))
    # The form answers in the visitor's language, with the reason underneath.
    form = client.post("/alert-subscriptions?lang=hi", data={"email": "a@example.org", "lat": "91", "lon": "0"})
    assert form.status_code == 400 and 'lang="hi"' in form.text and "latitude" in form.text
    assert client.get("/alert-subscriptions/confirm/not-a-token").status_code == 404
    assert client.post("/alert-subscriptions/confirm/not-a-token").status_code == 404


def test_confirmation_mails_to_one_address_are_limited(mail_world: MailWorld) -> None:
    rt, _clock, client, received = mail_world
    for _ in range(3):
        sign_up(client, "target@example.org", HOME)  # the same pending sign-up: a new link each time
    fourth = client.post("/alert-subscriptions", json={"email": "target@example.org", "lat": HOME[0], "lon": HOME[1]})
    assert fourth.status_code == 429 and int(fourth.headers["Retry-After"]) > 0
    rt.delivery.drain()
    assert len(_to(received, "target@example.org")) == 3
    with unit_of_work(rt.sessions) as s:
        assert s.scalar(select(func.count()).select_from(AlertSubscriber)) == 1


def test_unconfirmed_sign_ups_are_deleted_after_7_days(mail_world: MailWorld) -> None:
    rt, clock, client, received = mail_world
    sign_up(client, "late@example.org", HOME)
    sign_up(client, "kept@example.org", HOME)
    confirm(rt, client, received, "kept@example.org")
    with unit_of_work(rt.sessions) as s:
        report = run_retention(s, now=clock.now() + timedelta(days=6), policy=RetentionPolicy())
        assert report.unconfirmed_subscribers_deleted == 0
        report = run_retention(s, now=clock.now() + timedelta(days=7, minutes=1), policy=RetentionPolicy())
        assert report.unconfirmed_subscribers_deleted == 1
        assert s.scalars(select(AlertSubscriber.status)).all() == ["confirmed"]


def test_the_target_index_is_cached_until_who_can_be_targeted_changes(mail_world: MailWorld) -> None:
    rt, clock, client, received = mail_world
    with unit_of_work(rt.sessions) as s:
        subscribers.changed(s, now=clock.now())  # the migration writes a first token; the PG fixture truncates it
    with unit_of_work(rt.sessions) as s:
        first = store.target_index(s)
        assert store.target_index(s) is first  # nothing changed: the same index
    sign_up(client, "wang@example.cn", HOME)
    with unit_of_work(rt.sessions) as s:
        assert store.target_index(s) is first  # a pending sign-up is not a target
    confirm(rt, client, received, "wang@example.cn")
    with unit_of_work(rt.sessions) as s:
        second = store.target_index(s)
        assert second is not first
        (subscriber_id,) = s.scalars(select(AlertSubscriber.id))
        assert second.select(CENTRE[0], CENTRE[1], 50).subscriber_ids == {str(subscriber_id)}
        assert second.select(CENTRE[0], CENTRE[1], 10).subscriber_ids == frozenset()


def test_alert_mails_need_a_mail_relay(db_url: str, detector: Detector) -> None:
    rt = build_runtime(make_settings(db_url), detector=detector, clock=FixedClock(START))
    with TestClient(create_app(runtime=rt)) as client:
        answer = client.post("/alert-subscriptions", json={"email": "a@example.org", "lat": 1, "lon": 1})
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "email_not_configured"
    rt.close()


def test_every_message_of_an_alert_is_mailed_to_people_inside_any_circle(mail_world: MailWorld) -> None:
    """plan_delivery: subscribers inside any circle the alert went out with; a sighting moves the circle."""
    rt, _clock, client, received = mail_world
    sign_up(client, "wang@example.cn", HOME)
    confirm(rt, client, received, "wang@example.cn")
    assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
    moved = {"lat": FAR[0], "lon": FAR[1], "place": "北京西站", "at": "2026-11-23T15:30:00+08:00"}
    revised = client.post("/v1/alerts/2026-0042/revise", headers=police(rt), json={"last_seen": moved})
    assert revised.status_code == 200, revised.text
    assert revised.json()["subscribers"] == 1  # Wang is far from Beijing, but was inside the first circle
    with unit_of_work(rt.sessions) as s:
        kinds = s.execute(
            select(CapMessageRow.msg_type)
            .join(AlertSubscriberMail, AlertSubscriberMail.cap_message_id == CapMessageRow.id)
            .order_by(CapMessageRow.sequence)
        ).scalars()
        assert list(kinds) == ["Alert", "Update"]
