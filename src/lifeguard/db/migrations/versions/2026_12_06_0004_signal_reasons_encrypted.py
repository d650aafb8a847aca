"""a signal's reasons and spans are encrypted at rest, like its words: the model's n-grams ("ngram:cheated on")
and the idioms and negations set aside ("idiom:zh:笑死我了") quote what the person wrote

Revision ID: 20261206_0004
Revises: 20261123_0003
Create Date: 2026-12-06 05:45:00

Existing rows are rewritten in place with the active key, so the key ring must be installed (``lifeguard db
upgrade`` installs it from the settings); an empty table needs none. The table is not rebuilt: on SQLite a
rebuild drops ``signals``, which rows of other tables reference. PostgreSQL's JSONB columns become text first;
SQLite's JSON columns already hold text.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from lifeguard.privacy import keyring

revision = "20261206_0004"
down_revision = "20261123_0003"
branch_labels = None
depends_on = None

COLUMNS = ("reasons", "spans")
BATCH = 1000


def _rewrite(convert: Callable[[str, str], str]) -> None:
    """Every row's reasons and spans, as stored text, through ``convert(column, value)``, batch by batch."""
    connection = op.get_bind()
    table = sa.table("signals", sa.column("id", sa.Integer()), *(sa.column(c, sa.Text()) for c in COLUMNS))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, *(table.c[c] for c in COLUMNS))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            values = {column: convert(column, row[index + 1]) for index, column in enumerate(COLUMNS)}
            connection.execute(sa.update(table).where(table.c.id == row[0]).values(**values))
        last = rows[-1][0]


def _encrypt(column: str, stored: str) -> str:
    plain = json.dumps(json.loads(stored), ensure_ascii=False, separators=(",", ":")).encode()
    return keyring.current().encrypt(plain, context=f"signals.{column}")


def _decrypt(column: str, stored: str) -> str:
    return keyring.current().decrypt(stored, context=f"signals.{column}").decode()


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "signals", column, type_=sa.Text(), existing_nullable=False, postgresql_using=f"{column}::text"
            )
    _rewrite(_encrypt)


def downgrade() -> None:
    _rewrite(_decrypt)
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column(
                "signals", column, type_=JSONB(), existing_nullable=False, postgresql_using=f"{column}::jsonb"
            )
