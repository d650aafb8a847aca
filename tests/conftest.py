"""Shared fixtures: real databases built by the real migrations, a real app, real keys and users.

Storage-touching tests run on SQLite always and on PostgreSQL too when it is reachable. With CI=true a missing
PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from lifeguard.app import create_app
from lifeguard.auth import service as auth
from lifeguard.clock import SystemClock
from lifeguard.config import Settings
from lifeguard.db.engine import unit_of_work
from lifeguard.db.migrate import upgrade
from lifeguard.db.models import Base
from lifeguard.detection.assessment import Detector
from lifeguard.detection.registry import detector_named
from lifeguard.runtime import Runtime, build_runtime

ON_CI = os.environ.get("CI", "").lower() == "true"

# argon2 at its production cost takes ~0.35 s a hash on this machine; tests hash hundreds of passwords and keys.
# The algorithm and the code paths stay the same, only the work factor drops (as Django's tests do).
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
auth._DUMMY_HASH = auth._hasher.hash("timing-equaliser")
PG_ADMIN_URL = os.environ.get("LIFEGUARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not here"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the migrated file."""
    path = tmp_path_factory.mktemp("template") / "lifeguard.db"
    upgrade(f"sqlite:///{path}")
    return path


def new_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for a fixture to yield from, dropped afterwards; a skip (a failure on CI)
    when PostgreSQL is not reachable."""
    problem = _pg_available()
    if problem is not None:
        if ON_CI:
            pytest.fail(f"CI=true but PostgreSQL is not reachable at {PG_ADMIN_URL}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({problem}); set CI=true to require it")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    for url in new_pg_database("lifeguard_test"):
        upgrade(url)
        yield url


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "lifeguard.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture(scope="session")
def detector() -> Detector:
    """The production default (``Settings().detector``); LIFEGUARD_TEST_DETECTOR=rules runs the suite on the rules."""
    return detector_named(os.environ.get("LIFEGUARD_TEST_DETECTOR") or Settings.model_fields["detector"].default)


def make_settings(db_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": db_url, "environment": "test", "workers": "inline"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def runtime(db_url: str, detector: Detector) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(db_url), detector=detector)
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with unit_of_work(runtime.sessions) as s:
        yield s


def issue_key(rt: Runtime, partner: str = "shop-a", scopes: list[str] | None = None) -> str:
    with unit_of_work(rt.sessions) as s:
        now = SystemClock().now()
        auth.ensure_partner(s, partner_id=partner, name=partner, now=now)
        return auth.create_api_key(
            s, partner_id=partner, scopes=scopes or ["signals:write", "cases:read"], now=now, actor="test"
        ).key


@pytest.fixture
def api_key(runtime: Runtime) -> str:
    return issue_key(runtime)


def add_user(rt: Runtime, username: str, role: str, password: str = "correct horse battery") -> None:
    with unit_of_work(rt.sessions) as s:
        auth.add_user(s, username=username, password=password, role=role, now=SystemClock().now(), actor="test")


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = "correct horse battery") -> str:
    """Log in through the real form; returns the CSRF token of the session."""
    page = client.get("/login")
    token = csrf_from(page.text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/login").text)  # the login page shows the session's token to anyone


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
