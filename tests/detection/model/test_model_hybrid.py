"""The hybrid's combination rules, with stub rules (exact) and with the real lexicon rules (end to end)."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import Assessment, DetectorInfo, Span, TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model import hybrid
from lifeguard.detection.model.hybrid import LONG_POST_CHARS, HybridDetector, _flood, _too_short
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.reasons import SHORT_CHAT_REASON


class StubRules:
    info = DetectorInfo(name="stub-rules", version="1", languages=("zh", "en"))

    def __init__(self, result: Assessment | None = None, fail: bool = False) -> None:
        self.result = result or Assessment(level=Level.NONE, score=0.0, detector="stub-rules/1")
        self.fail = fail

    def assess(self, item: TextInput) -> Assessment:
        return self.assess_many([item])[0]

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        if self.fail:
            raise RuntimeError("boom")
        return [self.result for _ in items]


RISKY = "我想死"  # the tiny model reads this as ideation or above
BENIGN = "where is my order"


def _rules(level: Level, *reasons: str, **extra: object) -> StubRules:
    return StubRules(Assessment(level=level, score=0.6 if level > Level.NONE else 0.0, reasons=reasons, **extra))  # type: ignore[arg-type]


def test_model_level_when_rules_are_silent(tiny_model: RiskModel) -> None:
    result = HybridDetector(tiny_model, StubRules()).assess(TextInput("我想死，我真的想死，想死了"))  # not a flood
    assert result.level >= Level.IDEATION
    assert f"model:{tiny_model.version}" in result.reasons
    assert any(reason.startswith("p:") for reason in result.reasons)
    assert result.spans and all(span.reason.startswith("model:ngram:") for span in result.spans)
    assert result.detector.startswith("hybrid/")


def test_negation_caps_the_model_below_ideation(tiny_model: RiskModel) -> None:
    result = HybridDetector(tiny_model, _rules(Level.NONE, "negated:zh:想死")).assess(TextInput(RISKY))
    assert result.level <= Level.INDICATOR
    assert "hybrid:negation_caps_model" in result.reasons and "negated:zh:想死" in result.reasons


def test_third_person_moves_the_models_reading_to_the_third_party(tiny_model: RiskModel) -> None:
    rules = _rules(Level.NONE, "rule:support.third_party_risk", support=True, third_party_level=Level.IDEATION)
    result = HybridDetector(tiny_model, rules).assess(TextInput(RISKY))
    assert result.level is Level.NONE
    assert result.support
    assert result.third_party_level >= Level.IDEATION


def test_in_a_long_post_the_models_reading_stays_the_writers(tiny_model: RiskModel) -> None:
    """Past a tweet's length a post is mostly the writer's own story: someone else's risk named in it, read lower
    than the model reads the post, does not take the model's reading away from the writer."""
    rules = _rules(Level.NONE, "rule:support.third_party_risk", support=True, third_party_level=Level.INDICATOR)
    long_post = "，".join([RISKY] * 80)
    assert len(long_post) > LONG_POST_CHARS >= len(RISKY * 4)
    result = HybridDetector(tiny_model, rules).assess(TextInput(long_post))
    assert result.level >= Level.IDEATION
    assert "hybrid:model_risk_read_as_about_someone_else" not in result.reasons
    assert result.support and result.third_party_level is Level.INDICATOR  # the rules' report is kept
    short = HybridDetector(tiny_model, rules).assess(TextInput(RISKY * 4))
    assert short.level is Level.NONE and "hybrid:model_risk_read_as_about_someone_else" in short.reasons


def test_a_long_report_whose_risk_the_rules_give_someone_else_stays_theirs(tiny_model: RiskModel) -> None:
    """A friend's long, worried message ("she keeps saying she wants to die … what do I do"): the rules read the
    friend's risk as high as the model reads the post, so the reading is the friend's, not the writer's."""
    rules = _rules(Level.NONE, "rule:support.third_party_risk", support=True, third_party_level=Level.ATTEMPT)
    result = HybridDetector(tiny_model, rules).assess(TextInput("，".join([RISKY] * 80)))
    assert result.level is Level.NONE and "hybrid:model_risk_read_as_about_someone_else" in result.reasons


