from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, UTCDateTime


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a slug, also the platform name on signals
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="platform")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
