"""Times, places and question shapes that fusion reads across messages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lifeguard.detection.fusion.cues import find_contexts, find_place, find_time
from lifeguard.detection.fusion.seeking import find_seeking
from lifeguard.detection.normalize import normalize
from lifeguard.detection.products import Catalogue

CST = timezone(timedelta(hours=8))


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 5, hour, minute, tzinfo=CST)  # a Saturday


def _time(text: str, hour: int, minute: int = 0) -> tuple[int, int] | None:
    cue = find_time(normalize(text).text, _at(hour, minute))
    return None if cue is None else (cue.start_min, cue.end_min)


def test_tonight_is_now_in_the_evening_and_hours_away_in_the_morning() -> None:
    assert _time("今晚就结束吧", 21) == (0, 8 * 60)  # until 05:00
    assert _time("今晚就结束吧", 9) == (11 * 60, 20 * 60)
    assert _time("tonight", 1) == (0, 4 * 60)  # said at 01:00 "tonight" is the night already under way
    assert _time("आज रात", 22) == (0, 7 * 60)
    assert _time("aaj raat", 22) == (0, 7 * 60)


def test_after_the_family_sleeps() -> None:
    assert _time("等我爸妈睡了我就走", 21, 40) == (20, 7 * 60 + 20)
    assert _time("after my parents fall asleep", 23) == (0, 6 * 60)
    assert _time("jab sab so jayenge tab", 20) is not None


def test_clock_times_resolve_to_the_next_occurrence() -> None:
    assert _time("凌晨三点", 22) == (4 * 60 + 30, 5 * 60 + 60)
    assert _time("今晚三点", 22) == (4 * 60 + 30, 6 * 60)  # 今晚三点 is 03:00, not 15:00
    assert _time("晚上十点", 9) == (12 * 60 + 30, 14 * 60)
    assert _time("at 10 pm", 21) == (30, 120)
    assert _time("tomorrow at 3am", 9) == (17 * 60 + 30, 19 * 60)
    assert _time("रात 12 बजे", 22) == (90, 3 * 60)


def test_dates_and_weekdays() -> None:
    start, _ = _time("就定在12月20号吧", 10) or (0, 0)
    assert start == (15 * 24 - 10) * 60
    assert _time("on friday", 10) is not None
    assert _time("下周三", 10) is not None


def test_past_times_are_not_plans() -> None:
    assert _time("昨晚三点才睡", 10) is None
    assert _time("昨天晚上没睡好", 10) is None
    assert _time("last night was awful", 10) is None
    assert _time("昨天没死成，今晚再试", 21) == (0, 8 * 60)  # the future part survives


def test_no_time_in_ordinary_words() -> None:
    for text in ("my son is 16", "I'm fine", "买了十斤辣椒", "noon"):
        assert _time(text, 10) is None, text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我现在就在天台上", "height"),
        ("from the roof", "height"),
        ("I'm at the bridge", "height"),
        ("跳河", "water"),
        ("train ke aage", "rail"),
        ("门窗都关好", "closed_room"),
        ("seal the room", "closed_room"),
        ("छत पर खड़ा हूँ", "height"),
    ],
)
def test_places(text: str, kind: str) -> None:
    cue = find_place(normalize(text).text)
    assert cue is not None and cue.kind == kind


def test_no_place_in_ordinary_words() -> None:
    for text in ("roofing nails", "let's chat", "I love the sea of stars"):
        assert find_place(normalize(text).text) is None, text


def test_contexts() -> None:
    assert find_contexts(normalize("新的推理小说写到第十二章").text) == {"writing"}
    assert find_contexts(normalize("chapter 12 of my mystery novel").text) == {"writing"}
    assert find_contexts(normalize("I'll die if I lose lol").text) == {"joke"}
    assert find_contexts(normalize("I want to die").text) == frozenset()


@pytest.mark.parametrize(
    ("query", "method"),
    [
        ("吃多少安眠药会死", "seeking.method"),
        ("how many pills to die", "seeking.method"),
        ("painless way to go", "seeking.method"),
        ("百草枯 喝多少", "seeking.lethality_of_means"),
        ("这个农药喝了会很快吗", "seeking.lethality_of_means"),
        ("lethal dose acetaminophen", "seeking.method"),
        ("neend ki goli kitni khane se mar jaunga", "seeking.method"),
        ("从几楼跳下去一定会死", "seeking.method"),
        ("灭鼠药 家用", None),
        ("dead sea mud mask", None),
        ("how many tylenol can i take for a headache", None),
        ("布洛芬一次吃多少片", None),
        ("paracetamol kitni leni chahiye bukhar mein", None),
        ("how many calories in rice", None),
    ],
)
def test_method_seeking(catalogue: Catalogue, query: str, method: str | None) -> None:
    named = catalogue.match_text(query)
    poison = any(entry.means not in {"sedative", "paracetamol", "prescription_drug", "antiemetic"} for entry in named)
    assert find_seeking(normalize(query).text, bool(named), poison).method == method


@pytest.mark.parametrize(
    ("query", "acquire"),
    [
        ("安眠药哪里能买到", True),
        ("sleeping pills without prescription", True),
        ("sulfas kahan milegi", True),
        ("安眠药的副作用", False),
        ("zolpidem side effects", False),
        # wanting to buy it is seeking it; not wanting to is not
        ("我失眠，想买点安眠药", True),
        ("i want to buy sleeping pills", True),
        ("不要买安眠药", False),
        ("我不想买安眠药了", False),
        ("i don't want to buy sleeping pills", False),
    ],
)
def test_means_seeking(catalogue: Catalogue, query: str, acquire: bool) -> None:
    named = catalogue.match_text(query)
    assert named
    assert find_seeking(normalize(query).text, True).acquire is acquire
