"""Tips from the public: cleaned, checked, de-duplicated, clustered and ordered; a flood is held back."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from lifeguard.alerts.errors import InvalidAlertInput, RateLimited
from lifeguard.alerts.tips import (
    MAX_RAW_CHARS,
    MAX_TEXT_CHARS,
    Tip,
    TipRateLimiter,
    TipSubmission,
    accept_tip,
    cluster_tips,
    dedupe,
    normalise_for_dedupe,
    rank_tips,
    sanitise_text,
)
from lifeguard.clock import FixedClock

from .builders import T0, child_content

LAST_SEEN = child_content().last_seen  # 郑州市二七广场, 34.7466, 113.6253
_ids = itertools.count(1)


def tip(
    text: str = "看到一个穿红衣服的小男孩",
    *,
    lat: float | None = 34.7466,
    lon: float | None = 113.6253,
    seen: timedelta | None = timedelta(0),
    received: timedelta | None = None,
    source: str = "s-1",
) -> Tip:
    if received is None:  # sent right after the sighting
        received = seen or timedelta(0)
    return accept_tip(
        TipSubmission(
            alert_id="2026-0042",
            source_id=source,
            text=text,
            received_at=T0 + received,
            lat=lat,
            lon=lon,
            seen_at=None if seen is None else T0 + seen,
        ),
        tip_id=f"t{next(_ids)}",
    )


# --- cleaning -----------------------------------------------------------------------------------------------


def test_markup_and_scripts_are_removed_and_links_neutralised() -> None:
    clean = sanitise_text(
        '<p>Saw <b>him</b> near <a href="https://phish.example/login">the bus station</a></p>'
        "<script>document.location='https://evil.example'</script><style>p{}</style>"
        "<iframe src='https://x'>frame text</iframe>around 3pm"
    )
    assert clean.text == "Saw him near the bus station\naround 3pm"
    assert clean.had_links and clean.had_markup
    assert "phish" not in clean.text and "evil" not in clean.text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("video: https://t.example/v/123 please look", "video: hxxps[://]t[.]example/v/123 please look"),
        ("HTTP://X.CN/a", "hxxp[://]X[.]CN/a"),
        ("see www.weibo.example/xyz", "see www[.]weibo[.]example/xyz"),
        ("javascript:alert(1)", "javascript[:]alert(1)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
    ],
)
def test_bare_links_stay_readable_but_not_clickable(raw: str, text: str) -> None:
    clean = sanitise_text(raw)
    assert clean.text == text
    assert clean.had_links


def test_plain_text_passes_as_text() -> None:
    clean = sanitise_text("He was 5 < 6 km from the station &amp; walking north ")
    assert clean.text == "He was 5 < 6 km from the station & walking north"
    assert not clean.had_links and not clean.had_markup
    assert sanitise_text("我在地铁站看到他了").text == "我在地铁站看到他了"
    assert sanitise_text("मैंने उसे स्टेशन पर देखा").text == "मैंने उसे स्टेशन पर देखा"


def test_invisible_and_control_characters_are_dropped_and_space_tidied() -> None:
    clean = sanitise_text("saw\u202ehim\u200b   at\x00 the\tpark\n\n\n\n\nyesterday  ")
    assert clean.text == "sawhim at the park\n\nyesterday"


def test_length_limits() -> None:
    assert len(sanitise_text("a" * MAX_TEXT_CHARS).text) == MAX_TEXT_CHARS
    with pytest.raises(InvalidAlertInput, match="limit is 2000"):
        sanitise_text("a" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(InvalidAlertInput, match="at most 20000"):
        sanitise_text("<b></b>" * (MAX_RAW_CHARS // 7 + 1))
    # Markup does not count against the limit: only what the officer will read.
    assert sanitise_text("<b>x</b>" * 2000).text == "x" * 2000


# --- accepting ----------------------------------------------------------------------------------------------


def test_a_tip_is_cleaned_on_acceptance() -> None:
    accepted = tip('<img src=x onerror="alert(1)">Saw him at https://maps.example/p?q=1')
    assert accepted.text == "Saw him at hxxps[://]maps[.]example/p?q=1"
    assert accepted.had_links


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"text": "<script>only a script</script>"}, "no text"),
        ({"text": "   "}, "no text"),
        ({"lat": 34.0, "lon": None}, "both latitude and longitude"),
        ({"lat": 95.0, "lon": 10.0}, "latitude"),
        ({"seen_at": T0 + timedelta(hours=3)}, "in the future"),
        ({"seen_at": (T0 - timedelta(hours=1)).replace(tzinfo=None)}, "timezone-aware"),
        ({"photo_ref": "../../etc/passwd"}, "photo reference"),
        ({"alert_id": "x y"}, "alert id"),
    ],
)
def test_bad_tips_are_refused_with_a_reason(changes: dict[str, object], words: str) -> None:
    fields = {"alert_id": "2026-0042", "source_id": "s", "text": "saw him", "received_at": T0, **changes}
    with pytest.raises(InvalidAlertInput, match=words):
        accept_tip(TipSubmission(**fields), tip_id="t")  # type: ignore[arg-type]


def test_a_phone_clock_a_few_minutes_ahead_is_fine() -> None:
    assert tip(seen=timedelta(minutes=5)).seen_at == T0 + timedelta(minutes=5)


# --- duplicates ---------------------------------------------------------------------------------------------


def test_normalised_text_ignores_case_width_punctuation_and_spaces() -> None:
    assert normalise_for_dedupe("Saw HIM!!  at the park.") == normalise_for_dedupe("saw him at the park")
    assert normalise_for_dedupe("看到了！") == normalise_for_dedupe("看到了")
    assert normalise_for_dedupe("ＡＢＣ１２３") == normalise_for_dedupe("abc123")


def test_the_same_words_about_the_same_place_and_time_are_one_tip() -> None:
    first = tip("Saw him at the park!", source="a")
    copy = tip("saw him at the park", source="b", lat=34.7470, received=timedelta(minutes=3))  # 45 m away
    later = tip("saw him at the park", source="c", seen=timedelta(hours=5), received=timedelta(hours=5))
    elsewhere = tip("saw him at the park", source="d", lat=34.90, received=timedelta(minutes=4))  # 17 km away
    unplaced = tip("saw him at the park", source="e", lat=None, lon=None, received=timedelta(minutes=5))
    different = tip("saw a boy in red at the park", source="f", received=timedelta(minutes=6))
    result = dedupe([copy, first, later, elsewhere, unplaced, different])
    assert result.duplicate_of == {copy.tip_id: first.tip_id}
    assert [t.tip_id for t in result.unique] == [
        first.tip_id,
        elsewhere.tip_id,
        unplaced.tip_id,
        different.tip_id,
        later.tip_id,
    ]


# --- clusters -----------------------------------------------------------------------------------------------


def test_sightings_near_in_place_and_time_form_clusters() -> None:
    station = [tip("at the station", lat=34.7500, lon=113.6500, seen=timedelta(minutes=m)) for m in (0, 40, 90)]
    chain_end = tip("on the road from the station", lat=34.7650, lon=113.6500, seen=timedelta(minutes=150))  # 1.7 km
    later_same_place = tip("at the station again", lat=34.7500, lon=113.6500, seen=timedelta(hours=9))
    far = tip("in Kaifeng", lat=34.7972, lon=114.3076, seen=timedelta(minutes=30))
    unplaced = tip("he said he wanted to go to Beijing", lat=None, lon=None)
    clusters = cluster_tips([*station, chain_end, later_same_place, far, unplaced])
    assert [c.size for c in clusters] == [4, 1, 1, 1]
    big = clusters[0]
    assert big.tip_ids == tuple(t.tip_id for t in (*station, chain_end))
    assert big.first_seen == T0 and big.last_seen == T0 + timedelta(minutes=150)
    assert big.lat == pytest.approx(34.754, abs=1e-3)
    assert {c.tip_ids for c in clusters[1:]} == {(later_same_place.tip_id,), (far.tip_id,), (unplaced.tip_id,)}
    assert next(c for c in clusters if c.tip_ids == (unplaced.tip_id,)).lat is None


def test_clusters_across_the_antimeridian_keep_a_sensible_centre() -> None:
    a = tip("east side", lat=-16.5, lon=179.995)
    b = tip("west side", lat=-16.5, lon=-179.995)
    (cluster,) = cluster_tips([a, b])
    assert cluster.size == 2
    assert cluster.lon is not None and abs(cluster.lon) == pytest.approx(180.0, abs=1e-6)  # not 0.0, the naive average


def test_no_tips_no_clusters() -> None:
    assert cluster_tips([]) == []


# --- order for the officer ----------------------------------------------------------------------------------


def test_newest_sightings_nearest_the_last_known_place_come_first() -> None:
    now = T0 + timedelta(hours=6)
    near_new = tip("near, new", lat=34.7470, lon=113.6260, seen=timedelta(hours=5, minutes=50))
    near_old = tip("near, old", lat=34.7470, lon=113.6260, seen=timedelta(0))
    far_new = tip("far, new", lat=35.2, lon=113.6253, seen=timedelta(hours=5, minutes=50))  # ~50 km
    unplaced_new = tip("no place, new", lat=None, lon=None, seen=None, received=timedelta(hours=5, minutes=55))
    ranked = rank_tips([near_old, far_new, unplaced_new, near_new], last_seen=LAST_SEEN, now=now)
    assert [r.tip.tip_id for r in ranked] == [near_new.tip_id, near_old.tip_id, unplaced_new.tip_id, far_new.tip_id]
    top, second, third = ranked[0], ranked[1], ranked[2]
    assert top.distance_km is not None and second.distance_km is not None and third.distance_km is None
    # score = 0.5 ** (age_h / 6) * 0.5 ** (distance_km / 20)
    assert top.score == pytest.approx(0.5 ** (top.age_hours / 6) * 0.5 ** (top.distance_km / 20))
    assert top.age_hours == pytest.approx(1 / 6)
    assert second.score == pytest.approx(0.5 * 0.5 ** (second.distance_km / 20))
    assert third.score == pytest.approx(0.5 ** (third.age_hours / 6) * 0.3)


def test_ties_go_to_the_later_submission() -> None:
    a = tip("a", received=timedelta(minutes=1))
    b = tip("b", received=timedelta(minutes=2))
    assert [r.tip.tip_id for r in rank_tips([a, b], last_seen=LAST_SEEN, now=T0)] == [b.tip_id, a.tip_id]


# --- rate limit ---------------------------------------------------------------------------------------------


def test_token_bucket_per_source_with_an_injected_clock() -> None:
    clock = FixedClock(T0)
    limiter = TipRateLimiter(clock=clock, capacity=3, per_hour=6)  # a token every 10 minutes
    for _ in range(3):
        limiter.acquire("flooder")
    with pytest.raises(RateLimited, match="try again in 600 s") as caught:
        limiter.acquire("flooder")
    assert caught.value.status_code == 429
    assert caught.value.retry_after_seconds == pytest.approx(600)
    assert limiter.try_acquire("witness")  # other sources are not affected
    clock.advance(timedelta(minutes=10))
    assert limiter.try_acquire("flooder")
    assert not limiter.try_acquire("flooder")
    clock.advance(timedelta(days=1))  # refills to capacity, not beyond
    assert [limiter.try_acquire("flooder") for _ in range(4)] == [True, True, True, False]


def test_a_clock_stepping_back_mints_no_tokens() -> None:
    clock = FixedClock(T0)
    limiter = TipRateLimiter(clock=clock, capacity=1, per_hour=1)
    assert limiter.try_acquire("s")
    clock.advance(timedelta(hours=-5))
    assert not limiter.try_acquire("s")
    clock.advance(timedelta(hours=5, minutes=30))
    assert not limiter.try_acquire("s")  # only 30 minutes since the last real reading
    clock.advance(timedelta(minutes=30))
    assert limiter.try_acquire("s")


def test_memory_is_bounded_by_forgetting_the_least_recent_source() -> None:
    limiter = TipRateLimiter(clock=FixedClock(T0), capacity=1, per_hour=1, max_sources=2)
    assert limiter.try_acquire("a") and limiter.try_acquire("b")
    assert not limiter.try_acquire("a")  # a is now the most recent
    assert limiter.try_acquire("c")  # b is forgotten
    assert not limiter.try_acquire("a")
    assert limiter.try_acquire("b")  # a fresh bucket: the documented worst case


def test_bad_limits_are_refused() -> None:
    with pytest.raises(InvalidAlertInput):
        TipRateLimiter(clock=FixedClock(T0), capacity=0)
