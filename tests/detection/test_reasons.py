"""The reasons the rules write carry the prefixes the hybrid's caps and the fusion's cues read."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.lexicon_detector import LexiconDetector
from lifeguard.detection.reasons import (
    COMMERCE,
    DISTRESS_ONLY,
    EVERYDAY,
    IDIOM,
    MEANS_RULE_ID,
    NEGATED,
    OTHER_DIRECTED,
    PAST,
    RULE,
    THIRD_PARTY,
    context_only,
    means_only,
    without_quotes,
)


@pytest.fixture(scope="module")
def rules() -> LexiconDetector:
    return LexiconDetector()


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("我不想死", NEGATED),
        ("I don't want to die", NEGATED),
        ("笑死我了哈哈", IDIOM),
        ("go kill yourself", OTHER_DIRECTED),
        ("my friend wants to kill herself", THIRD_PARTY),
        ("I wanted to die last year", PAST),
        ("I feel so hopeless", DISTRESS_ONLY),
        ("这款衣服什么时候发货", COMMERCE),
        ("我先走了啊，明天公司见拜拜", EVERYDAY),
    ],
)
def test_the_rules_write_the_prefixes_the_readers_expect(rules: LexiconDetector, text: str, prefix: str) -> None:
    reasons = rules.assess(TextInput(text)).reasons
    assert any(reason.startswith(prefix) for reason in reasons), reasons


def test_a_means_word_alone_is_means_only(rules: LexiconDetector) -> None:
    alone = rules.assess(TextInput("买一瓶百草枯")).reasons
    assert any(reason.startswith(f"{RULE}{MEANS_RULE_ID}") for reason in alone) and means_only(alone)
    assert not means_only(rules.assess(TextInput("我想喝百草枯自杀")).reasons)
    assert not means_only(("context:commerce",)) and not means_only(())


def test_a_product_named_in_shop_talk_is_shop_talk_only(rules: LexiconDetector) -> None:
    shop = rules.assess(TextInput("刀片能发顺丰吗 急用 今晚就要")).reasons
    assert COMMERCE in shop and any(reason.startswith("means:") for reason in shop) and context_only(shop)
    assert not context_only(rules.assess(TextInput("顺丰到了 我今晚就走 不想活了")).reasons)
    # a long post that names pills is a story, whatever shop word it holds
    post = "i keep the pills in my drawer and check on the delivery of my refund every day. " * 3
    assert not context_only(rules.assess(TextInput(post)).reasons)
    assert not context_only(()) and not context_only(("means:blade", "term:zh:刀片"))


def test_in_order_to_is_no_shop_talk(rules: LexiconDetector) -> None:
    assert COMMERCE not in rules.assess(TextInput("i took the pills in order to sleep")).reasons
    assert COMMERCE in rules.assess(TextInput("mera order kab aayega")).reasons


def test_without_quotes_keeps_names_and_drops_the_words_quoted() -> None:
    reasons = [
        "model:linear-1",
        "p:ideation=0.8",
        "rule:ideation.want_to_die",
        "term:zh:想死",
        "means:sedative",
        "ngram:cheated on",
        "idiom:zh:笑死我了",
        "negated:en:i don't want to die",
        "other_directed:en:kill yourself",
        "third_party:idiom:en:killing me",
        "third_party:term:en:want to die",
        "hybrid:rules_raise",
        "context:commerce",
    ]
    assert without_quotes(reasons) == [
        "model:linear-1",
        "p:ideation=0.8",
        "rule:ideation.want_to_die",
        "term:zh:想死",
        "means:sedative",
        "third_party:term:en:want to die",
        "hybrid:rules_raise",
        "context:commerce",
    ]