@pytest.mark.parametrize("set_aside", ["negated:zh:想死", "idiom:zh:笑死"])
def test_in_a_long_post_negation_and_idioms_set_aside_only_their_own_words(
    tiny_model: RiskModel, set_aside: str
) -> None:
    long_post = "，".join([RISKY] * 80)
    result = HybridDetector(tiny_model, _rules(Level.NONE, set_aside)).assess(TextInput(long_post))
    assert result.level >= Level.IDEATION
    assert not any(reason in result.reasons for reason in ("hybrid:negation_caps_model", "hybrid:idiom_caps_model"))


@pytest.mark.parametrize(
    ("reasons", "cap"),
    [
        (("rule:indicator.past_ideation", "past:zh:想死过"), "hybrid:past_caps_model"),
        (("rule:indicator.distress", "term:zh:活着没意思"), "hybrid:distress_needs_confident_model"),
    ],
)
def test_in_a_long_post_a_past_told_or_distress_words_do_not_cap_the_model(
    tiny_model: RiskModel, reasons: tuple[str, ...], cap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validated on out-of-fold predictions of the training part: in posts over 280 characters these caps cost
    more posts at risk than they saved, and no benign text moved (docs/model.md, session 11)."""
    monkeypatch.setattr(hybrid, "CONFIDENT_IDEATION", 1.0)  # the tiny model is never confident enough to pass
    long_post = "，".join([RISKY] * 80)
    assert tiny_model.predict([long_post, RISKY]) == [Level.IDEATION, Level.IDEATION]  # more than the rules read
    detector = HybridDetector(tiny_model, _rules(Level.INDICATOR, *reasons))
    assert detector.assess(TextInput(long_post)).level is Level.IDEATION
    short = detector.assess(TextInput(RISKY))
    assert short.level is Level.INDICATOR
    assert cap in short.reasons


def test_idiom_caps_the_model(tiny_model: RiskModel) -> None:
    result = HybridDetector(tiny_model, _rules(Level.NONE, "idiom:zh:笑死")).assess(TextInput(RISKY))
    assert result.level <= Level.INDICATOR
    assert "hybrid:idiom_caps_model" in result.reasons


@pytest.mark.parametrize("set_aside", ["idiom:zh:烦死了", "negated:zh:自杀方式"])
def test_words_set_aside_elsewhere_do_not_cap_risk_the_rules_also_found(tiny_model: RiskModel, set_aside: str) -> None:
    # "烧炭和跳海哪个容易点……烦死了": the idiom explains 烦死了, not the method question beside it.
    rules = _rules(Level.INDICATOR, "rule:indicator.method_mentioned", "term:zh:自杀方式", set_aside)
    result = HybridDetector(tiny_model, rules).assess(TextInput(RISKY * 4))
    model_level = tiny_model.predict([RISKY * 4])[0]
    assert model_level > Level.INDICATOR  # the case under test: the model reads more than the rules
    assert result.level == model_level
    assert not any(reason in result.reasons for reason in ("hybrid:idiom_caps_model", "hybrid:negation_caps_model"))


def test_a_past_attempt_the_rules_read_as_past_caps_the_model_at_the_rules_level(tiny_model: RiskModel) -> None:
    rules = _rules(Level.INDICATOR, "rule:indicator.past_attempt_recovered", "past:zh:自杀过")
    result = HybridDetector(tiny_model, rules).assess(TextInput(RISKY))
    assert result.level is Level.INDICATOR
    assert "hybrid:past_caps_model" in result.reasons


def test_distress_words_need_a_confident_model_to_read_ideation(tiny_model: RiskModel) -> None:
    detector = HybridDetector(tiny_model, _rules(Level.INDICATOR, "rule:indicator.distress"))
    at_or_above = tiny_model.at_or_above([RISKY])[0]
    result = detector.assess(TextInput(RISKY))
    if at_or_above[1] >= 0.9 or at_or_above[2] >= tiny_model.thresholds[2]:
        assert result.level >= Level.IDEATION  # confident, or beyond ideation: the model stands
    else:
        assert result.level is Level.INDICATOR
        assert "hybrid:distress_needs_confident_model" in result.reasons


def test_means_words_alone_do_not_let_an_unsure_model_read_behavior(tiny_model: RiskModel) -> None:
    detector = HybridDetector(tiny_model, _rules(Level.INDICATOR, "rule:indicator.means.charcoal", "means:charcoal"))
    result = detector.assess(TextInput(RISKY))
    if tiny_model.at_or_above([RISKY])[0][2] < 0.9:
        assert result.level is Level.INDICATOR
        assert "hybrid:means_words_alone_cap_model" in result.reasons
    else:
        assert result.level >= Level.BEHAVIOR


def test_a_model_sure_of_a_wish_beside_means_words_alone_reads_ideation(
    tiny_model: RiskModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "I took the rest of my sleeping pills … I'm finally ending it": the rules know the pills, not the words
    around them; a model sure of a wish (P(>= ideation) >= 0.9) keeps ideation, its unsure behavior does not."""
    rules = _rules(Level.INDICATOR, "rule:indicator.means.sedative", "means:sedative", "term:en:sleeping pills")
    monkeypatch.setattr(hybrid, "CONFIDENT_BEHAVIOR", 1.01)  # the tiny model is never sure of behavior
    monkeypatch.setattr(hybrid, "CONFIDENT_IDEATION", 0.0)  # whatever it reads counts as sure of a wish
    sure = HybridDetector(tiny_model, rules).assess(TextInput(RISKY))
    assert sure.level is Level.IDEATION
    model_level = HybridDetector(tiny_model, StubRules()).assess(TextInput(RISKY)).level
    # the note says the model was capped, and only when it was (a model that read ideation kept it)
    assert ("hybrid:means_words_alone_cap_model" in sure.reasons) is (model_level > Level.IDEATION)
    monkeypatch.setattr(hybrid, "CONFIDENT_IDEATION", 1.01)
    unsure = HybridDetector(tiny_model, rules).assess(TextInput(RISKY))
    assert unsure.level is Level.INDICATOR and "hybrid:means_words_alone_cap_model" in unsure.reasons


def test_means_words_in_a_long_post_do_not_cap_the_model(
    tiny_model: RiskModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "…ate a handful of sleeping pills. A half-hearted attempt…": in a post past a tweet's length the pills are
    one of the writer's words, and the model reads the whole post (it was capped at indicator)."""
    monkeypatch.setattr(hybrid, "CONFIDENT_BEHAVIOR", 1.01)
    monkeypatch.setattr(hybrid, "CONFIDENT_IDEATION", 1.01)
    rules = _rules(Level.INDICATOR, "rule:indicator.means.sedative", "means:sedative", "term:en:sleeping pills")
    long_post = "，".join([RISKY] * 80)
    assert len(long_post) > LONG_POST_CHARS
    result = HybridDetector(tiny_model, rules).assess(TextInput(long_post))
    assert result.level >= Level.IDEATION
    assert "hybrid:means_words_alone_cap_model" not in result.reasons


def test_a_word_or_two_the_rules_find_nothing_in_is_at_most_indicator(tiny_model: RiskModel) -> None:
    assert tiny_model.predict([RISKY])[0] >= Level.IDEATION
    result = HybridDetector(tiny_model, StubRules()).assess(TextInput(RISKY))
    assert result.level is Level.INDICATOR
    assert "hybrid:too_short_for_model_alone" in result.reasons


@pytest.mark.parametrize(
    ("folded", "short"),
    [
        ("tonight", True),
        ("pills now", True),
        ("i will do it", False),  # twelve characters
        ("明天就走", True),
        ("我走了 明天见", True),  # Chinese chat under twelve characters stays short
        ("我今晚不回来了", True),
        ("谢谢大家这些年的照顾，我先走一步了", False),
    ],
)
def test_too_short_is_under_twelve_characters_and_three_words(folded: str, short: bool) -> None:
    assert _too_short(folded) is short


@pytest.mark.parametrize(
    ("folded", "flood"),
    [
        ("了了了了了了了了了了了了", True),
        ("了酒了酒了酒了酒了酒了酒了酒", True),
        ("die die die die die die die die", True),
        ("死死死死死死死死死死死", False),  # eleven: too few to tell
        ("hopeless help", False),  # six letters, twice each: two words
        ("我想死我想死", False),
        ("where is my parcel, it is late again", False),
    ],
)
def test_a_flood_is_a_few_characters_repeated(folded: str, flood: bool) -> None:
    assert _flood(folded) is flood


def test_a_flood_the_rules_find_nothing_in_is_at_most_indicator(tiny_model: RiskModel) -> None:
    flood = "我想死" * 10
    assert _flood(flood)
    alone = HybridDetector(tiny_model, StubRules()).assess(TextInput(flood))
    assert tiny_model.predict([flood])[0] >= Level.IDEATION  # what the cap is for: the model counts every repeat
    assert alone.level is Level.INDICATOR and "hybrid:flood_for_model_alone" in alone.reasons
    found = HybridDetector(tiny_model, _rules(Level.IDEATION, "term:zh:想死")).assess(TextInput(flood))
    assert found.level >= Level.IDEATION  # what the rules find in it stands


@pytest.mark.parametrize("reasons", [("context:everyday",), ("context:commerce", "context:everyday")])
def test_talk_of_ordinary_plans_without_risk_words_caps_the_model(
    tiny_model: RiskModel, reasons: tuple[str, ...]
) -> None:
    assert tiny_model.predict([RISKY * 4])[0] >= Level.IDEATION
    result = HybridDetector(tiny_model, _rules(Level.NONE, *reasons)).assess(TextInput(RISKY * 4))
    assert result.level is Level.INDICATOR
    assert "hybrid:everyday_talk_caps_model" in result.reasons


def test_shop_talk_without_risk_words_caps_the_model(tiny_model: RiskModel) -> None:
    result = HybridDetector(tiny_model, _rules(Level.NONE, "context:commerce")).assess(TextInput(RISKY * 4))
    assert result.level is Level.INDICATOR
    assert "hybrid:shop_talk_caps_model" in result.reasons


def test_one_shop_word_in_a_long_post_does_not_cap_the_model(tiny_model: RiskModel) -> None:
    """A post past a tweet's length is the writer's story: "my order came today and I didn't even open it" inside
    it is not shop service talk, so the model's reading of the whole post stands (it was capped at indicator)."""
    long_post = "，".join([RISKY] * 80)
    assert len(long_post) > LONG_POST_CHARS
    result = HybridDetector(tiny_model, _rules(Level.NONE, "context:commerce")).assess(TextInput(long_post))
    assert result.level >= Level.IDEATION
    assert "hybrid:shop_talk_caps_model" not in result.reasons


def test_a_product_named_in_shop_talk_caps_the_model_as_shop_talk(tiny_model: RiskModel) -> None:
    rules = _rules(Level.NONE, "means:blade", "term:zh:刀片", "context:commerce")
    result = HybridDetector(tiny_model, rules).assess(TextInput(RISKY * 4))
    assert result.level is Level.INDICATOR
    assert "hybrid:shop_talk_caps_model" in result.reasons
    # the product named without shop talk: the model's reading stands
    alone = HybridDetector(tiny_model, _rules(Level.NONE, "means:blade", "term:zh:刀片")).assess(TextInput(RISKY * 4))
    assert alone.level >= Level.IDEATION


def test_a_means_word_searched_alone_caps_even_a_confident_model(
    tiny_model: RiskModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search for "木炭 10斤": the model, taught by a suicide tree hole, is sure of behavior; a search that short
    names a product, which is context for fusion. In a message the confident model's reading stands."""
    monkeypatch.setattr(hybrid, "CONFIDENT_BEHAVIOR", 0.0)  # whatever the tiny model reads counts as confident
    rules = _rules(Level.INDICATOR, "rule:indicator.means.charcoal", "means:charcoal", "term:zh:木炭")
    searched = HybridDetector(tiny_model, rules).assess(TextInput(RISKY, kind="search"))
    assert searched.level is Level.INDICATOR and "hybrid:means_words_alone_cap_model" in searched.reasons
    said = HybridDetector(tiny_model, rules).assess(TextInput(RISKY, kind="message"))
    assert said.level >= Level.IDEATION and "hybrid:means_words_alone_cap_model" not in said.reasons


def test_order_lines_are_read_by_the_rules_alone(tiny_model: RiskModel) -> None:
    rules = _rules(Level.INDICATOR, "rule:indicator.means.charcoal")
    result = HybridDetector(tiny_model, rules).assess(TextInput(RISKY, kind="order"))
    assert result == rules.result


def test_rules_raise_the_level_and_bring_their_spans(tiny_model: RiskModel) -> None:
    span = Span(0, 5, "rule:attempt.imminent_time")
    rules = StubRules(
        Assessment(level=Level.ATTEMPT, score=0.9, reasons=("rule:attempt.imminent_time",), spans=(span,))
    )
    result = HybridDetector(tiny_model, rules).assess(TextInput(BENIGN))
    assert result.level is Level.ATTEMPT
    assert result.spans == (span,)
    assert "hybrid:rules_raise" in result.reasons and result.score >= 0.9


def test_failing_rules_do_not_break_detection(tiny_model: RiskModel) -> None:
    results = HybridDetector(tiny_model, StubRules(fail=True)).assess_many([TextInput(RISKY), TextInput(BENIGN)])
    assert results[0].level >= Level.IDEATION and results[1].level is Level.NONE
    assert "error:rules_failed" in results[0].reasons


# -- end to end with the shipped model and the real rules -------------------------------------------


@pytest.fixture(scope="module")
def production() -> HybridDetector:
    from lifeguard.detection.model import hybrid_detector

    return hybrid_detector()


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("I don't want to die", lambda a: a.level < Level.IDEATION),
        ("my friend wants to kill herself", lambda a: a.support and a.level < Level.IDEATION),
        ("笑死我了", lambda a: a.level is Level.NONE),
        ("我想死", lambda a: a.level >= Level.IDEATION),
        ("I want to kill myself tonight", lambda a: a.level >= Level.IDEATION),
        ("where is my parcel, it is late again", lambda a: a.level is Level.NONE),
        ("周末朋友聚会烧烤，五斤木炭够用吗？", lambda a: a.level <= Level.INDICATOR),
        ("几年前我自杀过，现在已经走出来了，生活好多了，想鼓励大家", lambda a: a.level <= Level.INDICATOR),
        ("I feel so hopeless, everything is pointless", lambda a: a.level <= Level.INDICATOR),
        ("木炭买好了，门窗也封好了，就今晚", lambda a: a.level >= Level.BEHAVIOR),
        # In a chat line, the model's reading beside the means words must come from the other words: not from
        # 想买 + 安眠药 (a tree-hole habit), but still from a gun bought beside "i'm done" (no cap on a gun).
        (
            "我失眠，想买点安眠药",
            lambda a: a.level is Level.INDICATOR and "hybrid:means_words_alone_cap_model" in a.reasons,
        ),
        ("i bought a gun today. i'm done.", lambda a: a.level >= Level.IDEATION),
        (
            "i took what was left of my sleeping pills. can't wait for it all to end. finally ending it",
            lambda a: a.level >= Level.IDEATION,
        ),
        ("tonight", lambda a: a.level <= Level.INDICATOR),
        ("要是我走了那我就拒收可以吗亲", lambda a: a.level <= Level.INDICATOR),
        ("亲，我不想活了，安眠药有货吗", lambda a: a.level >= Level.BEHAVIOR),
        ("where is my refund, I want to die", lambda a: a.level >= Level.IDEATION),
        ("期末考试就是我的死期哈哈", lambda a: a.level is Level.NONE),  # the model alone read behavior
        ("i bought charcoal and tape, going to do it in the car", lambda a: a.level >= Level.BEHAVIOR),
        ("我不会喝农药的", lambda a: a.level <= Level.INDICATOR),
        # thoughts of death that stopped are no case; stopped because a plan took their place still are (session 28)
        ("i don't think about dying every day anymore", lambda a: a.level <= Level.INDICATOR),
        ("i don't think about dying anymore since therapy, things are better", lambda a: a.level <= Level.INDICATOR),
        ("i don't think about dying anymore, i'm planning it", lambda a: a.level >= Level.IDEATION),
        ("i think about dying every day", lambda a: a.level >= Level.IDEATION),
        ("i don't want to be in this world anymore", lambda a: a.level >= Level.IDEATION),
    ],
)
def test_production_hybrid(production: HybridDetector, text: str, check: object) -> None:
    result = production.assess(TextInput(text))
    assert callable(check) and check(result), result
    assert any(reason.startswith("model:") for reason in result.reasons)
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)


