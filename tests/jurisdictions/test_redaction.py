"""Redaction of quoted free text: third parties' phone numbers, e-mails, ID numbers and handles go; the words,
short numbers, dates and times that a rescue depends on stay."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.jurisdictions.redaction import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call my mom 138-0013-8000 or mail mom@qq.com", "call my mom [phone] or mail [email]"),
        ("电话13800138000，邮箱mom@qq.com的", "电话[phone]，邮箱[email]的"),
        ("my friend +91 98204 66726 said", "my friend [phone] said"),
        ("(010) 8295-1332", "[phone]"),
        ("ｆｕｌｌ １３８００１３８０００", "ｆｕｌｌ [phone]"),
        ("身份证11010519491231002X", "身份证[id-number]"),
        ("aadhaar 1234 5678 9012", "aadhaar [id-number]"),
        ("card 6222021234567890123", "card [number]"),
        ("ask @li_ming_88 about it", "ask [handle] about it"),
    ],
)
def test_other_peoples_contacts_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "今晚22:00在12楼，打110",
        "I will do it at 23:30 on 2026-11-20, room 1203",
        "2026年11月20日 她说不想活了",
        "Tele-MANAS 14416",
    ],
)
def test_time_critical_cues_and_short_numbers_stay(text: str) -> None:
    assert redact(text) == text


def test_a_number_to_keep_stays_however_it_is_written() -> None:
    text = "my number is 138 0013 8000, my sister's is 139-1111-2222"
    assert redact(text, keep=["13800138000"]) == "my number is 138 0013 8000, my sister's is [phone]"


def test_a_handle_in_chinese_is_not_guessed_at() -> None:
    # No edge to find: redacting would swallow the risk words after it. The person quoting removes such names.
    assert redact("@张三说他不想活了") == "@张三说他不想活了"


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


PIECES = st.sampled_from(
    ["call ", "我的朋友", " 138-0013-8000 ", "a.b@example.org", " at 22:00 ", "2026-11-20", " ", "x", "9", "+86 ", "।"]
)


@settings(max_examples=300)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_no_email_or_long_number_survives(text: str) -> None:
    out = redact(text)
    assert "@example.org" not in out
    # What may stay is a date or a clock time; any other run of seven or more digits is a leak.
    rest = re.sub(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)|(?<!\d)\d{1,2}:\d{2}(?!\d)", "|", out)
    for run in re.findall(r"\d[\d \-().+]*\d", rest):
        assert len(re.sub(r"\D", "", run)) < 7, (text, out)


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"], exclude_characters="@"), max_size=80))
def test_text_without_digits_or_at_signs_is_untouched(text: str) -> None:
    assert redact(text) == text
