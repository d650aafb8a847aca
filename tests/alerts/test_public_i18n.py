"""The public pages speak the alert's languages: ?lang= first, then Accept-Language, among zh, en and hi; every
string of the templates, pages and e-mails has its Chinese and Hindi translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient
from jinja2.ext import babel_extract

from lifeguard.alerts import public_i18n
from lifeguard.alerts.public_i18n import catalogue, choose
from lifeguard.clock import FixedClock
from lifeguard.runtime import Runtime
from tests.alerts import test_alerts_fanout as fanout
from tests.alerts.test_alerts_fanout import alert_body, police

World = tuple[Runtime, FixedClock, TestClient]
world = fanout.world
ALERTS = Path(public_i18n.__file__).parent
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _messages() -> set[str]:
    found: set[str] = set()
    for name in ("public.py", "subscribers.py"):
        for _, message, _, _ in extract_from_file("python", ALERTS / name, keywords={"t": None, "N_": None}):
            found.add(message if isinstance(message, str) else message[0])
    for template in (ALERTS / "templates").glob("*.html"):
        with template.open("rb") as handle:
            for _, _, message, _ in babel_extract(handle, ("_",), [], {}):
                found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["zh", "hi"])
def test_every_public_string_is_translated(language: str) -> None:
    messages = _messages()
    assert len(messages) > 50
    table = catalogue(language)
    missing = sorted(messages - set(table))
    assert not missing, f"{language}.po lacks: {missing}"
    unused = sorted(set(table) - messages)
    assert not unused, f"{language}.po has messages nothing uses: {unused}"
    for message in messages:
        assert sorted(PLACEHOLDER.findall(table[message])) == sorted(PLACEHOLDER.findall(message)), message


def test_the_language_is_chosen_among_the_alerts_languages() -> None:
    assert choose(["zh", "en"], "en", "hi") == "en"
    assert choose(["zh", "en"], "hi", None) == "zh"  # not one of the alert's: the first
    assert choose(["zh", "en", "hi"], None, "hi-IN,hi;q=0.9,en;q=0.5") == "hi"
    assert choose(["zh", "en", "hi"], None, "fr-FR, en;q=0.8, zh;q=0.9") == "zh"
    assert choose(["zh", "en", "hi"], None, "zh;q=0, en") == "en"  # q=0: "not this one"
    assert choose(["zh", "en", "hi"], "zh-TW", None) == "zh"
    assert choose(["en", "zh"], None, "garbage;;q=x") == "en"
    assert choose([], None, None) == "en"


def _publish(rt: Runtime, client: TestClient, languages: list[str]) -> None:
    body = alert_body(languages=languages, category="elderly_dementia", person={**alert_body()["person"], "age": 79})
    answer = client.post("/v1/alerts", headers=police(rt), json=body)
    assert answer.status_code == 201, answer.text


def test_the_page_and_the_tip_confirmation_in_hindi_and_chinese(world: World) -> None:
    rt, _clock, client = world
    _publish(rt, client, ["zh-CN", "en-US", "hi-IN"])
    hindi = client.get("/alerts/2026-0042", headers={"Accept-Language": "hi-IN,hi;q=0.9"})
    assert hindi.status_code == 200 and '<html lang="hi">' in hindi.text
    assert hindi.headers["content-language"] == "hi"
    assert "लापता: 李小明" in hindi.text and "लापता व्यक्ति" in hindi.text  # the page's words and the CAP event
    assert "उम्र" in hindi.text and "79 वर्ष" in hindi.text and "भ्रमित" in hindi.text  # may be confused
    assert "पुलिस को सूचना भेजें" in hindi.text and "Send a tip" not in hindi.text
    assert 'hreflang="zh"' in hindi.text and 'hreflang="en"' in hindi.text  # the other languages, one tap away

    chinese = client.get("/alerts/2026-0042?lang=zh", headers={"Accept-Language": "hi"})
    assert '<html lang="zh">' in chinese.text and "寻人：李小明" in chinese.text and "人员走失" in chinese.text
    assert "郑州市二七广场周边50公里" in chinese.text  # the CAP area words, at the current radius

    tip = client.post("/alerts/2026-0042/tips?lang=hi", data={"text": "<b>बस स्टैंड</b> पर देखा"})
    assert tip.status_code == 201
    assert "धन्यवाद। पुलिस को आपकी सूचना मिल गई है:" in tip.text and "<blockquote>बस स्टैंड पर देखा" in tip.text
    assert 'href="/alerts/2026-0042?lang=zh"' in tip.text  # the language links lead to the page, not the POST


def test_an_alert_in_two_languages_offers_only_those(world: World) -> None:
    rt, _clock, client = world
    _publish(rt, client, ["zh-CN", "en-US"])
    page = client.get("/alerts/2026-0042?lang=hi", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in page.text and 'hreflang="hi"' not in page.text
    closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
    assert closed.status_code == 200
    ended = client.get("/alerts/2026-0042")
    assert "此预警已结束" in ended.text and "李小明" not in ended.text


def test_the_sign_up_pages_in_each_language(world: World) -> None:
    _rt, _clock, client = world
    for lang, words in (
        ("zh", "通过电子邮件接收寻人预警"),
        ("hi", "ईमेल से लापता व्यक्ति अलर्ट"),
        ("en", "alerts by e-mail"),
    ):
        page = client.get(f"/alert-subscriptions?lang={lang}")
        assert page.status_code == 200 and words in page.text and f'<html lang="{lang}">' in page.text
        assert f'<option value="{lang}" lang="{lang}" selected>' in page.text
    unsubscribe = client.get("/alert-subscriptions/unsubscribe/whatever?lang=zh")
    assert "退订预警邮件" in unsubscribe.text
    missing = client.get("/alerts/nope", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404 and "此页面不存在" in missing.text