def test_the_model_alone_does_not_read_devanagari(production: HybridDetector) -> None:
    """The shipped model reads "I'm eating" as behavior: its only Devanagari first-person lines are risk seeds."""
    eating = "मैं खाना खा रहा हूं"
    assert production.model.assess(TextInput(eating)).level >= Level.IDEATION
    result = production.assess(TextInput(eating))
    assert result.level is Level.NONE and "hybrid:devanagari_needs_rules" in result.reasons
    assert result.score == 0.0 and not result.spans
    found = production.assess(TextInput("मैं मरना चाहता हूँ"))  # what the rules find stands
    assert found.level is Level.IDEATION and "hybrid:devanagari_needs_rules" not in found.reasons
    mixed = production.assess(TextInput("मैं ठीक नहीं हूँ, i want to die"))  # English risk words in it
    assert mixed.level >= Level.IDEATION


def test_a_devanagari_line_the_short_chat_head_raised_keeps_ideation(production: HybridDetector) -> None:
    """The short-chat head learnt Devanagari risk and everyday chat from lines written for it (session 24): what it
    alone raises to ideation stays there, where the four heads' reading is still none without the rules."""
    from lifeguard.detection.model import hybrid_detector

    line = "मुझे नहीं पता मैं क्यों ज़िंदा हूँ"  # "I don't know why I'm alive": no rule finds it
    result = production.assess(TextInput(line))
    assert result.level is Level.IDEATION and SHORT_CHAT_REASON in result.reasons
    assert "hybrid:devanagari_needs_rules" not in result.reasons
    without = hybrid_detector("none", short_chat=False).assess(TextInput(line))
    assert without.level is Level.NONE and "hybrid:devanagari_needs_rules" in without.reasons
    assert production.assess(TextInput("मैं खाना खा रहा हूं")).level is Level.NONE  # "I'm eating": the head leaves it


