"""Traditional Chinese is read as the simplified the lexicons and the model learnt, one character for one."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import HybridDetector
from lifeguard.detection.normalize import normalize
from lifeguard.detection.traditional import _TABLE, SIMPLIFIED, simplified


def test_the_table_maps_one_character_to_one_other() -> None:
    lines = [line for line in _TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(lines) == len(SIMPLIFIED) > 4000  # no traditional character twice
    assert all(len(key) == len(value) == 1 and key != value for key, value in SIMPLIFIED.items())
    assert not set(SIMPLIFIED) & set(SIMPLIFIED.values())  # no chain: a simplified form is not folded again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想自殺", "我想自杀"),
        ("活著沒意思", "活着没意思"),  # 著 after a verb is the particle 着
        ("撐不下去了", "撑不下去了"),
        ("著名品牌，顯著效果", "著名品牌,显著效果"),  # 著 in 著名, 显著 is simplified too, and stays
        ("买了安眠药", "买了安眠药"),  # simplified text is unchanged
    ],
)
def test_traditional_text_normalises_to_simplified(text: str, expected: str) -> None:
    normalized = normalize(text)
    assert normalized.text == expected
    assert normalized.original_span(0, len(expected)) == (0, len(text))  # one for one
    assert len(simplified(text)) == len(text)


@pytest.mark.parametrize(
    ("traditional", "simplified_text"),
    [
        ("我想自殺", "我想自杀"),
        ("我想跳樓", "我想跳楼"),
        ("我已經吃了一整瓶安眠藥", "我已经吃了一整瓶安眠药"),
        ("活著好累，不想活了", "活着好累，不想活了"),
        ("請問這款藥怎麼吃", "请问这款药怎么吃"),
        ("我失眠，想買點安眠藥", "我失眠，想买点安眠药"),  # means words alone: read again without them, simplified too
        ("不想活了，我買了安眠藥", "不想活了，我买了安眠药"),
    ],
)
def test_the_hybrid_reads_traditional_as_it_reads_simplified(
    production: HybridDetector, traditional: str, simplified_text: str
) -> None:
    ours, theirs = production.assess_many([TextInput(traditional), TextInput(simplified_text)])
    assert (ours.level, ours.score) == (theirs.level, theirs.score)
    assert all(0 <= span.start < span.end <= len(traditional) for span in ours.spans)


def test_traditional_risk_opens_a_case(production: HybridDetector) -> None:
    assert production.assess(TextInput("我想自殺")).level >= Level.IDEATION
    assert production.assess(TextInput("我想燒炭")).level >= Level.BEHAVIOR
