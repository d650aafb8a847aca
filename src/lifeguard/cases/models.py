from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime
from lifeguard.privacy.types import EncryptedJSON


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # One open case per person: every state but resolved counts as open.
        Index(
            "uq_cases_one_open_per_subject",
            "platform",
            "subject",
            unique=True,
            sqlite_where=text("status NOT IN ('resolved', 'merged')"),
            postgresql_where=text("status NOT IN ('resolved', 'merged')"),
        ),
        Index("ix_cases_queue", "status", "priority", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    subject: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(24))
    priority: Mapped[int] = mapped_column(Integer)  # 0 = P0 (act now) .. 3 = P3
    level: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_signal_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    signal_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every change: stale forms lose
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the person's language, if known
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # SLA: a human must acknowledge by then
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    risk_reasons: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("cases.risk_reasons"), nullable=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    referred_unit: Mapped[str | None] = mapped_column(String(64), nullable=True)  # police liaisons see only theirs


class CaseEvent(Base):
    """One line of a case's timeline: a signal attached, a note, a status or priority change."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(24))  # signal, note, status, priority, opened, reopened
    actor: Mapped[str] = mapped_column(String(128))
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"), nullable=True)
    body: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("case_events.body"))  # notes can name people