def test_a_very_short_line_the_short_chat_head_raised_keeps_its_reading(production: HybridDetector) -> None:
    """Under twelve characters the four heads alone open no case (they learnt short Chinese from a "tree hole"); the
    short-chat head learnt short chat beside everyday lines, and what it raises keeps its level (session 25)."""
    from lifeguard.detection.model import hybrid_detector

    line = "药都吞了"  # "swallowed all the pills": no rule finds it
    result = production.assess(TextInput(line))
    assert result.level >= Level.IDEATION and SHORT_CHAT_REASON in result.reasons
    assert "hybrid:too_short_for_model_alone" not in result.reasons
    without = hybrid_detector("none", short_chat=False).assess(TextInput(line))
    assert without.level <= Level.INDICATOR
    for everyday in ("我走了 明天见", "到家了", "吃药了"):  # "I'm off, see you tomorrow", "home", "took my medicine"
        assert production.assess(TextInput(everyday)).level < Level.IDEATION, everyday


# -- the rules screen what the model reads as no risk -------------------------------------------------


class UnscreenedRules:
    """The real rules without ``screen``: every text is read in full."""

    def __init__(self, rules: object) -> None:
        self._rules = rules
        self.info = rules.info  # type: ignore[attr-defined]

    def assess(self, item: TextInput) -> Assessment:
        return self._rules.assess(item)  # type: ignore[attr-defined]

    def assess_many(self, items: list[TextInput]) -> list[Assessment]:
        return self._rules.assess_many(items)  # type: ignore[attr-defined]


