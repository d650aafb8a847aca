"""The migrations build exactly the alert tables the models declare, on both databases (0003 included)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from lifeguard.db.models import Base

ALERT_TABLES = {
    "alerts",
    "cap_messages",
    "alert_partners",
    "alert_deliveries",
    "tips",
    "tip_photos",
    "alert_subscribers",
    "alert_subscriber_mails",
    "alert_targets_version",
    "rate_buckets",
}


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item if isinstance(item, tuple) else (item,):
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if isinstance(part, str) or name is None:
            continue
        return str(name)
    return str(item[2]) if isinstance(item, tuple) and len(item) > 2 and isinstance(item[2], str) else None


def test_the_migrations_match_the_alert_models(db_url: str) -> None:
    assert ALERT_TABLES <= set(Base.metadata.tables)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    ours = [d for d in diffs if _table_of(d) in ALERT_TABLES]
    assert ours == []
