"""alerts belong to the police unit that published them; tips carry the officer's triage

Revision ID: 20261123_0002
Revises: 20261123_0001
Create Date: 2026-11-23 13:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lifeguard.db.base import UTCDateTime

revision = "20261123_0002"
down_revision = "20261123_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("unit_id", sa.String(length=64), nullable=True))
        batch.create_index("ix_alerts_unit_id", ["unit_id"])
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("triage", sa.String(length=16), nullable=False, server_default="new"))
        batch.add_column(sa.Column("triaged_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("triaged_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("triaged_at")
        batch.drop_column("triaged_by")
        batch.drop_column("triage")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_unit_id")
        batch.drop_column("unit_id")
