"""Schedule timers, take the scheduler lease, find what is due. Handlers live with their domains."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from lifeguard.db.upsert import insert_ignoring_conflicts
from lifeguard.scheduling.models import Lease, Timer

MAX_TIMER_ATTEMPTS = 5


def _will_fire() -> tuple[Any, ...]:
    """A timer the scheduler will still fire: not fired yet, and not given up after MAX_TIMER_ATTEMPTS."""
    return (Timer.fired_at.is_(None), Timer.attempts < MAX_TIMER_ATTEMPTS)


def schedule(
    session: Session, *, kind: str, due_at: datetime, now: datetime, payload: dict[str, Any], case_id: int | None = None
) -> Timer:
    """In the caller's transaction: the timer exists exactly when the change that needs it commits."""
    timer = Timer(kind=kind, due_at=due_at, case_id=case_id, payload=payload, created_at=now, attempts=0)
    session.add(timer)
    session.flush()
    return timer


def take_lease(session: Session, *, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; true if it is ours until now + ttl."""
    insert_ignoring_conflicts(
        session,
        Lease.__table__,
        [{"name": name, "holder": holder, "expires_at": now + ttl}],
        returning=Lease.name,
    )
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def due(session: Session, *, now: datetime, limit: int = 100) -> list[Timer]:
    stmt = select(Timer).where(*_will_fire(), Timer.due_at <= now).order_by(Timer.due_at, Timer.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def will_fire(session: Session, *, kind: str) -> bool:
    """Whether a timer of ``kind`` is waiting that the scheduler will still fire."""
    return session.scalar(select(Timer.id).where(Timer.kind == kind, *_will_fire()).limit(1)) is not None


def pending_for_case(session: Session, case_id: int, kind: str | None = None) -> list[Timer]:
    stmt = select(Timer).where(Timer.case_id == case_id, Timer.fired_at.is_(None))
    if kind:
        stmt = stmt.where(Timer.kind == kind)
    return list(session.scalars(stmt.order_by(Timer.due_at)))
