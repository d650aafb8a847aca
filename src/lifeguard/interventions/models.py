from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime
from lifeguard.privacy.types import EncryptedJSON


class OrderHold(Base):
    """A request to a commerce partner to hold or intercept one open order, and the partner's answer."""

    __tablename__ = "order_holds"
    __table_args__ = (Index("ix_order_holds_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"))
    order_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # requested, held, intercepted, refused, failed
    requested_by: Mapped[str] = mapped_column(String(128))  # user:... or policy:...
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Referral(Base):
    """A case handed to a police or emergency unit: what was disclosed, whether and when they acknowledged, whom
    they handed it on to, and what they found."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_case", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    unit_id: Mapped[str] = mapped_column(String(64))
    unit_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))  # webhook:..., email:..., phone:110
    status: Mapped[str] = mapped_column(String(24))  # sent, acknowledged, handed_over, closed, unanswered
    package: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("referrals.package"))  # the minimal disclosure
    fallbacks: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON("referrals.fallbacks"))
    referred_by: Mapped[str] = mapped_column(String(128))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handed_to_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(EncryptedJSON("referrals.outcome_note"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FollowUp(Base):
    """A check-in to do after a case is resolved, shown as a task in the queue when due."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    day: Mapped[int] = mapped_column(Integer)  # days after resolving
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # due, done, cancelled
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
