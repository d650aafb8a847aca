"""The outbox: signed, idempotent, retried with backoff and jitter against a real loopback endpoint, handed
to a human when it cannot get through; a dead endpoint does not hold up a live one."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lifeguard.audit.models import AuditRecord
from lifeguard.auth import service as auth
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.delivery import service as outbox
from lifeguard.delivery import signing
from lifeguard.delivery.models import OutboxMessage
from lifeguard.detection.assessment import Detector
from lifeguard.oncall.models import Notification
from lifeguard.runtime import Runtime, build_runtime
from tests.conftest import make_settings
from tests.http_double import endpoint

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def clocked(db_url: str, detector: Detector) -> Iterator[tuple[Runtime, FixedClock]]:
    clock = FixedClock(START)
    rt = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    yield rt, clock
    rt.close()


def _enqueue(rt: Runtime, url: str, key: str, secret: str | None = None) -> None:
    with unit_of_work(rt.sessions) as s:
        outbox.enqueue(
            s,
            channel="webhook",
            target=url,
            payload={"hello": key},
            idempotency_key=key,
            now=rt.clock.now(),
            secret=secret,
        )


def test_signed_delivery_with_an_idempotency_key(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    secret = signing.new_secret()
    with endpoint() as ep:
        _enqueue(rt, ep.url, "k-1", secret)
        _enqueue(rt, ep.url, "k-1", secret)  # the same action twice sends once
        assert rt.delivery.drain().delivered == 1
    (got,) = ep.received
    assert got.headers["idempotency-key"] == "k-1" == got.headers["webhook-id"]
    signing.verify(
        secret,
        msg_id="k-1",
        timestamp=got.headers["webhook-timestamp"],
        signature_header=got.headers["webhook-signature"],
        body=got.body,
        now=int(START.timestamp()),
    )
    with pytest.raises(signing.SignatureError):
        signing.verify(
            secret,
            msg_id="k-1",
            timestamp=got.headers["webhook-timestamp"],
            signature_header=got.headers["webhook-signature"],
            body=got.body + b" ",
            now=int(START.timestamp()),
        )
    with pytest.raises(signing.SignatureError, match="too old"):
        signing.verify(
            secret,
            msg_id="k-1",
            timestamp=got.headers["webhook-timestamp"],
            signature_header=got.headers["webhook-signature"],
            body=got.body,
            now=int(START.timestamp()) + 3600,
        )


def test_retries_with_backoff_until_the_partner_answers(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with endpoint(statuses=[500, 503]) as ep:
        _enqueue(rt, ep.url, "k-2")
        assert rt.delivery.drain().failed == 1
        with unit_of_work(rt.sessions) as s:
            message = s.scalars(select(OutboxMessage)).one()
            assert message.status == "pending" and message.attempts == 1 and "HTTP 500" in (message.last_error or "")
            first_wait = message.next_attempt_at - clock.now()
        assert timedelta(seconds=1) <= first_wait <= timedelta(seconds=3)  # base 2 s with jitter
        assert rt.delivery.drain().delivered == 0  # not due yet: nothing is hammered
        clock.advance(first_wait)
        assert rt.delivery.drain().failed == 1
        clock.advance(timedelta(seconds=10))
        assert rt.delivery.drain().delivered == 1
    assert len(ep.received) == 3
    assert len({r.headers["webhook-id"] for r in ep.received}) == 1  # the receiver can deduplicate retries


def test_a_dead_endpoint_is_escalated_to_a_human_and_does_not_block_others(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with unit_of_work(rt.sessions) as s:
        auth.add_user(s, username="li", password="correct horse battery", role="supervisor", now=START, actor="test")
    dead = "http://127.0.0.1:9/nothing-listens-here"
    with endpoint() as live:
        _enqueue(rt, dead, "dead-1")
        _enqueue(rt, live.url, "live-1")
        report = rt.delivery.drain()
        assert report.delivered == 1 and report.failed == 1
        for _ in range(rt.delivery.policy.max_attempts):
            clock.advance(timedelta(seconds=rt.delivery.policy.max_delay_seconds * 2))
            rt.delivery.drain()
    with unit_of_work(rt.sessions) as s:
        message = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == "dead-1")).one()
        assert message.status == "escalated" and message.attempts == rt.delivery.policy.max_attempts
        assert "failed" in s.scalars(select(Notification.text)).one()
        assert "delivery.escalated" in s.scalars(select(AuditRecord.action)).all()


def test_backoff_grows_and_is_capped() -> None:
    policy = outbox.RetryPolicy(base_seconds=2, max_delay_seconds=60)
    rng = random.Random(0)
    delays = [policy.delay(n, rng).total_seconds() for n in range(1, 12)]
    assert delays[0] < 3.01 and max(delays) <= 90.0
    assert all(d >= 0.5 * min(2 * 2 ** (n - 1), 60) for n, d in enumerate(delays, start=1))


def test_unknown_channel_is_refused(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, _ = clocked
    with unit_of_work(rt.sessions) as s, pytest.raises(ValueError, match="unknown channel"):
        outbox.enqueue(s, channel="pigeon", target="x", payload={}, idempotency_key="p", now=START)


def test_a_person_puts_escalated_messages_back_once_the_receiver_is_back(clocked: tuple[Runtime, FixedClock]) -> None:
    rt, clock = clocked
    with endpoint() as down, endpoint() as other:
        _enqueue(rt, down.url, "held-1")
        _enqueue(rt, down.url, "held-2")
        _enqueue(rt, other.url + "/x", "elsewhere")
        with unit_of_work(rt.sessions) as s:
            for message in s.scalars(select(OutboxMessage)):
                message.status, message.attempts = "escalated", rt.delivery.policy.max_attempts
        assert rt.delivery.drain().delivered == 0  # escalated messages are not retried on their own
        with unit_of_work(rt.sessions) as s:
            requeued = outbox.requeue_escalated(s, now=clock.now(), actor="user:li", target_prefix=down.url)
        assert len(requeued) == 2
        assert rt.delivery.drain().delivered == 2
    assert sorted(r.headers["webhook-id"] for r in down.received) == ["held-1", "held-2"]
    assert other.received == []
    with unit_of_work(rt.sessions) as s:
        statuses = dict(s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status)).all())
        assert statuses == {"held-1": "delivered", "held-2": "delivered", "elsewhere": "escalated"}
        record = s.scalars(select(AuditRecord).where(AuditRecord.action == "outbox.requeued")).one()
        assert record.actor == "user:li" and record.data["count"] == 2
        assert outbox.requeue_escalated(s, now=clock.now(), actor="user:li", message_ids=[999_999]) == []
