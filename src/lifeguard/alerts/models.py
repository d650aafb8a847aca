"""Tables of the missing-person alerts edge: alerts, the CAP messages sent, partners' coverage, deliveries, tips,
tip photos, people who opted in to alerts near a place (direct subscribers) and the e-mails sent to them, the
shared tip rate limit, and the version token of the target index.

The pure domain (``lifecycle``, ``cap``, ``targeting``, ``tips``, ``acks``) decides; ``store`` keeps its results
here, in the caller's transaction, next to the outbox rows that carry the CAP messages to partners.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lifeguard.db.base import Base, JSONType, UTCDateTime
from lifeguard.privacy.types import EncryptedBytes, EncryptedText


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
    # The circle's centre as sent (a revision may move the last known place); null on rows written before 0003,
    # which all had the alert's first place.
    centre_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    centre_lon: Mapped[float | None] = mapped_column(Float, nullable=True)


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
    place_text: Mapped[str | None] = mapped_column(EncryptedText("tips.place_text"), nullable=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("tips.id"), nullable=True)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The officer's reading of the tip: new (unread), useful, not_useful. Set in the console's tip queue.
    triage: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    triaged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TipPhoto(Base):
    """The photo sent with a tip: checked by ``photos.check_photo`` (type by content, size, dimensions), kept
    encrypted as received (bytes not decoded, EXIF kept: its time and place may be evidence of the sighting, and
    tip photos are never shown publicly), sealed with its tip, served only to the publishing unit's officers."""

    __tablename__ = "tip_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))  # the tip's photo reference (``TipSubmission.photo_ref``)
    mime_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(EncryptedBytes("tip_photos.data"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertSubscriber(Base):
    """A person who asked for alerts near a place: e-mail and place encrypted, the place rounded to 3 decimals
    (about 100 m) before it is stored, double opt-in (``pending`` until the e-mailed link is followed).
    Unsubscribing deletes the row; unconfirmed rows are deleted by retention after 7 days."""

    __tablename__ = "alert_subscribers"
    __table_args__ = (Index("ix_alert_subscribers_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, unguessable: the capability in the unsubscribe link of every e-mail (no login needed).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)  # sha256 of the link's
    email: Mapped[str] = mapped_column(EncryptedText("alert_subscribers.email"))
    # A keyed hash of the normalised address: finds the same person's sign-ups and limits confirmation e-mails
    # per address without decrypting anything.
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    location: Mapped[str] = mapped_column(EncryptedText("alert_subscribers.location"))  # "lat,lon" rounded
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # pending, confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertSubscriberMail(Base):
    """One CAP message's e-mail to one subscriber, carried by the outbox row with ``idempotency_key``."""

    __tablename__ = "alert_subscriber_mails"
    __table_args__ = (
        UniqueConstraint("cap_message_id", "subscriber_id", name="uq_alert_subscriber_mails_message_subscriber"),
        Index("ix_alert_subscriber_mails_subscriber", "subscriber_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cap_message_id: Mapped[int] = mapped_column(ForeignKey("cap_messages.id"))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("alert_subscribers.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(128))


class AlertTargetsVersion(Base):
    """A fresh random token written with every change to who can be targeted (partner coverage, a subscriber
    confirmed or gone): a process keeps its target index while the token it was built at is still current."""

    __tablename__ = "alert_targets_version"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RateBucket(Base):
    """A token bucket shared by every process: one row per (limit, pseudonymous source). ``updated`` is epoch
    seconds (a float), so that the refill is plain arithmetic in one atomic UPSERT on both databases."""

    __tablename__ = "rate_buckets"
    __table_args__ = (PrimaryKeyConstraint("scope", "source", name="pk_rate_buckets"),)

    scope: Mapped[str] = mapped_column(String(32))  # which limit: "tips", "subscribe", "confirm-mail"
    source: Mapped[str] = mapped_column(String(64))  # keyed hash of the client address or e-mail address
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)
