"""From a confirmed referral to the unit's endpoint receiving it, with the endpoint up.

    .venv/bin/python bench/delivery.py [--referrals 200]

Each referral is committed (as the console's "refer" does), the delivery worker is woken, and the loopback
endpoint records when the signed request arrives. The last line is one JSON object with p50_seconds and
p99_seconds."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_double import endpoint  # noqa: E402

from lifeguard.auth import service as auth  # noqa: E402
from lifeguard.cases import service as cases  # noqa: E402
from lifeguard.config import Settings  # noqa: E402
from lifeguard.db.engine import unit_of_work  # noqa: E402
from lifeguard.db.migrate import upgrade  # noqa: E402
from lifeguard.delivery import signing  # noqa: E402
from lifeguard.delivery.worker import OUTBOX_ENQUEUED  # noqa: E402
from lifeguard.detection.levels import Level  # noqa: E402
from lifeguard.interventions import service as ladder  # noqa: E402
from lifeguard.runtime import build_runtime  # noqa: E402
from lifeguard.signals.models import Signal  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, endpoint() as unit_endpoint:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        rt = build_runtime(Settings(database_url=url, environment="test", workers="none"))
        rt.delivery.start()
        secret = signing.new_secret()
        now = datetime.now(UTC)
        case_ids = []
        with unit_of_work(rt.sessions) as s:
            auth.ensure_partner(s, partner_id="bench", name="Bench", now=now)
            for i in range(args.referrals):
                signal = Signal(
                    platform="bench",
                    event_id=f"e{i}",
                    kind="message",
                    subject=f"s{i}",
                    occurred_at=now,
                    received_at=now,
                    text="x",
                    details={},
                    level="attempt",
                    score=1.0,
                    reasons=[],
                    spans=[],
                    support=False,
                    third_party_level="none",
                    subject_level="attempt",
                    detector="bench",
                )
                s.add(signal)
                s.flush()
                case = cases.on_signal(s, signal=signal, level=Level.ATTEMPT, case_floor=Level.IDEATION, now=now)
                assert case is not None
                case_ids.append(case.id)
        arrivals: dict[int, float] = {}
        seen = 0
        target = ladder.UnitTarget(id="unit", name="Unit", channel="webhook", target=unit_endpoint.url, secret=secret)
        latencies = []
        for case_id in case_ids:
            with unit_of_work(rt.sessions) as s:
                referral = ladder.refer(
                    s,
                    case_id=case_id,
                    units=[target],
                    package={"case_ref": f"LG-{case_id}"},
                    actor="user:bench",
                    now=datetime.now(UTC),
                    ack_within=timedelta(minutes=10),
                )
                referral_id = referral.id
            committed = time.perf_counter()
            rt.bus.publish(OUTBOX_ENQUEUED, {})
            deadline = committed + 10
            while time.perf_counter() < deadline:  # bounded wait for this referral's arrival
                unit_endpoint.arrived.wait(0.5)
                unit_endpoint.arrived.clear()
                for got in unit_endpoint.received[seen:]:
                    arrivals[got.json["referral_id"]] = time.perf_counter()
                seen = len(unit_endpoint.received)
                if referral_id in arrivals:
                    break
            latencies.append(arrivals.get(referral_id, float("inf")) - committed)
        rt.close()
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(
        json.dumps(
            {
                "referrals": len(latencies),
                "p50_seconds": round(statistics.median(latencies), 4),
                "p99_seconds": round(p99, 4),
                "max_seconds": round(latencies[-1], 4),
            }
        )
    )


if __name__ == "__main__":
    main()
