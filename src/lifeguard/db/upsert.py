"""Portable INSERT ... ON CONFLICT for the two databases Lifeguard runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")


def insert_ignoring_conflicts(
    session: Session, table: Table, rows: list[dict[str, Any]], *, returning: Any
) -> list[Any]:
    """Insert rows, skipping those that hit a unique constraint; return ``returning`` of the inserted ones."""
    if not rows:
        return []
    stmt = _insert(session, table).on_conflict_do_nothing().returning(returning)
    inserted: list[Any] = []
    for row in rows:  # one statement a row: RETURNING with executemany is not portable for skipped rows
        inserted.extend(session.execute(stmt, row).scalars().all())
    return inserted


def increment(session: Session, table: Table, *, keys: dict[str, Any], column: str, by: int = 1) -> None:
    stmt = _insert(session, table).values(**keys, **{column: by})
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={column: getattr(table.c, column) + by})
    session.execute(stmt)
