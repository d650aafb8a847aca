"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL: a column or index
added to a model without its migration (or the other way round) fails here, not on a deployment."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import lifeguard.db.models  # noqa: F401 - every table registers itself on the metadata
from lifeguard.db.base import Base


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models and migrations disagree; write a migration:\n" + "\n".join(map(str, differences))
