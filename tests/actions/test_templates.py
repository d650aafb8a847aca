"""Outreach templates: every shipped template is safe for every region of the directory, rendering is narrow
(known placeholders only, every value required, values never re-read as templates, hotlines only from the
directory), and suggested replies for shop agents pass the checker."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.actions.datafile import DataFileError
from lifeguard.actions.hotlines import default_directory
from lifeguard.actions.safe_messaging import check
from lifeguard.actions.templates import (
    CHANNELS,
    FOLLOW_UP_DAYS,
    LANGS,
    TemplateCatalogue,
    TemplateError,
    default_path,
    default_templates,
    follow_up_kind,
    format_hotlines,
    parse_templates,
    placeholders_of,
    resolve_lang,
    suggested_replies,
)
from lifeguard.detection.levels import Level

VALUES = {"agent_name": "Lin Xiaoyu", "platform_name": "Example Mall"}
NOTICE_VALUES = {**VALUES, "recipient": "the police of your area", "shared_on": "2026-11-20"}
SHIPPED = yaml.safe_load(default_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> TemplateCatalogue:
    return default_templates()


def _values(kind: str) -> dict[str, str]:
    return NOTICE_VALUES if kind.startswith("notice.") else VALUES


def _all_regions() -> list[str | None]:
    directory = default_directory()
    return [*directory.regions, *directory.aliases, None, "XX", "IN-MH", "CN-GD"]


# -- the shipped set -------------------------------------------------------------------------------------------


def test_every_required_kind_exists_in_every_language_and_channel(catalogue: TemplateCatalogue) -> None:
    kinds = set(catalogue.kinds)
    assert {"outreach.first_contact", "outreach.good_night", "outreach.good_morning", "notice.data_shared"} <= kinds
    assert {follow_up_kind(day) for day in FOLLOW_UP_DAYS} <= kinds
    assert FOLLOW_UP_DAYS == (1, 3, 7, 30, 90)
    for kind in kinds:
        for lang in LANGS:
            for channel in CHANNELS:
                assert catalogue.get(kind, lang, channel).body


def test_every_shipped_template_passes_the_checker_for_every_region(catalogue: TemplateCatalogue) -> None:
    regions = _all_regions()
    failures = []
    for template in catalogue.templates:
        for region in regions:
            rendered = catalogue.render(
                template.kind,
                lang=template.lang,
                channel=template.channel,
                region=region,
                values=_values(template.kind),
            )
            if not rendered.safety.ok:
                failures.append((template.id, region, rendered.safety.reason))
    assert failures == []
    assert len(catalogue.templates) * len(regions) > 3000  # exhaustive, not a sample


def test_templates_that_require_help_carry_the_regions_own_lines(catalogue: TemplateCatalogue) -> None:
    directory = default_directory()
    for region in _all_regions():
        rendered = catalogue.render("outreach.first_contact", lang="en", channel="in_app", region=region, values=VALUES)
        expected = [h.id for h in directory.for_region(region, "en")][:4]
        assert list(rendered.hotline_ids) == expected
        for hotline_id in expected:
            hotline = directory.get(hotline_id)
            assert (
                hotline.numbers[0] in rendered.body if hotline.numbers else hotline.contacts[0].value in rendered.body
            )


def test_sms_stay_short_for_every_region(catalogue: TemplateCatalogue) -> None:
    for template in (t for t in catalogue.templates if t.channel == "sms"):
        for region in _all_regions():
            body = catalogue.render(
                template.kind, lang=template.lang, channel="sms", region=region, values=_values(template.kind)
            ).body
            assert len(body) <= 400, (template.id, region, len(body))
            assert "\n" not in body


def test_all_shipped_texts_are_drafts_awaiting_review(catalogue: TemplateCatalogue) -> None:
    assert {template.status for template in catalogue.templates} == {"draft"}


def test_the_good_night_message_promises_a_good_morning_in_every_language(catalogue: TemplateCatalogue) -> None:
    words = {"zh": "早安", "en": "good-morning", "hi": "गुड मॉर्निंग", "hi-Latn": "good morning"}
    for lang, word in words.items():
        assert word in catalogue.get("outreach.good_night", lang, "in_app").body
        assert "{agent_name}" in catalogue.get("outreach.good_morning", lang, "in_app").body


def test_the_first_contact_says_it_would_be_sad_not_to_hear_back(catalogue: TemplateCatalogue) -> None:
    words = {"zh": "我会很难过", "en": "I'll be very sad", "hi": "मुझे बहुत दुख होगा", "hi-Latn": "mujhe bahut dukh hoga"}
    for lang, word in words.items():
        assert word in catalogue.get("outreach.first_contact", lang, "in_app").body


def test_the_data_shared_notice_says_what_was_not_shared(catalogue: TemplateCatalogue) -> None:
    words = {"zh": "聊天记录", "en": "did not share your full messages", "hi": "पूरे मैसेज", "hi-Latn": "poore messages"}
    for lang, word in words.items():
        template = catalogue.get("notice.data_shared", lang, "in_app")
        assert word in template.body
        assert {"recipient", "shared_on", "hotlines"} <= template.placeholders


def test_email_has_a_subject_and_the_agents_signature(catalogue: TemplateCatalogue) -> None:
    rendered = catalogue.render("follow_up.day_7", lang="zh", channel="email", region="CN-BJ", values=VALUES)
    assert rendered.subject == "这一周过得怎么样？"
    assert rendered.body.endswith("—— Lin Xiaoyu（Example Mall）")
    assert rendered.text.startswith(rendered.subject)


def test_chinese_hotlines_read_naturally() -> None:
    lines = format_hotlines(default_directory().for_region("CN-BJ", "zh"), "zh", "in_app")
    assert lines.splitlines()[0] == "• 北京心理危机研究与干预中心 心理援助热线：010-82951332（24小时）"
    sms = format_hotlines(default_directory().for_region("US", "en"), "en", "sms")
    assert sms == "988 Suicide & Crisis Lifeline; Crisis Text Line: text HOME to 741741"


# -- rendering is narrow ---------------------------------------------------------------------------------------


def test_a_missing_value_is_an_error_not_a_hole(catalogue: TemplateCatalogue) -> None:
    with pytest.raises(TemplateError, match="needs a value for agent_name"):
        catalogue.render(
            "outreach.first_contact", lang="en", channel="in_app", region="US", values={"platform_name": "X"}
        )


def test_the_caller_cannot_supply_the_hotlines(catalogue: TemplateCatalogue) -> None:
    with pytest.raises(TemplateError, match="filled from the hotline directory"):
        catalogue.render(
            "outreach.first_contact", lang="en", channel="sms", region="US", values={**VALUES, "hotlines": "555-0100"}
        )


def test_values_the_kind_does_not_take_are_refused(catalogue: TemplateCatalogue) -> None:
    with pytest.raises(TemplateError, match="takes no value named recipient"):
        catalogue.render(
            "outreach.first_contact", lang="en", channel="sms", region="US", values={**VALUES, "recipient": "x"}
        )


@pytest.mark.parametrize(
    ("value", "says"),
    [("", "empty"), ("Lin\nCall 555", "line breaks"), ("x" * 81, "at most 80"), ("Lin\x00", "control")],
)
def test_bad_values_are_refused(catalogue: TemplateCatalogue, value: str, says: str) -> None:
    with pytest.raises(TemplateError, match=says):
        catalogue.render(
            "outreach.first_contact", lang="en", channel="sms", region="US", values={**VALUES, "agent_name": value}
        )


def test_a_value_that_looks_like_a_placeholder_stays_literal(catalogue: TemplateCatalogue) -> None:
    rendered = catalogue.render(
        "outreach.good_morning", lang="en", channel="in_app", region="US", values={**VALUES, "agent_name": "{hotlines}"}
    )
    assert "It's {hotlines}, as promised" in rendered.body


def test_a_value_that_makes_the_message_unsafe_is_caught_by_the_check(catalogue: TemplateCatalogue) -> None:
    rendered = catalogue.render(
        "outreach.first_contact", lang="en", channel="sms", region="US", values={**VALUES, "agent_name": "a coward"}
    )
    assert not rendered.safety.ok and rendered.safety.codes == ("blame",)


def test_unknown_channels_and_kinds_are_errors(catalogue: TemplateCatalogue) -> None:
    with pytest.raises(TemplateError, match="unknown channel"):
        catalogue.render("outreach.first_contact", lang="en", channel="fax", region="US", values=VALUES)
    with pytest.raises(TemplateError, match="no template"):
        catalogue.render("outreach.nope", lang="en", channel="sms", region="US", values=VALUES)
    with pytest.raises(TemplateError, match="no follow-up on day 2"):
        follow_up_kind(2)


@pytest.mark.parametrize(
    ("asked", "used"),
    [
        ("zh-CN", "zh"),
        ("zh-Hant", "zh"),
        ("en-IN", "en"),
        ("hi", "hi"),
        ("hi-Latn", "hi-Latn"),
        ("es", "en"),
        (None, "en"),
    ],
)
def test_the_language_falls_back_to_english(asked: str | None, used: str) -> None:
    assert resolve_lang(asked) == used
    rendered = default_templates().render("follow_up.day_1", lang=asked, channel="sms", region="MX", values=VALUES)
    assert rendered.lang == used and rendered.safety.ok


@settings(max_examples=100, deadline=None)
@given(name=st.text(alphabet=st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=40))
def test_any_plain_name_is_inserted_literally_and_nothing_is_left_unfilled(name: str) -> None:
    rendered = default_templates().render(
        "follow_up.day_3", lang="en", channel="in_app", region="IN", values={**VALUES, "agent_name": name}
    )
    assert name.strip() in rendered.body
    assert "{" not in rendered.body.replace(name, "") and "}" not in rendered.body.replace(name, "")


# -- placeholders and validation of the file -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["{agent_name.__class__}", "{agent_name!r}", "{agent_name:>10}", "{0}", "{}", "{a[0]}"]
)
def test_only_plain_placeholders_are_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="plain name"):
        placeholders_of(text)


def test_literal_braces_are_written_doubled() -> None:
    assert placeholders_of("{{not a placeholder}} {agent_name}") == frozenset({"agent_name"})


def _data() -> dict[str, Any]:
    return copy.deepcopy(SHIPPED)


def _fails(data: dict[str, Any], *, entry: str | None, field: str | None, says: str) -> None:
    with pytest.raises(DataFileError) as caught:
        parse_templates(data, file="templates.yaml")
    assert (caught.value.entry, caught.value.field) == (entry, field)
    assert says in str(caught.value)


def test_an_unknown_placeholder_in_the_file_is_refused() -> None:
    data = _data()
    data["templates"]["follow_up.day_3"]["en"]["sms"] += " {user_phone}"
    _fails(data, entry="follow_up.day_3", field="en.sms", says="unknown placeholder {user_phone}")


def test_a_placeholder_of_another_kind_is_refused() -> None:
    data = _data()
    data["templates"]["outreach.first_contact"]["zh"]["in_app"] += "{recipient}"
    _fails(data, entry="outreach.first_contact", field="zh.in_app", says="unknown placeholder {recipient}")


def test_an_unsafe_template_text_is_refused_on_load() -> None:
    data = _data()
    data["templates"]["follow_up.day_30"]["hi-Latn"]["in_app"] += " Pagal mat bano."
    _fails(data, entry="follow_up.day_30", field="hi-Latn.in_app", says="fails the safe-messaging check")


def test_a_kind_that_requires_help_must_include_the_hotlines() -> None:
    data = _data()
    data["templates"]["follow_up.day_1"]["zh"]["sms"] = "【{platform_name}】我是{agent_name}，今天怎么样？"
    _fails(data, entry="follow_up.day_1", field="zh.sms", says="must include {hotlines}")


def test_a_missing_language_or_kind_is_refused() -> None:
    data = _data()
    del data["templates"]["notice.data_shared"]["hi"]
    _fails(data, entry="notice.data_shared", field="hi", says="must be a mapping")
    data = _data()
    del data["templates"]["follow_up.day_90"]
    _fails(data, entry=None, field="templates", says="follow_up.day_90")


def test_an_approved_kind_names_its_reviewer() -> None:
    data = _data()
    data["templates"]["outreach.good_morning"]["status"] = "approved"
    _fails(data, entry="outreach.good_morning", field="reviewed_by", says="who reviewed it")


def test_an_unsafe_reply_is_refused_on_load() -> None:
    data = _data()
    data["replies"]["behavior"]["en"].append("How many pills do you have?")
    _fails(data, entry=None, field="replies.behavior.en[5]", says="fails the safe-messaging check")


# -- suggested replies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT])
@pytest.mark.parametrize("lang", LANGS)
def test_replies_exist_for_every_level_and_language_and_pass_the_checker(level: Level, lang: str) -> None:
    replies = suggested_replies(level, lang)
    assert len(replies) >= 3
    for reply in replies:
        report = check(reply, lang=lang, region=None, require_help=False)
        assert report.ok, (reply, report.reason)


def test_replies_at_ideation_and_above_include_an_offer_to_connect() -> None:
    for level in (Level.IDEATION, Level.BEHAVIOR):
        for lang in LANGS:
            assert any(check(r, lang=lang, region="XX").ok for r in suggested_replies(level, lang)), (level, lang)


def test_the_pesticide_sellers_question_is_a_reply() -> None:
    assert any("果园" in reply for reply in suggested_replies("behavior", "zh"))


def test_replies_for_no_risk_are_empty_and_bad_levels_are_errors() -> None:
    assert suggested_replies(Level.NONE, "en") == []
    assert suggested_replies("ideation", "es") == suggested_replies("ideation", "en")
    with pytest.raises(ValueError, match="unknown risk level"):
        suggested_replies("panic", "en")
