from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, JSONType, UTCDateTime


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    policy: Mapped[dict[str, Any]] = mapped_column(JSONType)  # snapshot taken at the start
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    token: Mapped[str] = mapped_column(String(32))  # timers carry it; a stale or duplicate timer does nothing
    status: Mapped[str] = mapped_column(String(16))  # active, stopped, exhausted
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EscalationLog(Base):
    """One record per step run: what was tried, who was paged by which channels, or why it could not."""

    __tablename__ = "escalation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    step_type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    code: Mapped[str] = mapped_column(String(32))  # paged, no_on_call, no_supervisor, nobody_to_page
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType)
