"""Reports about someone else retold in that person's own words (``detection/their_words.py``) and read so by the
shipped hybrid: the retelling's risk is the third party's, never the writer's, and a retelling the rules do not back
and the model is not sure of counts for nothing."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.model.hybrid import CONFIDENT_IDEATION, READ_IN_THEIR_WORDS, RETOLD_IDEATION, HybridDetector
from lifeguard.detection.their_words import in_their_words


@pytest.mark.parametrize(
    ("text", "lang", "told"),
    [
        (
            "my friend keeps saying nobody would notice if he was gone",
            "en",
            "i keep saying nobody would notice if i was gone",
        ),
        (
            "My sister's locked in the bathroom, she says she cut deep",
            "en",
            "i'm locked in the bathroom, i say i cut deep",
        ),
        (
            "she wishes she wasn't alive and i don't know what to do",
            "en",
            "i wish i wasn't alive and you don't know what to do",
        ),
        ("he tries to kill himself and i blame myself", "en", "i try to kill myself and you blame yourself"),
        ("we'd be better off without him", "en", "you'd be better off without you"),
        ("我弟弟说他今晚要去跳河 我好怕", "zh", "我说我今晚要去跳河 你好怕"),
        ("mera dost kehta hai ki wo marna chahta hai", "hi-Latn", "main kehta hoon ki main marna chahta hoon"),
        ("meri didi ne bola wo aaj raat zeher kha legi", "hi-Latn", "maine bola main aaj raat zeher kha lungi"),
        ("मेरा भाई कहता है कि वह मरना चाहता है", "hi", "मैं कहता हूं कि मैं मरना चाहता हूं"),
        ("मेरे दोस्त ने कहा वो कल छत से कूदेगा", "hi", "मैंने कहा मैं कल छत से कूदूंगा"),
    ],
)
def test_a_report_is_retold_with_its_third_person_as_the_first_and_the_writer_as_the_second(
    text: str, lang: str, told: str
) -> None:
    assert in_their_words(text, lang) == told


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("i want to die", "en"),  # no one else in it
        ("我好累", "zh"),
        ("main bahut thak gaya hu", "hi-Latn"),
        ("my friend wants to die", None),  # no language guessed: no retelling
        ("my friend wants to die", "fr"),
        ("", "en"),
    ],
)
def test_a_text_without_a_third_person_or_a_language_is_not_retold(text: str, lang: str | None) -> None:
    assert in_their_words(text, lang) is None


REPORTS = [
    "my best friend keeps saying she wishes she wasn't alive, idk what to do",
    "my dad told me he thinks about killing himself every day",
    "my coworker said she's going to end it after the holidays",
    "我弟弟说他今晚要去跳河 我好怕",
    "mera dost kehta hai ki wo marna chahta hai",
    "मेरा भाई कहता है कि वह मरना चाहता है",
]


def test_a_report_the_hybrid_read_as_no_ones_risk_is_read_in_its_subjects_words(
    production: HybridDetector,
) -> None:
    results = production.assess_many([TextInput(text) for text in REPORTS])
    wrong = [
        (text, result.level.value, result.third_party_level.value, result.reasons)
        for text, result in zip(REPORTS, results, strict=True)
        if not (result.level < Level.IDEATION and result.support and result.third_party_level >= Level.IDEATION)
    ]
    assert not wrong, wrong
    assert any(READ_IN_THEIR_WORDS in result.reasons for result in results)


def test_a_report_sent_as_a_report_is_retold_as_its_subjects_own_message(production: HybridDetector) -> None:
    # a report's unnamed words are someone else's to the rules; retold, they are the subject's own ("i ...")
    result = production.assess(TextInput(REPORTS[0], kind="report"))
    assert result.level < Level.IDEATION and result.support, result.reasons
    assert result.third_party_level >= Level.IDEATION and READ_IN_THEIR_WORDS in result.reasons, result.reasons


def test_a_retelling_the_model_alone_reads_as_ideation_needs_no_certainty(production: HybridDetector) -> None:
    # retold ("i said i feel like a burden and would be better off gone") the rules find no risk word and the model
    # reads P(>= ideation) 0.71: below 0.9, which until session 29 left this report no one's risk
    text = "my cousin said she feels like a burden and would be better off gone"
    told = in_their_words(text, "en")
    assert told is not None
    reading = float(production.model.score_texts([told]).at_or_above[0, 1])
    assert RETOLD_IDEATION <= reading < CONFIDENT_IDEATION
    result = production.assess(TextInput(text))
    assert result.level < Level.IDEATION and result.support, result.reasons
    assert result.third_party_level >= Level.IDEATION and READ_IN_THEIR_WORDS in result.reasons, result.reasons


def test_the_second_reading_never_changes_the_writers_own_level(production: HybridDetector) -> None:
    texts = [
        *REPORTS,
        "mom hid her pills but i know where, doing it after she falls asleep",
        "he left me. i'm on the bridge",
        "my friend took my pills away but i know where she hid them",
    ]
    with_it = production.assess_many([TextInput(text) for text in texts])
    without = production._assess([TextInput(text) for text in texts], None, True)[0]
    assert [result.level for result in with_it] == [result.level for result in without]


@pytest.mark.parametrize(
    "text",
    [
        "we might be better off without them",  # about someone, not their words
        "use mar jaana chahiye, aisa neta kisi kaam ka nahi",  # an insult: "he should die"
        "he took the spoon out of her hand and laid it on the table",
        "my friend took my pills away but i know where she hid them",  # the writer's risk, not the friend's
        "she is dying to see the new movie",
        "my brother is on the roof fixing the antenna",
    ],
)
def test_a_retelling_opens_no_case_for_anyone_where_no_one_is_at_risk(production: HybridDetector, text: str) -> None:
    result = production.assess(TextInput(text))
    assert result.third_party_level < Level.IDEATION, result.reasons
