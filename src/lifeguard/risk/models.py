from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime
from lifeguard.privacy.types import EncryptedJSON


class SubjectRiskRow(Base):
    """The compact fusion state of one person who has shown some risk. People who have shown none have no row."""

    __tablename__ = "subject_risk"

    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("subject_risk.state"))
    level: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recheck_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RiskObservation(Base):
    """Every observation folded into a kept state, in folding order: replaying them gives the same risk."""

    __tablename__ = "risk_observations"
    __table_args__ = (Index("ix_risk_observations_subject", "platform", "subject", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    signal_id: Mapped[str] = mapped_column(String(200))
    observation: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("risk_observations.observation"))