SCREENED = [
    TextInput("where is my parcel, it is late again"),
    TextInput("笑死我了哈哈哈"),  # an idiom set aside: noted only when the rules read the text in full
    TextInput("亲，这个什么时候发货"),  # shop talk
    TextInput("我想死"),
    TextInput("I don't want to die"),
    TextInput("my friend wants to kill herself"),
    TextInput("安眠药 10片", kind="order"),  # orders are always read in full
    TextInput("mujhe jeena nahi hai", lang="hi-Latn"),
    TextInput("x" * 25_000),
    TextInput("周末朋友聚会烧烤，五斤木炭够用吗？", kind="search"),
]


def test_screened_texts_keep_every_field_but_the_notes(production: HybridDetector) -> None:
    full = HybridDetector(production.model, UnscreenedRules(production.rules))
    for fast, slow in zip(production.assess_many(SCREENED), full.assess_many(SCREENED), strict=True):
        assert (fast.level, fast.score, fast.spans, fast.support, fast.third_party_level, fast.lang) == (
            slow.level,
            slow.score,
            slow.spans,
            slow.support,
            slow.third_party_level,
            slow.lang,
        )
        dropped = [reason for reason in slow.reasons if reason not in fast.reasons]
        assert [reason for reason in slow.reasons if reason in fast.reasons] == list(fast.reasons)
        assert all(reason.startswith(("context:", "idiom:", "negated:", "other_directed:")) for reason in dropped)
        if dropped:
            assert fast.level is Level.NONE


