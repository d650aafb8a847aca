from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime
from lifeguard.privacy.types import EncryptedJSON, EncryptedText


class InboxEntry(Base):
    """Every accepted event, written before the reply. Its payload is dropped once processed; the row stays
    as the deduplication key (platform, event_id) until retention removes it."""

    __tablename__ = "signal_inbox"
    __table_args__ = (
        UniqueConstraint("platform", "event_id"),
        Index("ix_signal_inbox_pending", "processed_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    event_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("signal_inbox.payload"), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Signal(Base):
    """A signal that scored at or above the store floor, with its assessment."""

    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("platform", "event_id"),
        Index("ix_signals_subject", "platform", "subject", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    event_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(35), nullable=True)
    # Special-category data, encrypted at rest: the words (spans index into them), the kind-specific details
    # (items, reporter) and the location.
    text: Mapped[str] = mapped_column(EncryptedText("signals.text"))
    details: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("signals.details"))
    location: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON("signals.location"), nullable=True)
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    # Reasons and spans quote the words too: the model's n-grams, the idioms and negations set aside.
    reasons: Mapped[list[str]] = mapped_column(EncryptedJSON("signals.reasons"))
    spans: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON("signals.spans"))
    support: Mapped[bool] = mapped_column(Boolean, default=False)
    third_party_level: Mapped[str] = mapped_column(String(16), default="none")
    subject_level: Mapped[str] = mapped_column(String(16))  # what this signal says of the subject's risk
    detector: Mapped[str] = mapped_column(String(255))  # the detector's label: its name and every part's version
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)


class SignalCount(Base):
    """Counters by day: how many signals were stored, dropped below the floor, duplicated or rejected."""

    __tablename__ = "signal_counts"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
