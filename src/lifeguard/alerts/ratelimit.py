"""Token buckets in the database, shared by every process that serves the public pages.

One row per (limit, pseudonymous source). Taking a token is one atomic statement, an UPSERT whose update refills
the bucket for the time elapsed and takes ``cost`` only if enough is there:

    INSERT INTO rate_buckets (scope, source, tokens, updated) VALUES (:scope, :source, :capacity - :cost, :now)
    ON CONFLICT (scope, source) DO UPDATE
       SET tokens = min(capacity, tokens + max(0, :now - updated) * rate) - :cost,
           updated = max(:now, updated)
     WHERE min(capacity, tokens + max(0, :now - updated) * rate) >= :cost
    RETURNING tokens

PostgreSQL takes the row lock for the conflicting row and evaluates the update against its latest committed
version, so two processes taking the last token at the same moment cannot both get it. SQLite runs every
transaction as BEGIN IMMEDIATE here, so the statements are serialised. No row back means the bucket is empty.
``min``/``max`` are written as CASE expressions so the statement is the same on both. The time is the
application's clock (an injectable ``Clock``), as epoch seconds: a clock that steps back mints no tokens.

The same arithmetic as ``tips.TipRateLimiter`` (the in-memory one for a single process and the domain tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Float, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lifeguard.alerts.errors import RateLimited
from lifeguard.alerts.models import RateBucket


@dataclass(frozen=True)
class Limit:
    scope: str
    capacity: float  # tokens at once
    per_hour: float  # refill rate
    message: str = "too many requests from this source"

    @property
    def per_second(self) -> float:
        return self.per_hour / 3600.0


TIPS = Limit("tips", capacity=5, per_hour=12, message="too many tips from this source")
# Sign-ups from one network: a family signs up a few places; a script does not get to mail thousands.
SUBSCRIBE = Limit("subscribe", capacity=5, per_hour=10, message="too many sign-ups from this source")
# Confirmation e-mails to one address, whoever asks: the form cannot be used to flood someone's inbox.
CONFIRM_MAIL = Limit("confirm-mail", capacity=3, per_hour=3 / 24, message="too many confirmation e-mails")


def _insert(session: Session):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RateBucket.__table__)


def _at_most(a, b):  # type: ignore[no-untyped-def]
    return case((a > b, b), else_=a)


def take(session: Session, limit: Limit, source: str, *, now: datetime, cost: float = 1.0) -> float | None:
    """Take ``cost`` tokens; returns what is left, or None when the bucket has not enough (nothing is taken)."""
    at = now.timestamp()
    table = RateBucket.__table__
    stmt = _insert(session).values(scope=limit.scope, source=source, tokens=limit.capacity - cost, updated=at)
    now_col = stmt.excluded.updated
    elapsed = case((now_col > table.c.updated, now_col - table.c.updated), else_=literal(0.0, Float))
    refilled = _at_most(table.c.tokens + elapsed * literal(limit.per_second, Float), literal(limit.capacity, Float))
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.source],
        set_={
            "tokens": refilled - literal(cost, Float),
            "updated": case((now_col > table.c.updated, now_col), else_=table.c.updated),
        },
        where=refilled >= literal(cost, Float),
    ).returning(table.c.tokens)
    left = session.execute(stmt).scalar_one_or_none()
    return None if left is None else float(left)


def wait_seconds(session: Session, limit: Limit, source: str, *, now: datetime, cost: float = 1.0) -> float:
    row = session.execute(
        select(RateBucket.tokens, RateBucket.updated).where(
            RateBucket.scope == limit.scope, RateBucket.source == source
        )
    ).first()
    if row is None:
        return 0.0
    tokens = min(limit.capacity, row.tokens + max(0.0, now.timestamp() - row.updated) * limit.per_second)
    return max(0.0, (cost - tokens) / limit.per_second)


def acquire(session: Session, limit: Limit, source: str, *, now: datetime, cost: float = 1.0) -> None:
    """Take a token or raise ``RateLimited`` (429) saying how long to wait."""
    if take(session, limit, source, now=now, cost=cost) is not None:
        return
    wait = wait_seconds(session, limit, source, now=now, cost=cost)
    raise RateLimited(f"{limit.message}; try again in {math.ceil(wait)} s", retry_after_seconds=wait)


def forget_idle(session: Session, *, now: datetime, idle: timedelta = timedelta(days=1)) -> int:
    """Delete buckets untouched for ``idle``: by then every limit here has refilled, so a new row is the same."""
    result = session.execute(delete(RateBucket).where(RateBucket.updated < (now - idle).timestamp()))
    return int(getattr(result, "rowcount", 0) or 0)
