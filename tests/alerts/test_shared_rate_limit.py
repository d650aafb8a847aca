"""The tip rate limit is a token bucket in the database, shared by every process, taken atomically (also under
concurrency on PostgreSQL), and keyed on the client address read from X-Forwarded-For only behind a trusted
proxy; a spoofed header from anyone else changes nothing. 429 answers carry Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lifeguard.alerts import ratelimit
from lifeguard.alerts.client_address import client_address, parse_networks, source_key
from lifeguard.alerts.errors import RateLimited
from lifeguard.alerts.models import RateBucket
from lifeguard.app import create_app
from lifeguard.clock import FixedClock
from lifeguard.config import Settings
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.assessment import Detector
from lifeguard.runtime import Runtime, build_runtime
from tests.alerts.test_alerts_fanout import START, alert_body, police
from tests.conftest import make_settings

PROXIES = parse_networks(("10.0.0.0/8", "2001:db8:ffff::/48"))
LIMIT = ratelimit.Limit("test", capacity=5, per_hour=12)


# --- whose address --------------------------------------------------------------------------------------------------


def test_the_peer_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    assert client_address("198.51.100.9", ["203.0.113.7"], PROXIES) == "198.51.100.9"  # spoofed: ignored
    assert client_address("198.51.100.9", [], ()) == "198.51.100.9"
    assert client_address("10.0.0.5", ["203.0.113.7"], ()) == "10.0.0.5"  # no proxy is trusted by default
    assert client_address("10.0.0.5", ["203.0.113.7"], PROXIES) == "203.0.113.7"
    # The client wrote the left part; our proxies appended the rest: the right-most untrusted hop counts.
    assert client_address("10.0.0.5", ["6.6.6.6, 203.0.113.7, 10.1.2.3"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.5", ["6.6.6.6", "203.0.113.7"], PROXIES) == "203.0.113.7"  # repeated headers
    assert client_address("10.0.0.5", ["not-an-ip, 203.0.113.7"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.5", ["203.0.113.7, garbage"], PROXIES) == "10.0.0.5"  # a proxy never writes that
    assert client_address("10.0.0.5", ["10.0.0.9"], PROXIES) == "10.0.0.5"  # all ours: the proxy itself
    assert client_address("10.0.0.5", [], PROXIES) == "10.0.0.5"
    assert client_address("::ffff:10.0.0.5", ["[2001:db8:1::7]:443"], PROXIES) == "2001:db8:1::7"
    assert client_address("2001:db8:ffff::1", ["2001:db8:1::7"], PROXIES) == "2001:db8:1::7"
    assert client_address(None, ["203.0.113.7"], PROXIES) == "unknown"


def test_an_ipv6_client_is_counted_by_its_64_block() -> None:
    assert source_key("2001:db8:1:2:aaaa::1") == source_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert source_key("2001:db8:1:3::1") != source_key("2001:db8:1:2::1")
    assert source_key("203.0.113.7") == "203.0.113.7"


def test_trusted_proxies_are_a_setting_of_cidrs() -> None:
    assert Settings(trusted_proxies="10.0.0.0/8, 192.168.1.1").trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]  # type: ignore[arg-type]
    assert Settings().trusted_proxies == []
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        Settings(trusted_proxies="10.0.0.0/33")  # type: ignore[arg-type]


# --- the bucket in the database ---------------------------------------------------------------------------------


@pytest.fixture
def rt(db_url: str, detector: Detector) -> Iterator[Runtime]:
    runtime = build_runtime(make_settings(db_url), detector=detector, clock=FixedClock(START))
    yield runtime
    runtime.close()


def _take(rt: Runtime, source: str, *, minutes: float = 0) -> float | None:
    with unit_of_work(rt.sessions) as s:
        return ratelimit.take(s, LIMIT, source, now=START + timedelta(minutes=minutes))


def test_the_bucket_refills_with_time_and_a_clock_going_back_mints_nothing(rt: Runtime) -> None:
    assert [_take(rt, "a") for _ in range(6)] == [4.0, 3.0, 2.0, 1.0, 0.0, None]
    assert _take(rt, "b") == 4.0  # another source has its own bucket
    assert _take(rt, "a", minutes=-60) is None  # a clock stepping back gives no tokens
    assert _take(rt, "a", minutes=5) == pytest.approx(0.0)  # 12 an hour: one back after 5 minutes
    assert _take(rt, "a", minutes=5) is None
    assert _take(rt, "a", minutes=24 * 60) == pytest.approx(4.0)  # never more than the capacity
    with unit_of_work(rt.sessions) as s:
        with pytest.raises(RateLimited) as caught:
            for _ in range(5):
                ratelimit.acquire(s, LIMIT, "a", now=START + timedelta(days=1))
        assert caught.value.retry_after_seconds == pytest.approx(300)
        # A bucket idle for a day is full again whatever happened before: deleting it changes nothing.
        assert ratelimit.forget_idle(s, now=START + timedelta(hours=23)) == 0
        assert ratelimit.forget_idle(s, now=START + timedelta(days=1, minutes=1)) == 1  # "b", idle since START
        assert s.scalars(select(RateBucket.source)).all() == ["a"]  # used a day after START


def test_concurrent_takers_share_the_bucket_exactly(rt: Runtime) -> None:
    """Twenty workers at once, each in its own transaction and connection: exactly five get a token."""
    start = threading.Barrier(20)

    def one(_: int) -> bool:
        start.wait()
        return _take(rt, "flood") is not None

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert results.count(True) == 5
    with unit_of_work(rt.sessions) as s:
        assert s.scalar(select(RateBucket.tokens).where(RateBucket.source == "flood")) == pytest.approx(0.0)


# --- over HTTP --------------------------------------------------------------------------------------------------


def _tip(client: TestClient, n: int, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/alerts/2026-0042/tips", json={"text": f"sighting {n}"}, headers=headers).status_code


def test_two_processes_share_one_limit(db_url: str, detector: Detector) -> None:
    clock = FixedClock(START)
    one = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    two = build_runtime(make_settings(db_url), detector=detector, clock=clock)
    with TestClient(create_app(runtime=one)) as a, TestClient(create_app(runtime=two)) as b:
        assert a.post("/v1/alerts", headers=police(one), json=alert_body()).status_code == 201
        assert [_tip(a, 1), _tip(b, 2), _tip(a, 3), _tip(b, 4), _tip(a, 5)] == [201] * 5
        limited = b.post("/alerts/2026-0042/tips", json={"text": "sixth"})
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "300"
        assert "try again in 300 s" in limited.json()["error"]["message"]
        page = a.post("/alerts/2026-0042/tips?lang=hi", data={"text": "seventh"})
        assert page.status_code == 429 and page.headers["Retry-After"] == "300"
        assert 'lang="hi"' in page.text and "बहुत अधिक अनुरोध" in page.text
    one.close()
    two.close()


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(db_url: str, detector: Detector) -> None:
    rt = build_runtime(
        make_settings(db_url, trusted_proxies=["10.0.0.0/8"]), detector=detector, clock=FixedClock(START)
    )
    app = create_app(runtime=rt)
    with TestClient(app, client=("10.0.0.5", 40000)) as behind_proxy:
        assert behind_proxy.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
        assert [_tip(behind_proxy, i, "203.0.113.7") for i in range(5)] == [201] * 5
        assert _tip(behind_proxy, 5, "203.0.113.7") == 429
        assert _tip(behind_proxy, 6, "203.0.113.8") == 201  # another person behind the same proxy
        # A client cannot escape by writing its own X-Forwarded-For in front: the proxy appended the real one.
        assert _tip(behind_proxy, 7, "198.18.0.1, 203.0.113.7") == 429
    with TestClient(app, client=("198.51.100.9", 40000)) as direct:
        # Not a trusted proxy: its X-Forwarded-For is a lie it can change at will, and is ignored.
        statuses = [_tip(direct, 10 + i, f"192.0.2.{i}") for i in range(6)]
        assert statuses == [201] * 5 + [429]
    rt.close()
