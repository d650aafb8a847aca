"""The scenario suite: seed stories and realistic timelines in zh/en/hi/hi-Latn, run through the real detector,
``observe`` and ``fuse``. Scenarios tagged ``detector-gap`` state what should happen and currently do not,
because the text detector misses a phrase; they are strict xfails, so they fail loudly once the detector learns
the phrase (then remove the tag)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lifeguard.detection.assessment import Detector
from lifeguard.detection.fusion import Policy
from lifeguard.detection.fusion.scenarios import (
    TIMELINES,
    ScenarioError,
    format_table,
    load_scenarios,
    run_scenario,
    run_scenarios,
)
from lifeguard.detection.levels import Level
from lifeguard.detection.products import Catalogue

SCENARIOS = TIMELINES
ALL = load_scenarios(SCENARIOS)


def test_the_suite_has_the_stories_and_enough_timelines() -> None:
    ids = {scenario.id for scenario in ALL}
    for story in ("story-12yo-sleeping-pills", "story-henan-pesticide-debt", "story-after-parents-sleep",
                  "story-hindi-goodbye-post", "story-english-overdose-searches", "story-qq-group-bystander",
                  "story-chili-peppers"):  # fmt: skip
        assert story in ids
    assert len(ALL) - 7 >= 40
    assert {scenario.lang for scenario in ALL} >= {"zh", "en", "hi", "hi-Latn"}
    # Both sides are covered: crises and look-alikes.
    assert sum(s.expect_level >= Level.BEHAVIOR for s in ALL) >= 15
    assert sum(s.expect_level <= Level.INDICATOR for s in ALL) >= 15


def _param(scenario: object) -> object:
    gap = "detector-gap" in scenario.tags  # type: ignore[attr-defined]
    marks = [pytest.mark.xfail(strict=True, reason="the text detector misses a phrase here")] if gap else []
    return pytest.param(scenario, id=scenario.id, marks=marks)  # type: ignore[attr-defined]


@pytest.mark.parametrize("scenario", [_param(s) for s in ALL])
def test_scenario(scenario: object, detector: Detector, catalogue: Catalogue, policy: Policy) -> None:
    result = run_scenario(scenario, detector, catalogue, policy)  # type: ignore[arg-type]
    assert result.passed, f"{result.id}: {'; '.join(result.problems)}\nreasons: {result.fused.reasons}"


def test_run_scenarios_and_table(detector: Detector) -> None:
    results = run_scenarios(SCENARIOS / "stories.yaml", detector)
    assert [r.id for r in results][:1] == ["story-12yo-sleeping-pills"]
    assert all(r.passed for r in results)
    table = format_table(results)
    assert table.splitlines()[-1] == f"{len(results)}/{len(results)} scenarios as expected"
    assert "story-chili-peppers" in table and "behavior/P1" in table


def test_a_failing_scenario_shows_in_the_table(tmp_path: Path, detector: Detector) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump([{
        "id": "wrong-on-purpose", "events": [{"at": 0, "kind": "message", "text": "I want to die"}],
        "expect": {"level": "none", "priority": "P3"},
    }]), encoding="utf-8")  # fmt: skip
    [result] = run_scenarios(path, detector)
    assert not result.passed and result.level == Level.IDEATION
    assert "FAIL" in format_table([result]) and "0/1" in format_table([result])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "list of scenarios"),
        ("- {title: x}", "'id' is missing"),
        ("- {id: a, events: [], expect: {level: none, priority: P3}}", "'events'"),
        ("- {id: a, events: [{kind: message}], expect: {level: none, priority: P3}}", "events[0]"),
        ("- {id: a, events: [{at: 0, kind: message}], expect: {level: lethal, priority: P3}}", "expect.level"),
        ("- {id: a, events: [{at: 0, kind: message}], expect: {level: none, priority: P7}}", "expect.priority"),
        ("- {id: a, tz: CST, events: [{at: 0, kind: message}], expect: {level: none, priority: P3}}", "'tz'"),
        ("- {id: a, colour: red, events: [{at: 0, kind: message}], expect: {level: none, priority: P3}}", "colour"),
        (
            "- {id: a, events: [{at: 0, kind: m}], expect: {level: none, priority: 3}}\n"
            "- {id: a, events: [{at: 0, kind: m}], expect: {level: none, priority: 3}}",
            "duplicate",
        ),
    ],
)
def test_malformed_scenario_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_scenarios(path)


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no scenario files"):
        load_scenarios(tmp_path)
