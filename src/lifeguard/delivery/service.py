"""Enqueue in the caller's transaction; claim due messages; record the result with backoff and jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.delivery.models import OutboxMessage

CHANNELS = frozenset({"webhook", "email"})


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    max_delay_seconds: float = 600.0
    max_attempts: int = 8  # then a human is told
    in_flight_seconds: float = 60.0  # a claimed message not reported by then is tried again (crash safety)

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        raw = min(self.base_seconds * (2 ** max(attempts - 1, 0)), self.max_delay_seconds)
        return timedelta(seconds=raw * rng.uniform(0.5, 1.5))  # jitter: partners coming back are not stampeded


def enqueue(
    session: Session,
    *,
    channel: str,
    target: str,
    payload: dict[str, Any],
    idempotency_key: str,
    now: datetime,
    subject: str | None = None,
    secret: str | None = None,
    case_id: int | None = None,
) -> OutboxMessage:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing  # the same action asked twice sends once
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        channel=channel,
        target=target,
        subject=subject,
        payload=payload,
        secret=secret,
        case_id=case_id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def claim_due(session: Session, *, now: datetime, limit: int, policy: RetryPolicy) -> list[OutboxMessage]:
    """Mark due messages in flight (pushing their next attempt out) so that no other worker takes them."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    messages = list(session.scalars(stmt))
    if messages:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]))
            .values(next_attempt_at=now + timedelta(seconds=policy.in_flight_seconds))
        )
    return messages


def record_successes(session: Session, *, message_ids: list[int], now: datetime) -> None:
    """One statement for a whole pass: a fan-out to a thousand partners is a thousand successes at once."""
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == "pending")
            .values(status="delivered", delivered_at=now, attempts=OutboxMessage.attempts + 1, last_error=None)
        )


def record_failure(
    session: Session, *, message_id: int, error: str, now: datetime, policy: RetryPolicy, rng: random.Random
) -> OutboxMessage | None:
    """Schedule the next try; returns the message when it has just run out of tries (for a human to take up)."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != "pending":
        return None
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts >= policy.max_attempts:
        message.status = "escalated"
        return message
    message.next_attempt_at = now + policy.delay(message.attempts, rng)
    return None


def escalated(
    session: Session, *, target_prefix: str | None = None, message_ids: list[int] | None = None, limit: int = 1000
) -> list[OutboxMessage]:
    """Messages that ran out of tries, oldest first; ``target_prefix`` narrows them to one receiver, and
    ``message_ids`` to those messages."""
    stmt = select(OutboxMessage).where(OutboxMessage.status == "escalated")
    if message_ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(message_ids))
    if target_prefix:
        stmt = stmt.where(OutboxMessage.target.startswith(target_prefix, autoescape=True))
    return list(session.scalars(stmt.order_by(OutboxMessage.created_at, OutboxMessage.id).limit(limit)))


def requeue_escalated(
    session: Session,
    *,
    now: datetime,
    actor: str,
    message_ids: list[int] | None = None,
    target_prefix: str | None = None,
) -> list[int]:
    """A person decided the receiver is back: its escalated messages go back in the queue now, with a fresh
    count of tries, and the decision is audited. Nothing else is touched (delivered and pending stay)."""
    chosen = escalated(session, target_prefix=target_prefix, message_ids=message_ids, limit=100_000)
    for message in chosen:
        message.status, message.attempts, message.next_attempt_at = "pending", 0, now
    if chosen:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="outbox.requeued",
            object_type="outbox",
            object_id=(target_prefix or "escalated")[:64],
            data={"count": len(chosen), "target_prefix": target_prefix, "ids": [m.id for m in chosen[:200]]},
        )
    return [message.id for message in chosen]
