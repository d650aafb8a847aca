"""One definition of Han for every part that tells Chinese apart (``detection.scripts``)."""

from __future__ import annotations

import re

from lifeguard.detection.context import _HAN_SPACE
from lifeguard.detection.fusion.observe import _HAN_RUN
from lifeguard.detection.language import detect_scripts
from lifeguard.detection.model.features import _HAN as HAN_TABLE
from lifeguard.detection.model.model import _HAN as MODEL_HAN
from lifeguard.detection.normalize import normalize
from lifeguard.detection.scripts import HAN_CLASS, HAN_RANGES

# One character from each range: the common block, Extension A, a compatibility ideograph, Extension B.
SAMPLES = ("死", "\u3400", "\uf900", "\U00020000")


def test_every_range_is_read_as_han_by_each_part() -> None:
    han = re.compile(f"[{HAN_CLASS}]")
    for char in SAMPLES:
        assert han.fullmatch(char)
        assert HAN_TABLE[ord(char)]
        assert MODEL_HAN.fullmatch(char)
        assert detect_scripts(char).han
        assert _HAN_SPACE.search(f"{char} {char}")
        assert _HAN_RUN.fullmatch(char * 2)
    assert int(HAN_TABLE.sum()) == sum(last - first + 1 for first, last in HAN_RANGES)


def test_latin_digits_and_kana_are_not_han() -> None:
    han = re.compile(f"[{HAN_CLASS}]")
    for char in ("a", "1", "あ", "ア", "\u4dc0", "。"):  # \u4dc0: a Yijing hexagram, between Extension A and the block
        assert not han.match(char)
        assert not HAN_TABLE[ord(char)]


def test_spaced_out_han_is_joined_including_extension_b() -> None:
    assert normalize("我 想 死").text == "我想死"
    assert normalize("\U00020000 \U00020001").text == "\U00020000\U00020001"