def test_the_rules_screen_only_what_they_could_find_nothing_in(production: HybridDetector) -> None:
    rules = production.rules
    assert rules.screen(TextInput("我想死")) is None  # type: ignore[attr-defined]
    assert rules.screen(TextInput("my friend wants to kill herself")) is None  # type: ignore[attr-defined]
    screened = rules.screen(TextInput("笑死我了哈哈哈"))  # type: ignore[attr-defined]
    full = rules.assess(TextInput("笑死我了哈哈哈"))
    assert screened is not None and full.reasons  # the full reading notes the idiom; the screen does not
    assert (screened.level, screened.score, screened.support) == (full.level, 0.0, False)
    assert screened.lang is None  # left to the caller, which has the model's guess
    long = rules.screen(TextInput("x" * 25_000))  # type: ignore[attr-defined]
    assert long is not None and long.reasons == rules.assess(TextInput("x" * 25_000)).reasons


def test_the_rules_read_in_full_what_the_model_flags(production: HybridDetector) -> None:
    # "期末考试就是我的死期哈哈": the model alone reads behavior; the idiom the rules set aside must cap it
    result = production.assess(TextInput("期末考试就是我的死期哈哈"))
    assert result.level is Level.NONE
    assert any(reason.startswith("hybrid:idiom_caps_model") for reason in result.reasons)


