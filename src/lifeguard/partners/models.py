from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime
from lifeguard.privacy.types import EncryptedText


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a slug, also the platform name on signals
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="platform")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where Lifeguard calls the partner (order holds, outreach through the platform's messaging, referrals to a
    # unit), signed with this secret (Standard Webhooks).
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedText("partners.webhook_secret"), nullable=True)
