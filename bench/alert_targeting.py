"""Alert targeting at national scale: 1,000,000 subscriptions, one 500 km circle.

The subscriptions are a mix like the issue describes: partner apps (news, maps, bike sharing) that cover cities
and provinces with H3 cells of resolution 2 to 7, and people who opted in at a point, spread over China and India
(70% around big cities, 30% anywhere in the two countries). Built once; then ``select_targets`` is timed for a
500 km circle around the last-seen place, and its answer is checked against a brute force: a haversine over every
subscriber and the exact cell-overlap test over every partner cell.

Run: .venv/bin/python bench/alert_targeting.py [--subscriptions N] [--radius-km R] [--runs N].
The last line is one JSON object. ``fanout_seconds`` is the time from one alert step's deliveries being committed
to the outbox to all 1,000 partner endpoints (on loopback) having received them, through the real delivery worker
(signed, 32 at a time); ``--fanout-partners 0`` skips it.

``--store-subscribers N`` (default 0: skipped) also measures the storage edge's index for people who opted in:
N confirmed subscribers written encrypted to a fresh SQLite database, then ``subscribers.target_index`` cold
(decrypt every place, build), warm (cached: the version token unchanged) and after one more confirmation (the
previous index's points reused, only the new person decrypted); its answer is checked against a brute force over
the stored (rounded) points.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from typing import Any

import numpy as np
from h3.api import basic_int as h3

from lifeguard.alerts.geo import haversine_km_many
from lifeguard.alerts.targeting import TargetIndexBuilder, cell_intersects_circle, select_targets

# (name, lat, lon, weight): a few of the big cities of both countries, weighted roughly by population.
CITIES = [
    ("Beijing", 39.9042, 116.4074, 21),
    ("Shanghai", 31.2304, 121.4737, 24),
    ("Guangzhou", 23.1291, 113.2644, 15),
    ("Shenzhen", 22.5431, 114.0579, 13),
    ("Chengdu", 30.5728, 104.0668, 16),
    ("Chongqing", 29.5630, 106.5516, 16),
    ("Wuhan", 30.5928, 114.3055, 11),
    ("Xi'an", 34.3416, 108.9398, 10),
    ("Zhengzhou", 34.7466, 113.6253, 10),
    ("Hangzhou", 30.2741, 120.1551, 10),
    ("Nanjing", 32.0603, 118.7969, 8),
    ("Shenyang", 41.8057, 123.4315, 8),
    ("Harbin", 45.8038, 126.5350, 6),
    ("Kunming", 25.0389, 102.7183, 6),
    ("Urumqi", 43.8256, 87.6168, 4),
    ("Lanzhou", 36.0611, 103.8343, 4),
    ("Delhi", 28.7041, 77.1025, 30),
    ("Mumbai", 19.0760, 72.8777, 20),
    ("Kolkata", 22.5726, 88.3639, 15),
    ("Bengaluru", 12.9716, 77.5946, 12),
    ("Chennai", 13.0827, 80.2707, 11),
    ("Hyderabad", 17.3850, 78.4867, 10),
    ("Ahmedabad", 23.0225, 72.5714, 8),
    ("Lucknow", 26.8467, 80.9462, 4),
    ("Patna", 25.5941, 85.1376, 3),
]
# Rough boxes of the two countries, for the 30% not near a big city.
BOXES = [(21.0, 47.0, 82.0, 126.0, 0.6), (9.0, 31.0, 71.0, 88.0, 0.4)]  # lat_lo, lat_hi, lon_lo, lon_hi, share
ZHENGZHOU = (34.7466, 113.6253)


def _point(rng: random.Random) -> tuple[float, float]:
    if rng.random() < 0.7:
        _, lat, lon, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
        spread = rng.choice((0.15, 0.5, 1.5))  # city core, metro area, surrounding province (degrees)
        return (max(-90.0, min(90.0, rng.gauss(lat, spread))), max(-180.0, min(180.0, rng.gauss(lon, spread))))
    lat_lo, lat_hi, lon_lo, lon_hi, _ = rng.choices(BOXES, weights=[b[4] for b in BOXES])[0]
    return (rng.uniform(lat_lo, lat_hi), rng.uniform(lon_lo, lon_hi))


def _partner_cells(rng: random.Random, target: int) -> dict[str, set[int]]:
    """Partners covering blobs of cells around cities, at resolutions 4-7, plus a few national ones at res 2."""
    partners: dict[str, set[int]] = {}
    total = 0
    serial = 0
    while total < target:
        serial += 1
        partner = f"app-{serial:03d}"
        cells: set[int] = set()
        if serial % 10 == 0:
            # A national app: a handful of coarse cells over a whole region.
            for _ in range(rng.randint(3, 8)):
                lat, lon = _point(rng)
                cells.add(h3.latlng_to_cell(lat, lon, 2))
        else:
            res = rng.choice((4, 5, 6, 7))
            for _ in range(rng.randint(2, 8)):
                lat, lon = _point(rng)
                k = {4: 3, 5: 6, 6: 12, 7: 20}[res]
                cells.update(h3.grid_disk(h3.latlng_to_cell(lat, lon, res), rng.randint(1, k)))
        cells = set(list(cells)[: max(1, target - total)])
        partners[partner] = cells
        total += len(cells)
    return partners


def _serve_partners(port_out: Any, done: Any, partners: int) -> None:
    """The partner apps, in a process of their own (as they would be): count distinct endpoints reached."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: set[str] = set()
    lock = threading.Lock()

    class Partner(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()
            with lock:
                received.add(self.path)
                if len(received) >= partners:
                    done.set()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


def fanout_seconds(partners: int) -> float:
    """One alert step to ``partners`` endpoints: outbox rows committed, then the delivery worker sends them."""
    import multiprocessing
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    from lifeguard.config import Settings
    from lifeguard.db.engine import unit_of_work
    from lifeguard.db.migrate import upgrade
    from lifeguard.delivery import service as outbox
    from lifeguard.delivery.signing import new_secret
    from lifeguard.runtime import build_runtime

    ctx = multiprocessing.get_context("spawn")
    port_queue, done = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=_serve_partners, args=(port_queue, done, partners), daemon=True)
    child.start()
    port = port_queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'fanout.db'}"
            upgrade(url)
            rt = build_runtime(Settings(database_url=url, environment="test", workers="none"))
            rt.delivery.start()
            secret = new_secret()
            cap = "<alert>" + "x" * 3000 + "</alert>"  # about the size of a CAP message with three languages
            now = datetime.now(UTC)
            with unit_of_work(rt.sessions) as s:
                for i in range(partners):
                    outbox.enqueue(
                        s,
                        channel="webhook",
                        target=f"http://127.0.0.1:{port}/partner/{i}",
                        secret=secret,
                        payload={"type": "alert", "cap_xml": cap},
                        idempotency_key=f"fanout:{i}",
                        now=now,
                    )
            t0 = time.perf_counter()
            rt.delivery.notify()
            finished = done.wait(60)
            elapsed = time.perf_counter() - t0
            rt.close()
    finally:
        child.terminate()
    return round(elapsed, 3) if finished else float("inf")


