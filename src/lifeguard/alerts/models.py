"""Tables of the missing-person alerts edge: alerts, the CAP messages sent, partners' coverage, deliveries, tips.

The pure domain (``lifecycle``, ``cap``, ``targeting``, ``tips``, ``acks``) decides; ``store`` keeps its results
here, in the caller's transaction, next to the outbox rows that carry the CAP messages to partners.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, JSONType, UTCDateTime
from lifeguard.privacy.types import EncryptedText


class AlertRow(Base):
    """One missing-person alert. ``content`` is the AlertContent as JSON (public by nature once published)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)  # the CAP alert id, e.g. "2026-0042"
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # published, updated, closed (lifecycle.AlertState)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(128))
    # The police unit that published the alert (a partner of kind police_unit, or a liaison's unit): only its
    # officers may revise or close it and read its tips.
    unit_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    done_steps: Mapped[list[int]] = mapped_column(JSONType)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # of the last CAP message


class CapMessageRow(Base):
    __tablename__ = "cap_messages"
    __table_args__ = (UniqueConstraint("alert_id", "sequence", name="uq_cap_messages_alert_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    msg_type: Mapped[str] = mapped_column(String(16))  # Alert, Update, Cancel
    identifier: Mapped[str] = mapped_column(String(200), unique=True)
    xml: Mapped[str] = mapped_column(Text)
    radius_km: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertPartner(Base):
    """A partner's coverage: the H3 cells (strings) of the area it serves."""

    __tablename__ = "alert_partners"

    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    cells: Mapped[list[str]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertDelivery(Base):
    """One CAP message to one partner, carried by the outbox row with ``idempotency_key``."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("cap_message_id", "partner_id", name="uq_alert_deliveries_message_partner"),
        Index("ix_alert_deliveries_partner", "partner_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cap_message_id: Mapped[int] = mapped_column(ForeignKey("cap_messages.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reached: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TipRow(Base):
    """A tip from the public, sanitised (plain text, links defanged); kept sealed for the police after close."""

    __tablename__ = "tips"
    __table_args__ = (Index("ix_tips_alert", "alert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    text: Mapped[str] = mapped_column(EncryptedText("tips.text"))
    had_links: Mapped[bool] = mapped_column(Boolean)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("tips.id"), nullable=True)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The officer's reading of the tip: new (unread), useful, not_useful. Set in the console's tip queue.
    triage: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    triaged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
