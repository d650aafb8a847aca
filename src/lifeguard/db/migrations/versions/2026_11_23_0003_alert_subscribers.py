"""direct alert subscribers and their e-mails, tip photos and places, the shared tip rate limit, the target
index's version token, and the centre each CAP message was sent with

Revision ID: 20261123_0003
Revises: 20261123_0002
Create Date: 2026-11-23 16:20:00
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from lifeguard.db.base import UTCDateTime

revision = "20261123_0003"
down_revision = "20261123_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cap_messages") as batch:
        batch.add_column(sa.Column("centre_lat", sa.Float(), nullable=True))
        batch.add_column(sa.Column("centre_lon", sa.Float(), nullable=True))
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("place_text", sa.Text(), nullable=True))

    op.create_table(
        "tip_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_tip_photos_tip_id_tips")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_photos")),
        sa.UniqueConstraint("tip_id", name=op.f("uq_tip_photos_tip_id")),
    )
    op.create_table(
        "alert_subscribers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("confirm_hash", sa.String(length=64), nullable=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscribers")),
        sa.UniqueConstraint("token", name=op.f("uq_alert_subscribers_token")),
        sa.UniqueConstraint("confirm_hash", name=op.f("uq_alert_subscribers_confirm_hash")),
    )
    with op.batch_alter_table("alert_subscribers") as batch:
        batch.create_index("ix_alert_subscribers_status", ["status"], unique=False)
        batch.create_index(batch.f("ix_alert_subscribers_email_hash"), ["email_hash"], unique=False)
    op.create_table(
        "alert_subscriber_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cap_message_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["cap_message_id"],
            ["cap_messages.id"],
            name=op.f("fk_alert_subscriber_mails_cap_message_id_cap_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["alert_subscribers.id"],
            name=op.f("fk_alert_subscriber_mails_subscriber_id_alert_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriber_mails")),
        sa.UniqueConstraint("cap_message_id", "subscriber_id", name="uq_alert_subscriber_mails_message_subscriber"),
    )
    with op.batch_alter_table("alert_subscriber_mails") as batch:
        batch.create_index("ix_alert_subscriber_mails_subscriber", ["subscriber_id"], unique=False)
    version = op.create_table(
        "alert_targets_version",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_alert_targets_version")),
    )
    op.bulk_insert(version, [{"name": "targets", "token": uuid.uuid4().hex, "changed_at": datetime.now(UTC)}])
    op.create_table(
        "rate_buckets",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "source", name="pk_rate_buckets"),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    op.drop_table("alert_targets_version")
    with op.batch_alter_table("alert_subscriber_mails") as batch:
        batch.drop_index("ix_alert_subscriber_mails_subscriber")
    op.drop_table("alert_subscriber_mails")
    with op.batch_alter_table("alert_subscribers") as batch:
        batch.drop_index(batch.f("ix_alert_subscribers_email_hash"))
        batch.drop_index("ix_alert_subscribers_status")
    op.drop_table("alert_subscribers")
    op.drop_table("tip_photos")
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("place_text")
    with op.batch_alter_table("cap_messages") as batch:
        batch.drop_column("centre_lon")
        batch.drop_column("centre_lat")