def store_index(n: int, seed: int) -> dict[str, Any]:
    """The cached subscriber index of the storage edge, over ``n`` encrypted rows (see the module doc)."""
    import tempfile
    from datetime import UTC, datetime
    from pathlib import Path

    from sqlalchemy import insert

    from lifeguard.alerts import subscribers
    from lifeguard.alerts.models import AlertSubscriber
    from lifeguard.config import Settings
    from lifeguard.db.engine import unit_of_work
    from lifeguard.db.migrate import upgrade
    from lifeguard.runtime import build_runtime

    rng = random.Random(seed)
    now = datetime.now(UTC)
    points = [subscribers.round_place(*_point(rng)) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'subscribers.db'}"
        upgrade(url)
        rt = build_runtime(Settings(database_url=url, environment="test", workers="none"))
        t0 = time.perf_counter()
        with unit_of_work(rt.sessions) as s:
            for start in range(0, n, 10_000):
                rows = [
                    {
                        "token": f"t{i}",
                        "email": f"person{i}@example.org",
                        "email_hash": f"{i:064x}",
                        "location": f"{lat:.3f},{lon:.3f}",
                        "language": "zh",
                        "status": subscribers.CONFIRMED,
                        "created_at": now,
                        "confirmed_at": now,
                    }
                    for i, (lat, lon) in enumerate(points[start : start + 10_000], start=start)
                ]
                s.execute(insert(AlertSubscriber), rows)
            subscribers.changed(s, now=now)
        write_s = time.perf_counter() - t0
        with unit_of_work(rt.sessions) as s:
            t0 = time.perf_counter()
            index = subscribers.target_index(s)
            cold_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            assert subscribers.target_index(s) is index
            warm_ms = (time.perf_counter() - t0) * 1000
        with unit_of_work(rt.sessions) as s:
            s.add(
                AlertSubscriber(
                    token="t-new",
                    email="new@example.org",
                    email_hash="f" * 64,
                    location="34.750,113.630",
                    language="en",
                    status=subscribers.CONFIRMED,
                    created_at=now,
                    confirmed_at=now,
                )
            )
            subscribers.changed(s, now=now)
        with unit_of_work(rt.sessions) as s:
            t0 = time.perf_counter()
            index = subscribers.target_index(s)
            rebuild_s = time.perf_counter() - t0
        rt.close()
    selected = index.select(ZHENGZHOU[0], ZHENGZHOU[1], 500).subscriber_ids
    lats = np.radians(np.array([p[0] for p in points] + [34.75]))
    lons = np.radians(np.array([p[1] for p in points] + [113.63]))
    brute = int((haversine_km_many(ZHENGZHOU[0], ZHENGZHOU[1], lats, lons) <= 500).sum())
    return {
        "store_subscribers": n,
        "store_write_seconds": round(write_s, 2),
        "store_index_cold_seconds": round(cold_s, 2),
        "store_index_warm_ms": round(warm_ms, 3),
        "store_index_after_one_change_seconds": round(rebuild_s, 2),
        "store_selected": len(selected),
        "store_mismatch": abs(len(selected) - brute),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--partner-share", type=float, default=0.1)
    parser.add_argument("--radius-km", type=float, default=500.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fanout-partners", type=int, default=1000)
    parser.add_argument("--store-subscribers", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    partners = _partner_cells(rng, int(args.subscriptions * args.partner_share))
    partner_cell_count = sum(len(c) for c in partners.values())
    n_points = args.subscriptions - partner_cell_count
    points = [_point(rng) for _ in range(n_points)]
    made_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    builder = TargetIndexBuilder()
    for partner, cells in partners.items():
        builder.add_partner(partner, cells)
    for i, (lat, lon) in enumerate(points):
        builder.add_subscriber(f"u{i}", lat, lon)
    index = builder.build()
    build_s = time.perf_counter() - t0
    print(f"data {made_s:.1f} s; index of {index.size:,} subscriptions built in {build_s:.1f} s", flush=True)

    center, radius = ZHENGZHOU, args.radius_km
    for _ in range(3):
        select_targets(center, radius, index)  # warm caches (bucket circumradii), as a running service has
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        targets = select_targets(center, radius, index)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    median_ms = statistics.median(timings)
    p95_ms = timings[min(len(timings) - 1, int(len(timings) * 0.95))]

    # Random centres over both countries, for the spread of query times (not only one lucky city).
    other = []
    for _ in range(20):
        c = _point(rng)
        t0 = time.perf_counter()
        select_targets(c, radius, index)
        other.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    lats = np.radians(np.array([p[0] for p in points]))
    lons = np.radians(np.array([p[1] for p in points]))
    inside = np.flatnonzero(haversine_km_many(center[0], center[1], lats, lons) <= radius)
    brute_subscribers = {f"u{i}" for i in inside.tolist()}
    brute_partners = set()
    for partner, cells in partners.items():
        for cell in cells:
            clat, clon = h3.cell_to_latlng(cell)
            # No H3 cell of resolution >= 2 reaches farther than 1,000 km from its centre; this cut only saves
            # time, the exact test decides.
            near = haversine_km_many(center[0], center[1], np.radians([clat]), np.radians([clon]))[0]
            if near <= radius + 1000 and cell_intersects_circle(cell, center[0], center[1], radius):
                brute_partners.add(partner)
                break
    brute_s = time.perf_counter() - t0

    missed_subscribers = len(brute_subscribers - targets.subscriber_ids)
    extra_subscribers = len(targets.subscriber_ids - brute_subscribers)
    missed_partners = len(brute_partners - targets.partner_ids)
    extra_partners = len(targets.partner_ids - brute_partners)
    print(
        f"{radius:.0f} km around Zhengzhou: {len(targets.subscriber_ids):,} subscribers, "
        f"{len(targets.partner_ids)} of {len(partners)} partners; median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms; "
        f"20 random centres: median {statistics.median(other):.1f} ms, max {max(other):.1f} ms; "
        f"brute force {brute_s:.1f} s"
    )
    print(
        json.dumps(
            {
                "targeting_ms": round(median_ms, 2),
                "targeting_ms_p95": round(p95_ms, 2),
                "targeting_ms_random_centres_max": round(max(other), 2),
                "missed": missed_subscribers + missed_partners,
                "extra": extra_subscribers + extra_partners,
                "missed_subscribers": missed_subscribers,
                "missed_partners": missed_partners,
                "extra_subscribers": extra_subscribers,
                "extra_partners": extra_partners,
                "fanout_seconds": fanout_seconds(args.fanout_partners) if args.fanout_partners else None,
                "subscriptions": index.size,
                "direct_subscribers": n_points,
                "partner_cells": partner_cell_count,
                "partners": len(partners),
                "radius_km": radius,
                "selected_subscribers": len(targets.subscriber_ids),
                "selected_partners": len(targets.partner_ids),
                "index_build_seconds": round(build_s, 2),
                "runs": args.runs,
            }
            | (store_index(args.store_subscribers, args.seed) if args.store_subscribers else {})
        )
    )


if __name__ == "__main__":
    main()
