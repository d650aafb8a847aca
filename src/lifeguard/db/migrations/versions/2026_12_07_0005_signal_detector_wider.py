"""a signal's detector label may be as long as the detector's version says: the shipped model with its short-chat
heads and a second stage names five parts ("hybrid/linear-1+859b67c944+short.cf2301ef05+shortb.51ee38b0bb+
lexicon-rules/1" is 79 characters), and PostgreSQL refused such a signal at 64

Revision ID: 20261207_0005
Revises: 20261206_0004
Create Date: 2026-12-07 07:40:00

SQLite does not hold a VARCHAR to its length, and rebuilding ``signals`` there would drop the rows that reference it,
so only PostgreSQL's column is widened.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261207_0005"
down_revision = "20261206_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "signals", "detector", type_=sa.String(255), existing_type=sa.String(64), existing_nullable=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "signals",
            "detector",
            type_=sa.String(64),
            existing_type=sa.String(255),
            existing_nullable=False,
            postgresql_using="left(detector, 64)",
        )
