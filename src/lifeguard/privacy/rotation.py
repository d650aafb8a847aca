"""Rewrite every encrypted value with the active key, so an old key can be retired.

The columns are found, not listed: every mapped column whose type is one of ``privacy.types``' encrypted types
is rewritten. A list kept by hand had fallen behind the tables (a case's risk reasons, the fusion state, police
referral packages and partners' webhook secrets were left under the old key, and would not have read once it
was retired).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

import lifeguard.db.models  # noqa: F401 - every domain's tables, so the registry below holds them all
from lifeguard.alerts.models import TipPhoto
from lifeguard.db.base import Base
from lifeguard.privacy.types import EncryptedBytes, EncryptedJSON, EncryptedText

ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON, EncryptedBytes)
# Rows too large to hold a thousand of at once (a tip photo is up to 5 MB).
BATCH_LIMITS: dict[type, int] = {TipPhoto: 10}


def encrypted_columns() -> tuple[tuple[type, tuple[str, ...]], ...]:
    """(model, attribute names) for every mapped table with an encrypted column, ordered by table name."""
    found: list[tuple[type, tuple[str, ...]]] = []
    for mapper in Base.registry.mappers:
        names = tuple(
            attribute.key
            for attribute in mapper.column_attrs
            if any(isinstance(column.type, ENCRYPTED_TYPES) for column in attribute.columns)
        )
        if names:
            found.append((mapper.class_, names))
    return tuple(sorted(found, key=lambda item: item[0].__tablename__))  # type: ignore[attr-defined]


@dataclass
class RotationReport:
    rows: int = 0


def rotate(session: Session, *, batch: int = 1000) -> RotationReport:
    """Decrypt (with whichever key wrote each value) and write back (with the active key), batch by batch, in
    primary-key order (a composite key too: the fusion state is keyed by platform and subject)."""
    report = RotationReport()
    for model, columns in encrypted_columns():
        mapper = inspect(model)
        keys = [getattr(model, mapper.get_property_by_column(column).key) for column in mapper.primary_key]
        size = min(batch, BATCH_LIMITS.get(model, batch))
        last: tuple[object, ...] | None = None
        while True:
            query = select(model).order_by(*keys).limit(size)
            if last is not None:
                query = query.where(tuple_(*keys) > tuple_(*last))
            rows = list(session.scalars(query))
            if not rows:
                break
            for row in rows:
                for column in columns:
                    flag_modified(row, column)
            last = mapper.primary_key_from_instance(rows[-1])
            session.flush()
            report.rows += len(rows)
            session.expunge_all()
    return report
