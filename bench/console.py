"""Console speed: the queue page with 10,000 open cases (SQLite and PostgreSQL), and how long a new P0 case
takes to reach a logged-in interventionist's open console (signal accepted -> server-sent event -> rows).

    .venv/bin/python bench/console.py [--cases 10000] [--pg-url postgresql+psycopg://postgres@127.0.0.1/postgres]

The last line is one JSON object: queue_render_ms_sqlite, queue_render_ms_postgres (null when PostgreSQL is not
reachable), p0_visible_seconds."""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text

from lifeguard.app import create_app
from lifeguard.auth import service as auth
from lifeguard.cases.models import Case
from lifeguard.config import Settings
from lifeguard.db.engine import unit_of_work
from lifeguard.db.migrate import upgrade
from lifeguard.runtime import Runtime, build_runtime

PASSWORD = "bench password 123"


def _fill(rt: Runtime, n: int) -> None:
    now = datetime.now(UTC)
    with unit_of_work(rt.sessions) as s:
        auth.ensure_partner(s, partner_id="bench-shop", name="Bench", now=now)
        auth.add_user(s, username="bench", password=PASSWORD, role="interventionist", now=now, actor="bench")
        rows = [
            {
                "platform": "bench-shop",
                "subject": f"u-{i:06d}",
                "status": "open",
                "priority": i % 4,
                "level": ["attempt", "behavior", "ideation", "ideation"][i % 4],
                "opened_at": now - timedelta(minutes=i),
                "updated_at": now,
                "last_signal_at": now,
                "signal_count": 1,
                "version": 1,
                "language": "zh",
                "ack_due_at": now + timedelta(minutes=10),
            }
            for i in range(n)
        ]
        for start in range(0, n, 2000):
            s.execute(insert(Case), rows[start : start + 2000])


def _login(client: httpx.Client | TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    assert response.status_code in (200, 303), response.status_code


def queue_render_ms(url: str, n: int, rounds: int = 30) -> float:
    upgrade(url)
    rt = build_runtime(Settings(database_url=url, environment="test", workers="none"))
    _fill(rt, n)
    with TestClient(create_app(runtime=rt)) as client:
        _login(client)
        client.get("/queue")  # warm caches and templates
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            response = client.get("/queue")
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and response.text.count("data-case-id=") == min(n, 200)
    rt.close()
    return round(statistics.median(times), 1)


def _listen(console: httpx.Client, subject: str, ready: threading.Event, arrived: threading.Event) -> None:
    """What an open console does: wait for a change event, then fetch the rows and look for the new case."""
    with console.stream("GET", "/events") as stream:
        ready.set()
        for line in stream.iter_lines():
            if line.startswith("event: cases-changed") and subject in console.get("/queue/rows").text:
                arrived.set()
                return


def p0_visible_seconds(url: str, rounds: int = 5) -> float:
    upgrade(url)
    rt = build_runtime(Settings(database_url=url, environment="test", workers="thread"))
    _fill(rt, 200)
    with unit_of_work(rt.sessions) as s:
        key = auth.create_api_key(
            s, partner_id="bench-shop", scopes=["signals:write"], now=datetime.now(UTC), actor="bench"
        ).key
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # wait for the port (bounded)
        try:
            httpx.get(f"{base}/healthz", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    results = []
    with httpx.Client(base_url=base, timeout=10) as console, httpx.Client(base_url=base, timeout=10) as platform:
        _login(console)
        for i in range(rounds):
            subject = f"p0-{uuid.uuid4().hex[:8]}"
            arrived = threading.Event()

            ready = threading.Event()
            listener = threading.Thread(target=_listen, args=(console, subject, ready, arrived), daemon=True)
            listener.start()
            ready.wait(5)
            event = {
                "event_id": f"b-{i}-{subject}",
                "kind": "message",
                "subject": subject,
                "conversation_id": "c",
                "speaker_role": "user",
                "occurred_at": datetime.now(UTC).isoformat(),
                "text": "我不想活了，今晚等爸妈睡了就从楼上跳下去",
            }
            accepted = platform.post(
                "/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": [event]}
            )
            assert accepted.status_code == 200 and accepted.json()["accepted"] == 1
            t_accepted = time.perf_counter()
            if arrived.wait(10):
                results.append(time.perf_counter() - t_accepted)
    server.should_exit = True
    thread.join(10)
    rt.close()
    return round(max(results), 3) if len(results) == rounds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_ms = queue_render_ms(f"sqlite:///{Path(tmp) / 'bench.db'}", args.cases)
        p0 = p0_visible_seconds(f"sqlite:///{Path(tmp) / 'p0.db'}")
    pg_ms: float | None = None
    name = f"lifeguard_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); skipping it", file=sys.stderr)
    else:
        try:
            pg_ms = queue_render_ms(re.sub(r"/[^/]*$", f"/{name}", args.pg_url), args.cases)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        json.dumps(
            {
                "cases": args.cases,
                "queue_render_ms_sqlite": sqlite_ms,
                "queue_render_ms_postgres": pg_ms,
                "p0_visible_seconds": p0,
            }
        )
    )


if __name__ == "__main__":
    main()
