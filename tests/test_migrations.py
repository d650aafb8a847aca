"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL: a column or index
added to a model without its migration (or the other way round) fails here, not on a deployment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

import lifeguard.db.models  # noqa: F401 - every table registers itself on the metadata
from lifeguard.db.base import Base, JSONType, UTCDateTime
from lifeguard.db.migrate import alembic_config, upgrade
from lifeguard.privacy import keyring
from lifeguard.privacy.keyring import KeyRing
from lifeguard.signals.models import Signal
from tests.conftest import new_pg_database


def test_the_migrated_schema_is_the_models_schema(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models and migrations disagree; write a migration:\n" + "\n".join(map(str, differences))


# -- 0004: a signal's reasons and spans are encrypted -----------------------------------------------------------

BEFORE_ENCRYPTION = "20261123_0003"
QUOTED = ["model:linear-1", "ngram:cheated on", "idiom:zh:笑死我了"]
SPANS = [{"start": 37, "end": 47, "reason": "model:ngram:cheated on"}]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet, so a test can stop the migrations at an earlier revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    yield from new_pg_database("lifeguard_mig")


def _raw(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            reasons, spans = conn.execute(text("SELECT reasons, spans FROM signals")).one()
    finally:
        engine.dispose()
    return str(reasons), str(spans)


def _insert_signal_before_encryption(url: str, ring: KeyRing) -> None:
    """A signal as revision 0003 stored it: words encrypted, reasons and spans in the clear."""
    now = datetime(2026, 11, 23, tzinfo=UTC)
    names = ("platform", "event_id", "kind", "subject", "text", "details", "level", "score", "subject_level")
    old_signals = sa.table(
        "signals",
        *(sa.column(name) for name in (*names, "detector", "support", "third_party_level")),
        sa.column("occurred_at", UTCDateTime()),
        sa.column("received_at", UTCDateTime()),
        sa.column("reasons", JSONType),
        sa.column("spans", JSONType),
    )
    row = {
        "platform": "shop-a",
        "event_id": "e-1",
        "kind": "message",
        "subject": "u-1",
        "text": ring.encrypt(b"words", context="signals.text"),
        "details": ring.encrypt(b"{}", context="signals.details"),
        "level": "ideation",
        "score": 0.7,
        "subject_level": "ideation",
        "detector": "hybrid",
        "support": False,
        "third_party_level": "none",
        "occurred_at": now,
        "received_at": now,
        "reasons": QUOTED,
        "spans": SPANS,
    }
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO partners (id, name, kind, created_at) VALUES ('shop-a', 'Shop A', 'shop', :now)"),
                {"now": now.isoformat()},
            )
            conn.execute(sa.insert(old_signals).values(**row))
    finally:
        engine.dispose()


def test_signal_reasons_stored_in_the_clear_are_encrypted_by_the_upgrade_and_read_back(empty_db_url: str) -> None:
    old = keyring._ring
    ring = KeyRing.derived("m" * 32)
    keyring.install(ring)
    try:
        upgrade(empty_db_url, BEFORE_ENCRYPTION)
        _insert_signal_before_encryption(empty_db_url, ring)
        assert "cheated on" in _raw(empty_db_url)[0]

        upgrade(empty_db_url)
        reasons, spans = _raw(empty_db_url)
        assert reasons.startswith("enc1:") and spans.startswith("enc1:")
        assert "cheated" not in reasons + spans and "笑死" not in reasons
        engine = create_engine(empty_db_url)
        try:
            with Session(engine) as session:
                signal = session.scalars(select(Signal)).one()
                assert signal.reasons == QUOTED and signal.spans == SPANS
        finally:
            engine.dispose()

        command.downgrade(alembic_config(empty_db_url), BEFORE_ENCRYPTION)
        assert "cheated on" in _raw(empty_db_url)[0]  # the downgrade decrypts them again
    finally:
        if old is not None:
            keyring.install(old)


# -- 0005: a signal's detector label is as long as its parts' versions --------------------------------------------


def test_a_detector_label_longer_than_64_characters_is_stored(empty_db_url: str) -> None:
    """PostgreSQL refused the signal (and the worker retried it for ever) once the label named five versions."""
    old = keyring._ring
    ring = KeyRing.derived("m" * 32)
    keyring.install(ring)
    label = "hybrid/linear-1+859b67c944+short.cf2301ef05+shortb.51ee38b0bb+zh.a1600278+lexicon-rules/1"
    try:
        upgrade(empty_db_url, BEFORE_ENCRYPTION)
        _insert_signal_before_encryption(empty_db_url, ring)
        upgrade(empty_db_url)
        engine = create_engine(empty_db_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE signals SET detector = :label"), {"label": label})
            with Session(engine) as session:
                assert session.scalars(select(Signal)).one().detector == label
        finally:
            engine.dispose()
    finally:
        if old is not None:
            keyring.install(old)