def test_the_chat_line_means_cap_reads_bytes_as_their_text(production: HybridDetector) -> None:
    # The cap blanks the means words by the rules' spans, which count the characters of the decoded text.
    text = "我失眠，想买点安眠药"
    as_text, as_bytes = production.assess_many([TextInput(text), TextInput(text.encode())])  # type: ignore[arg-type]
    assert as_bytes.level is as_text.level is Level.INDICATOR
    assert "hybrid:means_words_alone_cap_model" in as_bytes.reasons


@pytest.mark.parametrize(
    ("spaced", "plain"),
    [
        ("i took the p i l l s 10 minutes ago", "i took the pills 10 minutes ago"),
        ("ive got the p.i.l.l.s on my desk, ready", "ive got the pills on my desk, ready"),
        ("我想自.杀", "我想自杀"),
    ],
)
def test_the_model_reads_a_word_spaced_out_as_written_plainly(
    production: HybridDetector, spaced: str, plain: str
) -> None:
    # The rules' normalising joins the letters; the hybrid gives the model the text without its spacers too, and puts
    # the model's evidence back on the letters as written.
    spaced_result, plain_result = production.assess_many([TextInput(spaced), TextInput(plain)])
    assert spaced_result.level == plain_result.level >= Level.IDEATION
    assert spaced_result.score == plain_result.score
    for span in spaced_result.spans:
        assert 0 <= span.start < span.end <= len(spaced)
        assert spaced[span.start] != " " and spaced[span.end - 1] != " "


def test_the_models_evidence_in_a_word_spaced_out_covers_its_letters(production: HybridDetector) -> None:
    text = "ive t a k e n way too many and im getting sleepy"
    result = production.assess(TextInput(text))
    assert result.level >= Level.IDEATION
    shown = {span.reason: text[span.start : span.end] for span in result.spans}
    assert shown["model:ngram:taken"] == "t a k e n"
