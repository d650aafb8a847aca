"""The safe-messaging checker: good messages in every language pass; each rule catches what it is for, in every
language, through the detector's text folding; help must be the region's; it never raises on any text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.actions.safe_messaging import SafetyReport, UnsafeMessageError, check


def _codes(report: SafetyReport) -> list[str]:
    return [violation.code for violation in report.violations]


def _flagged(text: str, report: SafetyReport, code: str) -> list[str]:
    return [text[v.span[0] : v.span[1]] for v in report.violations if v.code == code and v.span is not None]


GOOD = [
    ("zh", "CN-BJ", "我在这里陪着你。你可以随时拨打北京心理危机研究与干预中心的电话 010-82951332，24小时都有人接。"),
    ("zh", "CN", "听起来你最近真的很累。想聊的时候我都在，也可以打全国心理援助热线 12356。"),
    ("zh", "CN", "你愿意的话，我可以帮你联系专业的心理咨询师。"),
    ("en", "US", "I'm really glad you told me. You can call or text 988 any time, day or night."),
    ("en", "GB", "You don't have to go through this alone. Samaritans are there for you on 116 123."),
    ("en", "US", "Are you thinking about suicide? I'm asking because I care, and I can connect you with a counsellor."),
    ("en", "US", "Thanks for hanging in there with me. If it gets too much, the 988 Lifeline is always open."),
    ("hi", "IN", "आप अकेले नहीं हैं। टेली-मानस 14416 पर कभी भी कॉल करें, यह मुफ़्त है।"),
    ("hi", "IN", "अगर आप चाहें, तो मैं आपको अभी किसी काउंसलर से जोड़ दूँ?"),
    ("hi-Latn", "IN", "Aap akele nahi ho. Tele-MANAS 14416 par kabhi bhi call karo, free hai."),
    ("hi-Latn", "IN-UP", "Agar aap chahein to main aapko abhi kisi counsellor se jod doon?"),
    ("en", None, "You are not alone. Find A Helpline lists free, confidential support near you."),
]


@pytest.mark.parametrize(("lang", "region", "text"), GOOD)
def test_good_messages_pass(lang: str, region: str | None, text: str) -> None:
    report = check(text, lang=lang, region=region)
    assert report.ok, report.reason
    assert report.violations == []


BAD = [
    # method details: means, doses, heights, ligatures, named methods
    ("en", "method_detail", "Please don't take those 30 sleeping pills. Call 988.", ["sleeping pills"]),
    ("en", "method_detail", "Don't jump off the bridge, call 988.", ["jump off the bridge"]),
    ("en", "method_detail", "A noose is not the answer. Call 988.", ["noose"]),
    ("en", "method_detail", "Put the charcoal away and call 988.", ["charcoal"]),
    ("en", "method_detail", "Paraquat is dangerous. Call 988.", ["paraquat"]),
    ("en", "method_detail", "Five floors is high enough? Call 988.", ["high enough"]),
    ("en", "method_detail", "From the 12th floor? Call 988.", ["12th floor"]),
    ("zh", "method_detail", "别吃30片安眠药，打12356。", ["30片", "安眠药"]),
    ("zh", "method_detail", "不要烧炭，打12356。", ["烧炭"]),
    ("zh", "method_detail", "百草枯不能喝，打12356。", ["百草枯"]),
    ("zh", "method_detail", "你在几楼？打12356。", ["几楼"]),
    ("hi", "method_detail", "सल्फास मत खाना। 14416 पर कॉल करें।", ["सल्फास"]),
    ("hi", "method_detail", "फंदा मत बनाओ। 14416 पर कॉल करें।", ["फंदा"]),
    ("hi-Latn", "method_detail", "Sulfas mat khana. 14416 par call karo.", ["Sulfas"]),
    ("hi-Latn", "method_detail", "Kitni goliyan li? 14416 par call karo.", ["Kitni goliyan"]),
    # framing
    ("en", "suicide_framing", "He committed suicide last year. Call 988.", ["committed suicide"]),
    ("en", "suicide_framing", "Her suicide was successful. Call 988.", ["suicide was successful"]),
    ("zh", "suicide_framing", "他自杀成功了。打12356。", ["自杀成功"]),
    ("hi", "suicide_framing", "उसकी आत्महत्या सफल रही। 14416 पर कॉल करें।", ["आत्महत्या सफल"]),
    ("hi-Latn", "suicide_framing", "Usne suicide commit kiya. 14416 par call karo.", ["suicide commit"]),
    # blame and shame
    ("en", "blame", "Don't be selfish, think of your mom. Call 988.", ["selfish"]),
    ("en", "blame", "Only a coward gives up. Call 988.", ["coward"]),
    ("zh", "blame", "有什么想不开的？多丢人啊。打12356。", ["想不开", "丢人"]),
    ("zh", "blame", "别做傻事。打12356。", ["傻事"]),
    ("hi", "blame", "यह कायर लोग करते हैं। 14416 पर कॉल करें।", ["कायर"]),
    ("hi-Latn", "blame", "Pagal mat bano, swarthi mat bano. 14416 par call karo.", ["Pagal", "swarthi"]),
    # sensational
    ("en", "sensational", "Suicide is an epidemic and skyrocketing. Call 988.", ["epidemic", "skyrocketing"]),
    ("zh", "sensational", "年轻人自杀激增。打12356。", ["激增"]),
    ("hi", "sensational", "यह महामारी बन गई है। 14416 पर कॉल करें।", ["महामारी"]),
    ("hi-Latn", "sensational", "Yeh mahamari hai. 14416 par call karo.", ["mahamari"]),
    # secrecy that stops help
    (
        "en",
        "secrecy",
        "I won't tell anyone, it stays between us. Call 988.",
        ["I won't tell anyone", "it stays between us"],
    ),
    ("zh", "secrecy", "我会替你保密，这是我们之间的秘密。打12356。", ["替你保密", "我们之间的秘密"]),
    ("hi", "secrecy", "मैं किसी को नहीं बताऊंगा। 14416 पर कॉल करें।", ["किसी को नहीं बताऊंगा"]),
    ("hi-Latn", "secrecy", "Main kisi ko nahi bataunga. 14416 par call karo.", ["kisi ko nahi bataunga"]),
]


@pytest.mark.parametrize(("lang", "code", "text", "spans"), BAD)
def test_each_rule_catches_its_words_in_every_language(lang: str, code: str, text: str, spans: list[str]) -> None:
    region = {"en": "US", "zh": "CN", "hi": "IN", "hi-Latn": "IN"}[lang]
    report = check(text, lang=lang, region=region)
    assert not report.ok
    assert set(_codes(report)) == {code}, report.reason  # the help is there: only the rule under test fires
    found = _flagged(text, report, code)
    for expected in spans:
        assert any(expected.casefold() in span.casefold() for span in found), (expected, found)


def test_the_violation_explains_and_suggests_in_the_agents_language() -> None:
    english = check("He committed suicide. Call 988.", lang="en", region="US").violations[0]
    assert "died by suicide" in english.message and "'committed suicide'" in english.message
    chinese = check("他自杀成功了。打12356。", lang="zh", region="CN").violations[0]
    assert "因自杀离世" in chinese.message


@pytest.mark.parametrize(
    "text",
    [
        "He c0mmitted su1cide. Call 988.",  # leet
        "He ｃｏｍｍｉｔｔｅｄ ｓｕｉｃｉｄｅ. Call 988.",  # full width
        "He commi\u200btted suicide. Call 988.",  # zero-width space inside the word
        "He COMMITTED SUICIDE. Call 988.",
    ],
)
def test_spellings_that_dodge_filters_are_folded_first(text: str) -> None:
    report = check(text, lang="en", region="US")
    assert _codes(report) == ["suicide_framing"]
    span = report.violations[0].span
    assert span is not None
    assert unicodedata.normalize("NFKC", text[span[0] : span[1]]).lower().replace("\u200b", "") in (
        "c0mmitted su1cide",
        "committed suicide",
    )


def test_an_everyday_medicine_is_only_a_method_detail_with_a_quantity() -> None:
    assert check("Did you take your paracetamol today? Call 988 if you need to.", lang="en", region="US").ok
    assert "method_detail" in _codes(check("Take 20 paracetamol? Call 988.", lang="en", region="US"))
    assert "method_detail" in _codes(check("吃了一瓶扑热息痛吗？打12356。", lang="zh", region="CN"))


def test_idioms_and_supportive_phrases_are_not_methods() -> None:
    assert check("It's a killer deal, and I'm here for you. Call 988.", lang="en", region="US").ok
    assert check("谢谢你一直撑着。想聊就打12356。", lang="zh", region="CN").ok


# -- a way to get help -----------------------------------------------------------------------------------------


def test_a_message_without_a_way_to_get_help_is_blocked() -> None:
    report = check("I'm worried about you. Are you thinking about suicide?", lang="en", region="US")
    assert _codes(report) == ["missing_help"]
    assert report.violations[0].span is None
    assert "988" in report.violations[0].message  # the fix names the region's lines


@pytest.mark.parametrize(
    "written", ["010-82951332", "010 8295 1332", "(010) 8295-1332", "01082951332", "０１０-８２９５１３３２"]
)
def test_the_regions_number_counts_however_it_is_spaced(written: str) -> None:
    assert check(f"随时可以打 {written}。", lang="zh", region="CN-BJ").ok


def test_a_named_service_counts_without_its_number() -> None:
    assert check("The Samaritans are there for you, day and night.", lang="en", region="GB").ok
    assert check("可以找北京心理危机研究与干预中心聊聊。", lang="zh", region="CN-BJ").ok


def test_another_regions_number_does_not_count() -> None:
    assert _codes(check("You can call 988 any time.", lang="en", region="GB")) == ["missing_help"]
    assert _codes(check("随时可以打 12356。", lang="zh", region="US")) == ["missing_help"]
    assert _codes(check("Call 19880 now.", lang="en", region="US")) == ["missing_help"]  # 988 inside another number


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Would you like me to connect you with someone who can help?"),
        ("zh", "我可以帮你联系专业的心理咨询师。"),
        ("hi", "मैं आपको किसी काउंसलर से जोड़ सकता हूँ।"),
        ("hi-Latn", "Main aapko kisi counsellor se jod sakta hoon."),
    ],
)
def test_an_explicit_offer_to_connect_counts_as_help(lang: str, text: str) -> None:
    assert check(text, lang=lang, region="XX").ok


def test_an_unknown_region_is_helped_by_the_international_directory() -> None:
    assert check("findahelpline.com lists free lines in your country.", lang="en", region=None).ok
    assert _codes(check("Take care of yourself.", lang="en", region="XX")) == ["missing_help"]


def test_a_reply_inside_a_chat_may_skip_the_help_requirement() -> None:
    assert check("What happened today?", lang="en", region="US", require_help=False).ok
    assert not check("Don't be selfish.", lang="en", region="US", require_help=False).ok


def test_an_empty_message_is_blocked() -> None:
    assert _codes(check("   ", lang="en", region="US")) == ["empty"]


def test_the_caller_raises_with_the_reason() -> None:
    report = check("He committed suicide.", lang="en", region="US")
    with pytest.raises(UnsafeMessageError, match="frames suicide") as caught:
        report.raise_if_unsafe()
    assert caught.value.report is report
    check("Call 988.", lang="en", region="US").raise_if_unsafe()  # ok: nothing raised


def test_unknown_languages_are_checked_with_every_rule() -> None:
    report = check("Ne sois pas selfish. 自杀成功. Appelle le 3114.", lang="fr", region="FR")
    assert set(_codes(report)) == {"blame", "suicide_framing"}


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=200),
    lang=st.sampled_from([None, "zh", "en", "hi", "hi-Latn", "xx"]),
    region=st.sampled_from([None, "CN", "CN-BJ", "IN-UP", "US", "XX"]),
)
def test_the_checker_never_raises_and_its_spans_are_inside_the_text(
    text: str, lang: str | None, region: str | None
) -> None:
    report = check(text, lang=lang, region=region)
    assert report.ok == (not report.violations)
    for violation in report.violations:
        assert violation.message
        if violation.span is not None:
            start, end = violation.span
            assert 0 <= start < end <= len(text)


@settings(max_examples=100, deadline=None)
@given(prefix=st.text(alphabet="abc 你好 ।", max_size=30), suffix=st.text(alphabet="xyz 谢谢 ।", max_size=30))
def test_a_flagged_phrase_stays_flagged_whatever_surrounds_it(prefix: str, suffix: str) -> None:
    text = f"{prefix} 自杀成功 {suffix} 12356"
    assert "suicide_framing" in _codes(check(text, lang="zh", region="CN"))
