"""The model reads a text's language from its features with the same Hindi word list as the rules."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import TextInput
from lifeguard.detection.language import guess_language
from lifeguard.detection.model.model import RiskModel
from lifeguard.detection.normalize import normalize

TEXTS = [
    ("mujhe jeena nahi hai", "hi-Latn"),
    ("ab jeene ka mann nahi, sab khatam", "hi-Latn"),  # "khatam" was in the rules' list only
    ("dost bhi nahi samjhte", "hi-Latn"),  # "bhi" was in the model's list only, "dost" in the rules' only
    ("mujhe neend ki goli chahiye", "hi-Latn"),
    ("kal bhi", "hi-Latn"),  # the two lists used to disagree here...
    ("so sakta hun", "hi-Latn"),  # ...and here
    ("i want to go to the main station", "en"),  # English words that are also Hindi ones: ambiguous only
    ("sending you a hug hun", "en"),  # "hun": a pet name, ambiguous for both now
    ("where is my order", "en"),
    # repeated letters are collapsed: "see" reads as "se", "app" as "aap"; both are ambiguous now
    ("see you at the app store", "en"),
    ("i see, thanks to you", "en"),
    ("aap se baat karni hai", "hi-Latn"),
    # one future or past verb form of Hindi, which no English text has, beside its object
    ("zeher kha lunga", "hi-Latn"),
    ("main mar jaunga", "hi-Latn"),
    ("main bahut akela hu", "hi-Latn"),
    ("log in to my account", "en"),
    ("मुझे जीना नहीं है", "hi"),
    ("我不想活了", "zh"),
]


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return RiskModel.load()


@pytest.mark.parametrize(("text", "lang"), TEXTS)
def test_the_model_and_the_rules_read_the_same_language(model: RiskModel, text: str, lang: str) -> None:
    batched = model.assess_many([TextInput(other) for other, _ in TEXTS])[[t for t, _ in TEXTS].index(text)]
    alone = model.language(TextInput(text), model.score_texts([text]).folded[0])  # the one-text path
    assert batched.lang == alone == guess_language(normalize(text).text) == lang
