"""The demo scenarios (written from the public stories) get exactly the level they promise.

A scenario's level is the highest level the detector gives its events; for a report, the level it
describes for someone else counts (``third_party_level``), since the report is about its subject.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from lifeguard.detection.assessment import Assessment, Detector, TextInput
from lifeguard.detection.levels import Level, highest

SCENARIOS: dict[str, Any] = json.loads(
    resources.files("lifeguard.demo").joinpath("scenarios.json").read_text(encoding="utf-8")
)
TEXT_FIELDS = {"message": "text", "post": "text", "comment": "text", "report": "text", "search": "query"}


def event_input(event: dict[str, Any]) -> TextInput:
    kind = event["kind"]
    if kind == "order":
        text = "\n".join(item["title"] for item in event["items"])
    else:
        text = event[TEXT_FIELDS[kind]]
    return TextInput(text=text, kind=kind, lang=event.get("locale"))


def event_level(event: dict[str, Any], result: Assessment) -> Level:
    if event["kind"] == "report" and result.support:
        return highest([result.level, result.third_party_level])
    return result.level


def _scenario_ids() -> list[str]:
    return [scenario["name"] for scenario in SCENARIOS["scenarios"]]


@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=_scenario_ids())
def test_scenario_level_and_case(scenario: dict[str, Any], detector: Detector) -> None:
    results = [(event, detector.assess(event_input(event))) for event in scenario["events"]]
    level = highest([event_level(event, result) for event, result in results])
    detail = [(event_input(event).text, result.level.value, result.reasons) for event, result in results]
    assert level == Level.parse(scenario["expect_level"]), detail
    assert scenario["expect_case"] == (level >= Level.IDEATION)


@pytest.mark.parametrize("scenario", SCENARIOS["scenarios"], ids=_scenario_ids())
def test_staff_replies_never_raise_risk(scenario: dict[str, Any], detector: Detector) -> None:
    for event in scenario["events"]:
        if event["kind"] == "message" and event["speaker_role"] in ("agent", "merchant"):
            result = detector.assess(event_input(event))
            assert result.level is Level.NONE, (event["text"], result.reasons)


def test_the_stories_and_the_look_alikes_are_all_there() -> None:
    names = set(_scenario_ids())
    assert {
        "zh-girl-sleeping-pills",
        "zh-pesticide-debt-collectors",
        "zh-jump-after-parents-asleep",
        "hi-goodbye-post-devanagari",
        "hi-Latn-goodbye-post-tonight",
        "en-overdose-searches",
        "zh-qq-group-bystander-report",
        "zh-family-report-pills-taken",
        "hi-Latn-distress-only",
    } <= names
    ordinary = [
        scenario
        for scenario in SCENARIOS["scenarios"]
        if not scenario["expect_case"] and scenario["expect_level"] in ("none", "indicator")
    ]
    assert len(ordinary) >= 25
    languages = {event.get("locale", "")[:2] for scenario in ordinary for event in scenario["events"]}
    assert {"zh", "en", "hi"} <= languages
    assert len(names) == len(SCENARIOS["scenarios"]), "scenario names must be unique (they seed subject ids)"


def test_scenario_events_have_the_fields_their_kind_needs() -> None:
    required = {
        "message": {"text", "conversation_id", "speaker_role"},
        "post": {"text"},
        "comment": {"text"},
        "search": {"query"},
        "order": {"order_id", "items"},
        "report": {"text", "reporter"},
    }
    assert SCENARIOS["platform"] == "demo-shop"
    for scenario in SCENARIOS["scenarios"]:
        assert {"name", "summary", "expect_case", "expect_level", "events"} <= scenario.keys()
        Level.parse(scenario["expect_level"])
        for event in scenario["events"]:
            assert required[event["kind"]] <= event.keys(), (scenario["name"], event)
            assert isinstance(event.get("minutes_ago", 0), int) and event.get("minutes_ago", 0) >= 0
            if event["kind"] == "message":
                assert event["speaker_role"] in ("user", "agent", "merchant")
            if event["kind"] == "report":
                assert event["reporter"]["kind"] in ("user", "merchant", "agent", "family", "police")
            for item in event.get("items", []):
                assert {"product_id", "title", "quantity"} <= item.keys()
                assert isinstance(item["price"]["amount"], str)
